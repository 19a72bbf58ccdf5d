"""Projects and who holds which role on them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.core import stamps
from tracker.db import utcnow
from tracker.extensions import db
from tracker.orgs.models import Organisation
from tracker.projects.rules import (
    DELIVERY_METHODS,
    FINISHED_STATUSES,
    PROJECT_ROLES,
    ProjectStatus,
)


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


project_partners = Table(
    "project_partners",
    db.metadata,
    Column("project_id", ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", ForeignKey("organisations.id"), primary_key=True),
)


class Project(db.Model):
    __tablename__ = "projects"
    __table_args__ = (
        CheckConstraint("budget_at_completion >= 0", name="budget_not_negative"),
        CheckConstraint("planned_finish >= planned_start", name="finish_after_start"),
        CheckConstraint("criticality BETWEEN 1 AND 5", name="criticality_range"),
        CheckConstraint(
            "delivery_method IS NULL OR " + _in("delivery_method", DELIVERY_METHODS),
            name="delivery_method_known",
        ),
        CheckConstraint(_in("status", ProjectStatus), name="status_known"),
        Index("ix_projects_status_method", "status", "delivery_method"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    problem_statement: Mapped[str] = mapped_column(Text)
    lead_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    budget_at_completion: Mapped[Decimal]
    planned_start: Mapped[date]
    planned_finish: Mapped[date]
    criticality: Mapped[int]
    delivery_method: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default=ProjectStatus.PROPOSED)
    # Moved only by governance (tracker.projects.lifecycle): never by a form or the API.
    # The day the project actually finished: set when its status becomes closed or closed
    # early, cleared if it is set back. See ``_finished_on`` below.
    finished_on: Mapped[date | None]
    # The Executive's authorisation to start an agile project: what makes it active (the
    # stage-gated and hybrid equivalent is the approved start gate). Kept on the project,
    # not only in the audit trail, because the generated portfolio has no audit trail and
    # the lifecycle check reads it for every project.
    start_authorised_at: Mapped[datetime | None]
    start_authorised_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    lead_organisation: Mapped[Organisation] = relationship(lazy="joined")
    partners: Mapped[list[Organisation]] = relationship(
        secondary=project_partners, order_by=Organisation.name
    )
    memberships: Mapped[list[ProjectMembership]] = relationship(
        back_populates="project", cascade="all, delete-orphan"
    )
    start_authorised_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Project {self.code}>"


@event.listens_for(Project.status, "set", active_history=True)
def _finished_on(project: Project, value: str, old, initiator) -> None:
    """Every way a project closes (its closing gate approved, the Executive's closure, all
    through ``tracker.projects.lifecycle``) sets its status: the day (UTC) it happens is the
    day it finished. Moving between closed and closed early keeps the day; a status set
    back (only test fixtures do that) clears it."""
    if value in FINISHED_STATUSES:
        if old not in FINISHED_STATUSES or project.finished_on is None:
            project.finished_on = utcnow().date()
    elif project.finished_on is not None:
        project.finished_on = None


class ProjectMembership(db.Model):
    """A person's role on one project; a person may hold several roles."""

    __tablename__ = "project_memberships"
    __table_args__ = (
        UniqueConstraint("project_id", "user_id", "role"),
        CheckConstraint(_in("role", PROJECT_ROLES), name="role_known"),
        # A project has at most one accountable project manager.
        Index(
            "uq_project_memberships_one_manager",
            "project_id",
            unique=True,
            sqlite_where=db.text("role = 'project_manager'"),
            postgresql_where=db.text("role = 'project_manager'"),
        ),
        Index("ix_project_memberships_user_role", "user_id", "role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    role: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    project: Mapped[Project] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship(lazy="joined")


# A project's partners are a collection only (no column changes), so a change to it counts.
stamps.moves(
    Project,
    scopes=lambda project: {stamps.project_scope(project.id)} if project.id is not None else set(),
    include_collections=True,
)
# Who is on which project is a member's view of the portfolio; the row's ``project_id``
# moves the project's own stamp as for any project record.
stamps.moves(ProjectMembership, last={stamps.PORTFOLIO})
