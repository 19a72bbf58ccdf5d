"""Read models for project pages: one statement per list, whatever the number of rows."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import Select, and_, asc, case, desc, exists, or_, select
from sqlalchemy.orm import aliased

from tracker.audit.models import AuditEntry
from tracker.auth.models import User
from tracker.projects.models import Project, ProjectMembership, project_partners

SORT_COLUMNS = {
    "code": Project.code,
    "name": Project.name,
    "budget": Project.budget_at_completion,
    "start": Project.planned_start,
    "finish": Project.planned_finish,
    "status": Project.status,
}


def size_tier_expression():
    """The size tier in SQL, from the configured thresholds, so lists can filter by it."""
    config = current_app.config
    return case(
        (Project.budget_at_completion < config["TIER_SMALL_BELOW"], "small"),
        (Project.budget_at_completion > config["TIER_LARGE_ABOVE"], "large"),
        else_="medium",
    )


def visible_to(statement: Select, user) -> Select:
    """Non-PMO users see only the projects they hold a role on."""
    if user.is_pmo:
        return statement
    # IN over the person's memberships (indexed by person): EXISTS made every engine scan
    # all projects, which at national scale is thousands of rows for a handful shown.
    return statement.where(
        Project.id.in_(
            select(ProjectMembership.project_id).where(ProjectMembership.user_id == user.id)
        )
    )


def project_list(
    user,
    *,
    q=None,
    method=None,
    status=None,
    organisation=None,
    tier=None,
    sort="code",
    direction="asc",
) -> Select:
    manager_membership = aliased(ProjectMembership)
    manager = aliased(User)
    statement = (
        select(Project, manager.name.label("manager_name"))
        .outerjoin(
            manager_membership,
            and_(
                manager_membership.project_id == Project.id,
                manager_membership.role == "project_manager",
            ),
        )
        .outerjoin(manager, manager.id == manager_membership.user_id)
    )
    statement = visible_to(statement, user)
    if q:
        pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        statement = statement.where(
            or_(Project.code.ilike(pattern, escape="\\"), Project.name.ilike(pattern, escape="\\"))
        )
    if method == "none":
        statement = statement.where(Project.delivery_method.is_(None))
    elif method:
        statement = statement.where(Project.delivery_method == method)
    if status:
        statement = statement.where(Project.status == status)
    if organisation:
        statement = statement.where(
            or_(
                Project.lead_organisation_id == organisation,
                exists().where(
                    project_partners.c.project_id == Project.id,
                    project_partners.c.organisation_id == organisation,
                ),
            )
        )
    if tier:
        statement = statement.where(size_tier_expression() == tier)
    column = SORT_COLUMNS.get(sort, Project.code)
    order = desc if direction == "desc" else asc
    return statement.order_by(order(column), asc(Project.id))


def project_history(project_id: int) -> Select:
    return (
        select(AuditEntry)
        .where(AuditEntry.project_id == project_id)
        .order_by(AuditEntry.seq.desc())
    )
