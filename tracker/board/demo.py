"""Demo follow-through: a condition of an approval met with evidence, then the next gate
requested, waiting for the whole board; board members' and the PMO's confidence ratings.

Through the services, like every demo loader, so the rules and the audit trail are real.
Running it twice adds nothing.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tracker.auth.models import User
from tracker.board import services
from tracker.board.models import ConfidenceAssessment, GateCondition
from tracker.board.rules import ConditionStatus
from tracker.core.errors import RuleError
from tracker.db import utcnow
from tracker.extensions import db
from tracker.projects.models import Project
from tracker.stages import services as stages
from tracker.stages.demo import REPORT
from tracker.stages.models import GateReview
from tracker.stages.rules import GateDecision, GateStatus

EVIDENCE = (
    "Two workshops held with care-home providers on 12 and 19 November; the notes and the "
    "changes made to the tender are in the stage file."
)


def _holder(project: Project, role: str) -> User | None:
    return next((m.user for m in project.memberships if m.role == role), None)


# The PMO's independent assurance ratings: code -> (rating, rationale).
ASSURANCE = {
    "ASC-2026-01": (
        "amber_green",
        "Procurement is on plan and the board's condition was met; the data migration in "
        "the next stage is the main risk.",
    ),
    "HWY-2026-03": (
        "amber_red",
        "The supplier's failure has put the works six weeks late and the exception is still "
        "with the board; winter working adds a quality risk.",
    ),
}
PMO_EMAIL = "priya.shah@example.gov.uk"


def _assurance(projects_by_code, people_by_email) -> None:
    pmo = people_by_email.get(PMO_EMAIL)
    if pmo is None:
        return
    for code, (rating, rationale) in ASSURANCE.items():
        project = projects_by_code.get(code)
        if project is None or db.session.scalar(
            select(ConfidenceAssessment.id).where(ConfidenceAssessment.project_id == project.id)
        ):
            continue
        services.record_assurance(
            project, services.ConfidenceData(rating=rating, rationale=rationale), actor=pmo
        )


def load(projects_by_code: dict[str, Project], people_by_email: dict[str, User]) -> int:
    """Meet the demo conditions and ask for the next gate; returns conditions met."""
    met = _conditions(projects_by_code)
    _assurance(projects_by_code, people_by_email)
    return met


def _conditions(projects_by_code: dict[str, Project]) -> int:
    project = projects_by_code.get("ASC-2026-01")
    if project is None:
        return 0
    pending = db.session.scalar(
        select(GateReview.id).where(
            GateReview.project_id == project.id, GateReview.status == GateStatus.PENDING
        )
    )
    if pending is not None:
        return 0
    manager = _holder(project, "project_manager")
    # The stage demo approved with a condition through the stage services; record it as
    # the action the gate page would have made of it.
    for gate in db.session.scalars(
        select(GateReview).where(
            GateReview.project_id == project.id,
            GateReview.status == GateStatus.APPROVED_WITH_CONDITIONS,
            ~select(GateCondition.id).where(GateCondition.gate_id == GateReview.id).exists(),
        )
    ):
        for decision in gate.decisions:
            if decision.decision == GateDecision.APPROVE_WITH_CONDITIONS:
                services.condition_from_free_text(
                    gate, role=decision.role, text=decision.comment, actor=decision.decided_by
                )
    met = 0
    for condition in db.session.scalars(
        select(GateCondition).where(
            GateCondition.project_id == project.id,
            GateCondition.status == ConditionStatus.OPEN,
        )
    ):
        services.settle_condition(
            condition,
            status=ConditionStatus.MET,
            explanation=EVIDENCE,
            version=None,
            actor=manager,
        )
        met += 1
    try:
        gate = stages.request_gate(project, stages.GateRequestData(**REPORT), actor=manager)
    except RuleError:  # a demo whose plan is not at that point simply stops there
        return met
    # Waiting for the whole board: Cllr Jane Morgan, Sarah Lewis and Gareth Jones.
    gate.requested_at = utcnow() - timedelta(days=6)
    return met
