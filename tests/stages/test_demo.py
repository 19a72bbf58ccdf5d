"""The demo portfolio gains stage plans at different points, once."""

from __future__ import annotations

from sqlalchemy import func, select

from tracker.auth import services as users
from tracker.demo import data
from tracker.stages import queries
from tracker.stages.models import ExceptionReport, GateReview, Stage


def test_demo_stages_load_once_with_gates_at_different_points(db):
    data.load("demo password long enough")
    assert db.session.scalar(select(func.count(Stage.id))) > 0
    statuses = set(db.session.scalars(select(GateReview.status)))
    assert {"approved", "approved_with_conditions", "rejected", "pending"} <= statuses
    assert db.session.scalar(select(func.count(ExceptionReport.id))) == 1
    jane = users.find_by_email("cllr.jane.morgan@example.gov.uk")
    sarah = users.find_by_email("sarah.lewis@example.gov.uk")
    assert {"gate", "exception"} <= {item.kind for item in queries.inbox(jane)}
    assert any(item.kind == "gate" for item in queries.inbox(sarah))
    before = db.session.scalar(select(func.count(Stage.id)))
    data.load("demo password long enough")
    assert db.session.scalar(select(func.count(Stage.id))) == before
