"""Read models for the board: the evidence at a gate or exception, conditions by person,
project and method. Set-based: one query per section, whatever the size of the project."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import aliased, joinedload

from tracker.agile.models import Feedback
from tracker.board.models import ConfidenceAssessment, Document, GateCondition
from tracker.board.rules import (
    ASSURANCE,
    ConditionStatus,
    DcaRating,
    divergence,
    is_overdue,
    worsened,
)
from tracker.budget.models import Checkpoint
from tracker.core import events
from tracker.extensions import db
from tracker.methods.models import Assessment
from tracker.orgs.models import Organisation
from tracker.projects.models import Project
from tracker.projects.rules import OPEN_STATUSES
from tracker.registers.models import Issue, Risk
from tracker.registers.rules import IssueStatus, RiskStatus
from tracker.stages import services as stages
from tracker.stages.models import GateReview, HighlightReport, Stage
from tracker.stages.rules import APPROVED_GATE_STATUSES

HIGHLIGHTS_SHOWN = 12
CHECKPOINTS_FOR_TREND = 3


@dataclass
class Evidence:
    """What the board reads before deciding: one attribute per section, each with the
    moment its figures were taken (``*_at``) so the page can say so."""

    since: datetime | None  # the last gate's resolution: "since the last gate"
    since_label: str
    stage: Stage | None
    tolerances: list = field(default_factory=list)
    tolerances_at: datetime | None = None
    checkpoints: list[Checkpoint] = field(default_factory=list)
    trend: dict[str, str] = field(default_factory=dict)
    risks: list[Risk] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    feedback: dict[str, Any] = field(default_factory=dict)
    iterations: list[dict] = field(default_factory=list)
    sections: list[dict] = field(default_factory=list)
    highlights: list[HighlightReport] = field(default_factory=list)
    conditions: list[GateCondition] = field(default_factory=list)
    this_gate: list[GateCondition] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    taken_at: datetime | None = None

    @property
    def latest_checkpoint(self) -> Checkpoint | None:
        return self.checkpoints[0] if self.checkpoints else None


def _direction(latest, previous) -> str:
    if latest is None or previous is None:
        return "no earlier figure"
    if latest > previous:
        return "improving"
    if latest < previous:
        return "worsening"
    return "unchanged"


def budget_trend(points: list[Checkpoint]) -> dict[str, str]:
    """CPI and SPI of the latest checkpoint against the one before (higher is better)."""
    if len(points) < 2:
        return {"cpi": "no earlier figure", "spi": "no earlier figure"}
    latest, previous = points[0], points[1]
    return {
        "cpi": _direction(latest.cpi, previous.cpi),
        "spi": _direction(latest.spi, previous.spi),
    }


def previous_gate(gate_project_id: int, before: datetime) -> GateReview | None:
    """The last gate resolved before ``before``: where "since the last gate" starts."""
    return db.session.scalars(
        select(GateReview)
        .where(
            GateReview.project_id == gate_project_id,
            GateReview.resolved_at.is_not(None),
            GateReview.resolved_at < before,
        )
        .order_by(GateReview.resolved_at.desc(), GateReview.id.desc())
        .limit(1)
    ).first()


def _feedback_since(project_id: int, since: datetime | None) -> dict[str, Any]:
    query = select(
        func.count(Feedback.id),
        func.sum(case((Feedback.loop_closed.is_(True), 1), else_=0)),
        func.avg(Feedback.rating),
        func.max(Feedback.created_at),
    ).where(Feedback.project_id == project_id)
    if since is not None:
        query = query.where(Feedback.created_at >= since)
    entries, closed, mean, latest = db.session.execute(query).one()
    return {
        "entries": entries or 0,
        "loops_closed": closed or 0,
        "loops_open": (entries or 0) - (closed or 0),
        "mean_rating": round(float(mean), 1) if mean is not None else None,
        "latest_at": latest,
    }


def _answers(stage: Stage | None) -> tuple[list[dict], list[dict]]:
    """The answers of the domains above stages to ``gate_evidence``: agile's iteration rows,
    and whole sections (``{"title", ...}``, e.g. the risk and issue registers)."""
    if stage is None:
        return [], []
    iterations, sections = [], []
    for rows in events.send(events.gate_evidence, stage):
        for row in rows or []:
            if isinstance(row, dict) and "iteration" in row:
                iterations.append(row)
            elif isinstance(row, dict) and "title" in row:
                sections.append(row)
    return iterations, sections


def evidence(
    project: Project,
    *,
    stage: Stage | None,
    requested_at: datetime,
    this_gate_id: int | None = None,
    this_exception_id: int | None = None,
    now: datetime,
) -> Evidence:
    """Every piece of evidence for a decision requested at ``requested_at`` on ``stage``."""
    last = previous_gate(project.id, requested_at)
    since = last.resolved_at if last else None
    found = Evidence(
        since=since,
        since_label=f"since {stages.gate_title(last)}" if last else "since the project began",
        stage=stage,
        taken_at=now,
    )
    if stage is not None:
        found.tolerances = stages.tolerance_status(stage)
        found.tolerances_at = stage.forecast_at
    found.checkpoints = list(
        db.session.scalars(
            select(Checkpoint)
            .where(Checkpoint.project_id == project.id)
            .order_by(Checkpoint.taken_on.desc(), Checkpoint.id.desc())
            .limit(CHECKPOINTS_FOR_TREND)
        )
    )
    found.trend = budget_trend(found.checkpoints)
    found.risks = list(
        db.session.scalars(
            select(Risk)
            .where(Risk.project_id == project.id, Risk.status == RiskStatus.OPEN)
            .order_by((Risk.likelihood * Risk.impact).desc(), Risk.id.desc())
        )
    )
    found.issues = list(
        db.session.scalars(
            select(Issue)
            .where(Issue.project_id == project.id, Issue.status != IssueStatus.CLOSED)
            .order_by(Issue.severity.desc(), Issue.id.desc())
        )
    )
    found.feedback = _feedback_since(project.id, since)
    found.iterations, found.sections = _answers(stage)
    highlights = select(HighlightReport).where(HighlightReport.project_id == project.id)
    if since is not None:
        highlights = highlights.where(HighlightReport.reported_at >= since)
    found.highlights = list(
        db.session.scalars(
            highlights.order_by(
                HighlightReport.reported_at.desc(), HighlightReport.id.desc()
            ).limit(HIGHLIGHTS_SHOWN)
        )
    )
    # One query for both: the open conditions of earlier approved gates, and every
    # condition set on this gate so far.
    earlier = and_(GateCondition.status == ConditionStatus.OPEN, _live())
    if this_gate_id is not None:
        earlier = or_(
            and_(earlier, GateCondition.gate_id != this_gate_id),
            GateCondition.gate_id == this_gate_id,
        )
    for condition in db.session.scalars(
        select(GateCondition)
        .join(GateReview, GateReview.id == GateCondition.gate_id)
        .where(GateCondition.project_id == project.id, earlier)
        .order_by(GateCondition.due_on, GateCondition.id)
    ):
        if condition.gate_id == this_gate_id:
            found.this_gate.append(condition)
        else:
            found.conditions.append(condition)
    found.documents = live_documents(
        project.id, gate_id=this_gate_id, exception_id=this_exception_id
    )
    return found


def _live():
    """Conditions of a gate that was approved (a rejected gate's proposals bind nobody)."""
    return GateReview.status.in_(APPROVED_GATE_STATUSES)


def gate_conditions(gate_id: int) -> list[GateCondition]:
    return list(
        db.session.scalars(
            select(GateCondition).where(GateCondition.gate_id == gate_id).order_by(GateCondition.id)
        )
    )


def project_conditions(project_id: int) -> list[tuple[GateCondition, GateReview]]:
    return list(
        db.session.execute(
            select(GateCondition, GateReview)
            .join(GateReview, GateReview.id == GateCondition.gate_id)
            .where(GateCondition.project_id == project_id, _live())
            .order_by(
                case((GateCondition.status == ConditionStatus.OPEN, 0), else_=1),
                GateCondition.due_on,
                GateCondition.id,
            )
        ).all()
    )


def my_conditions(user_id: int) -> list[tuple[GateCondition, Project]]:
    """The open conditions a person owns, on projects still open, soonest due first."""
    return list(
        db.session.execute(
            select(GateCondition, Project)
            .join(GateReview, GateReview.id == GateCondition.gate_id)
            .join(Project, Project.id == GateCondition.project_id)
            .where(
                GateCondition.owner_id == user_id,
                GateCondition.status == ConditionStatus.OPEN,
                Project.status.in_(OPEN_STATUSES),
                _live(),
            )
            .order_by(GateCondition.due_on, GateCondition.id)
        ).all()
    )


def overdue_conditions(today: date) -> list[tuple[GateCondition, Project]]:
    return list(
        db.session.execute(
            select(GateCondition, Project)
            .join(GateReview, GateReview.id == GateCondition.gate_id)
            .join(Project, Project.id == GateCondition.project_id)
            .where(
                GateCondition.status == ConditionStatus.OPEN,
                GateCondition.due_on < today,
                Project.status.in_(OPEN_STATUSES),
                _live(),
            )
            .order_by(GateCondition.id)
        ).all()
    )


def conditions_by_method(today: date, project_ids=None) -> list[dict]:
    """Open and overdue conditions per delivery method (one grouped query)."""
    query = (
        select(
            Project.delivery_method,
            func.count(GateCondition.id),
            func.sum(case((GateCondition.due_on < today, 1), else_=0)),
        )
        .join(GateReview, GateReview.id == GateCondition.gate_id)
        .join(Project, Project.id == GateCondition.project_id)
        .where(
            GateCondition.status == ConditionStatus.OPEN,
            Project.status.in_(OPEN_STATUSES),
            _live(),
        )
        .group_by(Project.delivery_method)
        .order_by(Project.delivery_method)
    )
    if project_ids is not None:
        query = query.where(Project.id.in_(project_ids))
    return [
        {"method": method, "open": count or 0, "overdue": overdue or 0}
        for method, count, overdue in db.session.execute(query)
    ]


def overdue(condition: GateCondition, today: date) -> bool:
    return is_overdue(condition.status, condition.due_on, today)


# --------------------------------------------------------------------------------------
# Delivery Confidence Assessment
# --------------------------------------------------------------------------------------


def project_confidence(project_id: int) -> dict[str, Any]:
    """Every rating on the project, grouped by occasion (a gate, or one assurance review),
    newest first, and each person's latest rating side by side (one query)."""
    rows = list(
        db.session.scalars(
            select(ConfidenceAssessment)
            .where(ConfidenceAssessment.project_id == project_id)
            .options(
                joinedload(ConfidenceAssessment.gate).joinedload(GateReview.closes_stage),
                joinedload(ConfidenceAssessment.gate).joinedload(GateReview.authorises_stage),
            )
            .order_by(ConfidenceAssessment.assessed_at, ConfidenceAssessment.id)
        ).unique()
    )
    occasions: dict[tuple, dict] = {}
    latest: dict[tuple, ConfidenceAssessment] = {}
    for row in rows:
        if row.gate is not None:
            key = ("gate", row.gate_id)
            title = stages.gate_title(row.gate)
        else:
            key = ("assurance", row.id)
            title = "Independent assurance (PMO)"
        occasion = occasions.setdefault(
            key, {"title": title, "gate": row.gate, "at": row.assessed_at, "ratings": []}
        )
        occasion["ratings"].append(row)
        latest[(row.assessed_by_id, row.role == ASSURANCE)] = row
    ordered = list(occasions.values())[::-1]
    for occasion in ordered:
        occasion["divergence"] = divergence([r.rating for r in occasion["ratings"]])
    side_by_side = sorted(latest.values(), key=lambda r: (r.role == ASSURANCE, r.role, r.id))
    return {
        "occasions": ordered,
        "latest": side_by_side,
        "divergence": divergence([r.rating for r in side_by_side]),
    }


def confidence_portfolio(project_ids=None) -> list[dict[str, Any]]:
    """Each open project with a rating: its method, zone, organisation, current rating (the
    latest recorded by anyone) and its rating at the last gate decided (the latest recorded
    up to that gate's decision), in one query."""
    current = aliased(ConfidenceAssessment)
    earlier = aliased(ConfidenceAssessment)
    latest_id = (
        select(func.max(ConfidenceAssessment.id))
        .where(ConfidenceAssessment.project_id == Project.id)
        .scalar_subquery()
    )
    last_gate_at = (
        select(func.max(GateReview.resolved_at))
        .where(GateReview.project_id == Project.id, GateReview.resolved_at.is_not(None))
        .scalar_subquery()
    )
    at_gate = (
        select(earlier.rating)
        .where(earlier.project_id == Project.id, earlier.assessed_at <= last_gate_at)
        .order_by(earlier.assessed_at.desc(), earlier.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    zone = (
        select(Assessment.zone)
        .where(Assessment.project_id == Project.id)
        .order_by(Assessment.assessed_at.desc(), Assessment.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    query = (
        select(
            Project.id,
            Project.code,
            Project.name,
            Project.delivery_method,
            Organisation.name,
            zone,
            current.rating,
            current.assessed_at,
            at_gate,
        )
        .select_from(Project)
        .join(current, current.id == latest_id)
        .join(Organisation, Organisation.id == Project.lead_organisation_id)
        .where(Project.status.in_(OPEN_STATUSES))
        .order_by(Project.code)
    )
    if project_ids is not None:
        query = query.where(Project.id.in_(project_ids))
    return [
        {
            "project_id": pid,
            "code": code,
            "name": name,
            "method": method or "none",
            "organisation": org,
            "zone": zone_ or "none",
            "rating": rating,
            "assessed_at": at,
            "at_gate": before,
            "worsened": worsened(before, rating),
        }
        for pid, code, name, method, org, zone_, rating, at, before in db.session.execute(query)
    ]


def confidence_by(rows: list[dict], key: str) -> list[dict[str, Any]]:
    """Counts of each rating per ``key`` (method, zone, organisation), with n."""
    groups: dict[str, dict[str, Any]] = {}
    for row in rows:
        group = groups.setdefault(
            row[key], {"name": row[key], "n": 0, **{rating.value: 0 for rating in DcaRating}}
        )
        group["n"] += 1
        group[row["rating"]] += 1
    return [groups[name] for name in sorted(groups)]


# --------------------------------------------------------------------------------------
# Documents
# --------------------------------------------------------------------------------------


def live_documents(project_id: int, *, gate_id=None, exception_id=None) -> list[Document]:
    """Documents not deleted: the project's own, and the gate's or exception's if given;
    every version, newest first within each title."""
    subject = Document.subject == "project"
    if gate_id is not None:
        subject = or_(subject, Document.gate_id == gate_id)
    if exception_id is not None:
        subject = or_(subject, Document.exception_id == exception_id)
    return list(
        db.session.scalars(
            select(Document)
            .where(Document.project_id == project_id, Document.deleted_at.is_(None), subject)
            .order_by(Document.subject, Document.title, Document.version.desc())
        )
    )


def change_documents(project_id: int, change_id: int) -> list[Document]:
    """A change request's documents, not deleted, every version, newest first per title."""
    return list(
        db.session.scalars(
            select(Document)
            .where(
                Document.project_id == project_id,
                Document.change_id == change_id,
                Document.deleted_at.is_(None),
            )
            .order_by(Document.title, Document.version.desc())
        )
    )


def project_documents(project_id: int) -> list[Document]:
    """Every document of the project, deleted ones too (shown as deleted)."""
    return list(
        db.session.scalars(
            select(Document)
            .where(Document.project_id == project_id)
            .order_by(Document.subject, Document.gate_id, Document.title, Document.version.desc())
        )
    )
