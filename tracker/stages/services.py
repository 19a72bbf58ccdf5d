"""Operations on stages, gates and exceptions: each validates with the stage rules, changes
state, writes its audit entry and flushes. The caller commits.

Decisions lock the record they decide (SELECT … FOR UPDATE on PostgreSQL; SQLite has one
writer at a time) and re-check its state after the lock, so two board members acting at the
same moment both count once and a gate resolves exactly once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tracker.audit import services as audit
from tracker.audit.rules import diff
from tracker.auth.models import User
from tracker.core import events
from tracker.core.errors import RuleError, check_version
from tracker.core.money import CostTolerance, ToleranceStatus
from tracker.db import utcnow
from tracker.extensions import db
from tracker.frameworks import services as frameworks
from tracker.frameworks.rules import FallsAt, deciding_roles
from tracker.notifications import events as notifications
from tracker.projects import access, lifecycle
from tracker.projects.models import Project
from tracker.projects.rules import (
    FINISHED_STATUSES,
    PROJECT_ROLES,
    Mover,
    ProjectStatus,
    size_tier,
)
from tracker.registers import reports as registers
from tracker.stages import access as stage_access
from tracker.stages import rules
from tracker.stages.models import (
    EXCEPTION_DECISIONS,
    GATE_DECISIONS,
    STATED_TARGETS,
    ExceptionDecision,
    ExceptionOption,
    ExceptionReport,
    GateDecision,
    GateReview,
    HighlightReport,
    Stage,
)
from tracker.stages.rules import (
    APPROVED_GATE_STATUSES,
    BOOKABLE_STATUSES,
    FORECAST_STATUSES,
    OPEN_EXCEPTION_STATUSES,
    ExceptionStatus,
    ExceptionVote,
    GateStatus,
    Rag,
    StageStatus,
)

STAGED_METHODS = ("stage_gated", "hybrid")
CLOSED_PROJECT_STATUSES = FINISHED_STATUSES
"""Kept under this name for the pages that import it from here."""


# --------------------------------------------------------------------------------------
# Reading the project's governance
# --------------------------------------------------------------------------------------


def role_label(role: str) -> str:
    return PROJECT_ROLES.get(role, role.replace("_", " ").capitalize())


def project_tier(project: Project) -> str:
    config = current_app.config
    return size_tier(
        project.budget_at_completion, config["TIER_SMALL_BELOW"], config["TIER_LARGE_ABOVE"]
    )


def regime_for(project: Project) -> rules.Regime:
    """The tailoring the project's framework version gives it (the built-in table when it
    has none recorded)."""
    return frameworks.regime_for(project, project_tier(project))


def default_tolerances(project: Project) -> rules.Tolerances:
    return rules.DEFAULT_TOLERANCES[rules.SizeTier(project_tier(project))]


def tolerances_of(stage: Stage) -> rules.Tolerances:
    cost = (
        CostTolerance(percent=stage.cost_tolerance_percent)
        if stage.cost_tolerance_percent is not None
        else CostTolerance(amount=stage.cost_tolerance_amount)
    )
    return rules.Tolerances(
        stage.time_tolerance_days,
        cost,
        **{name: getattr(stage, f"{name}_target") for name in STATED_TARGETS},
    )


def plan_of(stage: Stage) -> rules.StagePlan:
    return rules.StagePlan(stage.planned_start, stage.planned_finish, stage.planned_budget)


def target_statuses(stage: Stage) -> dict[rules.Dimension, rules.TargetStatus]:
    return {
        rules.Dimension(name): rules.TargetStatus(getattr(stage, f"{name}_status"))
        for name in STATED_TARGETS
    }


def forecast_of(stage: Stage) -> rules.Forecast:
    """The stage's latest forecast; without one, the plan itself (nothing says otherwise)."""
    return rules.Forecast(
        stage.forecast_finish or stage.planned_finish,
        stage.forecast_cost if stage.forecast_cost is not None else stage.planned_budget,
        target_statuses(stage),
    )


def tolerance_status(stage: Stage) -> list[rules.DimensionStatus]:
    return rules.assess_forecast(plan_of(stage), forecast_of(stage), tolerances_of(stage))


def stages_of(project: Project) -> list[Stage]:
    return list(
        db.session.scalars(
            select(Stage).where(Stage.project_id == project.id).order_by(Stage.sequence)
        )
    )


def require_staged(project: Project) -> None:
    if project.delivery_method not in STAGED_METHODS:
        method = (project.delivery_method or "not yet decided").replace("_", " ")
        raise RuleError(
            "Only stage-gated and hybrid projects have stages and gates. This project's "
            f"delivery method is {method}: record a stage-gated or hybrid method decision first."
        )


def require_open(project: Project) -> None:
    if project.status in CLOSED_PROJECT_STATUSES:
        raise RuleError("This project is closed: nothing more can be planned or decided.")


def members_with_roles(project: Project, roles) -> dict[str, list[User]]:
    """Who holds each of ``roles`` on the project (active people, by name)."""
    return access.team(project.id).holders_by_role(roles)


def roles_held(user: User, project: Project) -> set[str]:
    return set(access.team(project.id).roles_of(user.id))


def require_roles_filled(project: Project, roles) -> None:
    held = members_with_roles(project, roles)
    unfilled = [role for role in roles if not held[role]]
    if unfilled:
        names = " and ".join(role_label(role) for role in unfilled)
        verb = "is" if len(unfilled) == 1 else "are"
        raise RuleError(
            f"The {names} role {verb} not filled on this project. This project's governance "
            f"needs a decision from the {names}: add a person with that role to the project "
            "team first."
        )


def check_booking(stage: Stage) -> None:
    """Time and cost may be booked only to an authorised stage (used by work and cost
    logging)."""
    if stage.status not in BOOKABLE_STATUSES:
        raise RuleError(
            f"{stage.label} is {stage.status.replace('_', ' ')}: time and cost can be booked "
            "only to a stage its gate has authorised and that has not closed.",
            "stage_id",
        )


def _lock(model, record_id: int):
    """Re-read a record under a row lock, replacing whatever the session held."""
    return db.session.scalars(
        select(model)
        .where(model.id == record_id)
        .with_for_update(of=model)
        .execution_options(populate_existing=True)
    ).one()


# --------------------------------------------------------------------------------------
# Stages
# --------------------------------------------------------------------------------------


@dataclass
class StageData:
    name: str
    planned_start: date
    planned_finish: date
    planned_budget: Decimal
    time_tolerance_days: int
    cost_tolerance_kind: str  # "percent" or "amount"
    cost_tolerance_value: Decimal
    scope_target: str
    quality_target: str
    risk_target: str
    benefit_target: str
    sustainability_target: str


def stage_defaults(project: Project) -> dict:
    """Form defaults for a new stage: the size tier's tolerances, dates after the last stage."""
    tolerances = default_tolerances(project)
    cost = tolerances.cost
    defaults = {
        "time_tolerance_days": tolerances.time_days,
        "cost_tolerance_kind": "percent" if cost.percent is not None else "amount",
        "cost_tolerance_value": cost.percent if cost.percent is not None else cost.amount,
        **{f"{name}_target": tolerances.target(rules.Dimension(name)) for name in STATED_TARGETS},
    }
    return defaults


def _snapshot(stage: Stage) -> dict:
    return {
        "name": stage.name,
        "planned_start": stage.planned_start,
        "planned_finish": stage.planned_finish,
        "planned_budget": stage.planned_budget,
        "time_tolerance_days": stage.time_tolerance_days,
        "cost_tolerance_percent": stage.cost_tolerance_percent,
        "cost_tolerance_amount": stage.cost_tolerance_amount,
        **{f"{name}_target": getattr(stage, f"{name}_target") for name in STATED_TARGETS},
        "status": stage.status,
    }


def _check_stage(project: Project, data: StageData, stage: Stage | None) -> None:
    if not data.name or not data.name.strip():
        raise RuleError("Enter a stage name", "name")
    if data.planned_finish < data.planned_start:
        raise RuleError(
            "Planned finish must be the same as or after the planned start", "planned_finish"
        )
    if data.planned_start < project.planned_start:
        raise RuleError(
            "Planned start must not be before the project starts "
            f"({project.planned_start:%d/%m/%Y})",
            "planned_start",
        )
    if data.time_tolerance_days < 0:
        raise RuleError("Time tolerance must be 0 days or more", "time_tolerance_days")
    if data.cost_tolerance_kind not in ("percent", "amount"):
        raise RuleError("Choose whether cost tolerance is a percent or an amount", "cost_kind")
    if data.cost_tolerance_value is None or data.cost_tolerance_value < 0:
        raise RuleError("Cost tolerance must be 0 or more", "cost_tolerance_value")
    if data.cost_tolerance_kind == "percent" and data.cost_tolerance_value > 100:
        raise RuleError("Cost tolerance must be 100% or less", "cost_tolerance_value")
    others = [s for s in stages_of(project) if stage is None or s.id != stage.id]
    sequence = stage.sequence if stage is not None else len(others) + 1
    before = [s for s in others if s.sequence < sequence]
    after = [s for s in others if s.sequence > sequence]
    if before and data.planned_start <= before[-1].planned_finish:
        raise RuleError(
            f"Planned start must be after {before[-1].label} finishes "
            f"({before[-1].planned_finish:%d/%m/%Y}): stages run one after another",
            "planned_start",
        )
    if after and data.planned_finish >= after[0].planned_start:
        raise RuleError(
            f"Planned finish must be before {after[0].label} starts "
            f"({after[0].planned_start:%d/%m/%Y}): stages run one after another",
            "planned_finish",
        )
    try:
        rules.check_stage_budgets(
            project.budget_at_completion,
            [s.planned_budget for s in others] + [data.planned_budget],
        )
    except rules.StageBudgetError as error:
        raise RuleError(str(error), "planned_budget") from None


def _apply(stage: Stage, data: StageData) -> None:
    stage.name = data.name.strip()
    stage.planned_start = data.planned_start
    stage.planned_finish = data.planned_finish
    stage.planned_budget = data.planned_budget
    stage.time_tolerance_days = data.time_tolerance_days
    if data.cost_tolerance_kind == "percent":
        stage.cost_tolerance_percent, stage.cost_tolerance_amount = data.cost_tolerance_value, None
    else:
        stage.cost_tolerance_percent, stage.cost_tolerance_amount = None, data.cost_tolerance_value
    for name in STATED_TARGETS:
        setattr(stage, f"{name}_target", getattr(data, f"{name}_target").strip())


def _start_gate_approved(project: Project) -> bool:
    return (
        db.session.scalar(
            select(func.count(GateReview.id)).where(
                GateReview.project_id == project.id,
                GateReview.boundary == 0,
                GateReview.status.in_(APPROVED_GATE_STATUSES),
            )
        )
        > 0
    )


def create_stage(project: Project, data: StageData, *, actor: User) -> Stage:
    require_staged(project)
    require_open(project)
    # Serialise stage planning on this project, so two managers adding stages at once cannot
    # together overspend the project budget or take the same sequence number.
    project = _lock(Project, project.id)
    if regime_for(project).gates is rules.GateBoundaries.START_AND_CLOSE and _start_gate_approved(
        project
    ):
        raise RuleError(
            "The start gate authorised this project's whole stage plan, so a stage cannot be "
            "added now. Raise an exception report if the plan must change."
        )
    _check_stage(project, data, None)
    stage = Stage(
        project_id=project.id, sequence=len(stages_of(project)) + 1, status=StageStatus.PLANNED
    )
    _apply(stage, data)
    db.session.add(stage)
    db.session.flush()
    audit.record(
        "stage.created",
        stage,
        project_id=project.id,
        summary=f"Planned {stage.label}",
        changes=diff({}, _snapshot(stage)),
        actor=actor,
    )
    return stage


def update_stage(stage: Stage, data: StageData, *, version: int | None, actor: User) -> Stage:
    check_version(stage, version)
    project = stage.project
    require_staged(project)
    require_open(project)
    if stage.status != StageStatus.PLANNED:
        raise RuleError(
            f"{stage.label} is {stage.status.replace('_', ' ')}: its gate has authorised the "
            "plan, so it changes only through an exception plan the board approves."
        )
    _lock(Project, project.id)
    _check_stage(project, data, stage)
    before = _snapshot(stage)
    _apply(stage, data)
    changes = diff(before, _snapshot(stage))
    if changes:
        db.session.flush()
        audit.record(
            "stage.updated",
            stage,
            project_id=project.id,
            summary=f"Changed the plan of {stage.label}",
            changes=changes,
            actor=actor,
        )
    return stage


def _transition(stage: Stage, target: str, *, closing_project: bool = False) -> str:
    before = stage.status
    try:
        stage.status = rules.check_transition(
            stage.status, target, closing_project=closing_project
        ).value
    except rules.StageTransitionError as error:
        raise RuleError(f"{stage.label}: {error}") from None
    return before


def start_stage(stage: Stage, *, version: int | None, actor: User) -> Stage:
    check_version(stage, version)
    require_open(stage.project)
    previous = [s for s in stages_of(stage.project) if s.sequence == stage.sequence - 1]
    if previous and previous[0].status != StageStatus.CLOSED:
        raise RuleError(f"{stage.label} can start only after {previous[0].label} has closed.")
    before = _transition(stage, StageStatus.ACTIVE)
    db.session.flush()
    audit.record(
        "stage.started",
        stage,
        project_id=stage.project_id,
        summary=f"Started {stage.label}",
        changes={"status": [before, stage.status]},
        actor=actor,
    )
    return stage


def close_stage(stage: Stage, *, version: int | None, actor: User) -> Stage:
    """Close a stage whose end has no gate (start-and-close governance, between stages)."""
    check_version(stage, version)
    require_open(stage.project)
    count = len(stages_of(stage.project))
    if stage.sequence in rules.gate_boundaries(regime_for(stage.project), count):
        raise RuleError(
            f"The end of {stage.label} has a gate: request a gate decision to close it."
        )
    before = _transition(stage, StageStatus.CLOSED)
    db.session.flush()
    audit.record(
        "stage.closed",
        stage,
        project_id=stage.project_id,
        summary=f"Closed {stage.label}",
        changes={"status": [before, stage.status]},
        actor=actor,
    )
    return stage


def apply_forecast(
    stage: Stage,
    *,
    finish: date,
    cost: Decimal,
    targets: dict[str, str],
    actor: User | None,
    source: str = "manager",
) -> list[rules.Breach]:
    """Record a forecast and judge it against the stage's tolerances.

    The one tolerance check for stages: the manager's forecast and (later) budget
    checkpoints both come through here. A breach puts an active stage in exception.
    """
    if stage.status not in FORECAST_STATUSES:
        raise RuleError(
            f"{stage.label} is {stage.status.replace('_', ' ')}: forecasts are recorded for a "
            "stage that is under way."
        )
    if cost < 0:
        raise RuleError("Forecast cost must be £0 or more", "cost")
    for name in STATED_TARGETS:
        if targets.get(name) not in {status.value for status in rules.TargetStatus}:
            raise RuleError(f"Choose a status for the {name} target", f"{name}_status")
    before = {
        "forecast_finish": stage.forecast_finish,
        "forecast_cost": stage.forecast_cost,
        **{f"{n}_status": getattr(stage, f"{n}_status") for n in STATED_TARGETS},
        "status": stage.status,
    }
    stage.forecast_finish, stage.forecast_cost, stage.forecast_at = finish, cost, utcnow()
    for name in STATED_TARGETS:
        setattr(stage, f"{name}_status", targets[name])
    breaches = rules.check_forecast(plan_of(stage), forecast_of(stage), tolerances_of(stage))
    if breaches and stage.status == StageStatus.ACTIVE:
        _transition(stage, StageStatus.IN_EXCEPTION)
    after = {
        "forecast_finish": stage.forecast_finish,
        "forecast_cost": stage.forecast_cost,
        **{f"{n}_status": getattr(stage, f"{n}_status") for n in STATED_TARGETS},
        "status": stage.status,
    }
    db.session.flush()
    summary = f"Recorded a forecast for {stage.label}"
    if breaches:
        summary += ": breaches " + ", ".join(b.dimension.value for b in breaches) + " tolerance"
    audit.record(
        "stage.forecast",
        stage,
        project_id=stage.project_id,
        summary=summary,
        changes={**diff(before, after), "source": source},
        actor=actor,
    )
    return breaches


def record_forecast(
    stage: Stage,
    *,
    finish: date,
    cost: Decimal,
    targets: dict[str, str],
    version: int | None,
    actor: User,
) -> list[rules.Breach]:
    check_version(stage, version)
    require_open(stage.project)
    return apply_forecast(stage, finish=finish, cost=cost, targets=targets, actor=actor)


# --------------------------------------------------------------------------------------
# Gates
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NextGate:
    boundary: int
    round: int
    closes: Stage | None
    authorises: tuple[Stage, ...]
    roles: tuple[str, ...]
    regime: rules.Regime
    template: frameworks.GateToPass | None = None

    @property
    def title(self) -> str:
        title = boundary_title(self.boundary, self.closes, self.authorises)
        if self.template is None:
            return title
        return f"{self.template.template.name} ({title[0].lower()}{title[1:]})"


def boundary_title(boundary: int, closes: Stage | None, authorises) -> str:
    if boundary == 0:
        return "Start gate: authorise " + (
            "the stage plan" if len(authorises) > 1 else (authorises[0].label if authorises else "")
        )
    if closes is not None and not authorises:
        return f"Closing gate: end of {closes.label} and the project"
    if closes is not None and authorises:
        return f"End of {closes.label}: authorise {authorises[0].label}"
    return f"Gate at boundary {boundary}"


def gate_title(gate: GateReview) -> str:
    authorises = [gate.authorises_stage] if gate.authorises_stage else []
    if gate.boundary == 0 and gate.authorises_stage is None:
        authorises = [None, None]  # the whole plan
    title = boundary_title(gate.boundary, gate.closes_stage, authorises)
    return title + (f" (round {gate.round})" if gate.round > 1 else "")


def next_gate(project: Project) -> NextGate:
    """The gate the manager may request now, or a RuleError saying why none can be."""
    require_staged(project)
    require_open(project)
    stages = stages_of(project)
    if not stages:
        raise RuleError("Plan at least one stage before asking for a gate decision.")
    gates = list(db.session.scalars(select(GateReview).where(GateReview.project_id == project.id)))
    pending = [g for g in gates if g.status == GateStatus.PENDING]
    if pending:
        raise RuleError(
            f"A gate is already waiting for the board's decision ({gate_title(pending[0])})."
        )
    # Domains above answer (docs/architecture.md): conditions of an earlier gate still open.
    for reason in events.send(events.gate_request_blockers, project):
        if reason:
            raise RuleError(reason)
    regime = regime_for(project)
    boundaries = rules.gate_boundaries(regime, len(stages))
    approved = {g.boundary for g in gates if g.status in APPROVED_GATE_STATUSES}
    remaining = [b for b in boundaries if b not in approved]
    if not remaining:
        raise RuleError("Every gate for this project's stage plan has been approved.")
    boundary = remaining[0]
    closes = stages[boundary - 1] if boundary >= 1 else None
    if closes is not None and closes.status != StageStatus.ACTIVE:
        if closes.status == StageStatus.IN_EXCEPTION:
            raise RuleError(
                f"{closes.label} is in exception: the board must decide its exception report "
                "before its end-stage gate."
            )
        raise RuleError(
            f"The next gate is at the end of {closes.label}, which is "
            f"{closes.status.replace('_', ' ')}: a gate can be requested once the stage is active."
        )
    if regime.gates is rules.GateBoundaries.START_AND_CLOSE:
        authorises = tuple(stages) if boundary == 0 else ()
    else:
        authorises = (stages[boundary],) if boundary < len(stages) else ()
    rounds = [g.round for g in gates if g.boundary == boundary]
    template = gate_template(project, boundary, len(stages))
    roles = regime.approver_roles
    if template is not None:
        roles = deciding_roles(template.template, project_tier(project), project.criticality)
    return NextGate(
        boundary=boundary,
        round=max(rounds, default=0) + 1,
        closes=closes,
        authorises=authorises,
        roles=roles or regime.approver_roles,
        regime=regime,
        template=template,
    )


def gate_template(project: Project, boundary: int, stage_count: int):
    """The framework's template for the gate at ``boundary``: the start gate, the closing
    gate, or the ``boundary``-th stage boundary's."""
    if boundary == 0:
        return frameworks.gate_for(project, FallsAt.PROJECT_START)
    if boundary >= stage_count:
        return frameworks.gate_for(project, FallsAt.CLOSURE)
    return frameworks.gate_for(project, FallsAt.STAGE_BOUNDARY, boundary)


@dataclass
class GateRequestData:
    delivered_vs_plan: str
    forecast: str
    lessons: str
    next_stage_plan: str
    business_case_justified: bool


def request_gate(project: Project, data: GateRequestData, *, actor: User) -> GateReview:
    project = _lock(Project, project.id)
    planned = next_gate(project)
    require_roles_filled(project, planned.roles)
    frameworks.check_gate_ready(project, planned.template)
    for name, label in (
        ("delivered_vs_plan", "what was delivered against the plan"),
        ("forecast", "the forecast"),
        ("lessons", "the lessons learned"),
        ("next_stage_plan", "the plan for what comes next"),
    ):
        if not (getattr(data, name) or "").strip():
            raise RuleError(f"Enter {label}", name)
    gate = GateReview(
        project_id=project.id,
        boundary=planned.boundary,
        round=planned.round,
        closes_stage_id=planned.closes.id if planned.closes else None,
        # Under start-and-close governance the start gate authorises every stage: no one stage.
        authorises_stage_id=planned.authorises[0].id if len(planned.authorises) == 1 else None,
        requested_by_id=actor.id,
        requested_at=utcnow(),
        delivered_vs_plan=data.delivered_vs_plan.strip(),
        forecast=data.forecast.strip(),
        lessons=data.lessons.strip(),
        next_stage_plan=data.next_stage_plan.strip(),
        registers=_registers_since(project.id, GateReview.requested_at, GateReview),
        business_case_justified=bool(data.business_case_justified),
        required_roles=",".join(planned.roles),
        status=GateStatus.PENDING,
    )
    db.session.add(gate)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise RuleError("A gate is already waiting for the board's decision.") from None
    audit.record(
        "gate.requested",
        gate,
        project_id=project.id,
        summary=f"Requested a gate decision: {planned.title}",
        changes={
            "boundary": planned.boundary,
            "round": planned.round,
            "required_roles": list(planned.roles),
            "business_case_justified": gate.business_case_justified,
        },
        actor=actor,
    )
    notifications.gate_requested(gate)
    # The board freezes its pack as requested (docs/architecture.md).
    events.send(events.gate_requested, gate, actor=actor)
    return gate


def undecided_roles(user: User, gate: GateReview) -> list[str]:
    """The gate's required roles this person holds and may still decide as."""
    return stage_access.undecided_gate_roles(user, gate)


def decide_gate(
    gate: GateReview, *, role: str, decision: str, comment: str, actor: User
) -> GateReview:
    """Record one role's decision and resolve the gate if it is now decided."""
    if decision not in GATE_DECISIONS:
        raise RuleError("Choose approve, approve with conditions or reject", "decision")
    comment = (comment or "").strip()
    if decision == rules.GateDecision.APPROVE_WITH_CONDITIONS and not comment:
        raise RuleError("Enter the conditions of your approval", "comment")
    if decision == rules.GateDecision.REJECT and not comment:
        raise RuleError("Enter the reason for rejecting the gate", "comment")
    # Lock order everywhere: project, then the record decided. Two approvers deciding at
    # once queue here; the second sees the first's decision once it is committed.
    _lock(Project, gate.project_id)
    gate = _lock(GateReview, gate.id)
    if role not in gate.roles:
        raise RuleError("Choose the board role you are deciding as", "role")
    if role not in roles_held(actor, gate.project):
        raise RuleError(f"You do not hold the {role_label(role)} role on this project", "role")
    if gate.status != GateStatus.PENDING:
        raise RuleError(
            "This gate has already been decided "
            f"({gate.status.replace('_', ' ')}): your decision was not recorded."
        )
    existing = db.session.scalars(
        select(GateDecision).where(GateDecision.gate_id == gate.id, GateDecision.role == role)
    ).first()
    if existing is not None:
        raise RuleError(
            f"The {role_label(role)} has already decided this gate "
            f"({existing.decided_by.name}, {GATE_DECISIONS[existing.decision].lower()}): "
            "a role decides once."
        )
    refusal = stage_access.gate_refusal(actor, gate)
    if refusal is not None:
        raise RuleError(refusal)
    closes = gate.closes_stage
    if (
        decision != rules.GateDecision.REJECT
        and closes is not None
        and closes.status == StageStatus.IN_EXCEPTION
    ):
        raise RuleError(
            f"{closes.label} went into exception after this gate was requested: the board must "
            "decide its exception report first. You can still reject the gate."
        )
    # Where the tailoring lets one person hold two required roles and count for both, their
    # one decision is recorded for each; otherwise it counts once, for the role chosen.
    roles = [role]
    if stage_access.counts_for_each_role(gate.project):
        roles += [r for r in stage_access.undecided_gate_roles(actor, gate) if r != role]
    for each in roles:
        record = GateDecision(
            gate_id=gate.id,
            role=each,
            decided_by_id=actor.id,
            decision=decision,
            comment=comment,
            decided_at=utcnow(),
        )
        db.session.add(record)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise RuleError(
            f"The {role_label(role)} has already decided this gate: a role decides once."
        ) from None
    audit.record(
        "gate.decided",
        record,
        project_id=gate.project_id,
        summary=f"{role_label(role)} decided “{GATE_DECISIONS[decision].lower()}” on "
        f"{gate_title(gate)}",
        changes={
            "gate_id": gate.id,
            "role": role if len(roles) == 1 else roles,
            "decision": decision,
            "comment": comment,
        },
        actor=actor,
    )
    db.session.expire(gate, ["decisions"])
    _resolve(gate, actor)
    return gate


def _resolve(gate: GateReview, actor: User) -> None:
    outcome = rules.resolve_gate(gate.roles, [(d.role, d.decision) for d in gate.decisions])
    if not outcome.is_resolved:
        return
    gate.status = outcome.status.value
    gate.resolved_at = utcnow()
    gate.outcome_note = outcome.message
    conditions = [
        f"{role_label(d.role)}: {d.comment}"
        for d in gate.decisions
        if d.decision == rules.GateDecision.APPROVE_WITH_CONDITIONS
    ]
    gate.conditions = "\n".join(conditions) or None
    effects: dict[str, list] = {}
    moved = None
    if outcome.status is not rules.GateStatus.REJECTED:
        if gate.closes_stage is not None:
            before = _transition(gate.closes_stage, StageStatus.CLOSED)
            effects[gate.closes_stage.label] = [before, StageStatus.CLOSED]
        if gate.boundary == 0 and gate.authorises_stage_id is None:
            authorised = [s for s in stages_of(gate.project) if s.status == StageStatus.PLANNED]
        else:
            authorised = [gate.authorises_stage] if gate.authorises_stage else []
        for stage in authorised:
            before = _transition(stage, StageStatus.AUTHORISED)
            effects[stage.label] = [before, StageStatus.AUTHORISED]
        moved = _project_moved_by(gate, closing=gate.closes_stage is not None and not authorised)
        if moved is not None:
            effects["project"] = [gate.project.status, moved[0].value]
    db.session.flush()
    audit.record(
        "gate.resolved",
        gate,
        project_id=gate.project_id,
        summary=f"{gate_title(gate)}: {outcome.message}",
        changes={"status": [GateStatus.PENDING, gate.status], **effects},
        actor=actor,
    )
    if moved is not None:
        lifecycle.move(
            gate.project,
            moved[0],
            mover=moved[1],
            actor=actor,
            decision=f"{gate_title(gate)}: {outcome.message}",
            refs={"gate_id": gate.id},
        )
    notifications.gate_resolved(gate)
    if gate.status in APPROVED_GATE_STATUSES:
        # Budget takes its gate checkpoint (docs/architecture.md), in this transaction.
        events.send(events.gate_approved, gate, actor=actor)
    # The board freezes its pack as resolved, after the approval's own effects.
    events.send(events.gate_resolved, gate, actor=actor)


def _project_moved_by(gate: GateReview, *, closing: bool):
    """The project status an approved gate moves the project to, and why: the closing gate
    closes it; the start gate starts a proposed project. None when the project stays."""
    if closing:
        return ProjectStatus.CLOSED, Mover.CLOSING_GATE
    if gate.boundary == 0 and gate.project.status == ProjectStatus.PROPOSED:
        return ProjectStatus.ACTIVE, Mover.START_GATE
    return None


def close_project_early(
    project: Project,
    *,
    reason: str,
    actor: User,
    gate: GateReview | None = None,
    exception: ExceptionReport | None = None,
) -> Project:
    """The Executive closes the project at a gate or on an exception: stages close, waiting
    gates and exceptions are closed with it."""
    reason = (reason or "").strip()
    if not reason:
        raise RuleError("Enter the reason for closing the project early", "reason")
    project = _lock(Project, project.id)
    require_open(project)
    refusal = stage_access.close_early_refusal(actor, project)
    if refusal is not None:
        raise RuleError(refusal)
    if gate is not None:
        gate = _lock(GateReview, gate.id)
        if gate.status != GateStatus.PENDING:
            raise RuleError(
                "This gate has already been decided "
                f"({gate.status.replace('_', ' ')}): the project was not closed."
            )
    now = utcnow()
    closed_stages = []
    for stage in stages_of(project):
        if stage.status != StageStatus.CLOSED:
            _transition(stage, StageStatus.CLOSED, closing_project=True)
            closed_stages.append(stage.label)
    for waiting in db.session.scalars(
        select(GateReview).where(
            GateReview.project_id == project.id, GateReview.status == GateStatus.PENDING
        )
    ):
        waiting.status, waiting.resolved_at = GateStatus.CLOSED_EARLY, now
        waiting.outcome_note = f"The Executive closed the project early: {reason}"
    closed_reports = list(
        db.session.scalars(
            select(ExceptionReport).where(
                ExceptionReport.project_id == project.id,
                ExceptionReport.status.in_(OPEN_EXCEPTION_STATUSES),
            )
        )
    )
    for report in closed_reports:
        report.status, report.decision = ExceptionStatus.DECIDED, ExceptionVote.CLOSE_PROJECT
        report.decided_by_id, report.decided_role, report.decided_at = actor.id, "executive", now
        report.decision_comment = reason
    before = lifecycle.move(
        project,
        ProjectStatus.CLOSED_EARLY,
        mover=Mover.EARLY_CLOSURE,
        actor=actor,
        decision=f"the Executive closed the project early: {reason}",
        refs={
            "gate_id": gate.id if gate is not None else None,
            "exception_id": exception.id if exception is not None else None,
        },
    )
    audit.record(
        "project.closed_early",
        project,
        project_id=project.id,
        summary=f"Closed the project early: {reason}",
        changes={
            "status": [before, ProjectStatus.CLOSED_EARLY],
            "stages_closed": closed_stages,
            "gate_id": gate.id if gate is not None else None,
            "exception_id": exception.id if exception is not None else None,
        },
        actor=actor,
    )
    for report in closed_reports:
        events.send(events.exception_decided, report, actor=actor)
    return project


# --------------------------------------------------------------------------------------
# Highlight reports
# --------------------------------------------------------------------------------------


@dataclass
class HighlightData:
    period_start: date
    period_end: date
    overall_status: str
    this_period: str
    next_period: str
    issues_and_risks: str


def current_stage(project: Project) -> Stage | None:
    """The stage under way, or else the next authorised one."""
    stages = stages_of(project)
    for wanted in (FORECAST_STATUSES, (StageStatus.AUTHORISED,)):
        for stage in stages:
            if stage.status in wanted:
                return stage
    return None


def _registers_since(project_id: int, column, model) -> str:
    """The registers' section for a report, since the project's last report of ``model``
    (its time ``column``): new and closed risks since then, top risks and open issues now."""
    since = db.session.scalar(select(func.max(column)).where(model.project_id == project_id))
    return json.dumps(registers.section(project_id, since))


def create_highlight(project: Project, data: HighlightData, *, actor: User) -> HighlightReport:
    require_staged(project)
    require_open(project)
    if data.period_end < data.period_start:
        raise RuleError("Period end must be the same as or after the period start", "period_end")
    if data.overall_status not in tuple(Rag):
        raise RuleError("Choose the overall status", "overall_status")
    for name, label in (
        ("this_period", "what happened this period"),
        ("next_period", "what is planned for next period"),
    ):
        if not (getattr(data, name) or "").strip():
            raise RuleError(f"Enter {label}", name)
    stage = current_stage(project)
    statuses = (
        [
            {
                "dimension": s.dimension.value,
                "status": s.status.value,
                "limit": s.limit,
                "forecast": s.forecast,
            }
            for s in tolerance_status(stage)
        ]
        if stage is not None
        else []
    )
    report = HighlightReport(
        project_id=project.id,
        stage_id=stage.id if stage else None,
        period_start=data.period_start,
        period_end=data.period_end,
        overall_status=data.overall_status,
        this_period=data.this_period.strip(),
        next_period=data.next_period.strip(),
        issues_and_risks=(data.issues_and_risks or "").strip(),
        registers=_registers_since(project.id, HighlightReport.reported_at, HighlightReport),
        tolerance_status=json.dumps(statuses),
        reported_by_id=actor.id,
        reported_at=utcnow(),
    )
    db.session.add(report)
    db.session.flush()
    audit.record(
        "highlight.sent",
        report,
        project_id=project.id,
        summary=f"Sent a highlight report for {data.period_start:%d/%m/%Y} to "
        f"{data.period_end:%d/%m/%Y} ({data.overall_status})",
        changes={"overall_status": data.overall_status, "stage_id": report.stage_id},
        actor=actor,
    )
    notifications.highlight_sent(report, project)
    return report


def highlight_tolerances(report: HighlightReport) -> list[dict]:
    return json.loads(report.tolerance_status or "[]")


# --------------------------------------------------------------------------------------
# Exceptions
# --------------------------------------------------------------------------------------


@dataclass
class OptionData:
    summary: str
    cost_effect: str
    time_effect: str
    risk_effect: str


@dataclass
class ExceptionData:
    cause: str
    consequences: str
    options: list[OptionData]
    recommended_option: int | None
    recommendation: str


def open_exception(stage: Stage) -> ExceptionReport | None:
    return db.session.scalars(
        select(ExceptionReport).where(
            ExceptionReport.stage_id == stage.id,
            ExceptionReport.status.in_(OPEN_EXCEPTION_STATUSES),
        )
    ).first()


def raise_exception(stage: Stage, data: ExceptionData, *, actor: User) -> ExceptionReport:
    project = _lock(Project, stage.project_id)
    require_open(project)
    stage = _lock(Stage, stage.id)
    if stage.status != StageStatus.IN_EXCEPTION:
        raise RuleError(
            f"{stage.label} is not in exception: an exception report is raised when a forecast "
            "breaches a tolerance."
        )
    if open_exception(stage) is not None:
        raise RuleError(f"{stage.label} already has an exception report waiting for the board.")
    roles = regime_for(project).approver_roles
    require_roles_filled(project, roles)
    for name, label in (
        ("cause", "the cause of the exception"),
        ("consequences", "the consequences"),
        ("recommendation", "your recommendation"),
    ):
        if not (getattr(data, name) or "").strip():
            raise RuleError(f"Enter {label}", name)
    options = [o for o in data.options if any(vars(o).values())]
    if not options:
        raise RuleError("Describe at least one option", "option_1_summary")
    for number, option in enumerate(data.options, start=1):
        if option in options:
            for part, label in (
                ("summary", "what option {n} is"),
                ("cost_effect", "option {n}'s effect on cost"),
                ("time_effect", "option {n}'s effect on time"),
                ("risk_effect", "option {n}'s effect on risk"),
            ):
                if not getattr(option, part).strip():
                    raise RuleError(f"Enter {label.format(n=number)}", f"option_{number}_{part}")
    numbers = [n for n, o in enumerate(data.options, start=1) if o in options]
    if data.recommended_option is not None and data.recommended_option not in numbers:
        raise RuleError("Recommend one of the options you described", "recommended_option")
    breaches = rules.check_forecast(plan_of(stage), forecast_of(stage), tolerances_of(stage))
    report = ExceptionReport(
        project_id=project.id,
        stage_id=stage.id,
        raised_by_id=actor.id,
        raised_at=utcnow(),
        breaches="\n".join(b.message for b in breaches) or "No breach in the latest forecast.",
        cause=data.cause.strip(),
        consequences=data.consequences.strip(),
        recommendation=data.recommendation.strip(),
        registers=_registers_since(project.id, HighlightReport.reported_at, HighlightReport),
        recommended_option=data.recommended_option,
        required_roles=",".join(roles),
        status=ExceptionStatus.OPEN,
    )
    for number, option in zip(numbers, options, strict=True):
        report.options.append(
            ExceptionOption(
                number=number,
                summary=option.summary.strip(),
                cost_effect=option.cost_effect.strip(),
                time_effect=option.time_effect.strip(),
                risk_effect=option.risk_effect.strip(),
            )
        )
    db.session.add(report)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise RuleError(
            f"{stage.label} already has an exception report waiting for the board."
        ) from None
    audit.record(
        "exception.raised",
        report,
        project_id=project.id,
        summary=f"Raised an exception report on {stage.label}",
        changes={"breaches": report.breaches, "options": numbers},
        actor=actor,
    )
    notifications.exception_raised(report, project)
    events.send(events.exception_raised, report, actor=actor)
    return report


def exception_outcome(report: ExceptionReport) -> rules.ExceptionOutcome:
    """Where the report's current round of board decisions stands."""
    return rules.resolve_exception(
        report.roles,
        [(d.role, d.decision, d.option) for d in report.decisions if d.round == report.round],
        plan_submitted=report.status == ExceptionStatus.PLAN_SUBMITTED,
    )


def decide_exception(
    report: ExceptionReport,
    *,
    decision: str,
    option: int | None,
    comment: str,
    version: int | None,
    actor: User,
) -> ExceptionReport:
    """Record one board role's decision; the report resolves by ``rules.resolve_exception``
    (every required role approves, one request for a plan settles it, the Executive alone
    may close the project)."""
    comment = (comment or "").strip()
    _lock(Project, report.project_id)
    report = _lock(ExceptionReport, report.id)
    check_version(report, version)
    project = report.project
    require_open(project)
    held = roles_held(actor, project) & set(report.roles)
    if not held:
        raise RuleError("Only the board members this exception was raised to can decide it.")
    if report.status == ExceptionStatus.DECIDED:
        raise RuleError("This exception has already been decided: your decision was not recorded.")
    if report.status == ExceptionStatus.PLAN_REQUESTED:
        raise RuleError(
            "The board has asked for an exception plan: it can be decided once the project "
            "manager submits it."
        )
    refusal = stage_access.exception_refusal(actor, report)
    if refusal is not None:
        raise RuleError(refusal)
    allowed = (
        (
            ExceptionVote.APPROVE_EXCEPTION_PLAN,
            ExceptionVote.REQUEST_EXCEPTION_PLAN,
            ExceptionVote.CLOSE_PROJECT,
        )
        if report.status == ExceptionStatus.PLAN_SUBMITTED
        else (
            ExceptionVote.APPROVE_OPTION,
            ExceptionVote.REQUEST_EXCEPTION_PLAN,
            ExceptionVote.CLOSE_PROJECT,
        )
    )
    if decision not in allowed:
        raise RuleError("Choose a decision from the list", "decision")
    if decision == ExceptionVote.CLOSE_PROJECT:
        if "executive" not in held:
            raise RuleError("Only the project's Executive can close the project early.")
        role = "executive"
    else:
        undecided = stage_access.undecided_exception_roles(actor, report)
        role = next(r for r in rules.BOARD_ROLES if r in undecided)
    if decision == ExceptionVote.APPROVE_OPTION and option not in [
        o.number for o in report.options
    ]:
        raise RuleError("Choose the option you approve", "option")
    if decision == ExceptionVote.REQUEST_EXCEPTION_PLAN and not comment:
        raise RuleError("Say what the exception plan must cover", "comment")
    roles = [role]
    if decision != ExceptionVote.CLOSE_PROJECT and stage_access.counts_for_each_role(project):
        roles += [r for r in stage_access.undecided_exception_roles(actor, report) if r != role]
    for each in roles:
        report.decisions.append(
            ExceptionDecision(
                round=report.round,
                role=each,
                decided_by_id=actor.id,
                decision=decision,
                option=option if decision == ExceptionVote.APPROVE_OPTION else None,
                comment=comment,
                decided_at=utcnow(),
            )
        )
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise RuleError(
            f"The {role_label(role)} has already decided this exception: a role decides once."
        ) from None
    stage = report.stage
    if decision == ExceptionVote.CLOSE_PROJECT:
        close_project_early(project, reason=comment, actor=actor, exception=report)
        audit.record(
            "exception.decided",
            report,
            project_id=project.id,
            summary=f"Decided the exception on {report.stage.label}: close the project early",
            changes={"decision": decision, "comment": comment},
            actor=actor,
        )
        return report
    audit.record(
        "exception.decision_recorded",
        report,
        project_id=project.id,
        summary=f"{role_label(role)} decided “{EXCEPTION_DECISIONS[decision].lower()}” on the "
        f"exception on {stage.label}",
        changes={
            "role": role if len(roles) == 1 else roles,
            "decision": decision,
            "option": option if decision == ExceptionVote.APPROVE_OPTION else None,
            "comment": comment,
            "round": report.round,
        },
        actor=actor,
    )
    outcome = exception_outcome(report)
    if not outcome.is_resolved:
        return report
    changes: dict = {"outcome": outcome.message, "resolved_by": list(outcome.resolved_by)}
    result = outcome.result
    if result is rules.ExceptionResult.OPTION_APPROVED:
        report.chosen_option = outcome.option
        report.status = ExceptionStatus.DECIDED
        before = _transition(stage, StageStatus.ACTIVE)
        changes.update(option=outcome.option, stage=[before, stage.status])
        report.decision = ExceptionVote.APPROVE_OPTION
    elif result is rules.ExceptionResult.PLAN_REQUESTED:
        report.status = ExceptionStatus.PLAN_REQUESTED
        report.decision = ExceptionVote.REQUEST_EXCEPTION_PLAN
    else:  # PLAN_APPROVED
        stage = _lock(Stage, stage.id)
        siblings = [s for s in stages_of(project) if s.id != stage.id]
        try:
            rules.check_stage_budgets(
                project.budget_at_completion,
                [s.planned_budget for s in siblings] + [report.plan_budget],
            )
        except rules.StageBudgetError as error:
            raise RuleError(f"The exception plan cannot be approved: {error}") from None
        changes.update(
            planned_finish=[stage.planned_finish, report.plan_finish],
            planned_budget=[stage.planned_budget, report.plan_budget],
        )
        # The exception plan replaces the stage plan; the old forecast was against the old
        # plan, so the manager records a new one.
        stage.planned_finish, stage.planned_budget = report.plan_finish, report.plan_budget
        stage.forecast_finish = stage.forecast_cost = stage.forecast_at = None
        before = _transition(stage, StageStatus.ACTIVE)
        changes["stage"] = [before, stage.status]
        report.status = ExceptionStatus.DECIDED
        report.decision = ExceptionVote.APPROVE_EXCEPTION_PLAN
    report.decision_comment = comment or None
    report.decided_by_id, report.decided_role = actor.id, role
    report.decided_at = utcnow()
    db.session.flush()
    audit.record(
        "exception.decided",
        report,
        project_id=project.id,
        summary=f"Decided the exception on {stage.label}: {outcome.message}",
        changes=changes,
        actor=actor,
    )
    if report.status == ExceptionStatus.DECIDED:
        events.send(events.exception_decided, report, actor=actor)
    return report


def submit_exception_plan(
    report: ExceptionReport,
    *,
    finish: date,
    budget: Decimal,
    summary: str,
    version: int | None,
    actor: User,
) -> ExceptionReport:
    _lock(Project, report.project_id)
    report = _lock(ExceptionReport, report.id)
    check_version(report, version)
    require_open(report.project)
    if report.status != ExceptionStatus.PLAN_REQUESTED:
        raise RuleError("The board has not asked for an exception plan on this exception.")
    summary = (summary or "").strip()
    if not summary:
        raise RuleError("Enter a summary of the exception plan", "summary")
    stage = report.stage
    if finish < stage.planned_start:
        raise RuleError(
            f"The new planned finish must be on or after the stage's start "
            f"({stage.planned_start:%d/%m/%Y})",
            "finish",
        )
    siblings = [s for s in stages_of(report.project) if s.id != stage.id]
    later = [s for s in siblings if s.sequence > stage.sequence]
    if later and finish >= later[0].planned_start:
        raise RuleError(
            f"The new planned finish must be before {later[0].label} starts "
            f"({later[0].planned_start:%d/%m/%Y}); re-plan that stage first",
            "finish",
        )
    try:
        rules.check_stage_budgets(
            report.project.budget_at_completion, [s.planned_budget for s in siblings] + [budget]
        )
    except rules.StageBudgetError as error:
        raise RuleError(str(error), "budget") from None
    report.plan_finish, report.plan_budget, report.plan_summary = finish, budget, summary
    report.plan_submitted_at = utcnow()
    report.plan_submitted_by_id = actor.id
    report.status = ExceptionStatus.PLAN_SUBMITTED
    # A new plan opens a new round: every required role decides it afresh.
    report.round += 1
    db.session.flush()
    audit.record(
        "exception.plan_submitted",
        report,
        project_id=report.project_id,
        summary=f"Submitted an exception plan for {stage.label}",
        changes={"planned_finish": finish, "planned_budget": budget},
        actor=actor,
    )
    return report


def is_breached(status: rules.DimensionStatus) -> bool:
    return status.status is ToleranceStatus.BREACHED
