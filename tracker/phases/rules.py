"""Pure rules of agile phases (discovery, alpha, beta, live) and their service assessments.
No Flask, no database.

Under the GDS service phases, agile and hybrid work moves from phase to phase only when a
service assessment at the boundary passes: the board roles the framework names record, for
each Service Standard point the framework lists, whether it is met (with a note when not).
Funding is released phase by phase, as spend control does for discovery and alpha; spending
past a phase's released funding is an exception for the board.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from tracker.budget import rules as budget_rules
from tracker.frameworks.rules import Verdict, verdict


class PhaseKind(StrEnum):
    DISCOVERY = "discovery"
    ALPHA = "alpha"
    PRIVATE_BETA = "private_beta"
    PUBLIC_BETA = "public_beta"
    LIVE = "live"


PHASE_ORDER = tuple(PhaseKind)
PHASE_LABELS = {
    PhaseKind.DISCOVERY: "Discovery",
    PhaseKind.ALPHA: "Alpha",
    PhaseKind.PRIVATE_BETA: "Private beta",
    PhaseKind.PUBLIC_BETA: "Public beta",
    PhaseKind.LIVE: "Live",
}


class PhaseStatus(StrEnum):
    PLANNED = "planned"
    ACTIVE = "active"
    PASSED = "passed"


PHASE_STATUSES = {
    PhaseStatus.PLANNED: "Planned",
    PhaseStatus.ACTIVE: "Under way",
    PhaseStatus.PASSED: "Assessment passed",
}


class AssessmentStatus(StrEnum):
    PENDING = "pending"
    PASSED = "passed"
    FAILED = "failed"


ASSESSMENT_STATUSES = {
    AssessmentStatus.PENDING: "Waiting for the assessors",
    AssessmentStatus.PASSED: "Passed",
    AssessmentStatus.FAILED: "Not passed",
}


class FundingExceptionStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


PHASED_METHODS = ("agile", "hybrid")


def start_problem(kind: PhaseKind | str, statuses: Mapping[PhaseKind, str]) -> str | None:
    """Why phase ``kind`` cannot start, given every phase's status, or None.

    Phases run one after another: a phase starts only once the phase before it has passed
    its service assessment (beta never starts before alpha's assessment passed), and only
    one phase is under way at a time.
    """
    kind = PhaseKind(kind)
    if statuses.get(kind) != PhaseStatus.PLANNED:
        return f"{PHASE_LABELS[kind]} has already started."
    index = PHASE_ORDER.index(kind)
    if index > 0:
        previous = PHASE_ORDER[index - 1]
        if statuses.get(previous) != PhaseStatus.PASSED:
            return (
                f"{PHASE_LABELS[kind]} can start only once {PHASE_LABELS[previous].lower()}'s "
                "service assessment has passed."
            )
    return None


def release_problem(
    amount: Decimal, project_budget: Decimal, released_elsewhere: Decimal
) -> str | None:
    """Why releasing ``amount`` to a phase is refused, or None: funding is released within
    what the project has left (its budget less what other phases were given)."""
    if amount <= 0:
        return "Release an amount above £0.00."
    remaining = project_budget - released_elsewhere
    if amount > remaining:
        return (
            f"£{amount:,.2f} is more than the project's remaining budget of £{remaining:,.2f} "
            f"(£{project_budget:,.2f} less £{released_elsewhere:,.2f} released to other phases)."
        )
    return None


@dataclass(frozen=True)
class PointResult:
    point: str
    met: bool
    note: str = ""


def point_problems(points: Sequence[str], results: Sequence[PointResult]) -> list[str]:
    """What is wrong with an assessor's record: every point the framework lists recorded
    once, and a note for each point not met."""
    problems = []
    recorded = [r.point for r in results]
    missing = [p for p in points if p not in recorded]
    if missing:
        problems.append("Record met or not met for every point: " + "; ".join(missing) + ".")
    extra = [p for p in recorded if p not in points]
    if extra or len(recorded) != len(set(recorded)):
        problems.append("Record each of the framework's points once.")
    for result in results:
        if not result.met and not result.note.strip():
            problems.append(f"Say why {result.point!r} is not met.")
    return problems


def outcome(required_roles: Sequence[str], passed_by_role: Mapping[str, bool]) -> AssessmentStatus:
    """An assessment fails as soon as one assessor records a point not met; it passes when
    every required role has found every point met."""
    approvals = {role: bool(passed) for role, passed in passed_by_role.items()}
    return _STATUS[verdict(required_roles, approvals)]


_STATUS = {
    Verdict.PENDING: AssessmentStatus.PENDING,
    Verdict.APPROVED: AssessmentStatus.PASSED,
    Verdict.REJECTED: AssessmentStatus.FAILED,
}


def overspent(spent: Decimal, released: Decimal) -> bool:
    """Spending past the phase's released funding is an exception (its cost tolerance)."""
    return spent > released


@dataclass(frozen=True)
class PhaseIteration:
    """What AgileEVM needs of one iteration inside a phase."""

    end_on: date
    committed_points: int
    completed_points: int
    closed_on: date | None  # None while it runs


def phase_earned_value(
    released: Decimal, iterations: Sequence[PhaseIteration], spent: Decimal, on: date
) -> budget_rules.Checkpoint | None:
    """AgileEVM for one phase, as a stage's earned value is for a stage: the phase's
    released funding is its budget (BAC), spread evenly over its iterations; PV is the
    budget of the iterations ended by ``on``; EV is BAC x points completed in closed
    iterations / points committed; AC is what the phase has spent. None until the phase
    has funding and committed points to earn against.

    Worked example: £60,000 released, three iterations of 10 committed points; the first
    closed with 8 points done, the second ended: PV = £40,000, EV = £60,000 x 8 / 30 =
    £16,000; with £30,000 spent, CPI 0.53 and SPI 0.40.
    """
    planned = sum(max(i.committed_points, 0) for i in iterations)
    if released <= 0 or planned <= 0:
        return None
    ended = sum(1 for i in iterations if i.end_on <= on)
    pv = released * ended / len(iterations)
    done = sum(
        i.completed_points for i in iterations if i.closed_on is not None and i.closed_on <= on
    )
    ev = budget_rules.agile_earned_value(released, done, planned)
    return budget_rules.checkpoint(released, pv, ev, spent)
