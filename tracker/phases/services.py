"""Operations on agile phases: set up, started, funded, assessed and checked for spending.
Each writes an audit entry on the project's history; decisions keep the segregation of
duties (whoever requested an assessment never decides it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy import String, case, cast, func, literal, select
from sqlalchemy.exc import IntegrityError

from tracker.agile.models import Iteration
from tracker.audit import services as audit
from tracker.auth.models import User
from tracker.budget import services as budget
from tracker.core import events
from tracker.core.dates import uk_today
from tracker.core.errors import RuleError, check_version
from tracker.db import utcnow
from tracker.extensions import db
from tracker.frameworks import decisions
from tracker.frameworks import services as frameworks
from tracker.frameworks.rules import FallsAt, ItemKind, deciding_roles
from tracker.phases import access as phase_access
from tracker.phases import rules
from tracker.phases.models import (
    AssessmentDecision,
    AssessmentPointResult,
    FundingException,
    Phase,
    ServiceAssessment,
)
from tracker.phases.rules import (
    PHASE_ORDER,
    AssessmentStatus,
    FundingExceptionStatus,
    PhaseKind,
    PhaseStatus,
)
from tracker.projects import access
from tracker.projects.models import Project, ProjectMembership
from tracker.projects.rules import FINISHED_STATUSES, PROJECT_ROLES, ProjectStatus
from tracker.stages.services import project_tier, require_roles_filled


def _lock(model, record_id: int):
    return db.session.scalars(
        select(model)
        .where(model.id == record_id)
        .with_for_update(of=model)
        .execution_options(populate_existing=True)
    ).one()


def phases_of(project: Project) -> list[Phase]:
    return list(
        db.session.scalars(
            select(Phase).where(Phase.project_id == project.id).order_by(Phase.sequence)
        )
    )


def phased_problem(project: Project) -> str | None:
    """Why this project has no phases, or None: agile or hybrid work following a framework
    with phase boundaries (the GDS service phases)."""
    if project.delivery_method not in rules.PHASED_METHODS:
        return "Phases are for agile and hybrid projects."
    governance = frameworks.governance_of(project)
    if governance is None or not any(
        g.falls_at == FallsAt.PHASE_BOUNDARY for g in governance.content.gates
    ):
        return (
            "Phases come from a framework with phase boundaries, such as the GDS service "
            "phases: move the project to one on its framework page first."
        )
    return None


def _require_open(project: Project) -> None:
    if project.status in FINISHED_STATUSES:
        raise RuleError("The project is closed.")


def set_up(project: Project, *, actor: User) -> list[Phase]:
    """Create the five phases, all planned, with no funding released yet."""
    _require_open(project)
    problem = phased_problem(project)
    if problem:
        raise RuleError(problem)
    project = _lock(Project, project.id)
    if phases_of(project):
        raise RuleError("The project's phases are already set up.")
    phases = [
        Phase(project_id=project.id, kind=kind, sequence=index, status=PhaseStatus.PLANNED)
        for index, kind in enumerate(PHASE_ORDER, start=1)
    ]
    db.session.add_all(phases)
    db.session.flush()
    audit.record(
        "phases.set_up",
        project,
        project_id=project.id,
        summary="Set up the phases: discovery, alpha, private beta, public beta, live",
        actor=actor,
    )
    return phases


def release_funding(phase: Phase, amount, *, version: int | None, actor: User) -> Phase:
    """The Executive releases funding to a phase (adds to what it has): never above what
    the project has left. Releasing enough settles an open funding exception."""
    project = _lock(Project, phase.project_id)
    _require_open(project)
    if "executive" not in access.project_roles(actor, project.id):
        raise RuleError("Only the project's Executive releases a phase's funding.")
    try:
        amount = Decimal(str(amount)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise RuleError("Enter an amount in pounds, like 120000.00", "amount") from None
    phase = _lock(Phase, phase.id)
    check_version(phase, version)
    elsewhere = db.session.scalar(
        select(func.coalesce(func.sum(Phase.released_budget), 0)).where(
            Phase.project_id == project.id, Phase.id != phase.id
        )
    )
    problem = rules.release_problem(
        amount, project.budget_at_completion, Decimal(elsewhere) + phase.released_budget
    )
    if problem:
        raise RuleError(problem, "amount")
    before = phase.released_budget
    phase.released_budget = before + amount
    db.session.flush()
    audit.record(
        "phase.funding_released",
        phase,
        project_id=project.id,
        summary=f"Released £{amount:,.2f} to {phase.label} (now £{phase.released_budget:,.2f})",
        changes={"released_budget": [str(before), str(phase.released_budget)]},
        actor=actor,
    )
    open_exception = _open_exception(phase)
    if open_exception is not None and not rules.overspent(
        open_exception.spent, phase.released_budget
    ):
        open_exception.status = FundingExceptionStatus.RESOLVED
        open_exception.resolved_at = utcnow()
        open_exception.resolved_by_id = actor.id
        audit.record(
            "phase.funding_exception_resolved",
            open_exception,
            project_id=project.id,
            summary=f"{phase.label}'s funding exception settled: more funding released",
            actor=actor,
        )
    return phase


def start_phase(phase: Phase, *, version: int | None, actor: User) -> Phase:
    project = _lock(Project, phase.project_id)
    _require_open(project)
    if project.status != ProjectStatus.ACTIVE:
        raise RuleError(
            "The project has not started: a phase starts once the board has started the project."
        )
    phase = _lock(Phase, phase.id)
    check_version(phase, version)
    statuses = {PhaseKind(p.kind): p.status for p in phases_of(project)}
    problem = rules.start_problem(phase.kind, statuses)
    if problem:
        raise RuleError(problem)
    if phase.released_budget <= 0:
        raise RuleError(
            f"No funding has been released to {phase.label.lower()} yet: the Executive "
            "releases it phase by phase."
        )
    phase.status = PhaseStatus.ACTIVE
    phase.started_on = uk_today()
    db.session.flush()
    audit.record(
        "phase.started",
        phase,
        project_id=project.id,
        summary=f"Started {phase.label.lower()}",
        changes={"status": [PhaseStatus.PLANNED, PhaseStatus.ACTIVE]},
        actor=actor,
    )
    return phase


# --------------------------------------------------------------------------------------
# Service assessments
# --------------------------------------------------------------------------------------


def _template(project: Project, phase: Phase):
    """The framework's assessment for the end of ``phase``: its n-th phase boundary."""
    gate = frameworks.gate_for(project, FallsAt.PHASE_BOUNDARY, phase.sequence)
    if gate is None:
        raise RuleError("The project's framework names no assessment for this phase boundary.")
    return gate


def request_assessment(phase: Phase, *, summary: str, actor: User) -> ServiceAssessment:
    project = _lock(Project, phase.project_id)
    _require_open(project)
    phase = _lock(Phase, phase.id)
    if phase.status != PhaseStatus.ACTIVE:
        raise RuleError(
            f"{phase.label} is {rules.PHASE_STATUSES[PhaseStatus(phase.status)].lower()}: "
            "an assessment is requested at the end of a phase under way."
        )
    summary = (summary or "").strip()
    if not summary:
        raise RuleError("Say what the phase found and built, for the assessors", "summary")
    waiting = db.session.scalar(
        select(ServiceAssessment.id).where(
            ServiceAssessment.phase_id == phase.id,
            ServiceAssessment.status == AssessmentStatus.PENDING,
        )
    )
    if waiting is not None:
        raise RuleError(f"{phase.label}'s assessment is already waiting for the assessors.")
    gate = _template(project, phase)
    roles = deciding_roles(gate.template, project_tier(project), project.criticality)
    require_roles_filled(project, roles)
    points = [i.text for _id, i in gate.items if i.kind is ItemKind.CHECKLIST]
    if not points:
        raise RuleError(f"{gate.template.name} lists no points to assess.")
    rounds = db.session.scalar(
        select(func.coalesce(func.max(ServiceAssessment.round), 0)).where(
            ServiceAssessment.phase_id == phase.id
        )
    )
    assessment = ServiceAssessment(
        project_id=project.id,
        phase_id=phase.id,
        round=rounds + 1,
        name=gate.template.name,
        points="\n".join(points),
        required_roles=",".join(roles),
        summary=summary,
        status=AssessmentStatus.PENDING,
        requested_by_id=actor.id,
    )
    db.session.add(assessment)
    db.session.flush()
    audit.record(
        "service_assessment.requested",
        assessment,
        project_id=project.id,
        summary=f"Requested {assessment.name}"
        + (f" (round {assessment.round})" if assessment.round > 1 else ""),
        changes={"phase": phase.kind, "round": assessment.round, "roles": list(roles)},
        actor=actor,
    )
    return assessment


def decide_assessment(
    assessment: ServiceAssessment,
    *,
    role: str,
    results: list[rules.PointResult],
    comment: str,
    actor: User,
) -> ServiceAssessment:
    assessment = _lock(ServiceAssessment, assessment.id)
    phase_access.check_assessor(actor, assessment, role)
    if any(d.role == role for d in assessment.decisions):
        raise RuleError(f"The {PROJECT_ROLES[role]} has already recorded this assessment.", "role")
    problems = rules.point_problems(assessment.point_list, results)
    if problems:
        raise RuleError(" ".join(problems))
    passed = all(r.met for r in results)
    order = {p: i for i, p in enumerate(assessment.point_list)}
    decision = AssessmentDecision(
        assessment_id=assessment.id,
        role=role,
        decided_by_id=actor.id,
        passed=passed,
        comment=(comment or "").strip(),
        results=[
            AssessmentPointResult(
                position=order[r.point] + 1, point=r.point, met=r.met, note=r.note.strip()
            )
            for r in sorted(results, key=lambda r: order[r.point])
        ],
    )
    decisions.record(decision, role=role, wording=phase_access.WORDING)
    not_met = [r.point for r in results if not r.met]
    audit.record(
        "service_assessment.recorded",
        decision,
        project_id=assessment.project_id,
        summary=f"{assessment.name}: {PROJECT_ROLES[role]} found "
        + ("every point met" if passed else f"{len(not_met)} point(s) not met"),
        changes={
            "role": role,
            "not_met": {r.point: r.note.strip() for r in results if not r.met},
        },
        actor=actor,
    )
    db.session.refresh(assessment)
    status = rules.outcome(assessment.roles, {d.role: d.passed for d in assessment.decisions})
    if status is not AssessmentStatus.PENDING:
        _resolve(assessment, status, actor)
    return assessment


def waiting_assessment(project: Project) -> ServiceAssessment | None:
    return db.session.scalars(
        select(ServiceAssessment).where(
            ServiceAssessment.project_id == project.id,
            ServiceAssessment.status == AssessmentStatus.PENDING,
        )
    ).first()


def _resolve(assessment: ServiceAssessment, status: AssessmentStatus, actor: User) -> None:
    assessment.status = status
    assessment.resolved_at = utcnow()
    phase = assessment.phase
    if status is AssessmentStatus.PASSED:
        phase.status = PhaseStatus.PASSED
        phase.passed_at = assessment.resolved_at
    db.session.flush()
    audit.record(
        f"service_assessment.{status.value}",
        assessment,
        project_id=assessment.project_id,
        summary=f"{assessment.name}: "
        + (
            f"passed; {phase.label.lower()} is complete"
            if status is AssessmentStatus.PASSED
            else "not passed; the manager re-runs it when the points are addressed"
        ),
        changes={"status": [AssessmentStatus.PENDING, status.value], "round": assessment.round},
        actor=actor,
    )
    # A switch of method proposed with this assessment is decided with it (methods).
    events.send(events.assessment_resolved, assessment, actor=actor)


# --------------------------------------------------------------------------------------
# Spending against released funding
# --------------------------------------------------------------------------------------


def iterations_by_phase(phases: list[Phase]) -> dict[int, list[Iteration]]:
    """Each phase's iterations: those that started while it was under way (one query)."""
    started = sorted((p for p in phases if p.started_on), key=lambda p: p.sequence)
    found: dict[int, list[Iteration]] = {p.id: [] for p in phases}
    if not started:
        return found
    iterations = db.session.scalars(
        select(Iteration)
        .where(
            Iteration.project_id == started[0].project_id,
            Iteration.start_on >= started[0].started_on,
        )
        .order_by(Iteration.start_on)
    )
    for iteration in iterations:
        owner = [p for p in started if p.started_on <= iteration.start_on]
        found[owner[-1].id].append(iteration)
    return found


def spent_in(phase: Phase, on: date | None = None) -> Decimal:
    """Money spent since the phase started: cost entries and the labour cost of time."""
    if phase.started_on is None:
        return Decimal("0.00")
    on = on or uk_today()
    before = phase.started_on - timedelta(days=1)
    return budget.actual_cost(phase.project_id, on) - budget.actual_cost(phase.project_id, before)


def _open_exception(phase: Phase) -> FundingException | None:
    return db.session.scalars(
        select(FundingException).where(
            FundingException.phase_id == phase.id,
            FundingException.status == FundingExceptionStatus.OPEN,
        )
    ).first()


@dataclass(frozen=True)
class SpendCheck:
    spent: Decimal
    released: Decimal
    exception: FundingException | None


def check_spending(phase: Phase, *, actor: User | None) -> SpendCheck:
    """Compare the phase's spending with its released funding; past it, raise an exception
    to the board (once: one open per phase)."""
    spent = spent_in(phase)
    if phase.status != PhaseStatus.ACTIVE or not rules.overspent(spent, phase.released_budget):
        return SpendCheck(spent, phase.released_budget, None)
    existing = _open_exception(phase)
    if existing is not None:
        return SpendCheck(spent, phase.released_budget, existing)
    report = FundingException(
        project_id=phase.project_id,
        phase_id=phase.id,
        spent=spent,
        released=phase.released_budget,
        status=FundingExceptionStatus.OPEN,
    )
    try:
        with db.session.begin_nested():
            db.session.add(report)
            db.session.flush()
    except IntegrityError:
        return SpendCheck(spent, phase.released_budget, _open_exception(phase))
    audit.record(
        "phase.funding_exception_raised",
        report,
        project_id=phase.project_id,
        summary=f"{phase.label} has spent £{spent:,.2f}, past the £{phase.released_budget:,.2f} "
        "released: the Executive releases more funding or stops the phase",
        changes={"spent": str(spent), "released": str(phase.released_budget)},
        actor=actor,
    )
    return SpendCheck(spent, phase.released_budget, report)


def active_phase(project: Project) -> Phase | None:
    return db.session.scalars(
        select(Phase).where(Phase.project_id == project.id, Phase.status == PhaseStatus.ACTIVE)
    ).first()


def funding_exceptions_waiting(user):
    """The statement selecting open funding exceptions on projects where this person is the
    Executive, in the shape of ``frameworks.decisions.waiting_on``."""
    label = case(
        *[
            (Phase.kind == kind, literal(f"{text}: spending past its released funding"))
            for kind, text in rules.PHASE_LABELS.items()
        ],
        else_=literal("Spending past a phase's released funding"),
    )
    return (
        select(
            cast(label, String),
            FundingException.id,
            FundingException.project_id,
            Project.code,
            Project.name,
            ProjectMembership.role,
            FundingException.raised_at,
        )
        .join(Project, Project.id == FundingException.project_id)
        .join(Phase, Phase.id == FundingException.phase_id)
        .join(
            ProjectMembership,
            (ProjectMembership.project_id == FundingException.project_id)
            & (ProjectMembership.user_id == user.id)
            & (ProjectMembership.role == "executive"),
        )
        .where(FundingException.status == FundingExceptionStatus.OPEN)
    )


def earned_value(phase: Phase, iterations: list[Iteration], spent: Decimal, on: date | None = None):
    """AgileEVM for the phase from its iterations and what it spent (no query)."""
    on = on or uk_today()
    return rules.phase_earned_value(
        phase.released_budget,
        [
            rules.PhaseIteration(
                i.end_on,
                i.committed_points or 0,
                i.completed_points or 0,
                budget.closed_on(i.closed_at, i.end_on) if i.status == "closed" else None,
            )
            for i in iterations
        ],
        spent,
        on,
    )
