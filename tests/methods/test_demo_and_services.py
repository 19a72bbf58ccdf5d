"""Demo data for methods, and service rules not covered through the pages."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.methods.conftest import COMPLEX
from tests.methods.helpers import raw
from tracker.core.errors import RuleError
from tracker.demo import data as demo
from tracker.methods import services as methods
from tracker.methods.demo import DEMO
from tracker.methods.models import Assessment, MethodDecision, Risk
from tracker.projects.models import Project


def test_demo_assesses_most_projects_some_against_the_recommendation(db):
    demo.load("demo password for tests")
    db.session.commit()
    # The methods demo's assessments, and the one an approved proposal carries into its
    # project (tracker/proposals/demo.py).
    expected = sum(len(history) for history in DEMO.values()) + 1
    assert db.session.scalar(select(func.count(Assessment.id))) == expected
    projects = db.session.scalar(select(func.count(Project.id)))
    assessed = db.session.scalar(select(func.count(func.distinct(Assessment.project_id))))
    assert assessed >= projects * 3 // 4
    decisions = list(db.session.scalars(select(MethodDecision)))
    followed = [d for d in decisions if d.follows_recommendation]
    against = [d for d in decisions if not d.follows_recommendation]
    assert len(followed) >= 5
    by_tradition = [d for d in against if "tradition" in d.drivers]
    assert len(by_tradition) >= 2
    assert all(d.rationale and d.risk is not None for d in against)
    # The method decisions' risks; the registers' demo raises its own (tests/registers).
    assert db.session.scalar(
        select(func.count(Risk.id)).where(Risk.source == "method_decision")
    ) == len(against)
    # Every project with a decision has the decided method.
    for decision in decisions:
        latest = max(
            (d for d in decisions if d.project_id == decision.project_id),
            key=lambda d: d.sequence,
        )
        assert decision.project.delivery_method == latest.method
    # A re-assessed project whose zone moved.
    hom = db.session.scalars(select(Project).where(Project.code == "HOM-2026-02")).one()
    zones = list(
        db.session.scalars(
            select(Assessment.zone)
            .where(Assessment.project_id == hom.id)
            .order_by(Assessment.sequence)
        )
    )
    assert zones == ["complicated", "complex"]

    demo.load("demo password for tests")
    assert db.session.scalar(select(func.count(Assessment.id))) == expected
    assert db.session.scalar(select(func.count(MethodDecision.id))) == len(decisions)


def test_tailoring_uses_the_configured_size_tiers(app, db, make_project, make_user, monkeypatch):
    project = make_project(budget_at_completion=Decimal("300000"))
    manager = make_user()
    assert methods.assess(project, raw(), assessed_by=manager).tailoring["tier"] == "medium"
    monkeypatch.setitem(app.config, "TIER_SMALL_BELOW", Decimal("500000"))
    assert methods.assess(project, raw(), assessed_by=manager).tailoring["tier"] == "small"
    monkeypatch.setitem(app.config, "TIER_LARGE_ABOVE", Decimal("200000"))
    monkeypatch.setitem(app.config, "TIER_SMALL_BELOW", Decimal("100000"))
    assert methods.assess(project, raw(), assessed_by=manager).tailoring["tier"] == "large"


def test_invalid_answers_are_refused_by_the_service_too(db, make_project, make_user):
    project = make_project()
    with pytest.raises(RuleError) as error:
        methods.assess(project, raw(U1=6), assessed_by=make_user())
    assert error.value.field == "U1"
    assert db.session.scalar(select(func.count(Assessment.id))) == 0


def test_assessments_are_numbered_per_project(db, make_project, make_user):
    manager = make_user()
    first, second = make_project(), make_project()
    numbers = [
        methods.assess(project, COMPLEX, assessed_by=manager).sequence
        for project in (first, second, first)
    ]
    assert numbers == [1, 1, 2]


def test_decision_refuses_unknown_drivers_and_methods(db, make_project, make_user):
    manager = make_user()
    project = make_project(manager=manager)
    methods.assess(project, raw(), assessed_by=manager)
    for data, field in (
        (methods.DecisionData("waterfall", ["tradition"], "", None, None), "method"),
        (methods.DecisionData("stage_gated", [], "", None, None), "drivers"),
        (methods.DecisionData("stage_gated", ["whim"], "", None, None), "drivers"),
    ):
        with pytest.raises(RuleError) as error:
            methods.decide(project, data, decided_by=manager)
        assert error.value.field == field
    assert db.session.scalar(select(func.count(MethodDecision.id))) == 0
