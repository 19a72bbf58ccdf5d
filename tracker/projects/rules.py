"""Pure project rules: vocabularies and the size tier. No Flask, no database."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from enum import StrEnum

DELIVERY_METHODS = {"stage_gated": "Stage-gated", "agile": "Agile", "hybrid": "Hybrid"}


GOVERNED_STATUS = (
    "A project's status cannot be set: it moves only through governance (the start gate or "
    "the Executive's authorisation to start makes it active; the closing gate or the "
    "Executive's closure closes it). A new project is always proposed."
)


class ProjectStatus(StrEnum):
    """A project's status: the one vocabulary of models, rules, templates and the API."""

    PROPOSED = "proposed"
    ACTIVE = "active"
    CLOSED = "closed"
    CLOSED_EARLY = "closed_early"


PROJECT_STATUSES = {
    ProjectStatus.PROPOSED: "Proposed",
    ProjectStatus.ACTIVE: "Active",
    ProjectStatus.CLOSED: "Closed",
    ProjectStatus.CLOSED_EARLY: "Closed early",
}
FINISHED_STATUSES = (ProjectStatus.CLOSED, ProjectStatus.CLOSED_EARLY)
"""Final: nothing moves a project out of these."""
OPEN_STATUSES = (ProjectStatus.PROPOSED, ProjectStatus.ACTIVE)


class Mover(StrEnum):
    """The governance decisions that may move a project's status: nothing else does."""

    START_GATE = "start_gate"
    START_AUTHORISED = "start_authorised"
    CLOSING_GATE = "closing_gate"
    CLOSING_DECISION = "closing_decision"
    CLOSURE_REPORT = "closure_report"
    EARLY_CLOSURE = "early_closure"


MOVER_LABELS = {
    Mover.START_GATE: "the board approved the start gate",
    Mover.START_AUTHORISED: "the Executive authorised the start",
    Mover.CLOSING_GATE: "the board approved the closing gate",
    Mover.CLOSING_DECISION: "the Executive closed the project after its last iteration",
    Mover.CLOSURE_REPORT: "the board approved the closing gate on its end-project report",
    Mover.EARLY_CLOSURE: "the Executive closed the project early",
}

_STAGED = ("stage_gated", "hybrid")
_ANY = (*DELIVERY_METHODS, None)

# (from, to) -> {decision that moves it: the delivery methods it applies to}
LIFECYCLE: Mapping[tuple[ProjectStatus, ProjectStatus], Mapping[Mover, tuple]] = {
    (ProjectStatus.PROPOSED, ProjectStatus.ACTIVE): {
        Mover.START_GATE: _STAGED,
        Mover.START_AUTHORISED: ("agile",),
    },
    (ProjectStatus.ACTIVE, ProjectStatus.CLOSED): {
        Mover.CLOSING_GATE: _STAGED,
        Mover.CLOSING_DECISION: ("agile",),
        Mover.CLOSURE_REPORT: ("agile",),
    },
    (ProjectStatus.PROPOSED, ProjectStatus.CLOSED_EARLY): {Mover.EARLY_CLOSURE: _ANY},
    (ProjectStatus.ACTIVE, ProjectStatus.CLOSED_EARLY): {Mover.EARLY_CLOSURE: _ANY},
}


# How each kind of project moves, in words for its pages.
STATUS_MOVES = {
    "stage_gated": "it becomes active when the board approves its start gate and closes at "
    "its closing gate, or early by the Executive.",
    "hybrid": "it becomes active when the board approves its start gate (its iterations "
    "start only then) and closes at its closing gate, or early by the Executive.",
    "agile": "it becomes active when the Executive authorises the start (its iterations "
    "start only then) and closes by the Executive's decision, after its last iteration or "
    "early.",
    None: "once a delivery method is decided it becomes active through its start gate or "
    "the Executive's authorisation to start; the Executive may close it early.",
}


class ProjectStatusError(ValueError):
    """A status change that no governance decision allows; the message says what would."""


def _label(status: ProjectStatus) -> str:
    return PROJECT_STATUSES[status.value].lower()


def check_status_change(
    current: ProjectStatus | str, target: ProjectStatus | str, mover: Mover | str, method
) -> ProjectStatus:
    """Return ``target`` if ``mover`` may take a project of delivery ``method`` there.

    A project is proposed until the board starts it: the approval of its start gate
    (stage-gated and hybrid) or the Executive's authorisation to start (agile). Starting an
    iteration never moves the status: the manager starts iterations, the board starts the
    project. It closes only at its closing gate (stage-gated, hybrid), by the
    Executive's closing decision after the last iteration (agile), or by the Executive's
    early closure (any method). Closed is final. Going into exception is not a project
    status: the tolerance rules put the stage (or, without stages, a budget exception)
    into exception while the project stays active.
    """
    current, target, mover = ProjectStatus(current), ProjectStatus(target), Mover(mover)
    if current in FINISHED_STATUSES:
        raise ProjectStatusError(f"The project is {_label(current)}: its status is final.")
    if current is target:
        raise ProjectStatusError(f"The project is already {_label(current)}.")
    movers = LIFECYCLE.get((current, target), {})
    if mover in movers and method in movers[mover]:
        return target
    ways = ", or ".join(
        f"when {MOVER_LABELS[m]} ({' or '.join(x.replace('_', '-') for x in ms if x)} projects)"
        for m, ms in movers.items()
    )
    if not ways:
        raise ProjectStatusError(
            f"The project is {_label(current)}: it cannot become {_label(target)}."
        )
    raise ProjectStatusError(
        f"The project is {_label(current)}: it becomes {_label(target)} only {ways}. "
        "A project's status moves only through governance."
    )


PROJECT_ROLES = {
    "project_manager": "Project manager",
    "executive": "Executive",
    "senior_user": "Senior user",
    "senior_supplier": "Senior supplier",
    "team_member": "Team member",
    "customer_rep": "Customer representative",
}

BOARD_ROLES = ("executive", "senior_user", "senior_supplier")

# METHOD_MODEL.md, question C1: what is lost if the project fails?
CRITICALITY = {
    1: "Comfort",
    2: "Discretionary funds",
    3: "Essential funds",
    4: "A single life",
    5: "Many lives",
}

SIZE_TIERS = {"small": "Small", "medium": "Medium", "large": "Large"}


def size_tier(budget: Decimal, small_below: Decimal, large_above: Decimal) -> str:
    """Size tier from budget at completion: small under the first threshold, large above the
    second, medium between (both thresholds are configurable)."""
    if budget < small_below:
        return "small"
    if budget > large_above:
        return "large"
    return "medium"
