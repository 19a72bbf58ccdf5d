"""Closure through an end-project report: the manager submits the report, the board roles
the framework's closure template names decide the closing gate, and their approval closes
the project (``projects.lifecycle``). Early closure stays with the Executive."""

from __future__ import annotations

from sqlalchemy import func, select

from tracker.agile.models import Iteration
from tracker.agile.rules import IterationStatus
from tracker.audit import services as audit
from tracker.auth.models import User
from tracker.closure import access as closure_access
from tracker.closure import rules
from tracker.closure.models import ClosureDecision, EndProjectReport
from tracker.closure.rules import CLOSURE_VOTES, ClosureStatus, ClosureVote
from tracker.core import events
from tracker.core.errors import RuleError
from tracker.db import utcnow
from tracker.extensions import db
from tracker.frameworks import decisions
from tracker.frameworks import services as frameworks
from tracker.frameworks.rules import FallsAt, deciding_roles
from tracker.projects import lifecycle
from tracker.projects.models import Project
from tracker.projects.rules import MOVER_LABELS, PROJECT_ROLES, Mover, ProjectStatus
from tracker.stages.services import project_tier, regime_for, require_roles_filled

CLOSED_BY_REPORT = ("agile",)
"""Stage-gated and hybrid projects close at their stage plan's closing gate."""


def _lock(model, record_id: int):
    return db.session.scalars(
        select(model)
        .where(model.id == record_id)
        .with_for_update(of=model)
        .execution_options(populate_existing=True)
    ).one()


def gate_of(project: Project) -> tuple[str, tuple[str, ...]]:
    gate = frameworks.gate_for(project, FallsAt.CLOSURE)
    if gate is None:
        return "Closing gate", regime_for(project).approver_roles
    roles = deciding_roles(gate.template, project_tier(project), project.criticality)
    return gate.template.name, roles or regime_for(project).approver_roles


def closure_problem(project: Project) -> str | None:
    if project.delivery_method not in CLOSED_BY_REPORT:
        return (
            "A stage-gated or hybrid project closes at its closing gate (Stages and gates), "
            "with the checklist its framework asks for."
        )
    if project.status != ProjectStatus.ACTIVE:
        return "Only a project under way closes through an end-project report."
    return None


def _require_delivered(project: Project) -> None:
    """A project closes after its last iteration: every iteration closed, so what each
    delivered and carried over is recorded (the lifecycle check holds the board to it)."""
    rows = db.session.execute(
        select(Iteration.name, Iteration.status)
        .where(Iteration.project_id == project.id)
        .order_by(Iteration.start_on)
    ).all()
    if not rows:
        raise RuleError("The project has run no iteration yet: it closes after its last one.")
    for name, status in rows:
        if status != IterationStatus.CLOSED:
            raise RuleError(
                f"{name} is {status}: every iteration is closed (or removed) before the project "
                "closes, so what each delivered is recorded."
            )


def submit_report(project: Project, data: dict[str, str], *, actor: User) -> EndProjectReport:
    project = _lock(Project, project.id)
    problem = closure_problem(project)
    if problem:
        raise RuleError(problem)
    missing = rules.missing_sections(data)
    if missing:
        first = next(name for name in rules.FIELDS if rules.LABELS[name] == missing[0])
        raise RuleError("Complete every section of the report: " + "; ".join(missing) + ".", first)
    _require_delivered(project)
    waiting = db.session.scalar(
        select(EndProjectReport.id).where(
            EndProjectReport.project_id == project.id,
            EndProjectReport.status == ClosureStatus.PENDING,
        )
    )
    if waiting is not None:
        raise RuleError("An end-project report is already waiting for the board.")
    gate_name, roles = gate_of(project)
    require_roles_filled(project, roles)
    rounds = db.session.scalar(
        select(func.coalesce(func.max(EndProjectReport.round), 0)).where(
            EndProjectReport.project_id == project.id
        )
    )
    report = EndProjectReport(
        project_id=project.id,
        round=rounds + 1,
        gate_name=gate_name,
        required_roles=",".join(roles),
        status=ClosureStatus.PENDING,
        submitted_by_id=actor.id,
        **{name: data[name].strip() for name in rules.FIELDS},
    )
    db.session.add(report)
    db.session.flush()
    audit.record(
        "closure.report_submitted",
        report,
        project_id=project.id,
        summary=f"Submitted the end-project report for {gate_name}",
        changes={"roles": list(roles), "round": report.round},
        actor=actor,
    )
    return report


# The checks live in the domain's policy; the pages and the API ask them here too.
decision_refusal = closure_access.decision_refusal
undecided_roles = closure_access.undecided_roles


def decide_closure(
    report: EndProjectReport, *, role: str, decision: str, comment: str, actor: User
) -> EndProjectReport:
    project = _lock(Project, report.project_id)
    report = _lock(EndProjectReport, report.id)
    if decision not in set(ClosureVote):
        raise RuleError("Choose approve or reject", "decision")
    comment = (comment or "").strip()
    if decision == ClosureVote.REJECT and not comment:
        raise RuleError("Say what the report must address", "comment")
    closure_access.check_decider(actor, report, role)
    record = ClosureDecision(
        report_id=report.id, role=role, decision=decision, comment=comment, decided_by_id=actor.id
    )
    decisions.record(record, role=role, wording=closure_access.WORDING)
    audit.record(
        "closure.decided",
        record,
        project_id=project.id,
        summary=f"{report.gate_name}: {PROJECT_ROLES[role]} chose "
        f"{CLOSURE_VOTES[ClosureVote(decision)].lower()}",
        changes={"role": role, "decision": decision, "comment": comment},
        actor=actor,
    )
    db.session.refresh(report)
    status = rules.outcome(report.roles, {d.role: d.decision for d in report.decisions})
    if status is ClosureStatus.PENDING:
        return report
    if status is ClosureStatus.APPROVED:
        _require_delivered(project)
        # Budget answers for its own exceptions: none may be left waiting on a closed project.
        blockers = [b for b in events.send(events.closure_blockers, project) if b]
        if blockers:
            raise RuleError(blockers[0])
    report.status = status
    report.resolved_at = utcnow()
    db.session.flush()
    audit.record(
        f"closure.{status.value}",
        report,
        project_id=project.id,
        summary=f"{report.gate_name}: "
        + (
            "approved"
            if status is ClosureStatus.APPROVED
            else "not approved; the manager revises the report"
        ),
        changes={"status": [ClosureStatus.PENDING, status.value]},
        actor=actor,
    )
    if status is ClosureStatus.APPROVED:
        lifecycle.move(
            project,
            ProjectStatus.CLOSED,
            mover=Mover.CLOSURE_REPORT,
            actor=actor,
            decision=f"{MOVER_LABELS[Mover.CLOSURE_REPORT]} ({report.gate_name})",
            refs={"end_project_report_id": report.id},
        )
    return report
