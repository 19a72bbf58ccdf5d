"""Who decides a change request under the delegated change authority."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tracker.changes.rules import Authority, decider

D = Decimal


@pytest.mark.parametrize(
    ("cost", "days", "remaining", "tolerance", "time_tolerance", "by_manager", "who", "why"),
    [
        (D(5000), 5, D(20000), D(10000), 10, False, Authority.MANAGER, "fits"),
        (D(25000), 5, D(20000), D(50000), 10, False, Authority.BOARD, "left in the change"),
        (D(15000), 5, D(20000), D(10000), 10, False, Authority.BOARD, "cost tolerance"),
        (D(5000), 15, D(20000), D(10000), 10, False, Authority.BOARD, "time tolerance"),
        (D(5000), 5, D(20000), D(10000), 10, True, Authority.BOARD, "nobody decides their own"),
        (D(0), 0, D(0), None, None, False, Authority.MANAGER, "fits"),
        (D("0.01"), 0, D(0), None, None, False, Authority.BOARD, "left in the change"),
    ],
)
def test_the_manager_decides_within_the_delegation_the_board_above_it(
    cost, days, remaining, tolerance, time_tolerance, by_manager, who, why
):
    result = decider(
        cost=cost,
        time_days=days,
        remaining_budget=remaining,
        cost_tolerance=tolerance,
        time_tolerance_days=time_tolerance,
        requested_by_manager=by_manager,
    )
    assert result.authority == who
    assert why in result.reason
