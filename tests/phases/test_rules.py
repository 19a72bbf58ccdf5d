"""The pure rules of phases and service assessments."""

from __future__ import annotations

from decimal import Decimal

from tracker.phases import rules
from tracker.phases.rules import AssessmentStatus, PhaseKind, PhaseStatus, PointResult

PLANNED = {kind: PhaseStatus.PLANNED for kind in rules.PHASE_ORDER}


def test_beta_cannot_start_before_alphas_assessment_passed():
    statuses = {
        **PLANNED,
        PhaseKind.DISCOVERY: PhaseStatus.PASSED,
        PhaseKind.ALPHA: PhaseStatus.ACTIVE,
    }
    assert rules.start_problem(PhaseKind.PRIVATE_BETA, statuses) == (
        "Private beta can start only once alpha's service assessment has passed."
    )
    statuses[PhaseKind.ALPHA] = PhaseStatus.PASSED
    assert rules.start_problem(PhaseKind.PRIVATE_BETA, statuses) is None
    assert rules.start_problem(PhaseKind.DISCOVERY, PLANNED) is None
    assert "already started" in rules.start_problem(PhaseKind.ALPHA, statuses)


def test_funding_is_released_within_what_the_project_has_left():
    assert rules.release_problem(Decimal("100"), Decimal("1000"), Decimal("900")) is None
    problem = rules.release_problem(Decimal("100.01"), Decimal("1000"), Decimal("900"))
    assert problem == (
        "£100.01 is more than the project's remaining budget of £100.00 "
        "(£1,000.00 less £900.00 released to other phases)."
    )
    assert rules.release_problem(Decimal("0"), Decimal("1000"), Decimal("0")) is not None


def test_every_point_is_recorded_and_a_point_not_met_has_a_note():
    points = ["Understand users", "Iterate"]
    assert rules.point_problems(points, [PointResult("Understand users", True)]) == [
        "Record met or not met for every point: Iterate."
    ]
    assert rules.point_problems(
        points, [PointResult("Understand users", True), PointResult("Iterate", False, " ")]
    ) == ["Say why 'Iterate' is not met."]
    assert (
        rules.point_problems(
            points, [PointResult("Understand users", True), PointResult("Iterate", False, "No")]
        )
        == []
    )


def test_one_assessor_finding_a_point_not_met_fails_the_assessment():
    roles = ("executive", "senior_user")
    assert rules.outcome(roles, {"executive": True}) is AssessmentStatus.PENDING
    assert rules.outcome(roles, {"executive": False}) is AssessmentStatus.FAILED
    assert rules.outcome(roles, {"executive": True, "senior_user": True}) is AssessmentStatus.PASSED


def test_spending_past_the_released_funding_is_an_exception():
    assert rules.overspent(Decimal("100.01"), Decimal("100"))
    assert not rules.overspent(Decimal("100"), Decimal("100"))


def test_a_phases_earned_value_is_agile_evm_over_its_released_funding():
    from datetime import date
    from decimal import Decimal

    from tracker.budget.rules import index_on_screen
    from tracker.phases.rules import PhaseIteration, phase_earned_value

    iterations = [
        PhaseIteration(date(2026, 3, 13), 10, 8, date(2026, 3, 13)),
        PhaseIteration(date(2026, 3, 27), 10, 0, None),
        PhaseIteration(date(2026, 4, 10), 10, 0, None),
    ]
    # The worked example in the rule's docstring.
    evm = phase_earned_value(Decimal("60000"), iterations, Decimal("30000"), date(2026, 3, 30))
    assert (evm.bac, evm.pv, evm.ev, evm.ac) == (
        Decimal("60000.00"),
        Decimal("40000.00"),
        Decimal("16000.00"),
        Decimal("30000.00"),
    )
    assert (index_on_screen(evm.cpi), index_on_screen(evm.spi)) == (
        Decimal("0.53"),
        Decimal("0.40"),
    )
    # Nothing earned before an iteration closes; nothing to measure without funding or points.
    early = phase_earned_value(Decimal("60000"), iterations, Decimal("0"), date(2026, 3, 1))
    assert (early.pv, early.ev, early.cpi) == (Decimal("0.00"), Decimal("0.00"), None)
    assert phase_earned_value(Decimal("0"), iterations, Decimal("0"), date(2026, 3, 30)) is None
    no_points = [PhaseIteration(date(2026, 3, 13), 0, 0, None)]
    assert phase_earned_value(Decimal("1"), no_points, Decimal("0"), date(2026, 3, 30)) is None
