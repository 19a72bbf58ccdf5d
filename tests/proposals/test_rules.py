"""The pipeline's pure rules, without an app or a database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tracker.proposals import rules
from tracker.proposals.rules import CriterionScores, PipelineStage, ProposalStatus

pytestmark = pytest.mark.one_engine


def test_the_worked_example_of_the_weighted_total():
    total = rules.weighted_total([CriterionScores(3, 5, [4, 5]), CriterionScores(1, 5, [2])])
    assert total.points == Decimal("15.50")
    assert total.out_of == Decimal("20.00")
    assert total.percent == Decimal("77.50")
    assert total.is_complete


def test_an_unscored_criterion_counts_in_the_maximum_and_marks_the_total_incomplete():
    total = rules.weighted_total([CriterionScores(2, 5, [5]), CriterionScores(2, 10, [])])
    assert total.points == Decimal("10.00")
    assert total.out_of == Decimal("30.00")
    assert total.percent == Decimal("33.33")
    assert not total.is_complete


def test_no_criteria_gives_no_percentage():
    assert rules.weighted_total([]).percent is None


@pytest.mark.parametrize(
    ("score", "ok"), [(1, True), (5, True), (0, False), (6, False), (True, False), ("3", False)]
)
def test_a_score_must_be_a_whole_number_on_the_scale(score, ok):
    problem = rules.score_problem(score, 5, "Strategic priority")
    assert (problem is None) is ok
    if not ok:
        assert "Strategic priority" in problem and "5" in problem


@pytest.mark.parametrize(
    ("status", "scorers", "stage"),
    [
        (ProposalStatus.DRAFT, 0, PipelineStage.DRAFT),
        (ProposalStatus.SUBMITTED, 0, PipelineStage.SUBMITTED),
        (ProposalStatus.SUBMITTED, 2, PipelineStage.SCORED),
        (ProposalStatus.DEFERRED, 1, PipelineStage.DECIDED),
        (ProposalStatus.APPROVED, 3, PipelineStage.DECIDED),
        (ProposalStatus.REJECTED, 0, PipelineStage.DECIDED),
    ],
)
def test_the_pipeline_stage(status, scorers, stage):
    assert rules.stage_of(status, scorers) == stage


def test_an_approval_needs_a_lead_organisation_and_a_problem_statement():
    problems = dict(
        rules.approval_problems(
            problem="  ",
            lead_organisation_id=None,
            rough_cost=Decimal("1"),
            start_on=date(2027, 1, 1),
            finish_on=date(2027, 6, 1),
        )
    )
    assert set(problems) == {"problem", "lead_organisation_id"}
    assert not rules.approval_problems(
        problem="Delays",
        lead_organisation_id=1,
        rough_cost=Decimal("1"),
        start_on=date(2027, 1, 1),
        finish_on=date(2027, 6, 1),
    )


def test_a_deferral_needs_a_date_after_today():
    today = date(2026, 12, 7)
    assert rules.defer_problem(None, today)
    assert rules.defer_problem(today, today)
    assert rules.defer_problem(date(2027, 1, 7), today) is None


def test_a_draft_needs_its_assessment_before_it_is_submitted():
    problems = rules.submit_problems(
        title="Idea",
        problem="Delays",
        outcome="Fewer",
        has_assessment=False,
        start_on=None,
        finish_on=None,
    )
    assert [name for name, _ in problems] == ["assessment"]
