"""Tests for the pure agile rules: iteration dates, charts' series, closing, SVG geometry."""

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.agile.rules import (
    Burndown,
    BurndownPoint,
    ClosingItem,
    Item,
    ItemStatus,
    IterationCloseError,
    IterationError,
    IterationSpan,
    StatusChange,
    Velocity,
    bar_chart,
    burndown,
    burndown_chart,
    burnup_by_iteration,
    burnup_chart,
    check_iterations,
    close_iteration,
    iteration_problems,
    line_chart,
    nice_scale,
    release_burnup,
    velocity_chart,
    velocity_summary,
)


def at(day, hour=12, tz=UTC):
    return datetime(2026, 3, day, hour, tzinfo=tz)


# --- iteration dates -----------------------------------------------------------------------


def span(name, start_day, end_day):
    return IterationSpan(name, date(2026, 3, start_day), date(2026, 3, end_day))


@pytest.mark.parametrize(
    ("iterations", "problems"),
    [
        ([span("A", 2, 13), span("B", 14, 27)], 0),  # next day: fine
        ([span("A", 2, 2)], 0),  # one-day iteration: fine
        ([span("A", 2, 13), span("B", 13, 27)], 1),  # shared day overlaps
        ([span("A", 2, 13), span("B", 12, 27)], 1),
        ([span("A", 2, 27), span("B", 5, 6)], 1),  # nested
        ([span("A", 2, 27), span("B", 5, 6), span("C", 10, 11)], 2),
        ([span("A", 13, 12)], 1),  # ends before it starts
        ([], 0),
    ],
)
def test_iteration_problems(iterations, problems):
    assert len(iteration_problems(iterations)) == problems


def test_overlap_message_names_both_iterations_and_dates():
    with pytest.raises(IterationError) as caught:
        check_iterations([span("Sprint 1", 2, 13), span("Sprint 2", 13, 27)])
    assert caught.value.problems == (
        "Iteration 'Sprint 2' (2026-03-13 to 2026-03-27) overlaps 'Sprint 1' (2026-03-02 to "
        "2026-03-13).",
    )


def test_end_before_start_message():
    with pytest.raises(IterationError, match=r"'Sprint 3' ends \(2026-03-12\) before it starts"):
        check_iterations([span("Sprint 3", 13, 12)])


@given(
    st.lists(
        st.tuples(st.integers(0, 60), st.integers(0, 20)).map(
            lambda t: IterationSpan(
                str(t), date(2026, 1, 1) + timedelta(t[0]), date(2026, 1, 1) + timedelta(sum(t))
            )
        ),
        max_size=6,
    )
)
def test_overlap_check_agrees_with_a_day_by_day_count(iterations):
    used_days = [
        it.start + timedelta(n) for it in iterations for n in range((it.end - it.start).days + 1)
    ]
    assert (not iteration_problems(iterations)) == (len(used_days) == len(set(used_days)))


# --- items ---------------------------------------------------------------------------------


@pytest.mark.parametrize("points", [0, -3, True, 1.5])
def test_item_points_must_be_positive_integers(points):
    with pytest.raises(ValueError, match="positive whole number"):
        Item("x", points)


def test_naive_timestamps_are_refused():
    with pytest.raises(ValueError, match="no time zone"):
        StatusChange(1, "done", datetime(2026, 3, 2, 12))
    with pytest.raises(ValueError, match="no time zone"):
        Item(1, 3, added_at=datetime(2026, 3, 2, 12))


def test_unknown_status_is_refused():
    with pytest.raises(ValueError):
        StatusChange(1, "blocked", at(2))


# --- burndown ------------------------------------------------------------------------------

START, END = date(2026, 3, 2), date(2026, 3, 6)  # five days


def test_burndown_by_day_with_ideal_line():
    items = [Item("a", 5), Item("b", 3), Item("c", 2)]
    changes = [
        StatusChange("a", "doing", at(2)),
        StatusChange("a", "done", at(3)),
        StatusChange("b", "done", at(5)),
    ]
    series = burndown(items, changes, START, END)
    assert series.committed == 10
    assert [(p.day.day, p.remaining, p.ideal) for p in series.points] == [
        (2, 10, D("8.00")),
        (3, 5, D("6.00")),
        (4, 5, D("4.00")),
        (5, 2, D("2.00")),
        (6, 2, D("0.00")),
    ]
    assert series.rows()[0] == ("Start", 10, D("10.00"), 10)


def test_reopened_item_goes_back_on_the_line_and_added_scope_raises_it():
    items = [Item("a", 5), Item("late", 8, added_at=at(4, 9))]
    changes = [StatusChange("a", "done", at(2)), StatusChange("a", "doing", at(3))]
    series = burndown(items, changes, START, END)
    assert series.committed == 5
    assert [p.remaining for p in series.points] == [0, 5, 13, 13, 13]


def test_items_removed_from_scope_leave_the_line():
    items = [Item("a", 5, removed_at=at(3))]
    assert [p.remaining for p in burndown(items, [], START, END).points] == [5, 0, 0, 0, 0]


def test_days_after_as_of_have_no_actual_value():
    series = burndown([Item("a", 4)], [], START, END, as_of=date(2026, 3, 3))
    assert [p.remaining for p in series.points] == [4, 4, None, None, None]


def test_burndown_days_follow_the_given_time_zone():
    london = ZoneInfo("Europe/London")
    # 23:30 UTC on 30 March is 00:30 BST on 31 March.
    changes = [StatusChange("a", "done", datetime(2026, 3, 30, 23, 30, tzinfo=UTC))]
    utc = burndown([Item("a", 1)], changes, date(2026, 3, 30), date(2026, 3, 31))
    local = burndown([Item("a", 1)], changes, date(2026, 3, 30), date(2026, 3, 31), tz=london)
    assert [p.remaining for p in utc.points] == [0, 0]
    assert [p.remaining for p in local.points] == [1, 0]


def test_a_change_at_midnight_counts_for_the_new_day():
    changes = [StatusChange("a", "done", datetime(2026, 3, 3, tzinfo=UTC))]
    assert [p.remaining for p in burndown([Item("a", 1)], changes, START, END).points][:2] == [
        1,
        0,
    ]
    # Midnight at UTC+1 is 23:00 UTC the day before, so in UTC it counts for 2 March.
    plus_one = timezone(timedelta(hours=1))
    changes = [StatusChange("a", "done", datetime(2026, 3, 3, tzinfo=plus_one))]
    assert [p.remaining for p in burndown([Item("a", 1)], changes, START, END).points][:2] == [
        0,
        0,
    ]


def test_items_done_before_the_iteration_are_not_committed():
    series = burndown([Item("a", 3)], [StatusChange("a", "done", at(1))], START, END)
    assert series.committed == 0


def test_burndown_refuses_an_end_before_start():
    with pytest.raises(ValueError):
        burndown([], [], END, START)


@given(
    st.lists(
        st.tuples(st.integers(1, 13), st.sampled_from(list(ItemStatus)), st.integers(0, 200)),
        max_size=30,
    )
)
def test_burndown_never_negative_and_never_above_scope(events):
    items = [Item(n, n) for n in range(1, 14)]
    changes = [
        StatusChange(n, status, datetime(2026, 3, 1, tzinfo=UTC) + timedelta(hours=h))
        for n, status, h in events
    ]
    series = burndown(items, changes, START, END)
    total = sum(item.points for item in items)
    assert all(0 <= p.remaining <= total for p in series.points)
    ideals = [p.ideal for p in series.points]
    assert ideals == sorted(ideals, reverse=True)
    assert ideals[-1] == 0


# --- burn-up and velocity ------------------------------------------------------------------


def test_release_burnup_shows_scope_and_done_separately():
    items = [Item("a", 5), Item("b", 3, added_at=at(3, 9)), Item("c", 2, removed_at=at(4, 9))]
    changes = [StatusChange("a", "done", at(3)), StatusChange("b", "done", at(5))]
    points = release_burnup(items, changes, date(2026, 3, 2), date(2026, 3, 5))
    assert [(p.label, p.scope, p.done) for p in points] == [
        ("2026-03-02", 7, 0),
        ("2026-03-03", 10, 5),
        ("2026-03-04", 8, 5),
        ("2026-03-05", 8, 8),
    ]


def test_burnup_by_iteration_is_in_date_order():
    items = [Item("a", 5), Item("b", 3)]
    changes = [StatusChange("a", "done", at(3)), StatusChange("b", "done", at(10))]
    points = burnup_by_iteration(items, changes, [span("S2", 9, 13), span("S1", 2, 6)])
    assert [(p.label, p.scope, p.done) for p in points] == [("S1", 8, 5), ("S2", 8, 8)]


def test_release_burnup_refuses_an_end_before_start():
    with pytest.raises(ValueError):
        release_burnup([], [], END, START)


def test_velocity_summary():
    summary = velocity_summary(
        [Velocity("S1", 20, 16), Velocity("S2", 20, 24), Velocity("S3", 25, 20)]
    )
    assert summary.iterations == 3
    assert summary.mean == D("20.00")
    assert summary.stdev == D("3.27")
    assert summary.variation == D("0.16")
    assert summary.predictability == D("0.923")


def test_velocity_summary_with_nothing_to_measure():
    assert velocity_summary([]).mean is None
    zero = velocity_summary([Velocity("S1", 0, 0)])
    assert zero.variation is None
    assert zero.predictability is None


# --- closing -------------------------------------------------------------------------------

ITEMS = [
    ClosingItem("a", 5, ItemStatus.DONE),
    ClosingItem("b", 3, ItemStatus.DOING),
    ClosingItem("c", 2, ItemStatus.TODO),
]


@pytest.mark.parametrize(
    ("agreements", "allowed"),
    [
        ([], False),
        (["no"], False),
        (["no", "no"], False),
        (["yes"], True),
        (["yes_with_changes"], True),
        (["no", "yes_with_changes"], True),
    ],
)
def test_closing_needs_feedback_with_agreement(agreements, allowed):
    if allowed:
        result = close_iteration("active", agreements, ITEMS)
        assert result.completed_points == 5
        assert result.carried_over == ("b", "c")
        assert result.carried_over_points == 5
        assert result.disagreements == agreements.count("no")
    else:
        with pytest.raises(IterationCloseError, match=r"feedback|agreed"):
            close_iteration("active", agreements, ITEMS)


@pytest.mark.parametrize("status", ["planned", "closed"])
def test_only_an_active_iteration_closes(status):
    with pytest.raises(IterationCloseError, match=f"this one is {status}"):
        close_iteration(status, ["yes"], ITEMS)


def test_unknown_agreement_is_refused():
    with pytest.raises(ValueError):
        close_iteration("active", ["maybe"], ITEMS)


# --- chart geometry ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (0, 37, (D(0), D(40), D(10))),
        (0, 0, (D(0), D(1), D("0.2"))),
        (0, 10, (D(0), D(10), D(2))),
        (D("-3"), 7, (D(-4), D(8), D(2))),
        (0, 125000, (D(0), D(150000), D(50000))),
    ],
)
def test_nice_scale(low, high, expected):
    assert nice_scale(low, high) == expected


def test_line_chart_geometry_and_table():
    chart = line_chart(["d1", "d2", "d3"], {"Remaining": [10, 5, None], "Ideal": [10, 5, 0]})
    assert chart.view_box == "0 0 640 320"
    assert chart.plot.left == 56 and chart.plot.right == 624
    remaining, ideal = chart.lines
    assert remaining.segments == ("56.00,16.00 340.00,148.00",)
    assert ideal.segments == ("56.00,16.00 340.00,148.00 624.00,280.00",)
    assert [t.label for t in chart.y_ticks] == ["0", "2", "4", "6", "8", "10"]
    assert chart.y_ticks[0].position == 280.0
    assert chart.headers == ("", "Remaining", "Ideal")
    assert chart.rows == (("d1", 10, 10), ("d2", 5, 5), ("d3", None, 0))


def test_gaps_split_a_line_into_segments():
    chart = line_chart(["a", "b", "c", "d"], {"s": [1, None, 2, 3]})
    assert len(chart.lines[0].segments) == 2


def test_x_labels_are_thinned_but_keep_the_last():
    labels = [f"d{n}" for n in range(30)]
    chart = line_chart(labels, {"s": list(range(30))})
    assert len(chart.x_ticks) <= 13
    assert chart.x_ticks[-1].label == "d29"


def test_series_length_must_match_labels():
    with pytest.raises(ValueError, match="has 2 values for 3 labels"):
        line_chart(["a", "b", "c"], {"s": [1, 2]})


def test_bar_chart_geometry():
    chart = bar_chart(["S1", "S2"], {"Committed": [20, 20], "Completed": [10, 0]})
    committed, completed, *_ = chart.bars
    assert committed.height == 264.0  # 20 of a 0-20 axis: the full plot height
    assert completed.height == 132.0
    assert committed.y + committed.height == chart.plot.bottom
    assert completed.x == pytest.approx(committed.x + committed.width, abs=0.01)
    assert chart.bars[3].height == 0.0
    assert chart.rows == (("S1", 20, 10), ("S2", 20, 0))


@given(
    st.lists(
        st.integers(-1000, 100000) | st.decimals(0, 1000000, places=2), min_size=1, max_size=40
    )
)
def test_every_plotted_point_is_inside_the_plot_area(values):
    labels = [str(n) for n in range(len(values))]
    chart = line_chart(labels, {"s": values})
    for segment in chart.lines[0].segments:
        for pair in segment.split():
            x, y = (float(n) for n in pair.split(","))
            assert chart.plot.left <= x <= chart.plot.right
            assert chart.plot.top <= y <= chart.plot.bottom
    bars = bar_chart(labels, {"s": values})
    for bar in bars.bars:
        assert bars.plot.top <= bar.y <= bar.y + bar.height <= bars.plot.bottom + 0.01


def test_domain_charts():
    series = Burndown(4, (BurndownPoint(date(2026, 3, 2), 2, D("0.00")),))
    assert burndown_chart(series).headers == ("", "Remaining", "Ideal", "Scope")
    assert burndown_chart(series).rows[0] == ("Start", 4, D("4.00"), 4)
    assert burnup_chart(release_burnup([Item("a", 1)], [], START, START)).rows == (
        ("2026-03-02", 1, 0),
    )
    assert len(velocity_chart([Velocity("S1", 5, 4)]).bars) == 2
