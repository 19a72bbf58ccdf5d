"""Change control's pure rules: who decides a change request under the project's delegated
change authority. No Flask, no database.

PRINCE2's change authority: the board delegates to the project manager the changes that fit
a change budget and stay within the stage's tolerances; anything above either goes to the
board (its Executive decides). A manager never decides a change they requested themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class ChangeStatus(StrEnum):
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"


class Authority(StrEnum):
    MANAGER = "manager"
    BOARD = "board"


CHANGE_STATUSES = {
    ChangeStatus.SUBMITTED: "Waiting for a decision",
    ChangeStatus.APPROVED: "Approved",
    ChangeStatus.REJECTED: "Rejected",
}
AUTHORITIES = {Authority.MANAGER: "Project manager", Authority.BOARD: "Project board"}
# The seven performance targets a change request states its impact on.
TARGETS = ("time", "cost", "scope", "quality", "risk", "benefit", "sustainability")


@dataclass(frozen=True)
class Decider:
    authority: Authority
    reason: str


def decider(
    *,
    cost: Decimal,
    time_days: int,
    remaining_budget: Decimal,
    cost_tolerance: Decimal | None,
    time_tolerance_days: int | None,
    requested_by_manager: bool,
) -> Decider:
    """Who decides: the manager within the change budget and the stage's tolerances (and
    only a change someone else requested), the board otherwise.

    >>> decider(cost=Decimal(5000), time_days=5, remaining_budget=Decimal(20000),
    ...         cost_tolerance=Decimal(10000), time_tolerance_days=10,
    ...         requested_by_manager=False).authority
    <Authority.MANAGER: 'manager'>
    """
    if cost > remaining_budget:
        return Decider(
            Authority.BOARD,
            f"its cost of £{cost:,.2f} is more than the £{remaining_budget:,.2f} left in the "
            "change budget",
        )
    if cost_tolerance is not None and cost > cost_tolerance:
        return Decider(
            Authority.BOARD,
            f"its cost of £{cost:,.2f} is above the stage's cost tolerance of "
            f"£{cost_tolerance:,.2f}",
        )
    if time_tolerance_days is not None and time_days > time_tolerance_days:
        return Decider(
            Authority.BOARD,
            f"its delay of {time_days} days is above the stage's time tolerance of "
            f"{time_tolerance_days} days",
        )
    if requested_by_manager:
        return Decider(
            Authority.BOARD,
            "the project manager requested it, and nobody decides their own request",
        )
    return Decider(Authority.MANAGER, "it fits the change budget and the stage's tolerances")
