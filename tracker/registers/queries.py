"""Read models for the register pages and the reports: one statement per list or figure,
whatever the number of rows."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import joinedload

from tracker.audit.models import AuditEntry
from tracker.core import filters
from tracker.extensions import db
from tracker.projects.models import Project
from tracker.projects.rules import OPEN_STATUSES
from tracker.registers.models import (
    Assumption,
    Dependency,
    Escalation,
    Issue,
    Risk,
    RiskChange,
)
from tracker.registers.rules import HIGH_SCORE, EscalationStatus, IssueStatus, RiskStatus

_SCORE = Risk.likelihood * Risk.impact


def risk_register(project_id: int, status: str | None = None) -> Select:
    """Open risks first, the highest score first within each status, newest first on a tie."""
    statement = select(Risk).where(Risk.project_id == project_id)
    if status is not None:
        statement = statement.where(Risk.status == status)
    return statement.order_by(
        case((Risk.status == RiskStatus.OPEN, 0), else_=1),
        _SCORE.desc(),
        Risk.created_at.desc(),
        Risk.id.desc(),
    )


def heat_counts(project_id: int) -> dict[tuple[int, int], int]:
    """How many open risks sit in each (likelihood, impact) cell."""
    rows = db.session.execute(
        select(Risk.likelihood, Risk.impact, func.count(Risk.id))
        .where(Risk.project_id == project_id, Risk.status == RiskStatus.OPEN)
        .group_by(Risk.likelihood, Risk.impact)
    )
    return {(lik, imp): count for lik, imp, count in rows}


def risk_history(risk_id: int) -> list[RiskChange]:
    """Every change of the risk, oldest first, as the page tells the story."""
    return list(
        db.session.scalars(
            select(RiskChange)
            .where(RiskChange.risk_id == risk_id)
            .order_by(RiskChange.changed_at, RiskChange.id)
        )
    )


def issues_from_risk(risk_id: int) -> list[Issue]:
    return list(
        db.session.scalars(select(Issue).where(Issue.risk_id == risk_id).order_by(Issue.id))
    )


def issue_register(project_id: int, status: str | None = None) -> Select:
    """Open issues first, then by priority and severity, newest first."""
    statement = select(Issue).where(Issue.project_id == project_id)
    if status is not None:
        statement = statement.where(Issue.status == status)
    return statement.order_by(
        case((Issue.status == IssueStatus.CLOSED, 1), else_=0),
        case((Issue.priority == "high", 0), (Issue.priority == "medium", 1), else_=2),
        Issue.severity.desc(),
        Issue.created_at.desc(),
        Issue.id.desc(),
    )


def register_counts(project_id: int) -> dict[str, int]:
    """Open risks, open high risks and open issues, in one statement, for the project page."""
    open_risks = (
        select(func.count(Risk.id))
        .where(Risk.project_id == project_id, Risk.status == RiskStatus.OPEN)
        .scalar_subquery()
    )
    high_risks = (
        select(func.count(Risk.id))
        .where(
            Risk.project_id == project_id,
            Risk.status == RiskStatus.OPEN,
            _SCORE >= HIGH_SCORE,
        )
        .scalar_subquery()
    )
    open_issues = (
        select(func.count(Issue.id))
        .where(Issue.project_id == project_id, Issue.status != IssueStatus.CLOSED)
        .scalar_subquery()
    )
    row = db.session.execute(
        select(
            open_risks.label("open_risks"),
            high_risks.label("high_risks"),
            open_issues.label("open_issues"),
        )
    ).one()
    return dict(row._mapping)


def escalations(status: str | None = None, project_id: int | None = None) -> Select:
    """Escalated entries, waiting ones first, newest first; with their project and entry
    loaded in the same statement."""
    statement = select(Escalation).options(
        joinedload(Escalation.project), joinedload(Escalation.risk), joinedload(Escalation.issue)
    )
    if status is not None:
        statement = statement.where(Escalation.status == status)
    if project_id is not None:
        statement = statement.where(Escalation.project_id == project_id)
    return statement.order_by(
        case((Escalation.status == EscalationStatus.AWAITING, 0), else_=1),
        Escalation.escalated_at.desc(),
        Escalation.id.desc(),
    )


def escalations_of(*, risk_id: int | None = None, issue_id: int | None = None) -> list:
    column, value = (
        (Escalation.risk_id, risk_id) if risk_id is not None else (Escalation.issue_id, issue_id)
    )
    return list(
        db.session.scalars(select(Escalation).where(column == value).order_by(Escalation.id))
    )


def assumptions(project_id: int) -> list[Assumption]:
    return list(
        db.session.scalars(
            select(Assumption)
            .where(Assumption.project_id == project_id)
            .order_by(Assumption.status, Assumption.confirm_by, Assumption.id)
        )
    )


def depends_on(project_id: int) -> list[Dependency]:
    """What this project needs, with the other projects loaded in the same statement."""
    return list(
        db.session.scalars(
            select(Dependency)
            .options(joinedload(Dependency.on_project))
            .where(Dependency.project_id == project_id)
            .order_by(Dependency.needed_by, Dependency.id)
        )
    )


def depended_on_by(project_id: int) -> list[Dependency]:
    """What other projects need from this one."""
    return list(
        db.session.scalars(
            select(Dependency)
            .options(joinedload(Dependency.project), joinedload(Dependency.on_project))
            .where(Dependency.on_project_id == project_id)
            .order_by(Dependency.needed_by, Dependency.id)
        )
    )


def risks_to_review(user_id: int) -> list:
    """Open risks this person owns on projects still open (one query): the owner keeps
    each under review until it is closed."""
    return list(
        db.session.execute(
            select(Risk.id, Risk.title, Project.id, Project.code)
            .join(Project, Project.id == Risk.project_id)
            .where(
                Risk.owner_id == user_id,
                Risk.status == RiskStatus.OPEN,
                Project.status.in_(OPEN_STATUSES),
            )
            .order_by(Project.code, Risk.id)
        )
    )


@dataclass(frozen=True)
class HistoryLine:
    changed_at: datetime
    changed_by: str
    field: str
    from_value: object
    to_value: object


def entry_history(record) -> list[HistoryLine]:
    """Every change of an assumption or dependency, oldest first, from the audit trail
    (one statement): who, when, which field, from → to. The entry's creation is one line
    per field it was recorded with."""
    entries = db.session.scalars(
        select(AuditEntry)
        .where(
            AuditEntry.object_type == record.__tablename__,
            AuditEntry.object_id == record.id,
        )
        .order_by(AuditEntry.seq)
    )
    lines = []
    for entry in entries:
        for field, value in json.loads(entry.changes or "{}").items():
            old, new = value if isinstance(value, list) and len(value) == 2 else (None, value)
            label = field.replace("_", " ").capitalize()
            lines.append(
                HistoryLine(entry.created_at, entry.actor_name, label, _shown(old), _shown(new))
            )
    return lines


def _shown(value: object) -> object:
    """A date the audit trail keeps as ``2027-03-31`` is shown as 31 March 2027."""
    if isinstance(value, str) and len(value) == 10:
        try:
            return filters.day(date.fromisoformat(value))
        except ValueError:
            return value
    return value
