"""A project's status must be one governance could have reached: the check the demo and
the generated national portfolio are held to. Iterations never start a project: an agile
project is started by its Executive's authorisation, a hybrid one by its start gate, and
neither runs an iteration before that."""

from __future__ import annotations

from sqlalchemy import func, select

from tracker.agile.models import Iteration
from tracker.extensions import db
from tracker.projects.models import Project
from tracker.stages.models import GateReview, Stage

APPROVED = ("approved", "approved_with_conditions")


def status_problems(projects=None) -> list[str]:
    """One line per project whose status no governance decision explains."""
    query = select(Project)
    if projects is not None:
        query = query.where(Project.id.in_([p.id for p in projects]))
    rows = list(db.session.scalars(query))
    ids = [p.id for p in rows]
    stage_count = dict(
        db.session.execute(
            select(Stage.project_id, func.count(Stage.id))
            .where(Stage.project_id.in_(ids))
            .group_by(Stage.project_id)
        ).all()
    )
    approved = {
        (project_id, boundary)
        for project_id, boundary in db.session.execute(
            select(GateReview.project_id, GateReview.boundary).where(
                GateReview.project_id.in_(ids), GateReview.status.in_(APPROVED)
            )
        )
    }
    iterations: dict[int, list[str]] = {}
    for project_id, status in db.session.execute(
        select(Iteration.project_id, Iteration.status).where(Iteration.project_id.in_(ids))
    ):
        iterations.setdefault(project_id, []).append(status)
    problems = []
    for project in rows:
        started_gate = (project.id, 0) in approved
        its = iterations.get(project.id, [])
        started_iteration = any(s in ("active", "closed") for s in its)
        authorised = project.start_authorised_at is not None
        delivered = bool(its) and all(s == "closed" for s in its)
        closing_gate = (project.id, stage_count.get(project.id, -1)) in approved
        method, status = project.delivery_method, project.status
        staged = method in ("stage_gated", "hybrid")
        # Who started the project: the start gate (staged) or the Executive (agile).
        started = (staged and started_gate) or (method == "agile" and authorised)
        if status == "proposed":
            ok = not started_gate and not started_iteration and not authorised
        elif status == "active":
            ok = started
        elif status == "closed":
            ok = started and ((staged and closing_gate) or (method == "agile" and delivered))
        else:  # closed early
            ok = not closing_gate and not (method == "agile" and delivered)
            ok = ok and (started or not started_iteration)
        if not ok:
            problems.append(
                f"{project.code}: {status} ({method}); start gate approved {started_gate}, "
                f"start authorised {authorised}, iterations {its}, closing gate approved "
                f"{closing_gate}"
            )
    return problems
