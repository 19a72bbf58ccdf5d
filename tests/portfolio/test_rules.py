"""The pure portfolio rules, without an app or a database."""

from __future__ import annotations

import statistics
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.portfolio import rules

decimals = st.decimals(min_value=0, max_value=5, places=3, allow_nan=False, allow_infinity=False)


@given(st.lists(decimals, min_size=1, max_size=40))
def test_median_agrees_with_the_standard_library(values):
    assert rules.median(values) == statistics.median(values)


@given(st.lists(st.one_of(st.none(), decimals), max_size=20))
def test_median_ignores_unknown_values(values):
    known = [v for v in values if v is not None]
    assert rules.median(values) == (statistics.median(known) if known else None)


def test_median_of_two_is_their_mean():
    assert rules.median([0.9, 1.1]) == Decimal("1.0")


@given(st.integers(0, 1000), st.integers(1, 1000))
def test_share_is_a_fraction_of_the_whole(part, whole):
    part = min(part, whole)
    value = rules.share(part, whole)
    assert 0 <= value <= 1
    assert abs(value * whole - part) < Decimal("1e-20")


def test_share_of_nothing_is_unknown():
    assert rules.share(0, 0) is None


@pytest.mark.parametrize(
    ("n", "shown"), [(0, False), (1, False), (2, False), (3, True), (40, True)]
)
def test_medians_and_means_of_fewer_than_three_are_not_shown(n, shown):
    figure = rules.figure(Decimal("1.05"), n, "index")
    assert figure.is_shown is shown
    assert figure.text == ("1.05" if shown else "too few projects")
    assert figure.export_value == (1.05 if shown else None)


def test_a_count_is_always_shown():
    assert rules.figure(1, 1, "count").text == "1"


def test_a_figure_with_nothing_behind_it_says_so():
    assert rules.figure(None, 0, "share").text == "no data"


@pytest.mark.parametrize(
    ("value", "kind", "text"),
    [
        (Decimal("0.6667"), "share", "67%"),
        (Decimal("1.005"), "index", "1.01"),
        (Decimal("2.25"), "days", "2.3"),
        (Decimal("4"), "rating", "4.0"),
        (None, "index", "–"),
    ],
)
def test_format_value(value, kind, text):
    assert rules.format_value(value, kind) == text


@pytest.mark.parametrize(
    ("status", "rag"),
    [("within", "green"), ("at_risk", "amber"), ("breached", "red"), (None, None)],
)
def test_cost_status_follows_the_checkpoint(status, rag):
    assert rules.cost_rag(status) == rag


@pytest.mark.parametrize(
    ("spi", "overdue", "rag"),
    [
        (Decimal("0.95"), False, "green"),
        (Decimal("0.949"), False, "amber"),
        (Decimal("0.85"), False, "amber"),
        (Decimal("0.849"), False, "red"),
        (Decimal("1.2"), True, "red"),
        (None, False, None),
    ],
)
def test_schedule_status(spi, overdue, rag):
    assert rules.schedule_rag(spi, is_overdue=overdue) == rag


def test_gates_status():
    assert rules.gates_rag(1, None, has_reviews=True) == "red"
    assert rules.gates_rag(0, 15, has_reviews=True) == "amber"
    assert rules.gates_rag(0, 14, has_reviews=True) == "green"
    assert rules.gates_rag(0, None, has_reviews=True) == "green"
    assert rules.gates_rag(0, None, has_reviews=False) is None


def test_feedback_status():
    assert rules.feedback_rag(None, None) is None
    assert rules.feedback_rag(Decimal("4.5"), Decimal("0.9")) == "green"
    assert rules.feedback_rag(Decimal("4.5"), Decimal("0.6")) == "amber"
    assert rules.feedback_rag(Decimal("3.5"), Decimal("1")) == "amber"
    assert rules.feedback_rag(Decimal("2.9"), Decimal("1")) == "red"
    assert rules.feedback_rag(Decimal("4.5"), Decimal("0.4")) == "red"


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_text_a_spreadsheet_would_run_is_neutralised(start):
    assert rules.safe_cell(start + 'HYPERLINK("x")') == "'" + start + 'HYPERLINK("x")'


@given(st.one_of(st.integers(), st.floats(allow_nan=False), st.none()))
def test_numbers_stay_numbers(value):
    assert rules.safe_cell(value) == value


def test_ordinary_text_is_unchanged():
    assert rules.safe_cell("Eastvale Borough Council") == "Eastvale Borough Council"


points = st.lists(
    st.tuples(
        st.text(min_size=1, max_size=5),
        st.sampled_from(["stage_gated", "agile", "hybrid"]),
        decimals,
        decimals,
    ),
    max_size=30,
)


@given(points)
def test_every_scatter_point_lies_inside_the_plot(rows):
    chart = rules.scatter(rows, ("stage_gated", "agile", "hybrid"))
    assert len(chart.points) == len(rows)
    for point in chart.points:
        assert chart.left <= point.x <= chart.right
        assert chart.top <= point.y <= chart.bottom
    assert chart.left < chart.x_one < chart.right
    assert chart.top < chart.y_one < chart.bottom


def test_scatter_orders_points_by_value():
    chart = rules.scatter(
        [("A", "agile", 0.8, 1.2), ("B", "hybrid", 1.2, 0.8)], ("stage_gated", "agile", "hybrid")
    )
    a, b = chart.points
    assert a.x < chart.x_one < b.x  # CPI below 1 is left of the line, above 1 right of it
    assert a.y < chart.y_one < b.y  # SPI above 1 is higher up (smaller y)


def test_scatter_skips_projects_without_both_indices_and_refuses_unknown_series():
    chart = rules.scatter([("A", "agile", None, 1)], ("agile",))
    assert chart.points == ()
    with pytest.raises(ValueError, match="series 'waterfall'"):
        rules.scatter([("A", "waterfall", 1, 1)], ("agile",))


def test_figures_from_totals():
    figures = rules.figures_from(
        {
            "projects": 4,
            "median_cpi": 1.0,
            "n_cpi": 4,
            "median_spi": 0.9,
            "n_spi": 3,
            "within": 3,
            "n_within": 4,
            "exceptions": 6,
            "median_wait": 5,
            "n_wait": 2,
            "rating_sum": 16,
            "feedback_n": 4,
            "loops_closed": 1,
            "finished": 3,
            "finished_well": 1,
        }
    )
    assert {key: f.text for key, f in figures.items()} == {
        "projects": "4",
        "cpi": "1.00",
        "spi": "0.90",
        "within": "75%",
        "exceptions": "1.5",
        "wait": "too few projects",
        "rating": "4.0",
        "loops": "25%",
        "finished_well": "33%",
    }
    assert [key for key, _, _ in rules.FIGURES] == list(figures)


def test_empty_group_has_no_data():
    figures = rules.figures_from(rules.EMPTY_TOTALS)
    assert figures["projects"].text == "0"
    assert figures["cpi"].text == "no data"


def test_driver_shares_and_totals():
    rows = [
        {"decisions": 4, "tradition": 3, "project_needs": 1},
        {"decisions": 2, "tradition": 0, "project_needs": 2},
    ]
    total = rules.total_counts(rows, ("tradition", "project_needs"))
    assert total == {"decisions": 6, "tradition": 3, "project_needs": 3}
    shares = rules.driver_shares(rows[0], ("tradition", "project_needs"))
    assert shares["tradition"].text == "75%"
    assert rules.driver_shares(rows[1], ("tradition",))["tradition"].text == "too few projects"


def test_project_status_per_dimension():
    status = rules.project_status(
        {
            "cost_status": "breached",
            "spi": 0.97,
            "overdue": 0,
            "open_exceptions": 0,
            "waiting_days": 20,
            "reviews": 1,
            "rating_sum": 9,
            "feedback_n": 2,
            "loops_closed": 2,
        }
    )
    assert status == {"cost": "red", "schedule": "green", "gates": "amber", "feedback": "green"}
