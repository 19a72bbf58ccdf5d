"""Switching method at a boundary: the manager proposes the switch with the gate or service
assessment waiting there; the board's decision on it decides the switch (the ``gate_resolved``
and ``assessment_resolved`` events). An approved switch records a new method decision with
its drivers and moves the project to the chosen framework, whose gates it passes next;
every proposal stays as the project's history."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tracker.audit import services as audit
from tracker.auth.models import User
from tracker.core import events
from tracker.core.errors import RuleError
from tracker.db import utcnow
from tracker.extensions import db
from tracker.frameworks import services as frameworks
from tracker.frameworks.models import FrameworkVersion, GateTemplate, ProjectFramework
from tracker.methods import model, services, switching
from tracker.methods.models import MethodDecision, MethodSwitch
from tracker.methods.switching import Boundary, BoundaryKind, Reassessment, SwitchStatus
from tracker.projects.models import Project
from tracker.projects.rules import FINISHED_STATUSES, ProjectStatus

ALREADY_PROPOSED = "A switch of method is already proposed at this boundary."


def boundary_of(project: Project) -> Boundary | None:
    """The decision waiting at the project's boundary (a gate, a service assessment)."""
    for answer in events.send(events.boundary_waiting, project):
        if answer:
            kind, record_id, name = answer
            return Boundary(BoundaryKind(kind), record_id, name)
    return None


def switches_of(project: Project) -> list[MethodSwitch]:
    return list(
        db.session.scalars(
            select(MethodSwitch)
            .where(MethodSwitch.project_id == project.id)
            .order_by(MethodSwitch.id.desc())
        )
    )


def proposed_switch(project: Project) -> MethodSwitch | None:
    return db.session.scalars(
        select(MethodSwitch).where(
            MethodSwitch.project_id == project.id, MethodSwitch.status == SwitchStatus.PROPOSED
        )
    ).first()


def _falls_at(version_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(GateTemplate.falls_at).where(GateTemplate.framework_version_id == version_id)
        )
    )


def propose(
    project: Project,
    *,
    to_method: str,
    framework_version_id: int | None,
    drivers: list[str],
    rationale: str,
    actor: User,
) -> MethodSwitch:
    """The manager proposes a switch with the decision waiting at the boundary."""
    project = db.session.scalars(
        select(Project)
        .where(Project.id == project.id)
        .with_for_update(of=Project)
        .execution_options(populate_existing=True)
    ).one()
    if project.status != ProjectStatus.ACTIVE:
        raise RuleError("A switch of method is proposed while the project is under way.")
    version = (
        db.session.get(FrameworkVersion, framework_version_id) if framework_version_id else None
    )
    latest = services.latest_assessment(project.id)
    decided_at = db.session.scalar(
        select(func.max(MethodDecision.decided_at)).where(MethodDecision.project_id == project.id)
    )
    boundary = boundary_of(project)
    problems = switching.switch_problems(
        current_method=project.delivery_method,
        to_method=to_method,
        drivers=drivers,
        latest=Reassessment(latest.sequence, latest.method, latest.assessed_at) if latest else None,
        decided_at=decided_at,
        boundary=boundary,
        framework_suits=version is not None
        and version.is_published
        and switching.framework_suits(to_method, _falls_at(version.id)),
    )
    if problems:
        message, field = problems[0]
        raise RuleError(message, field)
    if proposed_switch(project) is not None:
        raise RuleError(ALREADY_PROPOSED)
    rationale = (rationale or "").strip()
    chosen = [d for d in model.DECISION_DRIVERS if d in set(drivers)]
    switch = MethodSwitch(
        project_id=project.id,
        from_method=project.delivery_method,
        to_method=to_method,
        assessment_id=latest.id,
        framework_version_id=version.id,
        drivers=",".join(chosen),
        rationale=rationale,
        boundary_kind=boundary.kind,
        boundary_id=boundary.id,
        boundary_name=boundary.name,
        status=SwitchStatus.PROPOSED,
        proposed_by_id=actor.id,
    )
    try:
        with db.session.begin_nested():
            db.session.add(switch)
            db.session.flush()
    except IntegrityError:
        raise RuleError(ALREADY_PROPOSED) from None
    audit.record(
        "method.switch_proposed",
        switch,
        project_id=project.id,
        summary=f"Proposed switching from {_word(switch.from_method)} to "
        f"{_word(to_method)} delivery with {boundary.name}, on {version.label}",
        changes={
            "from_method": switch.from_method,
            "to_method": to_method,
            "assessment": latest.sequence,
            "framework_version": version.label,
            "drivers": chosen,
            "rationale": rationale,
            "boundary": [boundary.kind.value, boundary.id],
        },
        actor=actor,
    )
    return switch


def _word(method: str | None) -> str:
    return model.METHODS[method].lower() if method in model.METHODS else "undecided"


def proposed_at(kind: BoundaryKind, boundary_id: int) -> MethodSwitch | None:
    """The switch proposed with this gate or service assessment, if any."""
    return db.session.scalars(
        select(MethodSwitch).where(
            MethodSwitch.boundary_kind == kind,
            MethodSwitch.boundary_id == boundary_id,
            MethodSwitch.status == SwitchStatus.PROPOSED,
        )
    ).first()


def notice(switch: MethodSwitch) -> dict:
    """What the board reads on the page of the decision the switch rides on."""
    return {
        "text": f"The manager proposes switching from {_word(switch.from_method)} to "
        f"{_word(switch.to_method)} delivery with this decision: approving it approves the "
        "switch (a new method decision, and the project follows the framework chosen); "
        "rejecting it keeps the method.",
        "url": url_for("methods.propose_switch", project_id=switch.project_id),
    }


def settle_at(kind: BoundaryKind, boundary_id: int, *, approved: bool, actor: User | None):
    """The board decided the boundary a switch rides on: the switch goes with it."""
    switch = proposed_at(kind, boundary_id)
    if switch is None:
        return None
    return settle(switch, approved=approved, actor=actor)


def settle(switch: MethodSwitch, *, approved: bool, actor: User | None) -> MethodSwitch:
    project = db.session.get(Project, switch.project_id)
    who = actor or switch.proposed_by
    switch.resolved_at = utcnow()
    # A project the decision closed (its closing gate) no longer changes method.
    closed = project.status in FINISHED_STATUSES
    if not approved or closed:
        switch.status = SwitchStatus.REJECTED
        db.session.flush()
        audit.record(
            "method.switch_rejected",
            switch,
            project_id=project.id,
            summary=(
                f"The project closed at {switch.boundary_name}: no switch of method"
                if approved
                else f"The board did not approve {switch.boundary_name}: the project stays "
                f"{_word(switch.from_method)}"
            ),
            actor=who,
        )
        return switch
    decision = services.decide(
        project,
        services.DecisionData(
            method=switch.to_method,
            drivers=switch.driver_list,
            rationale=(
                f"Switched at a boundary: the board approved {switch.boundary_name}"
                + (f". {switch.rationale}" if switch.rationale else ".")
            ),
            assessment_id=None,
            project_version=None,
        ),
        decided_by=who,
    )
    switch.status = SwitchStatus.APPROVED
    switch.decision_id = decision.id
    db.session.flush()
    link = db.session.get(ProjectFramework, project.id)
    if link is None or link.framework_version_id != switch.framework_version_id:
        version = db.session.get(FrameworkVersion, switch.framework_version_id)
        frameworks.move_project(
            project,
            version,
            reason=f"switched to {_word(switch.to_method)} delivery at {switch.boundary_name}",
            actor=who,
        )
    audit.record(
        "method.switch_approved",
        switch,
        project_id=project.id,
        summary=f"Switched from {_word(switch.from_method)} to {_word(switch.to_method)} "
        f"delivery: the board approved {switch.boundary_name}",
        changes={
            "delivery_method": [switch.from_method, switch.to_method],
            "method_decision": decision.sequence,
        },
        actor=who,
    )
    return switch
