"""The registers' pure rules: the vocabularies, the 5x5 score and its bands, the heat-map
grid and which responses fit a threat or an opportunity. No Flask, no database.

The scale follows the usual public-sector practice (the Orange Book and PRINCE2's
probability-impact grid): likelihood and impact each from 1 (very low) to 5 (very high),
score = likelihood x impact, from 1 to 25.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum


class RiskStatus(StrEnum):
    """A risk on the project's register: open until closed."""

    OPEN = "open"
    CLOSED = "closed"


class RiskKind(StrEnum):
    """A threat harms the objectives if it happens; an opportunity helps them."""

    THREAT = "threat"
    OPPORTUNITY = "opportunity"


class RiskCategory(StrEnum):
    """The barriers the seed study names for partnership projects, plus the usual others."""

    TECHNICAL = "technical"
    ORGANISATIONAL = "organisational"
    POLITICAL = "political"
    ECONOMIC = "economic"
    LEGAL = "legal"
    COMMERCIAL = "commercial"
    PEOPLE = "people"
    ENVIRONMENTAL = "environmental"


class Proximity(StrEnum):
    """When the risk would happen, if it does."""

    IMMINENT = "imminent"
    THIS_STAGE = "this_stage"
    LATER_STAGE = "later_stage"
    AFTER_PROJECT = "after_project"


class RiskResponse(StrEnum):
    AVOID = "avoid"
    REDUCE = "reduce"
    TRANSFER = "transfer"
    SHARE = "share"
    ACCEPT = "accept"
    EXPLOIT = "exploit"
    ENHANCE = "enhance"


class IssueKind(StrEnum):
    """PRINCE2's three types of issue, and a concern raised by anyone."""

    REQUEST_FOR_CHANGE = "request_for_change"
    OFF_SPECIFICATION = "off_specification"
    PROBLEM = "problem"
    CONCERN = "concern"


class IssueStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    CLOSED = "closed"


class Priority(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class AssumptionStatus(StrEnum):
    OPEN = "open"
    CONFIRMED = "confirmed"
    FALSE = "false"


class DependencyKind(StrEnum):
    PROJECT = "project"
    EXTERNAL = "external"


ASSUMPTION_STATUSES = {
    AssumptionStatus.OPEN: "To be confirmed",
    AssumptionStatus.CONFIRMED: "Confirmed",
    AssumptionStatus.FALSE: "Proved false",
}
DEPENDENCY_KINDS = {
    DependencyKind.PROJECT: "Another project in the tracker",
    DependencyKind.EXTERNAL: "An outside party",
}


class EscalationStatus(StrEnum):
    """An escalated entry waits for the board until the board answers."""

    AWAITING = "awaiting"
    ANSWERED = "answered"


ESCALATION_STATUSES = {
    EscalationStatus.AWAITING: "Waiting for the board",
    EscalationStatus.ANSWERED: "Answered",
}
RISK_STATUSES = {RiskStatus.OPEN: "Open", RiskStatus.CLOSED: "Closed"}
RISK_KINDS = {RiskKind.THREAT: "Threat", RiskKind.OPPORTUNITY: "Opportunity"}
RISK_CATEGORIES = {
    RiskCategory.TECHNICAL: "Technical",
    RiskCategory.ORGANISATIONAL: "Organisational",
    RiskCategory.POLITICAL: "Political",
    RiskCategory.ECONOMIC: "Economic",
    RiskCategory.LEGAL: "Legal",
    RiskCategory.COMMERCIAL: "Commercial",
    RiskCategory.PEOPLE: "People",
    RiskCategory.ENVIRONMENTAL: "Environmental",
}
PROXIMITIES = {
    Proximity.IMMINENT: "Imminent",
    Proximity.THIS_STAGE: "Within this stage",
    Proximity.LATER_STAGE: "In a later stage",
    Proximity.AFTER_PROJECT: "After the project closes",
}
RESPONSES = {
    RiskResponse.AVOID: "Avoid",
    RiskResponse.REDUCE: "Reduce",
    RiskResponse.TRANSFER: "Transfer",
    RiskResponse.SHARE: "Share",
    RiskResponse.ACCEPT: "Accept",
    RiskResponse.EXPLOIT: "Exploit",
    RiskResponse.ENHANCE: "Enhance",
}
# Which responses fit which kind of risk (PRINCE2's risk response types).
RESPONSES_FOR = {
    RiskKind.THREAT: (
        RiskResponse.AVOID,
        RiskResponse.REDUCE,
        RiskResponse.TRANSFER,
        RiskResponse.SHARE,
        RiskResponse.ACCEPT,
    ),
    RiskKind.OPPORTUNITY: (
        RiskResponse.EXPLOIT,
        RiskResponse.ENHANCE,
        RiskResponse.SHARE,
        RiskResponse.ACCEPT,
    ),
}
ISSUE_KINDS = {
    IssueKind.REQUEST_FOR_CHANGE: "Request for change",
    IssueKind.OFF_SPECIFICATION: "Off-specification",
    IssueKind.PROBLEM: "Problem",
    IssueKind.CONCERN: "Concern",
}
ISSUE_STATUSES = {
    IssueStatus.OPEN: "Open",
    IssueStatus.IN_PROGRESS: "Being dealt with",
    IssueStatus.CLOSED: "Closed",
}
PRIORITIES = {Priority.HIGH: "High", Priority.MEDIUM: "Medium", Priority.LOW: "Low"}
SCALE = {1: "Very low", 2: "Low", 3: "Medium", 4: "High", 5: "Very high"}
SEVERITIES = {
    1: "1 – negligible",
    2: "2 – minor",
    3: "3 – moderate",
    4: "4 – major",
    5: "5 – critical",
}


class Band(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    VERY_HIGH = "very_high"


BANDS = {Band.LOW: "Low", Band.MEDIUM: "Medium", Band.HIGH: "High", Band.VERY_HIGH: "Very high"}
# A score of 12 or more (e.g. likely x major) is high: what the gate page and the portfolio
# count as an open high risk.
HIGH_SCORE = 12


def in_scale(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5


def score(likelihood: int, impact: int) -> int:
    """Likelihood x impact, each 1-5. ``score(4, 3) == 12``."""
    if not (in_scale(likelihood) and in_scale(impact)):
        raise ValueError(f"likelihood and impact must be from 1 to 5, not {likelihood}, {impact}")
    return likelihood * impact


def band(value: int) -> Band:
    """The band of a score: 1-4 low, 5-11 medium, 12-19 high, 20-25 very high."""
    if not 1 <= value <= 25:
        raise ValueError(f"a score is from 1 to 25, not {value}")
    if value >= 20:
        return Band.VERY_HIGH
    if value >= HIGH_SCORE:
        return Band.HIGH
    if value >= 5:
        return Band.MEDIUM
    return Band.LOW


def response_problem(kind: str, response: str | None) -> str | None:
    """Why ``response`` does not fit a risk of ``kind``, or None."""
    if response is None or response == "":
        return None
    allowed = RESPONSES_FOR[RiskKind(kind)]
    if response not in allowed:
        words = ", ".join(RESPONSES[r].lower() for r in allowed)
        noun = "a threat" if kind == RiskKind.THREAT else "an opportunity"
        return f"Choose a response that fits {noun}: {words}"
    return None


def scale_problems(values: Mapping[str, object]) -> list[tuple[str, str]]:
    """(field, message) for every value outside 1-5; None is allowed only for targets."""
    found = []
    for name, value in values.items():
        if value is None and name.startswith("target_"):
            continue
        if not in_scale(value):
            label = name.replace("_", " ").capitalize()
            found.append((name, f"{label} must be a whole number from 1 to 5"))
    return found


@dataclass(frozen=True)
class HeatCell:
    likelihood: int
    impact: int
    score: int
    band: Band
    count: int


def heat_map(counts: Mapping[tuple[int, int], int]) -> list[list[HeatCell]]:
    """The 5x5 grid as rows, likelihood 5 (top) down to 1, impact 1 to 5 left to right,
    each cell with its score, band and how many risks sit in it."""
    return [
        [
            HeatCell(lik, imp, lik * imp, band(lik * imp), counts.get((lik, imp), 0))
            for imp in range(1, 6)
        ]
        for lik in range(5, 0, -1)
    ]


def changes_between(before: Mapping[str, str], after: Mapping[str, str]) -> list[tuple]:
    """(field, from, to) for every field whose shown value changed, in ``after``'s order."""
    return [
        (name, before.get(name), value)
        for name, value in after.items()
        if before.get(name) != value
    ]


def escalation_reason(
    *, score: int | None = None, severity: int | None = None, threshold: int, level: str
) -> str | None:
    """Why an entry goes to the board, or None when it stays with the manager: a risk's
    score or an issue's severity at or above the tailoring's threshold."""
    if score is not None and score >= threshold:
        return f"Score {score} reached the board's threshold of {threshold} ({level} governance)"
    if severity is not None and severity >= threshold:
        return (
            f"Severity {severity} reached the board's threshold of {threshold} ({level} governance)"
        )
    return None


def would_cycle(edges: Iterable[tuple[int, int]], dependent: int, on: int) -> bool:
    """Whether ``dependent`` depending on ``on`` closes a loop: ``on`` already depends,
    directly or through others, on ``dependent``. ``edges`` are (dependent, on) pairs.

    >>> would_cycle([(2, 3), (3, 1)], 1, 2)
    True
    >>> would_cycle([(2, 3)], 1, 2)
    False
    """
    if dependent == on:
        return True
    needs: dict[int, set[int]] = {}
    for a, b in edges:
        needs.setdefault(a, set()).add(b)
    seen, frontier = set(), [on]
    while frontier:
        current = frontier.pop()
        if current == dependent:
            return True
        if current in seen:
            continue
        seen.add(current)
        frontier.extend(needs.get(current, ()))
    return False
