"""What the recommendation page says about the model, written from the model's own
thresholds, keys and answer labels, so the words cannot drift from the rules.

Every sentence here is checked against ``rules.zone_for`` and the model's constants by
``tests/methods/test_wording.py``: change a threshold and the page's words change with it.
"""

from __future__ import annotations

from typing import Final

from tracker.methods import model

T = model.THRESHOLDS
_U7 = model.QUESTIONS_BY_ID["U7"]


def chaotic_answers() -> tuple[int, ...]:
    """The U7 answers that can put a project in the chaotic zone."""
    return tuple(value for value in model.SCALE if value >= T.chaotic_u7_from)


def chaotic_condition() -> str:
    """When the chaotic zone applies, as the rule reads."""
    labels = " or ".join(f'"{_U7.label(value)}"' for value in chaotic_answers())
    return (
        f"question U7 ({_U7.topic.lower()}) is answered {T.chaotic_u7_from} or more "
        f"({labels}) and the zone position is {T.chaotic_from} or more"
    )


CHART_CAPTION: Final = f"The chaotic area, drawn dashed, applies only when {chaotic_condition()}."

# The chart's own label for the chaotic overlay: short enough to sit inside the plot.
CHAOTIC_REGION_LABEL: Final = f"Chaotic (only if U7 is {T.chaotic_u7_from} or more)"

SCORES_INTRO: Final = (
    "Each score runs from 0 to 100; act on each on its own. The zone position is not a "
    "score: it is the mean of the certainty and agreement axes, used only to place the "
    "project in a zone."
)

ZONE_POSITION_NAME: Final = "Zone position (mean of the two axes)"


def zone_position_meaning() -> str:
    return (
        f"Places the zone: clear below {T.clear_below}, complicated from {T.clear_below}, "
        f"complex from {T.complex_from} (or when either axis is {T.axis_complex_from} or "
        f"more), chaotic from {T.chaotic_from} when U7 is {T.chaotic_u7_from} or more"
    )


def _keys(keys: tuple[str, ...]) -> str:
    """ "F1 to F3" for a run of questions, "U1, U4, U5" otherwise."""
    numbers = [int(key[1:]) for key in keys]
    if numbers == list(range(numbers[0], numbers[0] + len(numbers))):
        return f"{keys[0]} to {keys[-1]}"
    return ", ".join(keys)


def score_rows(scores: dict) -> list[tuple[str, object, str]]:
    """The scores table: (what, value, what a high value means), in the page's order."""
    return [
        (
            f"Certainty axis ({_keys(model.CERTAINTY_AXIS_KEYS)})",
            scores["certainty"],
            "The what and the how are unknown",
        ),
        (
            f"Agreement axis ({_keys(model.AGREEMENT_AXIS_KEYS)})",
            scores["agreement"],
            "The problem and the answer are contested, by many hands",
        ),
        (ZONE_POSITION_NAME, scores["uncertainty"], zone_position_meaning()),
        (
            f"Feasibility of iterating ({_keys(model.FEASIBILITY_KEYS)})",
            scores["feasibility"],
            "The work can be delivered and tested in small steps",
        ),
        (
            f"Readiness ({_keys(model.READINESS_KEYS)})",
            scores["readiness"],
            "The organisation is ready to work adaptively",
        ),
    ]
