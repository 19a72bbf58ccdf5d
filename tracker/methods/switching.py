"""Pure rules of switching method at a boundary: when a re-assessment recommends another
method (agile discovery followed by a stage-gated build, say), the manager proposes the
switch with the gate or service assessment at that boundary, and the board's decision on
it decides the switch too. No Flask, no database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from tracker.methods import model


class SwitchStatus(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"


SWITCH_STATUSES = {
    SwitchStatus.PROPOSED: "Proposed: the board decides it with the boundary",
    SwitchStatus.APPROVED: "Approved: the project switched",
    SwitchStatus.REJECTED: "Not approved: the project kept its method",
}


class BoundaryKind(StrEnum):
    GATE = "gate"
    ASSESSMENT = "assessment"


@dataclass(frozen=True)
class Boundary:
    """The decision waiting at the project's boundary, that a switch rides on."""

    kind: BoundaryKind
    id: int
    name: str


@dataclass(frozen=True)
class Reassessment:
    """The project's latest assessment: what it recommends, its number and when it was
    made."""

    sequence: int
    method: str
    assessed_at: datetime


def switch_problems(
    *,
    current_method: str | None,
    to_method: str,
    drivers: Sequence[str],
    latest: Reassessment | None,
    decided_at: datetime | None,
    boundary: Boundary | None,
    framework_suits: bool,
) -> list[tuple[str, str | None]]:
    """What is wrong with a proposed switch, as (message, field) pairs; empty when it may
    be proposed.

    A switch follows a re-assessment: the latest assessment must have been made after the
    current method was decided (``decided_at``) and must recommend the method proposed.
    It rides on a decision waiting at a boundary (a gate or a service assessment), and
    the framework chosen must have the gates the new method needs.
    """
    problems: list[tuple[str, str | None]] = []
    if to_method not in model.METHODS:
        return [("Choose a delivery method from the list", "method")]
    word = model.METHODS[to_method].lower()
    if to_method == current_method:
        problems.append(
            (f"The project's method is already {word}: a switch proposes another one.", "method")
        )
    if latest is None:
        problems.append(
            (
                "Re-assess the project first: a switch is proposed when a re-assessment "
                "recommends another method.",
                None,
            )
        )
    elif decided_at is not None and latest.assessed_at <= decided_at:
        problems.append(
            (
                f"The latest assessment (number {latest.sequence}) was made before the current "
                "method was decided: re-assess the project at this boundary first; a switch "
                "is proposed when a re-assessment recommends another method.",
                None,
            )
        )
    elif latest.method != to_method:
        problems.append(
            (
                f"The latest assessment (number {latest.sequence}) recommends "
                f"{model.METHODS[latest.method].lower()}, not {word}: a switch is proposed "
                "only to the method a re-assessment recommends.",
                "method",
            )
        )
    chosen = [d for d in drivers if d in model.DECISION_DRIVERS]
    if not chosen or len(chosen) != len(set(drivers)):
        problems.append(("Choose at least one driver of the switch from the list", "drivers"))
    if boundary is None:
        problems.append(
            (
                "Request the gate or the phase's service assessment first: a switch is "
                "proposed with the decision waiting at a boundary, and the board's decision "
                "on it decides the switch too.",
                None,
            )
        )
    if not framework_suits:
        problems.append(
            (
                "Choose a published framework with the gates the new method needs: phase "
                "boundaries for agile work, stage boundaries for stage-gated work.",
                "framework_version_id",
            )
        )
    return problems


def framework_suits(method: str, falls_at: Sequence[str]) -> bool:
    """A framework suits a method when it has the boundaries the method's work passes:
    agile work phase boundaries, stage-gated work stage boundaries, hybrid either."""
    if method == "agile":
        return "phase_boundary" in falls_at
    if method == "stage_gated":
        return "stage_boundary" in falls_at
    return "phase_boundary" in falls_at or "stage_boundary" in falls_at
