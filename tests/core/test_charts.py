"""Charts that tell the truth: a time axis to scale, a mark for every known value, pounds
on money axes, the 1.0 line on an index chart, a burndown from the scope on each day, and a
scatter whose overlapping marks are told apart. Pure: no app, no database."""

from __future__ import annotations

import itertools
import math
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.agile.rules import (
    Item,
    ItemStatus,
    StatusChange,
    burndown,
    burndown_chart,
    release_burnup,
)
from tracker.budget import queries as budget_queries
from tracker.budget import rules as budget_rules
from tracker.budget.models import Checkpoint
from tracker.core.charts import (
    PlotArea,
    line_chart,
    pounds,
    spread_overlaps,
    x_positions,
)
from tracker.portfolio import rules as portfolio_rules

START, END = date(2026, 3, 2), date(2026, 3, 13)


def _checkpoint(day, pv, ev, ac, bac=D(1000000)) -> Checkpoint:
    point = budget_rules.checkpoint(bac, pv, ev, ac)
    return Checkpoint(
        taken_on=day, pv=point.pv, ev=point.ev, ac=point.ac, cpi=point.cpi, spi=point.spi,
        eac=point.eac,
    )  # fmt: skip


def _curve():
    return budget_rules.stage_baseline(
        [budget_rules.StageBudget("One", date(2026, 1, 1), date(2026, 12, 31), D(800000))]
    )


# --- the time axis ----------------------------------------------------------------------


def test_dates_are_placed_to_scale_not_evenly():
    days = [date(2026, 1, 1), date(2026, 1, 2), date(2026, 1, 31)]
    chart = line_chart(["a", "b", "c"], {"s": [1, 2, 3]}, x_values=days)
    xs = [m.x for m in chart.lines[0].markers]
    span = chart.plot.right - chart.plot.left
    # One day of thirty: a thirtieth of the width, not half of it.
    assert xs[1] - xs[0] == pytest.approx(span / 30, abs=0.02)
    assert xs[0] == chart.plot.left and xs[-1] == chart.plot.right


@given(st.lists(st.dates(date(2000, 1, 1), date(2040, 1, 1)), min_size=2, max_size=30, unique=True))
def test_x_positions_keep_the_order_and_the_proportions_of_the_dates(days):
    days = sorted(days)
    xs = x_positions(len(days), 0, 1000, days)
    assert xs == sorted(xs) and len(set(xs)) == len(xs)
    whole = (days[-1] - days[0]).days
    for day, x in zip(days, xs, strict=True):
        assert abs(x - 1000 * (day - days[0]).days / whole) < 1e-6


def test_x_labels_never_crowd_each_other():
    days = [date(2026, 1, 1), date(2026, 1, 2), date(2026, 1, 3), date(2026, 6, 1)]
    chart = line_chart([f"{d:%d/%m}" for d in days], {"s": [1, 2, 3, 4]}, x_values=days)
    positions = [tick.position for tick in chart.x_ticks]
    assert all(b - a >= 64 for a, b in itertools.pairwise(positions))
    assert chart.x_ticks[-1].label == "01/06"


# --- one value still shows ----------------------------------------------------------------


def test_a_series_with_one_value_has_a_marker():
    chart = line_chart(["a", "b"], {"once": [None, 5], "twice": [1, 2]})
    once, twice = chart.lines
    assert len(once.markers) == 1 and len(twice.markers) == 2
    assert once.markers[0].label == "once, b: 5"


def test_one_checkpoint_shows_earned_value_and_cost_on_the_s_curve():
    point = _checkpoint(date(2026, 3, 1), D(100000), D(80000), D(120000))
    chart = budget_queries.s_curve([point], _curve())
    by_name = {line.name: line for line in chart.lines}
    assert len(by_name["Earned value (EV)"].markers) == 1
    assert len(by_name["Actual cost (AC)"].markers) == 1
    assert "£80,000" in by_name["Earned value (EV)"].markers[0].label
    assert "earned value £80,000" in chart.description


def test_one_checkpoint_shows_on_the_index_chart_with_the_on_plan_line():
    point = _checkpoint(date(2026, 3, 1), D(100000), D(80000), D(100000))
    chart = budget_queries.index_chart([point])
    assert [len(line.markers) for line in chart.lines] == [1, 1]
    assert chart.rows == (("01/03/2026", D("0.80"), D("0.80")),)
    (line,) = chart.references
    one = next(t for t in chart.y_ticks if t.label == "1.00")
    assert line.position == one.position


# --- money in pounds ---------------------------------------------------------------------


def test_money_axes_and_tables_read_in_pounds():
    point = _checkpoint(date(2026, 3, 1), D(100000), D(80000), D(120000))
    chart = budget_queries.s_curve([point], _curve())
    labels = [tick.label for tick in chart.y_ticks]
    assert "£1,000,000" in labels and "1000000" not in labels
    assert all(label.startswith("£") for label in labels)
    row = ("01/03/2026", "£100,000.00", "£80,000.00", "£120,000.00", "£120,000.00")
    assert row in chart.text_rows
    # The y labels fit the margin: the widest label's estimated width is left of the axis.
    assert chart.plot.left >= max(len(label) for label in labels) * 7.5


def test_pounds():
    assert pounds(D("800000")) == "£800,000"
    assert pounds(D("-1250.4")) == "-£1,250"


# --- the burndown --------------------------------------------------------------------------


def at(day, hour=12):
    return datetime(2026, 3, day, hour, tzinfo=UTC)


def test_items_put_in_on_the_first_day_are_the_commitment():
    """The bug: items planned into the iteration on its first day made the line rise from
    0 with a flat ideal line."""
    items = [Item("a", 5, added_at=at(2, 9)), Item("b", 3, added_at=at(2, 10))]
    series = burndown(items, [StatusChange("a", "done", at(4))], START, END)
    assert series.committed == 8
    assert series.rows()[0] == ("Start", 8, D("8.00"), 8)
    assert series.points[0].ideal < 8  # the ideal line falls from the commitment
    assert [p.remaining for p in series.points[:3]] == [8, 8, 3]


def test_added_work_raises_remaining_and_scope_not_the_ideal_line():
    items = [Item("a", 5), Item("late", 8, added_at=at(5, 9))]
    series = burndown(items, [], START, END)
    assert series.committed == 5
    assert [p.scope for p in series.points[:5]] == [5, 5, 5, 13, 13]
    assert [p.remaining for p in series.points[:5]] == [5, 5, 5, 13, 13]
    assert series.points[0].ideal == D("4.58")  # 5 x 11/12: the ideal ignores the addition
    chart = burndown_chart(series)
    assert "+8 points of scope since the start" in chart.description


events = st.lists(
    st.tuples(
        st.integers(1, 8),
        st.sampled_from(list(ItemStatus)),
        st.integers(-48, 14 * 24),
    ),
    max_size=40,
)
hours = st.none() | st.integers(-24, 14 * 24)
scope_changes = st.lists(
    st.tuples(st.integers(1, 8), hours, hours),
    min_size=1,
    max_size=8,
    unique_by=lambda row: row[0],
)  # fmt: skip
BEGIN = datetime(2026, 3, 2, tzinfo=UTC)


def _items(rows):
    result = []
    for item_id, added, removed in rows:
        added_at = None if added is None else BEGIN + timedelta(hours=added)
        removed_at = None if removed is None else BEGIN + timedelta(hours=removed)
        if added_at and removed_at and removed_at < added_at:
            removed_at = None
        result.append(Item(item_id, item_id, added_at, removed_at))
    return result


@settings(deadline=None)
@given(scope_changes, events)
def test_burndown_end_equals_the_work_left(rows, history):
    """Property: the burndown's last value is the points of the items still in the
    iteration and not done at its end; remaining never exceeds the day's scope."""
    items = _items(rows)
    changes = [StatusChange(n, s, BEGIN + timedelta(hours=h)) for n, s, h in history]
    series = burndown(items, changes, START, END)
    end = datetime(2026, 3, 14, tzinfo=UTC)
    last_status = {}
    for n, s, h in sorted(history, key=lambda e: e[2]):  # stable: recorded order on ties
        if BEGIN + timedelta(hours=h) < end:
            last_status[n] = s
    left = sum(
        item.points
        for item in items
        if (item.added_at is None or item.added_at < end)
        and (item.removed_at is None or item.removed_at >= end)
        and last_status.get(item.item_id, ItemStatus.TODO) != ItemStatus.DONE
    )
    assert series.points[-1].remaining == left
    assert all(0 <= p.remaining <= p.scope for p in series.points)
    ideals = [p.ideal for p in series.points]
    assert ideals == sorted(ideals, reverse=True) and ideals[-1] == 0
    assert ideals[0] <= series.committed


@settings(deadline=None)
@given(st.lists(st.tuples(st.integers(1, 8), st.integers(0, 40 * 24)), max_size=12))
def test_burnup_scope_and_done_are_monotone_when_work_only_gets_done(finished):
    """Property: with no item reopened or removed, the release burn-up's cumulative scope
    and done never fall, and done never passes scope."""
    items = [Item(n, n, added_at=BEGIN + timedelta(days=n)) for n in range(1, 9)]
    changes = [
        StatusChange(n, ItemStatus.DONE, BEGIN + timedelta(days=n, hours=h)) for n, h in finished
    ]
    points = release_burnup(items, changes, START, date(2026, 4, 30))
    scope, done = [p.scope for p in points], [p.done for p in points]
    assert scope == sorted(scope) and done == sorted(done)
    assert all(d <= s for d, s in zip(done, scope, strict=True))


@settings(deadline=None)
@given(
    st.lists(
        st.tuples(st.dates(date(2026, 1, 1), date(2026, 12, 31)), st.integers(0, 10**7)),
        min_size=1,
        max_size=10,
        unique_by=lambda row: row[0],
    )
)
def test_planned_value_is_monotone_and_the_s_curve_keeps_the_checkpoints(rows):
    """Property: the cumulative planned value never falls, the S-curve's dates are in
    order and drawn left to right, and its table holds each checkpoint's figures."""
    curve = _curve()
    values = [p.cumulative for p in curve.points]
    assert values == sorted(values)
    rows = sorted(rows)
    points = [
        _checkpoint(day, budget_rules.planned_value_at(curve, day), D(ev), D(ev))
        for day, ev in rows
    ]
    chart = budget_queries.s_curve(points, curve)
    pv = [row[1] for row in chart.rows]
    assert pv == sorted(pv)
    xs = [m.x for m in chart.lines[0].markers]
    assert xs == sorted(xs)
    assert [row[2] for row in chart.rows if row[2] is not None] == [p.ev for p in points]


# --- the scatter ---------------------------------------------------------------------------


def test_overlapping_scatter_points_are_told_apart():
    rows = [("A", "agile", D("1.0"), D("1.0")), ("B", "hybrid", D("1.0"), D("1.0"))]
    chart = portfolio_rules.scatter(rows, ("stage_gated", "agile", "hybrid"))
    a, b = chart.points
    assert (a.x, a.y) != (b.x, b.y)
    assert a.is_moved and b.is_moved and (a.true_x, a.true_y) == (b.true_x, b.true_y)
    assert chart.overlapping == 2 and "spread" in chart.description


@given(
    st.lists(
        st.tuples(st.integers(0, 400), st.integers(0, 300)).map(
            lambda p: (float(p[0]), float(p[1]))
        ),
        max_size=25,
    )
)
def test_spread_marks_stay_in_the_plot_and_never_coincide(points):
    plot = PlotArea(0, 0, 400, 300)
    placed = spread_overlaps(points, plot)
    assert len(placed) == len(points)
    for (x, y), original in zip(placed, points, strict=True):
        assert 0 <= x <= 400 and 0 <= y <= 300
        assert math.dist((x, y), original) <= 70  # near its true place
    exact = [p for p in placed if points.count(p) == 1 and placed.count(p) > 1]
    assert not exact


def test_one_chart_renders_in_a_few_milliseconds():
    """Not a speed assertion on the clock of a busy machine: a generous bound that only a
    pathological change (a library start-up per chart) would break."""
    days = [date(2026, 1, 1) + timedelta(days=7 * n) for n in range(52)]
    started = time.perf_counter()
    for _ in range(20):
        line_chart(
            [f"{d}" for d in days], {"a": list(range(52)), "b": list(range(52))}, x_values=days
        )
    assert (time.perf_counter() - started) / 20 < 0.05
