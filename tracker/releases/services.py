"""Release gates: the manager requests a release with the iterations that went into it; the
board roles the framework's release template names decide; an approved release goes live.
Every step writes an audit entry on the project's history."""

from __future__ import annotations

from sqlalchemy import select

from tracker.agile.models import Feedback, Iteration
from tracker.audit import services as audit
from tracker.auth.models import User
from tracker.core.errors import RuleError, check_version
from tracker.db import utcnow
from tracker.extensions import db
from tracker.frameworks import decisions
from tracker.frameworks import services as frameworks
from tracker.frameworks.rules import FallsAt, deciding_roles
from tracker.projects.models import Project
from tracker.projects.rules import FINISHED_STATUSES, PROJECT_ROLES, ProjectStatus
from tracker.releases import access as release_access
from tracker.releases import rules
from tracker.releases.models import Release, ReleaseDecision
from tracker.releases.rules import RELEASE_VOTES, ReleaseStatus, ReleaseVote
from tracker.stages.services import project_tier, regime_for, require_roles_filled


def _lock(model, record_id: int):
    return db.session.scalars(
        select(model)
        .where(model.id == record_id)
        .with_for_update(of=model)
        .execution_options(populate_existing=True)
    ).one()


def gate_of(project: Project) -> tuple[str, tuple[str, ...]]:
    """The release gate's name and deciding roles for this project: the framework's release
    template at the project's level (none at a level whose tailoring has no release gate)."""
    gate = frameworks.gate_for(project, FallsAt.RELEASE)
    if gate is None:
        return "Release gate", regime_for(project).release_gate_roles
    return gate.template.name, deciding_roles(
        gate.template, project_tier(project), project.criticality
    )


def request_release(
    project: Project, *, name: str, notes: str, iteration_ids: list[int], actor: User
) -> Release:
    project = _lock(Project, project.id)
    if project.delivery_method not in rules.RELEASED_METHODS:
        raise RuleError("Release gates are for agile and hybrid projects.")
    if project.status in FINISHED_STATUSES or project.status != ProjectStatus.ACTIVE:
        raise RuleError("A release is requested while the project is under way.")
    name, notes = (name or "").strip(), (notes or "").strip()
    if not name:
        raise RuleError("Name the release", "name")
    if len(name) > 120:
        raise RuleError("The name must be 120 characters or fewer", "name")
    if not notes:
        raise RuleError("Say what the release contains and how it was tested", "notes")
    if not iteration_ids:
        raise RuleError("Choose the iterations whose work goes into the release", "iteration_ids")
    iterations = list(
        db.session.scalars(
            select(Iteration).where(
                Iteration.project_id == project.id, Iteration.id.in_(iteration_ids)
            )
        )
    )
    if len(iterations) != len(set(iteration_ids)):
        raise RuleError("Choose iterations of this project", "iteration_ids")
    taken = db.session.scalar(
        select(Release.id).where(Release.project_id == project.id, Release.name == name)
    )
    if taken is not None:
        raise RuleError(f"This project already has a release called {name!r}", "name")
    gate_name, roles = gate_of(project)
    require_roles_filled(project, roles)
    release = Release(
        project_id=project.id,
        name=name,
        notes=notes,
        gate_name=gate_name,
        required_roles=",".join(roles),
        status=ReleaseStatus.PENDING,
        requested_by_id=actor.id,
        iterations=iterations,
    )
    db.session.add(release)
    db.session.flush()
    audit.record(
        "release.requested",
        release,
        project_id=project.id,
        summary=f"Requested {gate_name} for release {name}",
        changes={
            "iterations": [i.name for i in iterations],
            "roles": list(roles),
        },
        actor=actor,
    )
    if not roles:
        # The tailoring has no release gate at this level: the release may go live.
        _resolve(release, ReleaseStatus.APPROVED, actor, "no release gate at this level")
    return release


def decide_release(
    release: Release, *, role: str, decision: str, comment: str, actor: User
) -> Release:
    release = _lock(Release, release.id)
    if decision not in set(ReleaseVote):
        raise RuleError("Choose approve or reject", "decision")
    comment = (comment or "").strip()
    if decision == ReleaseVote.REJECT and not comment:
        raise RuleError("Say why the release is rejected", "comment")
    release_access.check_decider(actor, release, role)
    record = ReleaseDecision(
        release_id=release.id,
        role=role,
        decision=decision,
        comment=comment,
        decided_by_id=actor.id,
    )
    decisions.record(record, role=role, wording=release_access.WORDING)
    audit.record(
        "release.decided",
        record,
        project_id=release.project_id,
        summary=f"{release.gate_name} for {release.name}: {PROJECT_ROLES[role]} chose "
        f"{RELEASE_VOTES[ReleaseVote(decision)].lower()}",
        changes={"role": role, "decision": decision, "comment": comment},
        actor=actor,
    )
    db.session.refresh(release)
    status = rules.outcome(release.roles, {d.role: d.decision for d in release.decisions})
    if status is not ReleaseStatus.PENDING:
        _resolve(release, status, actor, None)
    return release


def _resolve(release: Release, status: ReleaseStatus, actor: User, why: str | None) -> None:
    release.status = status
    release.resolved_at = utcnow()
    db.session.flush()
    audit.record(
        f"release.{status.value}",
        release,
        project_id=release.project_id,
        summary=f"Release {release.name} "
        + ("approved to go live" if status is ReleaseStatus.APPROVED else "not approved")
        + (f" ({why})" if why else ""),
        changes={"status": [ReleaseStatus.PENDING, status.value]},
        actor=actor,
    )


def go_live(release: Release, *, version: int | None, actor: User) -> Release:
    release = _lock(Release, release.id)
    check_version(release, version)
    problem = rules.live_problem(release.status)
    if problem:
        raise RuleError(problem)
    release.status = ReleaseStatus.LIVE
    release.went_live_at = utcnow()
    db.session.flush()
    audit.record(
        "release.live",
        release,
        project_id=release.project_id,
        summary=f"Release {release.name} went live",
        changes={"status": [ReleaseStatus.APPROVED, ReleaseStatus.LIVE]},
        actor=actor,
    )
    return release


def feedback_of(release: Release) -> list[Feedback]:
    """The customer feedback on the release's iterations: what went into it."""
    ids = [i.id for i in release.iterations]
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(Feedback).where(Feedback.iteration_id.in_(ids)).order_by(Feedback.id)
        )
    )
