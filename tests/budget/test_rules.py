"""Tests for the pure budget rules: rounding, baselines, earned value, tolerance, CSV."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.budget.rules import (
    Baseline,
    BaselineError,
    BaselinePoint,
    CostTolerance,
    CsvImportError,
    PlannedIteration,
    ReleasePlan,
    StageBudget,
    StageProgress,
    ToleranceStatus,
    agile_earned_value,
    agile_planned_value,
    assess_tolerance,
    baseline_planned_value,
    check_cost,
    checkpoint,
    checkpoint_cost_status,
    earned_value,
    earned_value_completed,
    format_gbp,
    hybrid_baseline,
    index_on_screen,
    money,
    parse_cost_csv,
    percent_complete_from_points,
    planned_value_at,
    release_baseline,
    stage_baseline,
)

# --- money ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (D("0.004"), D("0.00")),
        (D("0.005"), D("0.01")),
        (D("0.015"), D("0.02")),  # half up, not banker's rounding
        (D("-0.005"), D("-0.01")),
        (D("2.675"), D("2.68")),
        (7, D("7.00")),
    ],
)
def test_money_rounds_half_up_to_the_penny(raw, expected):
    assert money(raw) == expected
    assert money(raw).as_tuple().exponent == -2


@pytest.mark.parametrize("bad", [1.5, "1.50", True, None])
def test_money_refuses_non_decimal_types(bad):
    with pytest.raises(TypeError):
        money(bad)


@pytest.mark.parametrize("bad", [D("NaN"), D("Infinity"), D("-Infinity")])
def test_money_refuses_non_finite(bad):
    with pytest.raises(ValueError, match="finite"):
        money(bad)


@pytest.mark.parametrize(
    ("amount", "text"),
    [(D("1234.5"), "£1,234.50"), (D("-5"), "-£5.00"), (D("0"), "£0.00"), (D("0.005"), "£0.01")],
)
def test_format_gbp(amount, text):
    assert format_gbp(amount) == text


# --- checkpoint: worked example and formulas ------------------------------------------


def test_worked_example_to_the_penny():
    """Hand calculation: BAC £100,000; at the checkpoint PV £50,000, EV £40,000, AC £45,000.

    CPI = 40,000 / 45,000 = 0.8889; SPI = 0.8; EAC = 100,000 x 45,000 / 40,000 = 112,500;
    CPI x SPI = 0.71111...; EAC(CPI x SPI) = 45,000 + 60,000 / 0.71111 = 129,375;
    TCPI = 60,000 / 55,000 = 1.0909.
    """
    point = checkpoint(D(100000), D(50000), D(40000), D(45000))
    assert point.cv == D("-5000.00")
    assert point.sv == D("-10000.00")
    assert point.cpi == D("0.888888888889")  # full precision, stored as is
    assert index_on_screen(point.cpi) == D("0.89")
    assert point.spi == D("0.800000000000")
    assert point.eac == D("112500.00")
    assert point.eac_atypical == D("105000.00")
    assert point.eac_cpi_spi == D("129375.00")
    assert point.etc == D("67500.00")
    assert point.vac == D("-12500.00")
    assert point.tcpi == D("1.090909090909")
    assert index_on_screen(point.tcpi) == D("1.09")
    assert point.percent_complete == D("40.0")
    assert point.percent_spent == D("45.0")
    assert point.reasons == ()


def test_eac_uses_the_exact_ratio_not_the_rounded_cpi():
    point = checkpoint(D(1000), D(300), D(300), D(350))
    assert point.cpi == D("0.857142857143")
    # 1000 / 0.86 (the CPI on screen) would give £1,162.79; the exact BAC x AC / EV gives
    # £1,166.67.
    assert point.eac == D("1166.67")
    assert point.vac == D("-166.67")
    assert point.etc == D("816.67")


def test_inputs_are_quantised_to_pence_first():
    assert checkpoint(D("100.004"), 0, 0, 0).bac == D("100.00")


@pytest.mark.parametrize(
    ("bac", "pv", "ev", "ac", "undefined"),
    [
        (100, 50, 40, 0, {"cpi", "eac", "etc", "vac", "eac_cpi_spi"}),  # no cost yet
        (100, 50, 0, 10, {"eac", "etc", "vac", "eac_cpi_spi"}),  # nothing earned yet
        (100, 0, 0, 0, {"cpi", "spi", "eac", "etc", "vac", "eac_cpi_spi"}),  # nothing at all
        (100, 0, 10, 10, {"spi", "eac_cpi_spi"}),  # no planned value yet
        (
            0,
            0,
            0,
            0,
            {
                "cpi",
                "spi",
                "eac",
                "etc",
                "vac",
                "eac_cpi_spi",
                "tcpi",
                "percent_complete",
                "percent_spent",
            },
        ),  # zero budget
        (100, 50, 40, 100, {"tcpi"}),  # BAC - AC = 0
        (100, 50, 40, 120, {"tcpi"}),  # BAC - AC < 0
    ],
)
def test_undefined_figures_are_none_with_a_reason(bac, pv, ev, ac, undefined):
    point = checkpoint(bac, pv, ev, ac)
    for name in undefined:
        assert getattr(point, name) is None, name
        assert point.reason_for(name), name
    assert {name for name, _ in point.reasons} == undefined


def test_cpi_is_zero_not_undefined_when_cost_but_nothing_earned():
    point = checkpoint(100, 50, 0, 10)
    assert point.cpi == D("0.000")
    assert point.reason_for("eac") == "CPI is undefined: nothing earned yet (EV is zero)"


def test_tcpi_just_either_side_of_the_budget():
    assert checkpoint(D(100), 0, D(40), D("99.99")).tcpi == D("6000.000")
    assert checkpoint(D(100), 0, D(40), D("100.00")).tcpi is None


finite_money = st.decimals(
    min_value=D("-1000000000000"),
    max_value=D("1000000000000"),
    places=2,
    allow_nan=False,
    allow_infinity=False,
)


@given(finite_money, finite_money, finite_money, finite_money)
def test_no_finite_input_raises_or_gives_non_finite_figures(bac, pv, ev, ac):
    point = checkpoint(bac, pv, ev, ac)
    for name in (
        "bac",
        "pv",
        "ev",
        "ac",
        "cv",
        "sv",
        "cpi",
        "spi",
        "eac",
        "eac_atypical",
        "eac_cpi_spi",
        "etc",
        "vac",
        "tcpi",
        "percent_complete",
        "percent_spent",
    ):
        value = getattr(point, name)
        assert value is None or (isinstance(value, D) and value.is_finite()), name
        if value is None:
            assert point.reason_for(name)


@given(
    st.decimals(min_value=D("0.01"), max_value=D("100000000"), places=2),
    st.decimals(min_value=D("0.01"), max_value=D("100000000"), places=2),
)
def test_eac_equals_bac_when_on_budget(bac, spent):
    assert checkpoint(bac, spent, spent, spent).eac == money(bac)


# --- earned value -----------------------------------------------------------------------


def test_classic_earned_value():
    progress = [StageProgress(D("10000"), D(100)), StageProgress(D("20000"), D("33.3"))]
    assert earned_value(progress) == D("16660.00")


@pytest.mark.parametrize("percent", [D("-0.1"), D("100.1"), D("NaN")])
def test_percent_complete_outside_range_is_refused(percent):
    with pytest.raises(ValueError, match="between 0 and 100"):
        earned_value([StageProgress(D(100), percent)])


@pytest.mark.parametrize("percent", [D(0), D(100)])
def test_percent_complete_bounds_are_allowed(percent):
    assert earned_value([StageProgress(D(100), percent)]) == money(percent)


def test_earned_value_from_completed_work_only():
    assert earned_value_completed([(D(100), True), (D(250), False), (D("0.5"), True)]) == D(
        "100.50"
    )


@pytest.mark.parametrize(
    ("completed", "planned", "expected"),
    [
        (0, 100, D("0.00")),
        (25, 100, D("25000.00")),
        (100, 100, D("100000.00")),
        (101, 100, D("100000.00")),
        (1, 3, D("33333.33")),
    ],
)
def test_agile_earned_value(completed, planned, expected):
    assert agile_earned_value(D(100000), completed, planned) == expected


@pytest.mark.parametrize(("completed", "planned"), [(1, 0), (-1, 10)])
def test_agile_earned_value_refuses_bad_points(completed, planned):
    with pytest.raises(ValueError):
        agile_earned_value(D(100), completed, planned)


@given(
    st.decimals(min_value=D(0), max_value=D("1000000000"), places=2),
    st.integers(min_value=0, max_value=10_000),
    st.integers(min_value=1, max_value=10_000),
)
def test_agile_earned_value_never_exceeds_bac(bac, completed, planned):
    assert D(0) <= agile_earned_value(bac, completed, planned) <= money(bac)


@given(
    st.lists(
        st.tuples(
            st.decimals(min_value=D(0), max_value=D("10000000"), places=2),
            st.decimals(min_value=D(0), max_value=D(100), places=1),
        ),
        max_size=10,
    )
)
def test_classic_earned_value_never_exceeds_bac(stages):
    bac = sum((budget for budget, _ in stages), D(0))
    ev = earned_value(StageProgress(budget, percent) for budget, percent in stages)
    assert D(0) <= ev <= bac


@pytest.mark.parametrize(
    ("completed", "planned", "expected"),
    [(0, 40, D("0.0")), (10, 40, D("25.0")), (50, 40, D("100.0")), (1, 3, D("33.3"))],
)
def test_percent_complete_from_points(completed, planned, expected):
    assert percent_complete_from_points(completed, planned) == expected


# --- baselines --------------------------------------------------------------------------


def test_stage_baseline_spreads_each_stage_evenly_per_day():
    baseline = stage_baseline(
        [
            StageBudget("One", date(2026, 4, 1), date(2026, 4, 3), D(300)),
            StageBudget("Two", date(2026, 4, 6), date(2026, 4, 7), D(100)),
        ]
    )
    assert baseline.as_rows() == [
        (date(2026, 4, 1), D("100.00")),
        (date(2026, 4, 2), D("200.00")),
        (date(2026, 4, 3), D("300.00")),
        (date(2026, 4, 4), D("300.00")),  # gap: PV stays flat
        (date(2026, 4, 5), D("300.00")),
        (date(2026, 4, 6), D("350.00")),
        (date(2026, 4, 7), D("400.00")),
    ]
    assert baseline.bac == D("400.00")


def test_stage_baseline_rounds_the_running_total_and_ends_exactly_at_bac():
    baseline = stage_baseline([StageBudget("One", date(2026, 1, 1), date(2026, 1, 3), D(100))])
    assert [p.cumulative for p in baseline.points] == [D("33.33"), D("66.67"), D("100.00")]


def test_baseline_refuses_a_stage_that_ends_before_it_starts():
    with pytest.raises(BaselineError, match="'Two' finishes"):
        stage_baseline([StageBudget("Two", date(2026, 2, 2), date(2026, 2, 1), D(1))])


def test_baseline_refuses_a_negative_budget():
    with pytest.raises(BaselineError, match="negative budget"):
        stage_baseline([StageBudget("One", date(2026, 2, 1), date(2026, 2, 1), D(-1))])


def test_empty_plan_gives_an_empty_baseline_with_zero_pv():
    baseline = stage_baseline([])
    assert baseline.points == ()
    assert baseline.bac == D("0.00")
    assert planned_value_at(baseline, date(2026, 1, 1)) == D("0.00")


stage_strategy = st.builds(
    lambda start, length, budget, name: StageBudget(
        name, start, start + timedelta(days=length), budget
    ),
    st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 1, 1)),
    st.integers(min_value=0, max_value=200),
    st.decimals(min_value=D(0), max_value=D("5000000"), places=2),
    st.text(min_size=1, max_size=5),
)


@given(st.lists(stage_strategy, min_size=1, max_size=6))
def test_pv_curve_is_non_decreasing_and_ends_at_bac(stages):
    baseline = stage_baseline(stages)
    values = [point.cumulative for point in baseline.points]
    assert values == sorted(values)
    assert baseline.bac == sum((s.budget for s in stages), D(0))
    assert planned_value_at(baseline, baseline.finish + timedelta(days=30)) == baseline.bac
    assert planned_value_at(baseline, baseline.start - timedelta(days=1)) == D(0)


def _plan():
    return ReleasePlan(
        iterations=(
            PlannedIteration("Sprint 1", date(2026, 3, 2), date(2026, 3, 13), D(20000)),
            PlannedIteration("Sprint 2", date(2026, 3, 16), date(2026, 3, 27), D(20000)),
            PlannedIteration("Sprint 3", date(2026, 3, 30), date(2026, 4, 10), D(25000)),
        ),
        planned_points=120,
    )


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (date(2026, 3, 1), D("0.00")),
        (date(2026, 3, 12), D("0.00")),  # Sprint 1 not yet elapsed
        (date(2026, 3, 13), D("20000.00")),  # elapsed at the end of its last day
        (date(2026, 3, 27), D("40000.00")),
        (date(2026, 4, 9), D("40000.00")),
        (date(2026, 4, 10), D("65000.00")),
        (date(2026, 12, 31), D("65000.00")),
    ],
)
def test_agile_planned_value_steps_at_each_iteration_end(on, expected):
    assert agile_planned_value(_plan(), on) == expected


def test_release_plan_bac_and_points():
    assert _plan().bac == D("65000.00")
    with pytest.raises(BaselineError, match="planned points"):
        release_baseline(ReleasePlan(_plan().iterations, 0))


def test_agile_checkpoint_combines_agileevm_pv_and_ev():
    plan = _plan()
    pv = agile_planned_value(plan, date(2026, 3, 27))
    ev = agile_earned_value(plan.bac, 70, plan.planned_points)
    point = checkpoint(plan.bac, pv, ev, D(42000))
    assert ev == D("37916.67")
    assert point.spi == D("0.947916750000")  # 37,916.67 / 40,000 exactly
    assert point.cpi == D("0.902777857143")  # 37,916.67 / 42,000 to 12 places
    assert (index_on_screen(point.spi), index_on_screen(point.cpi)) == (D("0.95"), D("0.90"))


def test_hybrid_baseline_follows_the_stages():
    stages = [StageBudget("Discovery", date(2026, 1, 1), date(2026, 1, 10), D(10000))]
    iterations = [PlannedIteration("It 1", date(2026, 1, 1), date(2026, 1, 5), D(4000))]
    assert hybrid_baseline(stages, iterations) == stage_baseline(stages)


def test_hybrid_iteration_outside_every_stage_is_refused():
    stages = [StageBudget("Discovery", date(2026, 1, 1), date(2026, 1, 10), D(10000))]
    iterations = [PlannedIteration("It 2", date(2026, 1, 8), date(2026, 1, 12), D(1))]
    with pytest.raises(BaselineError, match=r"'It 2'.*does not fall within"):
        hybrid_baseline(stages, iterations)


@pytest.mark.parametrize(("planned", "ok"), [(D("10000.00"), True), (D("10000.01"), False)])
def test_hybrid_iterations_may_not_plan_more_than_their_stage(planned, ok):
    stages = [StageBudget("Alpha", date(2026, 1, 1), date(2026, 1, 31), D(10000))]
    iterations = [
        PlannedIteration("It 1", date(2026, 1, 1), date(2026, 1, 14), D(5000)),
        PlannedIteration("It 2", date(2026, 1, 15), date(2026, 1, 28), planned - D(5000)),
    ]
    if ok:
        hybrid_baseline(stages, iterations)
    else:
        with pytest.raises(BaselineError, match=r"£0\.01 more than the stage budget"):
            hybrid_baseline(stages, iterations)


def test_planned_value_interpolates_a_sparse_baseline_by_day():
    baseline = Baseline(
        (BaselinePoint(date(2026, 1, 1), D(0)), BaselinePoint(date(2026, 1, 11), D(1000)))
    )
    assert planned_value_at(baseline, date(2026, 1, 1)) == D("0.00")
    assert planned_value_at(baseline, date(2026, 1, 4)) == D("300.00")
    assert planned_value_at(baseline, date(2026, 1, 11)) == D("1000")
    assert planned_value_at(baseline, date(2025, 12, 31)) == D("0.00")


# --- tolerance ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("forecast", "status", "direction"),
    [
        (D("100000.00"), ToleranceStatus.WITHIN, "on_plan"),
        (D("107999.99"), ToleranceStatus.WITHIN, "over"),  # just under 80% of £10,000
        (D("108000.00"), ToleranceStatus.AT_RISK, "over"),  # exactly 80%
        (D("110000.00"), ToleranceStatus.AT_RISK, "over"),  # exactly the limit
        (D("110000.01"), ToleranceStatus.BREACHED, "over"),
        (D("92000.01"), ToleranceStatus.WITHIN, "under"),
        (D("92000.00"), ToleranceStatus.AT_RISK, "under"),
        (D("89999.99"), ToleranceStatus.BREACHED, "under"),  # underspend beyond tolerance
    ],
)
def test_cost_tolerance_thresholds(forecast, status, direction):
    result = check_cost(D(100000), forecast, CostTolerance(percent=D(10)))
    assert result.status is status
    assert result.direction == direction
    assert result.limit == D("10000.00")
    assert result.variance == forecast - D(100000)


def test_absolute_cost_tolerance():
    tolerance = CostTolerance(amount=D(5000))
    assert tolerance.limit_for(D(1)) == D("5000.00")
    assert check_cost(D(50000), D("55000.01"), tolerance).status is ToleranceStatus.BREACHED
    assert tolerance.describe() == "±£5,000.00"
    assert CostTolerance(percent=D("7.5")).describe() == "±7.5%"


@pytest.mark.parametrize(
    ("variance", "status"),
    [(D(0), ToleranceStatus.WITHIN), (D("0.01"), ToleranceStatus.BREACHED)],
)
def test_zero_tolerance_breaches_on_any_variance(variance, status):
    result = assess_tolerance(D(100), D(100) + variance, D(0))
    assert result.status is status
    assert result.used is None


@pytest.mark.parametrize(
    "kwargs", [{}, {"percent": D(5), "amount": D(5)}, {"percent": D(-1)}, {"amount": D("NaN")}]
)
def test_cost_tolerance_needs_exactly_one_non_negative_value(kwargs):
    with pytest.raises(ValueError):
        CostTolerance(**kwargs)


def test_rag_names():
    assert [s.rag for s in ToleranceStatus] == ["green", "amber", "red"]


def test_checkpoint_status_against_bac_or_stage_budget():
    point = checkpoint(D(100000), D(50000), D(40000), D(45000))  # EAC £112,500
    assert checkpoint_cost_status(point, CostTolerance(percent=D(10))).status is (
        ToleranceStatus.BREACHED
    )
    assert checkpoint_cost_status(point, CostTolerance(percent=D(15))).status is (
        ToleranceStatus.AT_RISK
    )
    assert checkpoint_cost_status(point, CostTolerance(amount=D(1)), budget=D(112500)).status is (
        ToleranceStatus.WITHIN
    )
    assert checkpoint_cost_status(checkpoint(100, 0, 0, 0), CostTolerance(percent=D(1))) is None


# --- CSV --------------------------------------------------------------------------------

HEADER = "date,amount,category,supplier,description,stage,iteration\n"
STAGES = ["Discovery", "12"]
ITERATIONS = ["Sprint 1"]


def _problems(text, **kwargs):
    with pytest.raises(CsvImportError) as caught:
        parse_cost_csv(text, STAGES, ITERATIONS, **kwargs)
    return [(p.row, p.field) for p in caught.value.problems], caught.value


def test_valid_file_is_parsed():
    rows = parse_cost_csv(
        "\ufeff"
        + HEADER
        + '2026-03-31,"1,250.00",Supplier,Acme Ltd,Workshop venue,discovery,\n'
        + "2026-04-01,99.5,staff,,Agency cover,,sprint 1\n"
        + "\n"
        + "2026-04-02,12,other,,Train fares,12,\n",
        STAGES,
        ITERATIONS,
    )
    assert [(r.row, r.day, r.amount, r.category, r.stage, r.iteration) for r in rows] == [
        (2, date(2026, 3, 31), D("1250.00"), "supplier", "Discovery", None),
        (3, date(2026, 4, 1), D("99.50"), "staff", None, "Sprint 1"),
        (5, date(2026, 4, 2), D("12.00"), "other", "12", None),
    ]


def test_optional_columns_may_be_absent_and_header_is_case_insensitive():
    rows = parse_cost_csv(
        " Date ,AMOUNT,Category,Supplier,Description\n2026-01-05,10,capital,Dell,Laptop\n", [], []
    )
    assert rows[0].supplier == "Dell"


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("£10.00", "£ sign"),
        ("-10.00", "positive"),
        ("(10.00)", "positive"),
        ("0", "more than £0.00"),
        ("0.00", "more than £0.00"),
        ("10.001", "2 decimal places"),
        ("1,2345.00", "commas only between thousands"),
        ("10,50", "commas only between thousands"),
        ("ten", "as a number"),
        ("", "Enter an amount"),
        ("1e3", "as a number"),
        ("10000000000.00", "no more than"),
    ],
)
def test_bad_amounts(amount, message):
    problems, error = _problems(HEADER + f'2026-01-05,"{amount}",staff,,Pay,,\n')
    assert problems == [(2, "amount")]
    assert message in str(error)


@pytest.mark.parametrize("amount", ["0.01", "9999999999.99", "1,000,000", "1,000.5"])
def test_amounts_at_the_limits_are_accepted(amount):
    assert parse_cost_csv(HEADER + f'2026-01-05,"{amount}",staff,,Pay,,\n', [], [])


@pytest.mark.parametrize("day", ["05/01/2026", "2026-1-5", "2026-02-30", "", "2026-01-05T10:00"])
def test_bad_dates(day):
    assert _problems(HEADER + f"{day},10,staff,,Pay,,\n")[0] == [(2, "date")]


def test_future_dates_refused_only_when_today_is_given():
    text = HEADER + "2026-01-06,10,staff,,Pay,,\n"
    assert parse_cost_csv(text, [], [], today=date(2026, 1, 6))
    assert _problems(text, today=date(2026, 1, 5))[0] == [(2, "date")]


def test_every_bad_row_and_field_is_reported_and_nothing_returned():
    text = (
        HEADER
        + "2026-01-05,10,staff,,Pay,,\n"
        + "2026-01-32,£3,travel,,,,\n"
        + "2026-01-05,10,supplier,,Kit,Nope,Sprint 1\n"
        + "2026-01-05,10,capital,,Server,,Sprint 9\n"
        + "2026-01-05,10,staff\n"
    )
    problems, _ = _problems(text)
    assert problems == [
        (3, "date"),
        (3, "amount"),
        (3, "category"),
        (3, "description"),
        (4, "supplier"),
        (4, "iteration"),  # stage and iteration both given
        (5, "supplier"),
        (5, "iteration"),
        (6, "row"),
    ]


def test_unknown_stage_is_named():
    _, error = _problems(HEADER + "2026-01-05,10,staff,,Pay,Beta,\n")
    assert "No stage 'Beta'" in str(error)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", [(0, "file")]),
        ("  \n\n", [(0, "file")]),
        ("\ufeff", [(0, "file")]),
        (HEADER, [(0, "file")]),
        (HEADER + ",,,,,,\n", [(0, "file")]),
        ("date,amount,category,description\n", [(1, "supplier")]),
        ("date;amount;category;supplier;description\n2026-01-05;10;staff;;Pay\n", [(1, "header")]),
        ("date\tamount\tcategory\tsupplier\tdescription\n", [(1, "header")]),
        (
            "date,amount,category,supplier,description,iteraton\n",
            [(1, "iteraton")],
        ),
        (
            "date,amount,amount,category,supplier,description\n",
            [(1, "amount")],
        ),
        ('date,amount,category,supplier,description\n2026-01-05,"10,staff,,Pay\n', [(0, "file")]),
        (
            "date,amount,category,supplier,description\n2026-01-05,1\x000,staff,,Pay\n",
            [(0, "file")],
        ),
    ],
)
def test_file_level_problems(text, expected):
    assert _problems(text)[0] == expected


@pytest.mark.parametrize(("rows", "ok"), [(3, True), (4, False)])
def test_row_limit(rows, ok):
    text = HEADER + "2026-01-05,10,staff,,Pay,,\n" * rows
    if ok:
        assert len(parse_cost_csv(text, [], [], limit=3)) == 3
    else:
        assert _problems(text, limit=3)[0] == [(0, "file")]


@pytest.mark.parametrize(("length", "ok"), [(500, True), (501, False)])
def test_description_length_limit(length, ok):
    text = HEADER + f"2026-01-05,10,staff,,{'x' * length},,\n"
    if ok:
        assert parse_cost_csv(text, [], [])
    else:
        assert _problems(text)[0] == [(2, "description")]


@given(
    st.lists(stage_strategy, min_size=1, max_size=6),
    st.dates(min_value=date(2024, 12, 1), max_value=date(2027, 8, 1)),
)
def test_planned_value_from_the_lines_is_what_the_stage_curve_reads(stages, on):
    """The monthly job reads PV straight from a baseline's lines; the S-curve is built day
    by day. They must agree on every day, before, during and after the plan."""
    curve = stage_baseline(stages)
    assert baseline_planned_value("stage", stages, [], on) == planned_value_at(curve, on)
    assert baseline_planned_value("hybrid", stages, [], on) == planned_value_at(curve, on)


@given(
    st.lists(
        st.builds(
            lambda start, length, budget: PlannedIteration(
                "It", start, start + timedelta(days=length), budget
            ),
            st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 1)),
            st.integers(min_value=0, max_value=30),
            st.decimals(min_value=D(0), max_value=D("500000"), places=2),
        ),
        min_size=1,
        max_size=8,
    ),
    st.dates(min_value=date(2025, 12, 1), max_value=date(2027, 2, 1)),
)
def test_release_planned_value_from_the_lines_is_what_the_release_curve_reads(iterations, on):
    curve = release_baseline(ReleasePlan(tuple(iterations), 10))
    assert baseline_planned_value("release", [], iterations, on) == planned_value_at(curve, on)
