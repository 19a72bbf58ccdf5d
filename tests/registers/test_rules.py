"""The registers' pure rules: the 5x5 score, its bands, the heat-map grid and responses."""

from __future__ import annotations

import pytest

from tracker.registers import rules
from tracker.registers.rules import Band


@pytest.mark.parametrize(
    ("likelihood", "impact", "score", "band"),
    [
        (1, 1, 1, Band.LOW),
        (2, 2, 4, Band.LOW),
        (1, 5, 5, Band.MEDIUM),
        (3, 3, 9, Band.MEDIUM),
        (2, 5, 10, Band.MEDIUM),
        (3, 4, 12, Band.HIGH),
        (4, 4, 16, Band.HIGH),
        (4, 5, 20, Band.VERY_HIGH),
        (5, 5, 25, Band.VERY_HIGH),
    ],
)
def test_score_is_likelihood_times_impact_with_its_band(likelihood, impact, score, band):
    assert rules.score(likelihood, impact) == score
    assert rules.band(score) == band


@pytest.mark.parametrize(("likelihood", "impact"), [(0, 3), (6, 3), (3, 0), (3, 6), (True, 3)])
def test_a_score_outside_the_scale_is_refused(likelihood, impact):
    with pytest.raises(ValueError, match="from 1 to 5"):
        rules.score(likelihood, impact)


def test_scale_problems_name_each_field_and_allow_missing_targets():
    problems = rules.scale_problems(
        {"likelihood": 6, "impact": 3, "target_likelihood": None, "target_impact": 0}
    )
    assert problems == [
        ("likelihood", "Likelihood must be a whole number from 1 to 5"),
        ("target_impact", "Target impact must be a whole number from 1 to 5"),
    ]
    assert rules.scale_problems({"likelihood": None})[0][0] == "likelihood"


def test_heat_map_puts_likelihood_five_on_top_and_counts_each_cell():
    grid = rules.heat_map({(5, 1): 2, (1, 5): 1, (3, 4): 3})
    assert len(grid) == 5 and all(len(row) == 5 for row in grid)
    assert [row[0].likelihood for row in grid] == [5, 4, 3, 2, 1]
    assert [cell.impact for cell in grid[0]] == [1, 2, 3, 4, 5]
    assert grid[0][0].count == 2 and grid[0][0].score == 5
    assert grid[4][4].count == 1 and grid[4][4].band == Band.MEDIUM
    assert grid[2][3].count == 3 and grid[2][3].band == Band.HIGH
    assert grid[0][4].band == Band.VERY_HIGH and grid[0][4].count == 0
    assert sum(cell.count for row in grid for cell in row) == 6


@pytest.mark.parametrize(
    ("kind", "response", "fits"),
    [
        ("threat", "avoid", True),
        ("threat", "reduce", True),
        ("threat", "exploit", False),
        ("threat", "enhance", False),
        ("opportunity", "exploit", True),
        ("opportunity", "enhance", True),
        ("opportunity", "share", True),
        ("opportunity", "avoid", False),
        ("opportunity", "transfer", False),
        ("threat", None, True),
    ],
)
def test_responses_fit_threats_or_opportunities(kind, response, fits):
    problem = rules.response_problem(kind, response)
    assert (problem is None) is fits
    if not fits:
        assert "Choose a response that fits" in problem


def test_changes_between_lists_only_what_moved():
    before = {"Likelihood": "3", "Impact": "4", "Score": "12", "Owner": "Ann"}
    after = {"Likelihood": "4", "Impact": "4", "Score": "16", "Owner": "Ann"}
    assert rules.changes_between(before, after) == [
        ("Likelihood", "3", "4"),
        ("Score", "12", "16"),
    ]
