"""Tests for the pure stage rules: tolerances, forecasts, gate regime and resolution."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.budget.rules import CostTolerance, ToleranceStatus
from tracker.stages.rules import (
    BOARD_ROLES,
    DEFAULT_TOLERANCES,
    EXECUTIVE,
    SENIOR_SUPPLIER,
    SENIOR_USER,
    Dimension,
    Forecast,
    GateBoundaries,
    GateStatus,
    SizeTier,
    StageBudgetError,
    StagePlan,
    StageStatus,
    StageTransitionError,
    TargetStatus,
    Tolerances,
    assess_forecast,
    authorising_boundary,
    check_forecast,
    check_stage_budgets,
    check_transition,
    gate_boundaries,
    gate_regime,
    resolve_gate,
    size_tier,
)

# --- tolerances and size -------------------------------------------------------------


@pytest.mark.parametrize(
    ("bac", "tier"),
    [
        (D(0), SizeTier.SMALL),
        (D("249999.99"), SizeTier.SMALL),
        (D("250000.00"), SizeTier.MEDIUM),
        (D("5000000.00"), SizeTier.MEDIUM),
        (D("5000000.01"), SizeTier.LARGE),
    ],
)
def test_size_tier_thresholds(bac, tier):
    assert size_tier(bac) is tier


def test_size_tier_thresholds_are_configurable():
    assert size_tier(D(1000), small_below=D(500)) is SizeTier.MEDIUM
    assert size_tier(D(1000), small_below=D(500), large_above=D(999)) is SizeTier.LARGE


def test_default_tolerances_cover_every_tier_and_tighten_with_size():
    assert set(DEFAULT_TOLERANCES) == set(SizeTier)
    percents = [DEFAULT_TOLERANCES[tier].cost.percent for tier in SizeTier]
    assert percents == sorted(percents, reverse=True)
    for tolerances in DEFAULT_TOLERANCES.values():
        for dimension in (
            Dimension.SCOPE,
            Dimension.QUALITY,
            Dimension.RISK,
            Dimension.BENEFIT,
            Dimension.SUSTAINABILITY,
        ):
            assert tolerances.target(dimension)


def test_time_and_cost_are_not_stated_targets():
    with pytest.raises(ValueError, match="not a stated target"):
        DEFAULT_TOLERANCES[SizeTier.SMALL].target(Dimension.TIME)


def test_negative_time_tolerance_refused():
    with pytest.raises(ValueError):
        Tolerances(-1, CostTolerance(percent=D(5)), "", "", "", "", "")


# --- forecast against tolerance ---------------------------------------------------------

PLAN = StagePlan(date(2026, 4, 1), date(2026, 6, 30), D(100000))
TEN_DAYS_TEN_PERCENT = Tolerances(10, CostTolerance(percent=D(10)), "s", "q", "r", "b", "x")


@pytest.mark.parametrize(
    ("slip", "status"),
    [
        (0, ToleranceStatus.WITHIN),
        (7, ToleranceStatus.WITHIN),
        (8, ToleranceStatus.AT_RISK),
        (10, ToleranceStatus.AT_RISK),
        (11, ToleranceStatus.BREACHED),
        (-10, ToleranceStatus.AT_RISK),
        (-11, ToleranceStatus.BREACHED),
    ],
)
def test_time_tolerance_thresholds(slip, status):
    forecast = Forecast(PLAN.finish + timedelta(days=slip), PLAN.budget)
    time = assess_forecast(PLAN, forecast, TEN_DAYS_TEN_PERCENT)[0]
    assert time.dimension is Dimension.TIME
    assert time.status is status
    breaches = check_forecast(PLAN, forecast, TEN_DAYS_TEN_PERCENT)
    assert [b.dimension for b in breaches] == ([Dimension.TIME] if slip in (11, -11) else [])


@pytest.mark.parametrize(
    ("cost", "status"),
    [
        (D("107999.99"), ToleranceStatus.WITHIN),
        (D("108000.00"), ToleranceStatus.AT_RISK),
        (D("110000.00"), ToleranceStatus.AT_RISK),
        (D("110000.01"), ToleranceStatus.BREACHED),
        (D("89999.99"), ToleranceStatus.BREACHED),
    ],
)
def test_cost_tolerance_thresholds_through_the_shared_check(cost, status):
    cost_status = assess_forecast(PLAN, Forecast(PLAN.finish, cost), TEN_DAYS_TEN_PERCENT)[1]
    assert cost_status.dimension is Dimension.COST
    assert cost_status.status is status


def test_breach_names_dimension_limit_and_forecast():
    forecast = Forecast(date(2026, 7, 20), D("112000"))
    breaches = check_forecast(PLAN, forecast, TEN_DAYS_TEN_PERCENT)
    assert [b.dimension for b in breaches] == [Dimension.TIME, Dimension.COST]
    time, cost = breaches
    assert time.limit == "finish 2026-06-30 ± 10 days"
    assert time.forecast == "finish 2026-07-20 (20 days late)"
    assert time.check.variance == D(20)
    assert cost.limit == "£100,000.00 ±10% (£10,000.00)"
    assert cost.forecast == "£112,000.00 (over by £12,000.00)"
    assert cost.message == (
        "Cost: forecast £112,000.00 (over by £12,000.00); tolerance £100,000.00 ±10% (£10,000.00)."
    )


def test_stated_targets_report_their_status():
    forecast = Forecast(
        PLAN.finish,
        PLAN.budget,
        {Dimension.QUALITY: TargetStatus.BREACHED, Dimension.RISK: TargetStatus.AT_RISK},
    )
    statuses = {s.dimension: s for s in assess_forecast(PLAN, forecast, TEN_DAYS_TEN_PERCENT)}
    assert len(statuses) == 7
    assert statuses[Dimension.QUALITY].status is ToleranceStatus.BREACHED
    assert statuses[Dimension.QUALITY].limit == "q"
    assert statuses[Dimension.RISK].status is ToleranceStatus.AT_RISK
    assert statuses[Dimension.SCOPE].status is ToleranceStatus.WITHIN  # unreported = met
    assert [b.dimension for b in check_forecast(PLAN, forecast, TEN_DAYS_TEN_PERCENT)] == [
        Dimension.QUALITY
    ]


def test_one_day_phrase():
    forecast = Forecast(PLAN.finish - timedelta(days=1), PLAN.budget)
    assert assess_forecast(PLAN, forecast, TEN_DAYS_TEN_PERCENT)[0].forecast.endswith(
        "(1 day early)"
    )


# --- gate regime -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tier", "criticality", "level"),
    [
        ("small", 1, SizeTier.SMALL),
        ("small", 2, SizeTier.SMALL),
        ("small", 3, SizeTier.MEDIUM),
        ("small", 4, SizeTier.LARGE),
        ("small", 5, SizeTier.LARGE),
        ("medium", 1, SizeTier.MEDIUM),
        ("medium", 3, SizeTier.MEDIUM),
        ("medium", 4, SizeTier.LARGE),
        ("large", 1, SizeTier.LARGE),
        ("large", 5, SizeTier.LARGE),
    ],
)
def test_gate_regime_level_from_size_and_criticality(tier, criticality, level):
    assert gate_regime(tier, criticality).level is level


def test_gate_regime_rows_follow_the_tailoring_table():
    small, medium, large = (gate_regime(t, 1) for t in ("small", "medium", "large"))
    assert small.gates is GateBoundaries.START_AND_CLOSE
    assert small.approver_roles == (EXECUTIVE,)
    assert small.release_gate_roles == ()
    assert medium.gates is GateBoundaries.EVERY_BOUNDARY
    assert medium.approver_roles == (EXECUTIVE, SENIOR_USER)
    assert medium.release_gate_roles == (EXECUTIVE,)
    assert large.approver_roles == (EXECUTIVE, SENIOR_USER, SENIOR_SUPPLIER)
    assert large.release_gate_roles == BOARD_ROLES
    assert large.highlight_every_months == 1
    assert small.highlight_every_months > medium.highlight_every_months > 1
    for regime in (small, medium, large):
        assert regime.feedback_each_iteration
        assert regime.budget_checkpoint_every_months == 1
    assert "raised to large" in gate_regime("small", 5).reason


@pytest.mark.parametrize("criticality", [0, 6, -1])
def test_gate_regime_refuses_criticality_out_of_range(criticality):
    with pytest.raises(ValueError, match="1 to 5"):
        gate_regime("small", criticality)


@pytest.mark.parametrize("criticality", [True, 2.0, "2"])
def test_gate_regime_refuses_non_integer_criticality(criticality):
    with pytest.raises(TypeError):
        gate_regime("small", criticality)


def test_gate_regime_refuses_unknown_tier():
    with pytest.raises(ValueError):
        gate_regime("huge", 1)


def test_gate_boundaries_and_authorising_gate():
    small, medium = gate_regime("small", 1), gate_regime("medium", 1)
    assert gate_boundaries(small, 4) == (0, 4)
    assert gate_boundaries(medium, 4) == (0, 1, 2, 3, 4)
    assert gate_boundaries(small, 1) == (0, 1)
    assert [authorising_boundary(small, n, 3) for n in (1, 2, 3)] == [0, 0, 0]
    assert [authorising_boundary(medium, n, 3) for n in (1, 2, 3)] == [0, 1, 2]
    with pytest.raises(ValueError):
        gate_boundaries(small, 0)
    with pytest.raises(ValueError):
        authorising_boundary(medium, 4, 3)


# --- gate resolution ---------------------------------------------------------------------

FULL = (EXECUTIVE, SENIOR_USER, SENIOR_SUPPLIER)


@pytest.mark.parametrize(
    ("required", "decisions", "status", "awaiting"),
    [
        (FULL, [], GateStatus.PENDING, FULL),
        (FULL, [(SENIOR_USER, "approve")], GateStatus.PENDING, (EXECUTIVE, SENIOR_SUPPLIER)),
        (FULL, [(EXECUTIVE, "reject")], GateStatus.REJECTED, (SENIOR_USER, SENIOR_SUPPLIER)),
        (FULL, [(SENIOR_SUPPLIER, "reject")], GateStatus.REJECTED, (EXECUTIVE, SENIOR_USER)),
        (
            FULL,
            [(EXECUTIVE, "approve"), (SENIOR_USER, "approve"), (SENIOR_SUPPLIER, "approve")],
            GateStatus.APPROVED,
            (),
        ),
        (
            FULL,
            [
                (EXECUTIVE, "approve"),
                (SENIOR_USER, "approve_with_conditions"),
                (SENIOR_SUPPLIER, "approve"),
            ],
            GateStatus.APPROVED_WITH_CONDITIONS,
            (),
        ),
        (
            FULL,
            [(EXECUTIVE, "approve"), (SENIOR_USER, "approve"), (SENIOR_SUPPLIER, "reject")],
            GateStatus.REJECTED,
            (),
        ),
        ((EXECUTIVE,), [(EXECUTIVE, "approve")], GateStatus.APPROVED, ()),
        # A role that is not required does not count ...
        ((EXECUTIVE,), [(EXECUTIVE, "approve"), (SENIOR_USER, "reject")], GateStatus.APPROVED, ()),
        # ... except the Executive's rejection, which always stops the gate.
        (
            (SENIOR_USER,),
            [(SENIOR_USER, "approve"), (EXECUTIVE, "reject")],
            GateStatus.REJECTED,
            (),
        ),
        # Two Senior Users: the more severe decision is the role's position.
        (
            (EXECUTIVE, SENIOR_USER),
            [(EXECUTIVE, "approve"), (SENIOR_USER, "approve"), (SENIOR_USER, "reject")],
            GateStatus.REJECTED,
            (),
        ),
    ],
)
def test_resolve_gate(required, decisions, status, awaiting):
    outcome = resolve_gate(required, decisions)
    assert outcome.status is status
    assert outcome.awaiting == awaiting
    assert outcome.is_resolved is (status is not GateStatus.PENDING)


def test_outcome_details_and_messages():
    outcome = resolve_gate(
        FULL, [(SENIOR_SUPPLIER, "approve_with_conditions"), (SENIOR_USER, "approve")]
    )
    assert outcome.message == "Waiting for: Executive."
    assert outcome.conditions_from == (SENIOR_SUPPLIER,)
    assert outcome.approved_by == (SENIOR_USER, SENIOR_SUPPLIER)
    rejected = resolve_gate(FULL, [(EXECUTIVE, "reject")])
    assert rejected.message == "Rejected by Executive."
    assert rejected.rejected_by == (EXECUTIVE,)
    conditional = resolve_gate((EXECUTIVE,), [(EXECUTIVE, "approve_with_conditions")])
    assert conditional.message == "Approved with conditions from Executive."
    ignored = resolve_gate((EXECUTIVE,), [(SENIOR_USER, "approve")])
    assert ignored.ignored == (SENIOR_USER,)


@pytest.mark.parametrize(
    ("required", "decisions", "message"),
    [
        ((), [], "at least one"),
        (("chair",), [], "not a board role"),
        ((EXECUTIVE,), [("mayor", "approve")], "not a board role"),
        ((EXECUTIVE,), [(EXECUTIVE, "abstain")], "not a gate decision"),
    ],
)
def test_resolve_gate_refuses_bad_input(required, decisions, message):
    with pytest.raises(ValueError, match=message):
        resolve_gate(required, decisions)


decision_lists = st.lists(
    st.tuples(
        st.sampled_from(BOARD_ROLES),
        st.sampled_from(["approve", "approve_with_conditions", "reject"]),
    ),
    max_size=8,
)
required_sets = st.sets(st.sampled_from(BOARD_ROLES), min_size=1).map(tuple)


@given(required_sets, decision_lists)
def test_executive_rejection_always_rejects(required, decisions):
    outcome = resolve_gate(required, [*decisions, (EXECUTIVE, "reject")])
    assert outcome.status is GateStatus.REJECTED
    assert EXECUTIVE in outcome.rejected_by


@given(required_sets, decision_lists, st.randoms(use_true_random=False))
def test_resolution_is_independent_of_decision_order(required, decisions, random):
    shuffled = list(decisions)
    random.shuffle(shuffled)
    assert resolve_gate(required, decisions) == resolve_gate(required, shuffled)


@given(required_sets, decision_lists)
def test_approved_only_when_every_required_role_approved(required, decisions):
    outcome = resolve_gate(required, decisions)
    if outcome.status in (GateStatus.APPROVED, GateStatus.APPROVED_WITH_CONDITIONS):
        decided = {role for role, decision in decisions if decision != "reject"}
        assert set(required) <= decided
        assert not any(decision == "reject" for role, decision in decisions if role in required)
        assert outcome.awaiting == ()


# --- stage status transitions ---------------------------------------------------------------

LEGAL = [
    ("planned", "authorised"),
    ("authorised", "active"),
    ("active", "closed"),
    ("active", "in_exception"),
    ("in_exception", "active"),
]


@pytest.mark.parametrize(("current", "target"), LEGAL)
def test_legal_transitions(current, target):
    assert check_transition(current, target) is StageStatus(target)


@pytest.mark.parametrize(
    ("current", "target", "message"),
    [
        ("planned", "active", "until its gate authorises it"),
        ("planned", "closed", "cannot become closed"),
        ("planned", "in_exception", "cannot become in exception"),
        ("authorised", "in_exception", "has not started"),
        ("authorised", "planned", "It can become: active"),
        ("active", "authorised", "cannot become authorised"),
        ("in_exception", "closed", "board decides to close the project"),
        ("closed", "active", "closed stage cannot change"),
        ("active", "active", "already active"),
    ],
)
def test_illegal_transitions_are_refused_with_a_reason(current, target, message):
    with pytest.raises(StageTransitionError, match=message):
        check_transition(current, target)


@pytest.mark.parametrize("current", ["planned", "authorised", "active", "in_exception"])
def test_closing_the_project_early_closes_any_open_stage(current):
    assert check_transition(current, "closed", closing_project=True) is StageStatus.CLOSED


def test_closing_the_project_does_not_reopen_a_closed_stage():
    with pytest.raises(StageTransitionError):
        check_transition("closed", "closed", closing_project=True)


def test_unknown_status_is_refused():
    with pytest.raises(ValueError):
        check_transition("planned", "paused")


# --- stage budgets ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("budgets", "headroom"),
    [([], D("100000.00")), ([D(60000), D(40000)], D("0.00")), ([D("99999.99")], D("0.01"))],
)
def test_stage_budgets_within_the_project_budget(budgets, headroom):
    assert check_stage_budgets(D(100000), budgets) == headroom


def test_stage_budgets_over_the_project_budget_name_the_overrun():
    with pytest.raises(StageBudgetError) as caught:
        check_stage_budgets(D(100000), [D(60000), D("40000.01")])
    assert str(caught.value) == (
        "The stages total £100,000.01, which is £0.01 over the project budget of £100,000.00."
    )


def test_negative_stage_budget_is_refused():
    with pytest.raises(StageBudgetError, match="stage 2"):
        check_stage_budgets(D(100), [D(10), D(-5)])
