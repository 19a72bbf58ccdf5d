"""Operations on projects: each flushes and writes its audit entry; the caller commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tracker.audit import services as audit
from tracker.audit.rules import diff
from tracker.auth.models import User
from tracker.core import events
from tracker.core.errors import RuleError, check_version
from tracker.extensions import db
from tracker.orgs.models import Organisation
from tracker.projects import access
from tracker.projects.models import Project, ProjectMembership
from tracker.projects.rules import PROJECT_ROLES, ProjectStatus


@dataclass
class ProjectData:
    code: str
    name: str
    problem_statement: str
    lead_organisation_id: int
    partner_ids: list[int]
    manager_id: int
    budget_at_completion: Decimal
    planned_start: date
    planned_finish: date
    criticality: int


def manager_of(project: Project) -> User | None:
    for membership in project.memberships:
        if membership.role == "project_manager":
            return membership.user
    return None


def _snapshot(project: Project) -> dict:
    manager = manager_of(project)
    return {
        "code": project.code,
        "name": project.name,
        "problem_statement": project.problem_statement,
        "lead_organisation": project.lead_organisation.name if project.lead_organisation else None,
        "partners": [org.name for org in project.partners],
        "project_manager": manager.name if manager else None,
        "budget_at_completion": project.budget_at_completion,
        "planned_start": project.planned_start,
        "planned_finish": project.planned_finish,
        "criticality": project.criticality,
        "status": project.status,
        "finished_on": project.finished_on,
        "delivery_method": project.delivery_method,
    }


def _check(data: ProjectData, exclude_id: int | None = None) -> tuple[Organisation, list, User]:
    duplicate = select(Project.id).where(func.upper(Project.code) == data.code.upper())
    if exclude_id is not None:
        duplicate = duplicate.where(Project.id != exclude_id)
    if db.session.scalars(duplicate).first() is not None:
        raise RuleError(f"Project code {data.code} is already used by another project", "code")
    if data.planned_finish < data.planned_start:
        raise RuleError(
            "Planned finish must be the same as or after the planned start", "planned_finish"
        )
    if data.budget_at_completion < 0:
        raise RuleError("Budget at completion must not be negative", "budget_at_completion")
    lead = db.session.get(Organisation, data.lead_organisation_id)
    if lead is None:
        raise RuleError("Choose a lead organisation from the list", "lead_organisation_id")
    partners = []
    if data.partner_ids:
        partners = list(
            db.session.scalars(select(Organisation).where(Organisation.id.in_(data.partner_ids)))
        )
        if len(partners) != len(set(data.partner_ids)):
            raise RuleError("Choose partner organisations from the list", "partner_ids")
    if lead.id in set(data.partner_ids):
        raise RuleError("The lead organisation cannot also be a partner", "partner_ids")
    manager = db.session.get(User, data.manager_id)
    if manager is None or not manager.is_active_user:
        raise RuleError("Choose an active person as project manager", "manager_id")
    return lead, partners, manager


def _apply(project: Project, data: ProjectData, lead, partners, manager) -> None:
    project.code = data.code.upper()
    project.name = data.name.strip()
    project.problem_statement = data.problem_statement.strip()
    project.lead_organisation = lead
    project.partners = partners
    project.budget_at_completion = data.budget_at_completion
    project.planned_start = data.planned_start
    project.planned_finish = data.planned_finish
    project.criticality = data.criticality
    current = next((m for m in project.memberships if m.role == "project_manager"), None)
    if current is None:
        project.memberships.append(ProjectMembership(user=manager, role="project_manager"))
    elif current.user_id != manager.id:
        current.user = manager


def create_project(data: ProjectData) -> Project:
    """A new project is always proposed, whoever creates it: only governance moves it on
    (``tracker.projects.lifecycle``)."""
    lead, partners, manager = _check(data)
    project = Project(status=ProjectStatus.PROPOSED.value)
    _apply(project, data, lead, partners, manager)
    db.session.add(project)
    _flush_unique(data.code)
    audit.record(
        "project.created",
        project,
        project_id=project.id,
        summary=f"Created project {project.code} {project.name}",
        changes=diff({}, _snapshot(project)),
    )
    # The domains above set up what a new project starts with (its governance framework).
    events.send(events.project_created, project, actor=None)
    return project


def update_project(project: Project, data: ProjectData, *, version: int | None) -> Project:
    check_version(project, version)
    lead, partners, manager = _check(data, exclude_id=project.id)
    current = manager_of(project)
    if current is None or current.id != manager.id:
        access.check_grant(project, manager, "project_manager", "manager_id")
    before = _snapshot(project)
    _apply(project, data, lead, partners, manager)
    changes = diff(before, _snapshot(project))
    if changes:
        _flush_unique(data.code)
        audit.record(
            "project.updated",
            project,
            project_id=project.id,
            summary=f"Updated {', '.join(k.replace('_', ' ') for k in changes)}",
            changes=changes,
        )
    return project


def _flush_unique(code: str) -> None:
    """Flush, turning a race on the unique code into the same message as the form check."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise RuleError(f"Project code {code} is already used by another project", "code") from None


def add_member(project: Project, user: User, role: str) -> ProjectMembership:
    if role not in PROJECT_ROLES or role == "project_manager":
        raise RuleError("Choose a role from the list", "role")
    if not user.is_active_user:
        raise RuleError("Choose an active person", "user_id")
    access.check_grant(project, user, role, "role")
    exists = db.session.scalars(
        select(ProjectMembership.id).where(
            ProjectMembership.project_id == project.id,
            ProjectMembership.user_id == user.id,
            ProjectMembership.role == role,
        )
    ).first()
    if exists is not None:
        raise RuleError(
            f"{user.name} is already {PROJECT_ROLES[role].lower()} on this project", "user_id"
        )
    membership = ProjectMembership(project=project, user=user, role=role)
    db.session.add(membership)
    db.session.flush()
    audit.record(
        "membership.added",
        membership,
        project_id=project.id,
        summary=f"Added {user.name} as {PROJECT_ROLES[role].lower()}",
        changes={"person": [None, user.name], "role": [None, role]},
    )
    return membership


def remove_member(project: Project, membership: ProjectMembership) -> None:
    if membership.project_id != project.id:
        raise RuleError("That person is not on this project")
    if membership.role == "project_manager":
        raise RuleError(
            "A project always has a project manager: choose a new one by editing the project"
        )
    name, role = membership.user.name, membership.role
    membership_id = membership.id
    db.session.delete(membership)
    db.session.flush()
    audit.record(
        "membership.removed",
        object_type="project_memberships",
        object_id=membership_id,
        project_id=project.id,
        summary=f"Removed {name} as {PROJECT_ROLES[role].lower()}",
        changes={"person": [name, None], "role": [role, None]},
    )
