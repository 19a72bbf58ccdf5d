"""Phases through the services: set up, funded, started, assessed, re-run, overspent."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tracker.audit.models import AuditEntry
from tracker.budget import services as budget
from tracker.budget.rules import COST_CATEGORIES
from tracker.core.dates import uk_today
from tracker.core.errors import RuleError
from tracker.phases import services as phases
from tracker.phases.models import AssessmentDecision, FundingException, Phase
from tracker.phases.rules import PointResult

CATEGORY = next(iter(COST_CATEGORIES))


def _set_up(db, gds):
    listed = phases.set_up(gds["project"], actor=gds["manager"])
    db.session.commit()
    return {p.kind: p for p in listed}


def _fund_and_start(db, gds, phase, amount="50000"):
    phases.release_funding(phase, Decimal(amount), version=None, actor=gds["executive"])
    phases.start_phase(phase, version=None, actor=gds["manager"])
    db.session.commit()


def _all_met(assessment, note=""):
    return [PointResult(p, True, note) for p in assessment.point_list]


def _pass(db, gds, assessment):
    for role in ("executive", "senior_user"):
        phases.decide_assessment(
            assessment, role=role, results=_all_met(assessment), comment="", actor=gds[role]
        )
    db.session.commit()


def test_phases_are_for_agile_work_under_a_framework_with_phase_boundaries(db, board):
    with pytest.raises(RuleError, match="Phases are for agile and hybrid projects"):
        phases.set_up(board["project"], actor=board["manager"])
    board["project"].delivery_method = "agile"
    with pytest.raises(RuleError, match="framework with phase boundaries"):
        phases.set_up(board["project"], actor=board["manager"])


def test_discovery_passes_alpha_fails_with_its_unmet_points_and_passes_on_the_rerun(db, gds):
    by_kind = _set_up(db, gds)
    discovery, alpha, beta = by_kind["discovery"], by_kind["alpha"], by_kind["private_beta"]
    with pytest.raises(RuleError, match="No funding has been released to discovery"):
        phases.start_phase(discovery, version=None, actor=gds["manager"])
    db.session.rollback()
    _fund_and_start(db, gds, discovery)
    review = phases.request_assessment(discovery, summary="Users need X", actor=gds["manager"])
    db.session.commit()
    assert review.name == "Discovery peer review: move to alpha"
    assert review.roles == ("executive", "senior_user")
    assert len(review.point_list) == 3
    _pass(db, gds, review)
    assert review.status == "passed" and discovery.status == "passed"

    _fund_and_start(db, gds, alpha, "150000")
    with pytest.raises(RuleError, match="once alpha's service assessment has passed"):
        phases.start_phase(beta, version=None, actor=gds["manager"])
    db.session.rollback()
    first = phases.request_assessment(alpha, summary="Prototypes tested", actor=gds["manager"])
    db.session.commit()
    results = _all_met(first)
    results[4] = PointResult(results[4].point, False, "Screen reader testing not done")
    phases.decide_assessment(
        first, role="executive", results=results, comment="Come back", actor=gds["executive"]
    )
    db.session.commit()
    assert first.status == "failed" and alpha.status == "active"
    failed = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "service_assessment.recorded")
    ).all()[-1]
    assert json.loads(failed.changes)["not_met"] == {
        "Service Standard point 5: Make sure everyone can use the service": (
            "Screen reader testing not done"
        )
    }
    # The other assessor cannot record a decided assessment; the manager re-runs it.
    with pytest.raises(RuleError, match="has been decided"):
        phases.decide_assessment(
            first, role="senior_user", results=_all_met(first), comment="", actor=gds["senior_user"]
        )
    db.session.rollback()
    second = phases.request_assessment(alpha, summary="Accessibility fixed", actor=gds["manager"])
    db.session.commit()
    assert second.round == 2
    _pass(db, gds, second)
    assert alpha.status == "passed"
    phases.release_funding(beta, Decimal("400000"), version=None, actor=gds["executive"])
    phases.start_phase(beta, version=None, actor=gds["manager"])
    db.session.commit()
    assert beta.status == "active"
    timeline = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.project_id == gds["project"].id)
    ).all()
    assert timeline.count("service_assessment.failed") == 1
    assert timeline.count("service_assessment.passed") == 2


def test_whoever_requests_an_assessment_never_decides_it(db, gds, make_user):
    by_kind = _set_up(db, gds)
    _fund_and_start(db, gds, by_kind["discovery"])
    # The Executive requests it (as PMO staff could step in): the Executive cannot decide.
    review = phases.request_assessment(
        by_kind["discovery"], summary="Found", actor=gds["executive"]
    )
    db.session.commit()
    with pytest.raises(RuleError, match="You requested this assessment"):
        phases.decide_assessment(
            review, role="executive", results=_all_met(review), comment="", actor=gds["executive"]
        )
    db.session.rollback()
    outsider = make_user()
    with pytest.raises(RuleError, match="Only the board members"):
        phases.decide_assessment(
            review, role="executive", results=_all_met(review), comment="", actor=outsider
        )
    db.session.rollback()
    assert db.session.scalar(select(func.count(AssessmentDecision.id))) == 0


def test_a_point_not_met_needs_a_note_and_nothing_is_saved(db, gds):
    by_kind = _set_up(db, gds)
    _fund_and_start(db, gds, by_kind["discovery"])
    review = phases.request_assessment(by_kind["discovery"], summary="x", actor=gds["manager"])
    db.session.commit()
    results = _all_met(review)
    results[0] = PointResult(results[0].point, False, "")
    with pytest.raises(RuleError, match="is not met"):
        phases.decide_assessment(
            review, role="executive", results=results, comment="", actor=gds["executive"]
        )
    db.session.rollback()
    assert db.session.scalar(select(func.count(AssessmentDecision.id))) == 0


def test_phase_funding_never_exceeds_what_the_project_has_left(db, gds):
    by_kind = _set_up(db, gds)
    phases.release_funding(
        by_kind["discovery"], Decimal("900000"), version=None, actor=gds["executive"]
    )
    db.session.commit()
    with pytest.raises(
        RuleError, match=re.escape("more than the project's remaining budget of £100,000.00")
    ):
        phases.release_funding(
            by_kind["alpha"], Decimal("100000.01"), version=None, actor=gds["executive"]
        )
    db.session.rollback()
    assert db.session.get(Phase, by_kind["alpha"].id).released_budget == 0
    with pytest.raises(RuleError, match="Only the project's Executive"):
        phases.release_funding(by_kind["alpha"], Decimal("1"), version=None, actor=gds["manager"])


def test_spending_past_the_released_funding_raises_one_exception_settled_by_more_funding(db, gds):
    by_kind = _set_up(db, gds)
    discovery = by_kind["discovery"]
    _fund_and_start(db, gds, discovery, "1000")
    discovery.started_on = uk_today() - timedelta(days=10)
    budget.record_cost(
        gds["project"],
        budget.CostData(
            spent_on=uk_today() - timedelta(days=2),
            amount=Decimal("1500.00"),
            category=CATEGORY,
            supplier="Research panel",
            description="User research incentives",
        ),
        token=None,
        actor=gds["manager"],
    )
    db.session.commit()
    check = phases.check_spending(discovery, actor=gds["manager"])
    db.session.commit()
    assert check.spent == Decimal("1500.00") and check.exception is not None
    again = phases.check_spending(discovery, actor=gds["manager"])
    assert again.exception.id == check.exception.id
    assert db.session.scalar(select(func.count(FundingException.id))) == 1
    phases.release_funding(discovery, Decimal("600"), version=None, actor=gds["executive"])
    db.session.commit()
    assert db.session.get(FundingException, check.exception.id).status == "resolved"
