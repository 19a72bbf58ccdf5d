"""Stage governance rules: tolerances, forecast checks, gate regimes and gate resolution.

Pure functions over plain data. The stage services call them to decide what the board
must see; keeping them here means one definition of "breached", "approved" and "allowed"
for pages, scheduled jobs and tests alike.

Cost tolerance and the within / at risk / breached judgement come from
``tracker.core.money`` (``CostTolerance``, ``assess_tolerance``): the one shared tolerance
check used by both stages and budget checkpoints, below both (budget depends on stages).
Time is judged by the same function, in days.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from tracker.core.money import (
    CostTolerance,
    Money,
    ToleranceCheck,
    ToleranceStatus,
    assess_tolerance,
    check_cost,
    format_gbp,
    money,
)
from tracker.projects.governance import (  # the tailoring and the segregation of duties
    BOARD_ROLES,
    EXECUTIVE,
    SENIOR_SUPPLIER,
    SENIOR_USER,
    GateBoundaries,
    Regime,
    SizeTier,
    _board_order,
    _role_label,
    decision_counts_for_combined_roles,
    gate_regime,
    may_combine,
    role_conflict,
    team_conflicts,
)

# --------------------------------------------------------------------------------------
# Tolerances
# --------------------------------------------------------------------------------------


class Dimension(StrEnum):
    """PRINCE2 (7th edition) performance targets, each with a tolerance."""

    TIME = "time"
    COST = "cost"
    SCOPE = "scope"
    QUALITY = "quality"
    RISK = "risk"
    BENEFIT = "benefit"
    SUSTAINABILITY = "sustainability"


STATED_TARGETS = (
    Dimension.SCOPE,
    Dimension.QUALITY,
    Dimension.RISK,
    Dimension.BENEFIT,
    Dimension.SUSTAINABILITY,
)
"""Dimensions held as a stated target whose status the manager reports."""


class TargetStatus(StrEnum):
    MET = "met"
    AT_RISK = "at_risk"
    BREACHED = "breached"


@dataclass(frozen=True)
class Tolerances:
    """A stage's tolerances: time in days (±), cost (± percent or amount), stated targets."""

    time_days: int
    cost: CostTolerance
    scope: str
    quality: str
    risk: str
    benefit: str
    sustainability: str

    def __post_init__(self) -> None:
        if self.time_days < 0:
            raise ValueError("time tolerance cannot be negative")

    def target(self, dimension: Dimension) -> str:
        if dimension not in STATED_TARGETS:
            raise ValueError(f"{dimension} is not a stated target")
        return str(getattr(self, dimension.value))


_COMMON_TARGETS = {
    "scope": "Every must-have product in the stage plan is delivered; could-haves may be dropped.",
    "quality": "Every product passes its acceptance criteria, with no more than one re-review.",
    "risk": "No high risk (probability x impact of 15 or more out of 25) is left without "
    "an owner and a mitigation.",
    "benefit": "Forecast benefits stay within 10% of the approved business case.",
    "sustainability": "No increase in carbon, waste or energy use against the agreed baseline.",
}

DEFAULT_TOLERANCES: Mapping[SizeTier, Tolerances] = {
    # A small stage has little slack in absolute terms, so a generous share of its budget
    # before the board must be troubled; a large stage's 5% is already more money than a
    # whole small project, so the share tightens as the tier grows. Days grow with the
    # longer stages of bigger projects.
    SizeTier.SMALL: Tolerances(10, CostTolerance(percent=Decimal(10)), **_COMMON_TARGETS),
    SizeTier.MEDIUM: Tolerances(15, CostTolerance(percent=Decimal("7.5")), **_COMMON_TARGETS),
    SizeTier.LARGE: Tolerances(20, CostTolerance(percent=Decimal(5)), **_COMMON_TARGETS),
}
"""Default stage tolerances by size tier; the project manager may tighten or relax them."""


SIZE_TIER_SMALL_BELOW = Decimal(250_000)
SIZE_TIER_LARGE_ABOVE = Decimal(5_000_000)


def size_tier(
    bac: Money,
    *,
    small_below: Money = SIZE_TIER_SMALL_BELOW,
    large_above: Money = SIZE_TIER_LARGE_ABOVE,
) -> SizeTier:
    """Size tier from budget at completion (METHOD_MODEL.md: small under £250k, medium up
    to £5m, large above). Thresholds are parameters because the PMO may configure them."""
    amount = money(bac)
    if amount < money(small_below):
        return SizeTier.SMALL
    if amount <= money(large_above):
        return SizeTier.MEDIUM
    return SizeTier.LARGE


# --------------------------------------------------------------------------------------
# Forecast against tolerance
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StagePlan:
    """What the board authorised for a stage: dates (inclusive) and budget."""

    start: date
    finish: date
    budget: Decimal


@dataclass(frozen=True)
class Forecast:
    """The manager's (or the checkpoint's) forecast for a stage.

    ``targets`` holds the reported status of any stated targets; a target not reported is
    taken as met, because an unreported target is not evidence of a breach.
    """

    finish: date
    cost: Decimal
    targets: Mapping[Dimension, TargetStatus] = field(default_factory=dict)


@dataclass(frozen=True)
class DimensionStatus:
    """One performance target's status, with the limit and forecast in words.

    ``check`` carries the numbers for time (days, relative to planned finish) and cost
    (pounds); it is ``None`` for stated targets.
    """

    dimension: Dimension
    status: ToleranceStatus
    limit: str
    forecast: str
    check: ToleranceCheck | None = None

    @property
    def message(self) -> str:
        name = self.dimension.value.capitalize()
        return f"{name}: forecast {self.forecast}; tolerance {self.limit}."


Breach = DimensionStatus
"""A breach is a dimension status whose status is ``breached``."""

_TARGET_TO_TOLERANCE = {
    TargetStatus.MET: ToleranceStatus.WITHIN,
    TargetStatus.AT_RISK: ToleranceStatus.AT_RISK,
    TargetStatus.BREACHED: ToleranceStatus.BREACHED,
}


def _days_phrase(days: int) -> str:
    if days == 0:
        return "on the planned date"
    unit = "day" if abs(days) == 1 else "days"
    return f"{abs(days)} {unit} {'late' if days > 0 else 'early'}"


def assess_forecast(
    plan: StagePlan, forecast: Forecast, tolerances: Tolerances
) -> list[DimensionStatus]:
    """Every performance target's status for a forecast, in the seven-target order.

    This is what a highlight report's tolerance section shows; ``check_forecast`` keeps
    only the breaches.
    """
    slip = (forecast.finish - plan.finish).days
    time_check = assess_tolerance(Decimal(0), Decimal(slip), Decimal(tolerances.time_days))
    statuses = [
        DimensionStatus(
            Dimension.TIME,
            time_check.status,
            f"finish {plan.finish.isoformat()} ± {tolerances.time_days} days",
            f"finish {forecast.finish.isoformat()} ({_days_phrase(slip)})",
            time_check,
        )
    ]
    cost_check = check_cost(plan.budget, forecast.cost, tolerances.cost)
    statuses.append(
        DimensionStatus(
            Dimension.COST,
            cost_check.status,
            f"{format_gbp(plan.budget)} {tolerances.cost.describe()} "
            f"({format_gbp(cost_check.limit)})",
            f"{format_gbp(forecast.cost)} ({cost_check.direction.replace('_', ' ')} "
            f"by {format_gbp(abs(cost_check.variance))})",
            cost_check,
        )
    )
    for dimension in STATED_TARGETS:
        reported = TargetStatus(forecast.targets.get(dimension, TargetStatus.MET))
        statuses.append(
            DimensionStatus(
                dimension,
                _TARGET_TO_TOLERANCE[reported],
                tolerances.target(dimension),
                reported.value.replace("_", " "),
            )
        )
    return statuses


def check_forecast(plan: StagePlan, forecast: Forecast, tolerances: Tolerances) -> list[Breach]:
    """The breaches a forecast makes; a non-empty result means an exception report is due."""
    return [
        status
        for status in assess_forecast(plan, forecast, tolerances)
        if status.status is ToleranceStatus.BREACHED
    ]


# --------------------------------------------------------------------------------------
# Gate regime (governance tailoring)
# --------------------------------------------------------------------------------------


def gate_boundaries(regime: Regime, stage_count: int) -> tuple[int, ...]:
    """The boundaries that need a gate. Boundary 0 is the project start (authorising stage
    1), boundary k the end of stage k, and boundary ``stage_count`` the project close."""
    if stage_count < 1:
        raise ValueError("a project needs at least one stage")
    if regime.gates is GateBoundaries.START_AND_CLOSE:
        return (0, stage_count)
    return tuple(range(stage_count + 1))


def authorising_boundary(regime: Regime, stage_number: int, stage_count: int) -> int:
    """The boundary whose gate authorises stage ``stage_number`` (1-based).

    Under start-and-close governance the start gate authorises every stage at once: the
    project is small enough that the Executive delegates the boundaries to the manager.
    """
    if not 1 <= stage_number <= stage_count:
        raise ValueError(f"stage {stage_number} is not one of stages 1 to {stage_count}")
    if regime.gates is GateBoundaries.START_AND_CLOSE:
        return 0
    return stage_number - 1


# --------------------------------------------------------------------------------------
# Gate resolution
# --------------------------------------------------------------------------------------


class GateDecision(StrEnum):
    APPROVE = "approve"
    APPROVE_WITH_CONDITIONS = "approve_with_conditions"
    REJECT = "reject"


class GateStatus(StrEnum):
    """A gate review's status. Resolution yields the first four; ``CLOSED_EARLY`` is set
    when the Executive closes the project while the gate waits."""

    PENDING = "pending"
    APPROVED = "approved"
    APPROVED_WITH_CONDITIONS = "approved_with_conditions"
    REJECTED = "rejected"
    CLOSED_EARLY = "closed_early"


APPROVED_GATE_STATUSES = (GateStatus.APPROVED, GateStatus.APPROVED_WITH_CONDITIONS)


_SEVERITY = {
    GateDecision.APPROVE: 0,
    GateDecision.APPROVE_WITH_CONDITIONS: 1,
    GateDecision.REJECT: 2,
}


@dataclass(frozen=True)
class GateOutcome:
    """Where a gate round stands. Role tuples are in board order (Executive first)."""

    status: GateStatus
    awaiting: tuple[str, ...]
    rejected_by: tuple[str, ...]
    conditions_from: tuple[str, ...]
    approved_by: tuple[str, ...]
    ignored: tuple[str, ...] = ()

    @property
    def is_resolved(self) -> bool:
        return self.status is not GateStatus.PENDING

    @property
    def message(self) -> str:
        if self.status is GateStatus.PENDING:
            return "Waiting for: " + ", ".join(_role_label(role) for role in self.awaiting) + "."
        if self.status is GateStatus.REJECTED:
            return "Rejected by " + ", ".join(_role_label(role) for role in self.rejected_by) + "."
        if self.status is GateStatus.APPROVED_WITH_CONDITIONS:
            who = ", ".join(_role_label(role) for role in self.conditions_from)
            return f"Approved with conditions from {who}."
        return "Approved."


def resolve_gate(
    required_roles: Iterable[str], decisions: Iterable[tuple[str, str]]
) -> GateOutcome:
    """Resolve a gate round from the board's decisions; independent of decision order.

    * The Executive's rejection rejects the gate at once, whatever else was decided and
      even if the Executive was not listed as required (the Executive owns the business
      case and can always stop it).
    * Otherwise any rejection by a required role rejects it.
    * When every required role has approved (with or without conditions) it is approved,
      or approved with conditions if anyone gave conditions.
    * Otherwise it is pending, naming the roles still awaited.

    A role may hold more than one decision (two people can hold Senior User); the role's
    position is then its most severe decision, so order never matters and a rejection is
    never outvoted. Decisions by board roles that are not required are kept in
    ``ignored`` and do not count (an optional Senior Supplier's rejection does not stop a
    small project's gate).
    """
    required = list(required_roles)
    for role in required:
        if role not in BOARD_ROLES:
            raise ValueError(f"'{role}' is not a board role ({', '.join(BOARD_ROLES)})")
    if not required:
        raise ValueError("a gate needs at least one required approver role")
    required_set = set(required)

    position: dict[str, GateDecision] = {}
    ignored: set[str] = set()
    for role, raw_decision in decisions:
        if role not in BOARD_ROLES:
            raise ValueError(f"'{role}' is not a board role ({', '.join(BOARD_ROLES)})")
        try:
            decision = GateDecision(raw_decision)
        except ValueError:
            allowed = ", ".join(d.value for d in GateDecision)
            raise ValueError(f"'{raw_decision}' is not a gate decision ({allowed})") from None
        if role not in required_set and not (role == EXECUTIVE and decision is GateDecision.REJECT):
            ignored.add(role)
            continue
        current = position.get(role)
        if current is None or _SEVERITY[decision] > _SEVERITY[current]:
            position[role] = decision

    rejected_by = _board_order(r for r, d in position.items() if d is GateDecision.REJECT)
    conditions_from = _board_order(
        r for r, d in position.items() if d is GateDecision.APPROVE_WITH_CONDITIONS
    )
    approved_by = _board_order(r for r, d in position.items() if d is not GateDecision.REJECT)
    awaiting = _board_order(required_set - position.keys())
    ignored_roles = _board_order(ignored - position.keys())

    # The Executive's rejection is already in ``rejected_by`` even when not required.
    if rejected_by:
        status = GateStatus.REJECTED
    elif awaiting:
        status = GateStatus.PENDING
    elif conditions_from:
        status = GateStatus.APPROVED_WITH_CONDITIONS
    else:
        status = GateStatus.APPROVED
    return GateOutcome(status, awaiting, rejected_by, conditions_from, approved_by, ignored_roles)


# --------------------------------------------------------------------------------------
# Segregation of duties
# --------------------------------------------------------------------------------------

# --------------------------------------------------------------------------------------
# Exception resolution
# --------------------------------------------------------------------------------------


class ExceptionStatus(StrEnum):
    """An exception report's status: waiting for the board until decided."""

    OPEN = "open"
    PLAN_REQUESTED = "plan_requested"
    PLAN_SUBMITTED = "plan_submitted"
    DECIDED = "decided"


OPEN_EXCEPTION_STATUSES = (
    ExceptionStatus.OPEN,
    ExceptionStatus.PLAN_REQUESTED,
    ExceptionStatus.PLAN_SUBMITTED,
)
WAITING_FOR_BOARD = (ExceptionStatus.OPEN, ExceptionStatus.PLAN_SUBMITTED)
"""An exception the board has to decide now (a requested plan waits for the manager)."""


class Rag(StrEnum):
    """A highlight report's overall status."""

    GREEN = "green"
    AMBER = "amber"
    RED = "red"


class ExceptionVote(StrEnum):
    APPROVE_OPTION = "approve_option"
    REQUEST_EXCEPTION_PLAN = "request_exception_plan"
    APPROVE_EXCEPTION_PLAN = "approve_exception_plan"
    CLOSE_PROJECT = "close_project"


class ExceptionResult(StrEnum):
    PENDING = "pending"
    OPTION_APPROVED = "option_approved"
    PLAN_REQUESTED = "plan_requested"
    PLAN_APPROVED = "plan_approved"
    PROJECT_CLOSED = "project_closed"


@dataclass(frozen=True)
class ExceptionOutcome:
    """Where one round of an exception's decisions stands (board order throughout).

    ``resolved_by`` names the roles whose decisions settled the round; the roles in
    ``not_needed`` had not decided when it settled and are no longer waited for.
    """

    result: ExceptionResult
    option: int | None
    awaiting: tuple[str, ...]
    resolved_by: tuple[str, ...]
    not_needed: tuple[str, ...]
    message: str

    @property
    def is_resolved(self) -> bool:
        return self.result is not ExceptionResult.PENDING


def resolve_exception(
    required_roles: Iterable[str],
    decisions: Iterable[tuple[str, str, int | None]],
    *,
    plan_submitted: bool = False,
) -> ExceptionOutcome:
    """Resolve one round of an exception report from ``(role, decision, option)`` triples.

    The rule, like a gate's:

    * Every required role decides. A round is approved only when each of them approves:
      the same option while the board weighs the options (``approve_option``), or the
      exception plan once it is submitted (``approve_exception_plan``).
    * One request for an exception plan by a required role (the board's "no" to the options
      or to the plan submitted) settles the round at once: the manager writes a plan (or a
      new one). Approvals of different options are no agreement and settle it the same way.
    * The Executive alone may close the project early, at any point, without the others.
    * Decisions by roles that are not required do not count, and a role's first decision
      stands (the service refuses a second).
    """
    required = tuple(required_roles)
    if not required:
        raise ValueError("an exception needs at least one required board role")
    for role in required:
        if role not in BOARD_ROLES:
            raise ValueError(f"'{role}' is not a board role ({', '.join(BOARD_ROLES)})")
    required = _board_order(required)
    wanted_approval = (
        ExceptionVote.APPROVE_EXCEPTION_PLAN if plan_submitted else ExceptionVote.APPROVE_OPTION
    )
    allowed = {wanted_approval, ExceptionVote.REQUEST_EXCEPTION_PLAN, ExceptionVote.CLOSE_PROJECT}
    position: dict[str, tuple[ExceptionVote, int | None]] = {}
    for role, raw, option in decisions:
        if role not in BOARD_ROLES:
            raise ValueError(f"'{role}' is not a board role ({', '.join(BOARD_ROLES)})")
        vote = ExceptionVote(raw)
        if vote not in allowed:
            raise ValueError(f"'{vote.value}' cannot be decided at this point")
        if vote is ExceptionVote.CLOSE_PROJECT:
            if role != EXECUTIVE:
                raise ValueError("only the Executive can close the project early")
            awaiting = tuple(r for r in required if r not in position and r != EXECUTIVE)
            return ExceptionOutcome(
                ExceptionResult.PROJECT_CLOSED,
                None,
                (),
                (EXECUTIVE,),
                awaiting,
                "The Executive closed the project early.",
            )
        if role in required and role not in position:
            position[role] = (vote, option)

    def settled(result, option, by, message) -> ExceptionOutcome:
        rest = tuple(r for r in required if r not in position)
        return ExceptionOutcome(result, option, (), _board_order(by), rest, message)

    rejecting = [
        r for r, (vote, _) in position.items() if vote is ExceptionVote.REQUEST_EXCEPTION_PLAN
    ]
    if rejecting:
        who = ", ".join(_role_label(r) for r in _board_order(rejecting))
        what = "a new exception plan" if plan_submitted else "an exception plan"
        return settled(ExceptionResult.PLAN_REQUESTED, None, rejecting, f"{who} asked for {what}.")
    options = {option for vote, option in position.values()}
    if not plan_submitted and len(options) > 1:
        return settled(
            ExceptionResult.PLAN_REQUESTED,
            None,
            position,
            "The board approved different options, so an exception plan is needed.",
        )
    awaiting = tuple(r for r in required if r not in position)
    if awaiting:
        return ExceptionOutcome(
            ExceptionResult.PENDING,
            None,
            awaiting,
            (),
            (),
            "Waiting for: " + ", ".join(_role_label(r) for r in awaiting) + ".",
        )
    if plan_submitted:
        return settled(
            ExceptionResult.PLAN_APPROVED, None, required, "The board approved the exception plan."
        )
    (option,) = options
    return settled(
        ExceptionResult.OPTION_APPROVED, option, required, f"The board approved option {option}."
    )


# --------------------------------------------------------------------------------------
# Stage status transitions
# --------------------------------------------------------------------------------------


class StageStatus(StrEnum):
    PLANNED = "planned"
    AUTHORISED = "authorised"
    ACTIVE = "active"
    CLOSED = "closed"
    IN_EXCEPTION = "in_exception"


BOOKABLE_STATUSES = (StageStatus.AUTHORISED, StageStatus.ACTIVE, StageStatus.IN_EXCEPTION)
"""A stage time and costs may be booked to."""
FORECAST_STATUSES = (StageStatus.ACTIVE, StageStatus.IN_EXCEPTION)
"""A stage under way, whose forecast is checked against its tolerances."""

_TRANSITIONS: Mapping[StageStatus, Mapping[StageStatus, str]] = {
    StageStatus.PLANNED: {StageStatus.AUTHORISED: "its gate is approved"},
    StageStatus.AUTHORISED: {StageStatus.ACTIVE: "work starts"},
    StageStatus.ACTIVE: {
        StageStatus.CLOSED: "its end-stage work is done",
        StageStatus.IN_EXCEPTION: "a forecast breaches tolerance",
    },
    StageStatus.IN_EXCEPTION: {
        StageStatus.ACTIVE: "the board approves an option or an exception plan",
    },
    StageStatus.CLOSED: {},
}

_REFUSALS: Mapping[tuple[StageStatus, StageStatus], str] = {
    (StageStatus.PLANNED, StageStatus.ACTIVE): (
        "A planned stage cannot start until its gate authorises it."
    ),
    (StageStatus.IN_EXCEPTION, StageStatus.CLOSED): (
        "A stage in exception closes only when the board decides to close the project."
    ),
    (StageStatus.AUTHORISED, StageStatus.IN_EXCEPTION): (
        "A stage that has not started cannot be in exception; re-plan it before it starts."
    ),
}


class StageTransitionError(ValueError):
    """An illegal stage status change; the message says what would make it legal."""


def check_transition(
    current: StageStatus | str, target: StageStatus | str, *, closing_project: bool = False
) -> StageStatus:
    """Return ``target`` if a stage may move there from ``current``, else refuse.

    planned → authorised → active → closed; active ⇄ in_exception. When the board closes
    the project early (``closing_project``), any stage that is not yet closed may close.
    """
    current, target = StageStatus(current), StageStatus(target)
    if current is StageStatus.CLOSED:
        raise StageTransitionError("A closed stage cannot change status.")
    if current is target:
        raise StageTransitionError(f"The stage is already {current.value.replace('_', ' ')}.")
    if target is StageStatus.CLOSED and closing_project:
        return target
    if target in _TRANSITIONS[current]:
        return target
    if (current, target) in _REFUSALS:
        raise StageTransitionError(_REFUSALS[current, target])
    allowed = "; ".join(
        f"{nxt.value.replace('_', ' ')} when {why}" for nxt, why in _TRANSITIONS[current].items()
    )
    raise StageTransitionError(
        f"A {current.value.replace('_', ' ')} stage cannot become "
        f"{target.value.replace('_', ' ')}. It can become: {allowed}."
    )


# --------------------------------------------------------------------------------------
# Stage budgets
# --------------------------------------------------------------------------------------


class StageBudgetError(ValueError):
    """Stage budgets that do not fit the project budget."""


def check_stage_budgets(project_budget: Money, stage_budgets: Sequence[Money]) -> Decimal:
    """Refuse stage budgets that together exceed the project budget; return the headroom.

    The headroom (unallocated project budget) is returned so a form can say how much is
    left to plan. A negative stage budget is refused too: it would hide an overrun.
    """
    budget = money(project_budget)
    amounts = [money(amount) for amount in stage_budgets]
    negative = [index for index, amount in enumerate(amounts, start=1) if amount < 0]
    if negative:
        raise StageBudgetError(
            f"Stage budgets cannot be negative (stage {', '.join(map(str, negative))})."
        )
    total = money(sum(amounts, Decimal(0)))
    if total > budget:
        raise StageBudgetError(
            f"The stages total {format_gbp(total)}, which is {format_gbp(total - budget)} "
            f"over the project budget of {format_gbp(budget)}."
        )
    return money(budget - total)


__all__ = [
    "APPROVED_GATE_STATUSES",
    "BOARD_ROLES",
    "BOOKABLE_STATUSES",
    "DEFAULT_TOLERANCES",
    "EXECUTIVE",
    "FORECAST_STATUSES",
    "OPEN_EXCEPTION_STATUSES",
    "SENIOR_SUPPLIER",
    "SENIOR_USER",
    "STATED_TARGETS",
    "WAITING_FOR_BOARD",
    "Breach",
    "Dimension",
    "DimensionStatus",
    "ExceptionOutcome",
    "ExceptionResult",
    "ExceptionStatus",
    "ExceptionVote",
    "Forecast",
    "GateBoundaries",
    "GateDecision",
    "GateOutcome",
    "GateStatus",
    "Rag",
    "Regime",
    "SizeTier",
    "StageBudgetError",
    "StagePlan",
    "StageStatus",
    "StageTransitionError",
    "TargetStatus",
    "Tolerances",
    "assess_forecast",
    "authorising_boundary",
    "check_forecast",
    "check_stage_budgets",
    "check_transition",
    "decision_counts_for_combined_roles",
    "gate_boundaries",
    "gate_regime",
    "may_combine",
    "resolve_exception",
    "resolve_gate",
    "role_conflict",
    "size_tier",
    "team_conflicts",
]
