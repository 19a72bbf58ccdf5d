"""Building answer sets for tests: a settled baseline and named overrides."""

from __future__ import annotations

from typing import Any

from tracker.methods.rules import Answers, validate_answers

# A settled project: everything known and agreed, iteration middling, nothing critical,
# a ready team. Tests change only what they are about.
BASELINE: dict[str, Any] = {
    "U1": 1,
    "U2": 1,
    "U3": 1,
    "U4": 1,
    "U5": 1,
    "U6": 1,
    "U7": 1,
    "F1": 3,
    "F2": 3,
    "F3": 3,
    "C1": 1,
    "R1": 4,
    "R2": 4,
    "R3": 4,
    "R4": 4,
    "team_size": 6,
    "culture": "collaboration",
}

U_KEYS = ("U1", "U2", "U3", "U4", "U5", "U6")


def raw(u: tuple[int, ...] | None = None, **overrides: Any) -> dict[str, Any]:
    """Baseline answers; ``u`` sets U1..U6 in order, keywords set anything else."""
    data = dict(BASELINE)
    if u is not None:
        data.update(zip(U_KEYS, u, strict=True))
    data.update(overrides)
    return data


def answers(u: tuple[int, ...] | None = None, **overrides: Any) -> Answers:
    return validate_answers(raw(u, **overrides))


def axes(certainty: tuple[int, int, int], agreement: tuple[int, int, int]) -> tuple[int, ...]:
    """U1..U6 from the certainty-axis answers (U1, U4, U5) and agreement (U2, U3, U6)."""
    u1, u4, u5 = certainty
    u2, u3, u6 = agreement
    return (u1, u2, u3, u4, u5, u6)
