"""The pure programme rules, without an app or a database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tracker.programmes import rules
from tracker.programmes.diagram import dependency_diagram
from tracker.programmes.queries import DependencyRow

DAY = date(2026, 6, 30)


def figures(pid, *, bac, pv, ev, ac, on=DAY):
    return rules.ProjectFigures(
        pid, f"P{pid}", f"Project {pid}", on, Decimal(bac), Decimal(pv), Decimal(ev), Decimal(ac)
    )


def test_cpi_comes_from_the_sums_never_an_average():
    # A £1m project at CPI 0.5 and a £10k one at CPI 2.0: the mean of the indices (1.25)
    # would call the programme under budget; the sums say it is badly over.
    big = figures(1, bac=1_000_000, pv=500_000, ev=400_000, ac=800_000)
    small = figures(2, bac=10_000, pv=5_000, ev=5_000, ac=2_500)
    total = rules.rollup(DAY, [big, small])
    assert total.ev == Decimal("405000.00")
    assert total.ac == Decimal("802500.00")
    assert total.cpi == Decimal("0.50")  # 405,000 / 802,500 = 0.5047
    assert total.spi == Decimal("0.80")  # 405,000 / 505,000 = 0.8020


def test_projects_without_a_checkpoint_are_named_not_silently_dropped():
    none_yet = rules.ProjectFigures(3, "P3", "Project 3", None, None, None, None, None)
    total = rules.rollup(DAY, [figures(1, bac=100, pv=50, ev=50, ac=50), none_yet])
    assert (total.projects, total.covered) == (2, 1)
    assert total.coverage == "1 of 2 projects"
    assert total.missing == ((3, "P3", "Project 3"),)
    assert total.ev == Decimal("50.00")


def test_an_empty_programme_has_no_indices():
    total = rules.rollup(DAY, [])
    assert total.cpi is None and total.spi is None and total.eac is None


def test_a_programme_cannot_sit_under_its_own_sub_programme():
    parents = {1: None, 2: 1, 3: 2}
    assert "under itself" in rules.parent_problem(1, 3, parents)
    assert "under itself" in rules.parent_problem(2, 2, parents)
    assert rules.parent_problem(3, 1, parents) is None


def test_the_hierarchy_is_a_few_levels_deep_at_most():
    parents = {1: None, 2: 1, 3: 2, 4: 3}
    assert rules.parent_problem(None, 3, parents) is None  # level 4
    assert "at most 4 levels" in rules.parent_problem(None, 4, parents)  # level 5
    # Moving a programme with a sub-programme under a level-3 one makes five levels.
    parents = {1: None, 2: 1, 3: 2, 10: None, 11: 10}
    assert "at most" in rules.parent_problem(10, 3, parents)


def test_a_programme_tolerance_no_looser_than_its_projects_together():
    allowances = [Decimal(10_000), Decimal(5_000)]
    assert rules.cost_tolerance_problem(Decimal(15_000), allowances) is None
    message = rules.cost_tolerance_problem(Decimal("15000.01"), allowances)
    assert "looser than the £15,000.00 its 2 projects" in message
    assert rules.cost_tolerance_problem(Decimal(99), []) is None
    assert rules.cost_tolerance_problem(None, allowances) is None


def test_the_programme_manager_never_sits_on_its_board():
    assert "cannot also be" in rules.role_conflict({"programme_manager"}, "sro")
    assert "on the programme board" in rules.role_conflict({"board_member"}, "programme_manager")
    assert rules.role_conflict({"senior_user"}, "board_member") is None


def test_a_moved_project_counts_in_its_new_programme_from_that_day():
    moved = date(2026, 7, 1)
    assert rules.membership_on(date(2026, 6, 30), date(2026, 1, 1), moved)
    assert not rules.membership_on(moved, date(2026, 1, 1), moved)
    assert rules.membership_on(moved, moved, None)
    assert not rules.membership_on(date(2026, 6, 30), moved, None)


def test_a_breach_of_the_cost_tolerance_is_a_programme_exception():
    total = rules.rollup(DAY, [figures(1, bac=100_000, pv=50_000, ev=40_000, ac=50_000)])
    # EAC = 100,000 * 50,000 / 40,000 = 125,000: £25,000 over.
    assert total.forecast_overrun == Decimal("25000.00")
    found = rules.tolerance_breaches(
        total, cost_tolerance=Decimal(20_000), time_tolerance_days=10, forecast_slip_days=11
    )
    assert [b.dimension for b in found] == ["cost", "time"]
    assert not rules.tolerance_breaches(
        total, cost_tolerance=Decimal(25_000), time_tolerance_days=10, forecast_slip_days=10
    )


def _dep(pid, code, on_id, on_code, *, at_risk=False, party=""):
    return DependencyRow(
        1, pid, code, on_id, on_code, party, "data", DAY, None, False, at_risk, True
    )


def test_the_diagram_runs_from_need_to_what_is_needed():
    rows = [
        _dep(1, "A", 2, "B", at_risk=True),
        _dep(2, "B", 3, "C"),
        _dep(3, "C", None, None, party="NHS"),
    ]
    diagram = dependency_diagram(rows)
    x = {n.label: n.x for n in diagram.nodes}
    assert x["A"] < x["B"] < x["C"] < x["NHS"]
    assert [e.at_risk for e in diagram.edges] == [True, False, False]
    assert diagram.left_out == 0


@pytest.mark.parametrize("part,whole,expected", [(50, 200, "25.0"), (None, 10, None), (5, 0, None)])
def test_share_of_a_summed_figure(part, whole, expected):
    value = rules.share(None if part is None else Decimal(part), Decimal(whole))
    assert value == (None if expected is None else Decimal(expected))
