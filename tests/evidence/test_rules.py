"""The evidence's statistics, without an app or a database."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from tracker.evidence import rules
from tracker.evidence.rules import Kind, Measure

MEDIAN = Measure("cpi", "CPI", Kind.MEDIAN, "0.01", True)
SHARE = Measure("on_time_budget", "On time", Kind.SHARE, "0.01", True)


def test_median_of_odd_and_even_lists():
    assert rules.median([3, 1, 2]) == 2
    assert rules.median([4, 1, 3, 2]) == 2.5


def test_a_cell_below_the_minimum_shows_n_and_no_value():
    item = rules.cell(MEDIAN, [0.9, 1.1, None, 1.0], min_n=5)
    assert item.n == 3
    assert item.value is None and item.low is None
    assert item.text() == rules.TOO_FEW


def test_an_empty_cell_says_no_data():
    item = rules.cell(MEDIAN, [None, None], min_n=3)
    assert (item.n, item.text()) == (0, rules.NO_DATA)


def test_a_median_cell_has_its_interval_around_the_median():
    values = [0.8, 0.85, 0.9, 0.95, 1.0, 1.05, 1.1]
    item = rules.cell(MEDIAN, values, min_n=5)
    assert item.n == 7
    assert item.value == Decimal("0.95")
    assert item.low <= item.value <= item.high
    assert Decimal("0.8") <= item.low and item.high <= Decimal("1.1")


def test_the_interval_is_reproducible():
    values = [random.Random(1).gauss(1, 0.1) for _ in range(50)]
    assert rules.bootstrap_median(values) == rules.bootstrap_median(values)
    rules.median_positions.cache_clear()
    first = rules.bootstrap_median(values)
    rules.median_positions.cache_clear()
    assert rules.bootstrap_median(values) == first
    assert rules.bootstrap_share(20, 50) == rules.bootstrap_share(20, 50)


def test_a_share_cell():
    item = rules.cell(SHARE, [1, 0, 1, 1, 0, 1, 1, 1, 0, 1], min_n=5)
    assert item.value == Decimal("0.70")
    assert item.low < Decimal("0.70") < item.high
    assert item.text() == "70%"


def test_all_successes_give_a_degenerate_interval():
    assert rules.bootstrap_share(10, 10) == (1.0, 1.0)
    assert rules.bootstrap_share(0, 10) == (0.0, 0.0)


@pytest.mark.parametrize("n", [31, 40, 151, 240])
def test_the_fast_draws_agree_with_explicit_resampling(n):
    """Resampling n values and taking the median, 4000 times, puts the 2.5th and 97.5th
    percentiles where the fast draws put them (within sampling error)."""
    rnd = random.Random(5)
    values = [rnd.lognormvariate(0, 0.3) for _ in range(n)]
    slow = rules.naive_bootstrap_median(values, 4000, seed=9)
    low, high = rules.bootstrap_median(values)
    ordered = sorted(values)
    # Compare ranks rather than values: within a few positions of the sorted sample.
    slow_low, slow_high = slow[99], slow[3899]

    def rank(value):
        return min(range(n), key=lambda i: abs(ordered[i] - value))

    assert abs(rank(low) - rank(slow_low)) <= 2
    assert abs(rank(high) - rank(slow_high)) <= 2


def test_a_share_interval_agrees_with_explicit_resampling():
    rnd = random.Random(3)
    outcomes = [1] * 30 + [0] * 20
    shares = sorted(sum(rnd.choices(outcomes, k=50)) / 50 for _ in range(4000))
    low, high = rules.bootstrap_share(30, 50)
    assert abs(low - shares[99]) <= 0.04
    assert abs(high - shares[3899]) <= 0.04


def test_min_n_is_checked():
    assert rules.check_min_n(5) == 5
    for bad in (2, 0, 201, True, 5.0):
        with pytest.raises(ValueError):
            rules.check_min_n(bad)


def test_bands():
    assert rules.band("uncertainty", 39.9) == "low"
    assert rules.band("uncertainty", 40) == "middle"
    assert rules.band("feasibility", 60) == "high"
    assert rules.band("criticality", 2) == "low"
    assert rules.band("criticality", 3) == "middle"
    assert rules.band("criticality", 4) == "high"
    assert rules.band("readiness", None) is None


def test_groups_and_difference_wording_is_not_causal():
    rows = [{"g": "a", "cpi": 1.0}] * 5 + [{"g": "b", "cpi": 2.0}] * 5 + [{"g": None, "cpi": 9}]
    cells = rules.group_cells(rows, lambda r: (r["g"],) if r["g"] else None, [MEDIAN], 5)
    assert set(cells) == {("a",), ("b",)}
    note = rules.difference_note(cells[("a",)]["cpi"], cells[("b",)]["cpi"])
    assert "not proof of a cause" in note
    for word in ("causes", "because", "leads to"):
        assert word not in note


def test_whisker_chart_places_values_and_marks_too_few():
    shown = rules.cell(MEDIAN, [1.0] * 5, 5)
    hidden = rules.cell(MEDIAN, [1.0], 5)
    chart = rules.whisker_chart("t", [("A", 1, shown), ("B", 2, hidden)])
    first, second = chart.rows
    assert first.x == chart.reference
    assert second.x is None and rules.TOO_FEW in second.text
