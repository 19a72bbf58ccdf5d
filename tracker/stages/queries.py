"""Read models for stage pages and the approver's inbox: one statement per list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, exists, func, literal, or_, select

from tracker.db import utcnow
from tracker.extensions import db
from tracker.projects.models import Project, ProjectMembership
from tracker.projects.rules import ProjectStatus
from tracker.stages.models import (
    ExceptionDecision,
    ExceptionReport,
    GateDecision,
    GateReview,
    HighlightReport,
    Stage,
)
from tracker.stages.rules import WAITING_FOR_BOARD, ExceptionStatus, GateStatus


def _role_required(roles_column, role_column):
    """``role`` is one of a comma-separated roles snapshot, in portable SQL.

    The ``_`` in role names is a LIKE wildcard, but the roles are a closed set (CHECK
    constraints) in which no role matches another that way.
    """
    return (literal(",") + roles_column + literal(",")).contains(
        literal(",") + role_column + literal(",")
    )


def gate_waits_on(user_id, role):
    """A pending gate waits on this person in this role (the segregation of duties, in SQL,
    shared by the inbox and the reminder job): the role is required, the person did not
    request the gate, and neither the role nor the person has decided it."""
    return and_(
        _role_required(GateReview.required_roles, role),
        GateReview.requested_by_id != user_id,
        ~exists().where(
            GateDecision.gate_id == GateReview.id,
            or_(GateDecision.role == role, GateDecision.decided_by_id == user_id),
        ),
    )


def exception_waits_on(user_id, role):
    """An open exception report waits on this person in this role: the role is required, the
    person neither raised the report nor submitted the plan before the board, and neither the
    role nor the person has decided the current round."""
    return and_(
        _role_required(ExceptionReport.required_roles, role),
        ExceptionReport.raised_by_id != user_id,
        or_(
            ExceptionReport.status != ExceptionStatus.PLAN_SUBMITTED,
            ExceptionReport.plan_submitted_by_id.is_(None),
            ExceptionReport.plan_submitted_by_id != user_id,
        ),
        ~exists().where(
            ExceptionDecision.report_id == ExceptionReport.id,
            ExceptionDecision.round == ExceptionReport.round,
            or_(ExceptionDecision.role == role, ExceptionDecision.decided_by_id == user_id),
        ),
    )


def start_waits_on(role):
    """A proposed agile project waits for its Executive to authorise the start (the board,
    not the manager, makes it active)."""
    return and_(
        Project.status == ProjectStatus.PROPOSED,
        Project.delivery_method == "agile",
        Project.start_authorised_at.is_(None),
        role == "executive",
    )


@dataclass(frozen=True)
class InboxItem:
    kind: str  # "gate", "exception" or "start"
    id: int
    project_id: int
    project_code: str
    project_name: str
    role: str
    waiting_since: datetime
    status: str

    @property
    def days_waiting(self) -> int:
        return max((utcnow().date() - self.waiting_since.date()).days, 0)


def inbox(user) -> list[InboxItem]:
    """Gates, exceptions and agile starts waiting for this person's decision, oldest first
    (three queries)."""
    gates = db.session.execute(
        select(
            GateReview.id,
            GateReview.project_id,
            Project.code,
            Project.name,
            ProjectMembership.role,
            GateReview.requested_at,
            GateReview.status,
        )
        .join(Project, Project.id == GateReview.project_id)
        .join(
            ProjectMembership,
            and_(
                ProjectMembership.project_id == GateReview.project_id,
                ProjectMembership.user_id == user.id,
            ),
        )
        .where(
            GateReview.status == GateStatus.PENDING,
            gate_waits_on(ProjectMembership.user_id, ProjectMembership.role),
        )
    )
    exceptions = db.session.execute(
        select(
            ExceptionReport.id,
            ExceptionReport.project_id,
            Project.code,
            Project.name,
            ProjectMembership.role,
            ExceptionReport.raised_at,
            ExceptionReport.status,
            ExceptionReport.plan_submitted_at,
        )
        .join(Project, Project.id == ExceptionReport.project_id)
        .join(
            ProjectMembership,
            and_(
                ProjectMembership.project_id == ExceptionReport.project_id,
                ProjectMembership.user_id == user.id,
            ),
        )
        .where(
            ExceptionReport.status.in_(WAITING_FOR_BOARD),
            exception_waits_on(ProjectMembership.user_id, ProjectMembership.role),
        )
    )
    starts = db.session.execute(
        select(
            Project.id,
            Project.id,
            Project.code,
            Project.name,
            ProjectMembership.role,
            Project.created_at,
            Project.status,
        )
        .join(ProjectMembership, ProjectMembership.project_id == Project.id)
        .where(ProjectMembership.user_id == user.id, start_waits_on(ProjectMembership.role))
    )
    items: dict[tuple[str, int], InboxItem] = {}
    for row in starts:
        items[("start", row[0])] = InboxItem("start", *row)
    for row in gates:
        key = ("gate", row[0])
        if key not in items:  # a person holding two required roles sees the gate once
            items[key] = InboxItem("gate", *row)
    for *row, plan_submitted_at in exceptions:
        key = ("exception", row[0])
        if key not in items:
            waiting = plan_submitted_at if row[6] == "plan_submitted" else row[5]
            items[key] = InboxItem("exception", *row[:5], waiting, row[6])
    return sorted(items.values(), key=lambda item: item.waiting_since)


@dataclass(frozen=True)
class StageSummary:
    stages: list[Stage]
    pending_gate_id: int | None

    @property
    def total_budget(self):
        return sum((s.planned_budget for s in self.stages), start=0)


def stage_summary(project: Project) -> StageSummary:
    """Stages with the waiting gate's id, in one statement (for the project page)."""
    pending = (
        select(GateReview.id)
        .where(GateReview.project_id == project.id, GateReview.status == GateStatus.PENDING)
        .limit(1)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(Stage, pending).where(Stage.project_id == project.id).order_by(Stage.sequence)
    ).all()
    if not rows:
        return StageSummary([], db.session.scalar(select(pending)))
    return StageSummary([row[0] for row in rows], rows[0][1])


def gates_of(project: Project) -> list[GateReview]:
    return list(
        db.session.scalars(
            select(GateReview)
            .where(GateReview.project_id == project.id)
            .order_by(GateReview.boundary, GateReview.round)
        )
    )


def exceptions_of(project: Project) -> list[ExceptionReport]:
    return list(
        db.session.scalars(
            select(ExceptionReport)
            .where(ExceptionReport.project_id == project.id)
            .order_by(ExceptionReport.raised_at.desc())
        )
    )


def highlights(project: Project):
    return (
        select(HighlightReport)
        .where(HighlightReport.project_id == project.id)
        .order_by(HighlightReport.period_end.desc(), HighlightReport.id.desc())
    )


def last_highlight_end(project: Project) -> date | None:
    return db.session.scalar(
        select(HighlightReport.period_end)
        .where(HighlightReport.project_id == project.id)
        .order_by(HighlightReport.period_end.desc())
        .limit(1)
    )


def segregation_breaches() -> list[str]:
    """Every record that breaks the segregation of duties, one line each, by project code:
    a manager on their own board, board roles combined where the tailoring forbids it, a
    gate or exception decided by whoever asked for the decision, one person's decision
    counted for two roles where the tailoring does not allow it. Read only: the command
    that prints these changes nothing (a few set-based queries, whatever the portfolio's
    size)."""
    from tracker.auth.models import User
    from tracker.projects.access import governance_level
    from tracker.stages import rules

    projects = {p.id: p for p in db.session.scalars(select(Project).order_by(Project.code))}
    levels = {pid: governance_level(p) for pid, p in projects.items()}
    teams: dict[int, dict[str, set[str]]] = {}
    for project_id, name, email, role in db.session.execute(
        select(ProjectMembership.project_id, User.name, User.email, ProjectMembership.role).join(
            User, User.id == ProjectMembership.user_id
        )
    ):
        teams.setdefault(project_id, {}).setdefault(f"{name} <{email}>", set()).add(role)
    found: list[tuple[str, str]] = []

    def add(project_id: int, line: str) -> None:
        project = projects[project_id]
        found.append((project.code, f"{project.code} {project.name}: {line}"))

    for project_id, people in teams.items():
        for line in rules.team_conflicts(levels[project_id], people):
            add(project_id, line)
    decider = User.__table__.alias("decider")
    for project_id, gate_id, name in db.session.execute(
        select(GateReview.project_id, GateReview.id, decider.c.name)
        .join(GateDecision, GateDecision.gate_id == GateReview.id)
        .join(decider, decider.c.id == GateDecision.decided_by_id)
        .where(GateDecision.decided_by_id == GateReview.requested_by_id)
        .distinct()
    ):
        add(project_id, f"gate review {gate_id} was decided by {name}, who requested it")
    for project_id, gate_id, name, count in db.session.execute(
        select(GateReview.project_id, GateReview.id, decider.c.name, func.count(GateDecision.id))
        .join(GateDecision, GateDecision.gate_id == GateReview.id)
        .join(decider, decider.c.id == GateDecision.decided_by_id)
        .group_by(GateReview.project_id, GateReview.id, decider.c.name, GateDecision.decided_by_id)
        .having(func.count(GateDecision.id) > 1)
    ):
        if not rules.decision_counts_for_combined_roles(levels[project_id]):
            add(
                project_id,
                f"gate review {gate_id}: {name}'s one decision counted for {count} board "
                "roles, which the tailoring does not allow",
            )
    for project_id, report_id, name, what in [
        *db.session.execute(
            select(
                ExceptionReport.project_id, ExceptionReport.id, decider.c.name, literal("raised")
            )
            .join(decider, decider.c.id == ExceptionReport.decided_by_id)
            .where(ExceptionReport.decided_by_id == ExceptionReport.raised_by_id)
        ),
        *db.session.execute(
            select(
                ExceptionReport.project_id, ExceptionReport.id, decider.c.name, literal("raised")
            )
            .join(ExceptionDecision, ExceptionDecision.report_id == ExceptionReport.id)
            .join(decider, decider.c.id == ExceptionDecision.decided_by_id)
            .where(ExceptionDecision.decided_by_id == ExceptionReport.raised_by_id)
            .distinct()
        ),
    ]:
        add(project_id, f"exception report {report_id} was decided by {name}, who {what} it")
    return [line for _, line in sorted(set(found))]
