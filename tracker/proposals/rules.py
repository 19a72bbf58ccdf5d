"""The pipeline's pure rules: statuses, the stage a proposal has reached, scores on a
criterion's scale, the weighted total, and what an approval needs.

No Flask and no database: the services call these with plain values, and
tests/proposals/test_rules.py checks them without an app.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from fractions import Fraction


class ProposalStatus(StrEnum):
    """Where a proposal stands: a draft only its proposer sees and edits; submitted to the
    PMO; deferred by the board to a date; approved into a project; rejected."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    DEFERRED = "deferred"
    APPROVED = "approved"
    REJECTED = "rejected"


PROPOSAL_STATUSES = {
    ProposalStatus.DRAFT: "Draft",
    ProposalStatus.SUBMITTED: "Submitted",
    ProposalStatus.DEFERRED: "Deferred",
    ProposalStatus.APPROVED: "Approved",
    ProposalStatus.REJECTED: "Rejected",
}
# The board may decide (again) while a proposal is in one of these.
DECIDABLE = frozenset({ProposalStatus.SUBMITTED, ProposalStatus.DEFERRED})


class PipelineStage(StrEnum):
    """The pipeline's columns. "Scored" is not stored: a submitted proposal with at least
    one score is scored."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    SCORED = "scored"
    DECIDED = "decided"


PIPELINE_STAGES = {
    PipelineStage.DRAFT: "Draft",
    PipelineStage.SUBMITTED: "Submitted, not scored",
    PipelineStage.SCORED: "Scored, waiting for the board",
    PipelineStage.DECIDED: "Decided",
}


def stage_of(status: str, scorers: int) -> PipelineStage:
    """The pipeline stage of a proposal with ``status`` scored by ``scorers`` people. A
    deferred proposal counts as decided until the board takes it up again."""
    if status == ProposalStatus.DRAFT:
        return PipelineStage.DRAFT
    if status == ProposalStatus.SUBMITTED:
        return PipelineStage.SCORED if scorers > 0 else PipelineStage.SUBMITTED
    return PipelineStage.DECIDED


class FundingSource(StrEnum):
    CAPITAL = "capital"
    REVENUE = "revenue"
    GRANT = "grant"
    PARTNER = "partner"


FUNDING_SOURCES = {
    FundingSource.CAPITAL: "Capital",
    FundingSource.REVENUE: "Revenue",
    FundingSource.GRANT: "Grant",
    FundingSource.PARTNER: "Partner contribution",
}


class Decision(StrEnum):
    APPROVE = "approve"
    DEFER = "defer"
    REJECT = "reject"


DECISIONS = {
    Decision.APPROVE: "Approve into a project",
    Decision.DEFER: "Defer to a date",
    Decision.REJECT: "Reject",
}
# The status each decision leaves the proposal in.
DECIDED_STATUS = {
    Decision.APPROVE: ProposalStatus.APPROVED,
    Decision.DEFER: ProposalStatus.DEFERRED,
    Decision.REJECT: ProposalStatus.REJECTED,
}

SCALE_MIN = 1
SCALE_MAX_LIMIT = 10
WEIGHT_LIMIT = 100


def score_problem(score: object, scale_max: int, criterion: str) -> str | None:
    """Why ``score`` is not a score on the criterion's 1-to-``scale_max`` scale, or None."""
    if isinstance(score, bool) or not isinstance(score, int):
        return f"Score {criterion} with a whole number from {SCALE_MIN} to {scale_max}"
    if not SCALE_MIN <= score <= scale_max:
        return f"Score {criterion} from {SCALE_MIN} to {scale_max}: {score} is outside the scale"
    return None


@dataclass(frozen=True, slots=True)
class CriterionScores:
    """One criterion as the total reads it: its weight, its scale and every scorer's score."""

    weight: int
    scale_max: int
    scores: Sequence[int]

    @property
    def mean(self) -> Fraction | None:
        return Fraction(sum(self.scores), len(self.scores)) if self.scores else None


@dataclass(frozen=True, slots=True)
class Total:
    """A proposal's weighted total: points out of the most it could get, as a percentage,
    and whether every criterion has at least one score (an incomplete total is shown as
    such, never compared as if complete)."""

    points: Decimal
    out_of: Decimal
    percent: Decimal | None
    is_complete: bool


def _two_places(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )


def weighted_total(criteria: Iterable[CriterionScores]) -> Total:
    """Sum over criteria of weight x the mean of the scorers' scores, out of the sum of
    weight x the top of each scale.

    Worked example: "Strategic priority" weight 3, scale 1 to 5, scored 4 and 5 (mean 4.5);
    "Deliverability" weight 1, scale 1 to 5, scored 2: 3 x 4.5 + 1 x 2 = 15.5 points out of
    3 x 5 + 1 x 5 = 20, that is 77.5%.
    """
    points = Fraction(0)
    out_of = 0
    complete = True
    for criterion in criteria:
        out_of += criterion.weight * criterion.scale_max
        mean = criterion.mean
        if mean is None:
            complete = False
            continue
        points += criterion.weight * mean
    percent = _two_places(points * 100 / out_of) if out_of else None
    return Total(_two_places(points), Decimal(out_of).quantize(Decimal("0.01")), percent, complete)


def approval_problems(
    *,
    problem: str | None,
    lead_organisation_id: int | None,
    rough_cost: Decimal | None,
    start_on: date | None,
    finish_on: date | None,
) -> list[tuple[str, str]]:
    """What a proposal lacks to become a project, as (field, message) pairs: a project
    needs a problem statement, a lead organisation, a budget and its dates."""
    problems = []
    if not (problem or "").strip():
        problems.append(
            ("problem", "A proposal without a problem statement cannot become a project")
        )
    if lead_organisation_id is None:
        problems.append(
            (
                "lead_organisation_id",
                "Choose the lead organisation: a project cannot be approved without one",
            )
        )
    if rough_cost is None:
        problems.append(("rough_cost", "The proposal has no rough cost to become the budget"))
    if start_on is None or finish_on is None:
        problems.append(("start_on", "The proposal needs its start and finish dates"))
    return problems


def defer_problem(defer_until: date | None, today: date) -> str | None:
    if defer_until is None:
        return "Enter the date to look at the proposal again"
    if defer_until <= today:
        return "The date to look at the proposal again must be after today"
    return None


def submit_problems(
    *,
    title: str,
    problem: str,
    outcome: str,
    has_assessment: bool,
    start_on: date | None,
    finish_on: date | None,
) -> list[tuple[str, str]]:
    """What a draft lacks before it can go to the PMO."""
    problems = []
    if not title.strip():
        problems.append(("title", "Enter a title for the proposal"))
    if not problem.strip():
        problems.append(("problem", "Describe the problem before submitting"))
    if not outcome.strip():
        problems.append(("outcome", "Describe the outcome sought before submitting"))
    if not has_assessment:
        problems.append(
            (
                "assessment",
                "Answer the uncertainty assessment before submitting: the recommended "
                "method is known from the first day",
            )
        )
    if start_on and finish_on and finish_on < start_on:
        problems.append(("finish_on", "The finish must be the same as or after the start"))
    return problems
