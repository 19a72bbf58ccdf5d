"""The demo shows the board's follow-through: a condition met with evidence before the next
gate was requested, and the PMO's assurance ratings; loading twice adds nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from tracker.board.models import ConfidenceAssessment, GateCondition
from tracker.demo import data
from tracker.projects.models import Project
from tracker.stages.models import GateReview


def test_the_demo_meets_a_condition_then_asks_for_the_next_gate(db):
    data.load("demo password long enough")
    asc = db.session.scalar(select(Project).where(Project.code == "ASC-2026-01"))
    (condition,) = db.session.scalars(
        select(GateCondition).where(GateCondition.project_id == asc.id)
    ).all()
    assert condition.status == "met" and "workshops" in condition.explanation
    pending = db.session.scalars(
        select(GateReview).where(GateReview.project_id == asc.id, GateReview.status == "pending")
    ).all()
    assert len(pending) == 1
    assert db.session.scalar(select(func.count(ConfidenceAssessment.id))) == 2
    data.load("demo password long enough")
    assert db.session.scalar(select(func.count(ConfidenceAssessment.id))) == 2
    assert db.session.scalar(select(func.count(GateCondition.id))) == 1
