"""What the board decides from and follows up: pure rules over plain data.

Conditions of an approval are actions (an owner, a due date, a status); the rules here say
which changes of status are allowed and when one is overdue, with no Flask or database
import, so they are tested without an app.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum


class ConditionStatus(StrEnum):
    OPEN = "open"
    MET = "met"
    WAIVED = "waived"


CONDITION_STATUSES = {
    ConditionStatus.OPEN: "Open",
    ConditionStatus.MET: "Met",
    ConditionStatus.WAIVED: "Waived by the board",
}

# Shortest evidence or reason worth keeping: "done" says nothing a board can check.
MIN_EXPLANATION = 10


def is_overdue(status: str, due_on: date, today: date) -> bool:
    """An open condition is overdue from the day after its due date."""
    return status == ConditionStatus.OPEN and due_on < today


def resolution_refusal(
    current: str, target: str, *, explanation: str, on_board: bool, is_owner_or_manager: bool
) -> tuple[str, str] | None:
    """Why this change of a condition's status is refused, as (message, field), or None.

    Met needs evidence and is recorded by its owner, the project manager or the board; a
    waiver needs a reason and only the board may give it. A settled condition stays settled.
    """
    if current != ConditionStatus.OPEN:
        return (f"This condition is already {CONDITION_STATUSES[current].lower()}.", "status")
    if target not in (ConditionStatus.MET, ConditionStatus.WAIVED):
        return ("Choose met or waived.", "status")
    text = explanation.strip()
    if target == ConditionStatus.MET:
        if not (on_board or is_owner_or_manager):
            return (
                "Only the condition's owner, the project manager or the board may mark it met.",
                "status",
            )
        if len(text) < MIN_EXPLANATION:
            return (
                "Give the evidence that the condition is met (at least 10 characters).",
                "explanation",
            )
    else:
        if not on_board:
            return ("Only a member of the project board may waive a condition.", "status")
        if len(text) < MIN_EXPLANATION:
            return (
                "Give the board's reason for waiving the condition (at least 10 characters).",
                "explanation",
            )
    return None


def blocking_message(open_count: int, gate_title: str) -> str | None:
    """Why the next gate cannot be requested while earlier conditions are open."""
    if open_count == 0:
        return None
    what = "condition" if open_count == 1 else "conditions"
    return (
        f"{open_count} {what} of {gate_title} {'is' if open_count == 1 else 'are'} still open: "
        "meet each one with evidence, or ask the board to waive it, before requesting the "
        "next gate."
    )


# --------------------------------------------------------------------------------------
# Delivery Confidence Assessment
# --------------------------------------------------------------------------------------


class DcaRating(StrEnum):
    """The five-point Delivery Confidence Assessment used across UK government."""

    GREEN = "green"
    AMBER_GREEN = "amber_green"
    AMBER = "amber"
    AMBER_RED = "amber_red"
    RED = "red"


DCA_LABELS = {
    DcaRating.GREEN: "Green",
    DcaRating.AMBER_GREEN: "Amber/Green",
    DcaRating.AMBER: "Amber",
    DcaRating.AMBER_RED: "Amber/Red",
    DcaRating.RED: "Red",
}

# The Infrastructure and Projects Authority's published definitions (Open Government
# Licence), shown beside the choice so that every rating means the same thing.
DCA_DEFINITIONS = {
    DcaRating.GREEN: "Successful delivery of the project on time, budget and quality appears "
    "highly likely and there are no major outstanding issues that at this stage appear to "
    "threaten delivery significantly.",
    DcaRating.AMBER_GREEN: "Successful delivery appears probable. However, constant attention "
    "will be needed to ensure risks do not materialise into major issues threatening delivery.",
    DcaRating.AMBER: "Successful delivery appears feasible but significant issues already "
    "exist, requiring management attention. These appear resolvable at this stage and, if "
    "addressed promptly, should not present a cost or schedule overrun.",
    DcaRating.AMBER_RED: "Successful delivery of the project is in doubt, with major risks or "
    "issues apparent in a number of key areas. Urgent action is needed to address these "
    "problems and assess whether resolution is feasible.",
    DcaRating.RED: "Successful delivery of the project appears to be unachievable. There are "
    "major issues with project definition, schedule, budget, quality or benefits delivery, "
    "which at this stage do not appear to be manageable or resolvable. The project may need "
    "re-scoping and its overall viability reassessed.",
}

# Position on the scale: higher is worse, so "worsened" is a larger number.
DCA_ORDER = {rating: position for position, rating in enumerate(DcaRating)}

ASSURANCE = "assurance"  # the PMO's independent assessment, beside the board roles


def worsened(before: str | None, after: str | None) -> bool:
    """Whether a rating moved towards Red (an unknown earlier rating never counts)."""
    if before is None or after is None:
        return False
    return DCA_ORDER[DcaRating(after)] > DCA_ORDER[DcaRating(before)]


def turned_red(before: str | None, after: str) -> bool:
    """Whether this rating is Red and the one before it (by the same assessor) was not."""
    return after == DcaRating.RED and before != DcaRating.RED


def divergence(ratings: list[str]) -> int:
    """How many steps apart the most and least confident ratings are (0: all agree)."""
    if not ratings:
        return 0
    positions = [DCA_ORDER[DcaRating(r)] for r in ratings]
    return max(positions) - min(positions)
