"""Read models for agile pages: a fixed number of statements per page, and the chart
series rebuilt from the append-only item history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import aliased

from tracker.agile import rules
from tracker.agile.models import BacklogItem, CarryOver, Feedback, ItemStatusChange, Iteration
from tracker.agile.rules import Agreement, IterationStatus
from tracker.audit.models import AuditEntry
from tracker.core.dates import uk_today
from tracker.extensions import db
from tracker.projects.models import Project, ProjectMembership
from tracker.projects.rules import OPEN_STATUSES
from tracker.stages.models import GateReview, Stage
from tracker.stages.rules import APPROVED_GATE_STATUSES


def project_iterations(project_id: int) -> list[Iteration]:
    return list(
        db.session.scalars(
            select(Iteration)
            .where(Iteration.project_id == project_id)
            .order_by(Iteration.start_on, Iteration.id)
        )
    )


def running_iteration(project_id: int) -> Iteration | None:
    return db.session.scalars(
        select(Iteration).where(
            Iteration.project_id == project_id, Iteration.status == IterationStatus.ACTIVE
        )
    ).first()


def iteration_items(iteration_id: int) -> list[BacklogItem]:
    return list(
        db.session.scalars(
            select(BacklogItem)
            .where(BacklogItem.iteration_id == iteration_id)
            .order_by(BacklogItem.status.desc(), BacklogItem.id)
        )
    )


def iteration_feedback(iteration_id: int) -> list[Feedback]:
    return list(
        db.session.scalars(
            select(Feedback)
            .where(Feedback.iteration_id == iteration_id)
            .order_by(Feedback.created_at, Feedback.id)
        )
    )


def carried_over_from(iteration_id: int) -> list[CarryOver]:
    return list(
        db.session.scalars(
            select(CarryOver).where(CarryOver.iteration_id == iteration_id).order_by(CarryOver.id)
        )
    )


def carried_into(iteration_id: int) -> list[tuple[CarryOver, str]]:
    """Items that spilled over into this iteration, with the iteration they came from."""
    return list(
        db.session.execute(
            select(CarryOver, Iteration.name)
            .join(Iteration, Iteration.id == CarryOver.iteration_id)
            .where(CarryOver.to_iteration_id == iteration_id)
            .order_by(CarryOver.id)
        ).all()
    )


def movable(item, iteration):
    """Items whose place in the order still matters: not done, not in a closed iteration."""
    return (item.status != rules.ItemStatus.DONE) & (
        iteration.id.is_(None) | (iteration.status != IterationStatus.CLOSED)
    )


def backlog(project_id: int, status: str | None = None) -> Select:
    """The backlog in the product owner's order, with each item's iteration and, for the
    items that can move, their place among those (1 = first), whatever the page or
    filter shows."""
    other, other_iteration = aliased(BacklogItem), aliased(Iteration)
    place = (
        select(func.count())
        .select_from(other)
        .outerjoin(other_iteration, other_iteration.id == other.iteration_id)
        .where(
            other.project_id == BacklogItem.project_id,
            other.rank <= BacklogItem.rank,
            movable(other, other_iteration),
        )
        .scalar_subquery()
    )
    statement = (
        select(
            BacklogItem,
            Iteration.name,
            Iteration.status,
            case((movable(BacklogItem, Iteration), place), else_=None).label("place"),
        )
        .outerjoin(Iteration, Iteration.id == BacklogItem.iteration_id)
        .where(BacklogItem.project_id == project_id)
    )
    if status:
        statement = statement.where(BacklogItem.status == status)
    return statement.order_by(BacklogItem.rank)  # the product owner's order


def priority_history(item_id: int) -> list[AuditEntry]:
    """The item's moves in the backlog's order and MoSCoW changes, from the audit trail."""
    return list(
        db.session.scalars(
            select(AuditEntry)
            .where(
                AuditEntry.object_type == BacklogItem.__tablename__,
                AuditEntry.object_id == item_id,
                (AuditEntry.action == "backlog_item.reordered")
                | AuditEntry.changes.contains('"moscow"'),
            )
            .order_by(AuditEntry.seq)
        )
    )


def item_history(item_id: int) -> list[tuple[ItemStatusChange, str | None]]:
    return list(
        db.session.execute(
            select(ItemStatusChange, Iteration.name)
            .outerjoin(Iteration, Iteration.id == ItemStatusChange.iteration_id)
            .where(ItemStatusChange.item_id == item_id)
            .order_by(ItemStatusChange.changed_at, ItemStatusChange.id)
        ).all()
    )


def item_carry_overs(item_id: int) -> list[tuple[CarryOver, str]]:
    return list(
        db.session.execute(
            select(CarryOver, Iteration.name)
            .join(Iteration, Iteration.id == CarryOver.iteration_id)
            .where(CarryOver.item_id == item_id)
            .order_by(CarryOver.id)
        ).all()
    )


def closed_loops(project_id: int) -> Select:
    """'You said, we did': feedback whose loop was closed, newest first."""
    return (
        select(Feedback, Iteration.name)
        .join(Iteration, Iteration.id == Feedback.iteration_id)
        .where(Feedback.project_id == project_id, Feedback.loop_closed)
        .order_by(Feedback.loop_closed_at.desc(), Feedback.id.desc())
    )


def project_summary(project_id: int) -> dict:
    """Counts for the project page's agile section, in one statement."""
    iterations = project_iterations(project_id)
    open_loops = db.session.scalar(
        select(func.count(Feedback.id)).where(
            Feedback.project_id == project_id, Feedback.loop_closed.is_(False)
        )
    )
    return {"iterations": iterations, "open_loops": open_loops or 0}


# --------------------------------------------------------------------------------------
# Chart series
# --------------------------------------------------------------------------------------


def _history_rows(statement) -> list[tuple[int, str, int | None, datetime, int]]:
    return list(
        db.session.execute(
            statement.order_by(ItemStatusChange.changed_at, ItemStatusChange.id)
        ).all()
    )


def _changes(rows) -> list[rules.StatusChange]:
    return [
        rules.StatusChange(item_id, rules.ItemStatus(status), at)
        for item_id, status, _, at, _ in rows
    ]


def _history_columns():
    return select(
        ItemStatusChange.item_id,
        ItemStatusChange.to_status,
        ItemStatusChange.iteration_id,
        ItemStatusChange.changed_at,
        BacklogItem.points,
    ).join(BacklogItem, BacklogItem.id == ItemStatusChange.item_id)


def _membership(rows, iteration_id: int, closed_at: datetime | None = None) -> list[rules.Item]:
    """Each item's time in the iteration, from the rows that moved it in and out.

    Unfinished items leave a closed iteration when it closes, often on its last day; they
    still count against it to the end, so the spill-over shows on its burndown.
    """
    spans: dict[int, list] = {}
    current: dict[int, int | None] = {}
    points: dict[int, int] = {}
    for item_id, _, in_iteration, at, item_points in rows:
        points[item_id] = item_points
        was_in = current.get(item_id) == iteration_id
        now_in = in_iteration == iteration_id
        current[item_id] = in_iteration
        if now_in and not was_in:
            span = spans.setdefault(item_id, [at, None])
            span[1] = None
        elif was_in and not now_in:
            spans[item_id][1] = at
    return [
        rules.Item(
            item_id, points[item_id], start, None if closed_at and end and end >= closed_at else end
        )
        for item_id, (start, end) in spans.items()
    ]


def burndown(iteration: Iteration, today: date | None = None) -> rules.Burndown:
    ever_in = select(ItemStatusChange.item_id).where(ItemStatusChange.iteration_id == iteration.id)
    rows = _history_rows(_history_columns().where(ItemStatusChange.item_id.in_(ever_in)))
    as_of = None
    if iteration.status == IterationStatus.ACTIVE:
        as_of = today or uk_today()
    return rules.burndown(
        _membership(rows, iteration.id, iteration.closed_at),
        _changes(rows),
        iteration.start_on,
        iteration.end_on,
        as_of=as_of,
    )


def release_burnup(project_id: int, iterations: list[Iteration]) -> list[rules.BurnupPoint]:
    """Scope and done at the end of each started iteration (so far, for the active one)."""
    rows = _history_rows(_history_columns().where(ItemStatusChange.project_id == project_id))
    added: dict[int, tuple[int, datetime]] = {}
    for item_id, _, _, at, points in rows:
        added.setdefault(item_id, (points, at))
    items = [rules.Item(item_id, points, at) for item_id, (points, at) in added.items()]
    today = uk_today()
    spans = [
        rules.IterationSpan(
            it.name,
            it.start_on,
            min(it.end_on, today) if it.status == IterationStatus.ACTIVE else it.end_on,
        )
        for it in iterations
        if it.status != IterationStatus.PLANNED
    ]
    return rules.burnup_by_iteration(items, _changes(rows), spans)


def velocities(iterations: list[Iteration]) -> list[rules.Velocity]:
    return [
        rules.Velocity(it.name, it.committed_points or 0, it.completed_points or 0)
        for it in iterations
        if it.status == IterationStatus.CLOSED
    ]


@dataclass(frozen=True)
class ProjectMetrics:
    velocity: rules.VelocitySummary
    feedback: rules.FeedbackSummary


def project_metrics(project_id: int, iterations: list[Iteration]) -> ProjectMetrics:
    order = {it.id: index for index, it in enumerate(iterations)}
    names = {it.id: it.name for it in iterations}
    rows = db.session.execute(
        select(
            Feedback.iteration_id,
            Feedback.rating,
            Feedback.action_taken,
            Feedback.loop_closed,
            Feedback.created_at,
            Feedback.loop_closed_at,
        ).where(Feedback.project_id == project_id)
    ).all()
    rows = sorted(rows, key=lambda row: (order.get(row[0], 0), row[4]))
    entries = [
        rules.FeedbackEntry(
            names.get(iteration_id, "?"),
            rating,
            bool((action or "").strip()) or bool(closed),
            created,
            closed_at,
        )
        for iteration_id, rating, action, closed, created, closed_at in rows
    ]
    return ProjectMetrics(
        rules.velocity_summary(velocities(iterations)), rules.feedback_summary(entries)
    )


def percent(value: Decimal | None) -> str:
    return "–" if value is None else f"{(value * 100).quantize(Decimal('1'))}%"


def stage_evidence(stage_id: int) -> list[dict]:
    """The iterations a hybrid stage holds, with their feedback, as evidence for its gate:
    one grouped query whatever the number of iterations."""
    feedback = (
        select(
            Feedback.iteration_id.label("iteration_id"),
            func.count(Feedback.id).label("entries"),
            func.avg(Feedback.rating).label("mean_rating"),
            func.sum(case((Feedback.loop_closed, 1), else_=0)).label("loops_closed"),
            func.sum(case((Feedback.agreement == Agreement.NO, 1), else_=0)).label("disagreements"),
        )
        .group_by(Feedback.iteration_id)
        .subquery()
    )
    rows = db.session.execute(
        select(
            Iteration,
            feedback.c.entries,
            feedback.c.mean_rating,
            feedback.c.loops_closed,
            feedback.c.disagreements,
        )
        .outerjoin(feedback, feedback.c.iteration_id == Iteration.id)
        .where(Iteration.stage_id == stage_id)
        .order_by(Iteration.start_on)
    )
    return [
        {
            "iteration": iteration,
            "feedback": entries or 0,
            "mean_rating": round(float(mean), 1) if mean is not None else None,
            "loops_closed": loops or 0,
            "disagreements": disagreements or 0,
        }
        for iteration, entries, mean, loops, disagreements in rows
    ]


def lifecycle_breaches(projects=None) -> list[str]:
    """One line per project whose status no governance decision explains (for `flask
    governance check`, and the check the demo and the national portfolio are held to):
    iterations never start a project; an agile project is started by its Executive's
    authorisation, a hybrid or stage-gated one by its start gate; it closes at its closing
    gate, after its last iteration by the Executive, or early."""
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
                GateReview.project_id.in_(ids), GateReview.status.in_(APPROVED_GATE_STATUSES)
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
                f"{project.code} {project.name}: {status} ({method or 'no method'}), which no "
                f"governance decision explains: start gate approved {started_gate}, start "
                f"authorised {authorised}, iterations {its}, closing gate approved {closing_gate}"
            )
    return problems


def feedback_to_give(user_id: int) -> list:
    """Running iterations on open projects where this person is a customer representative
    and no feedback has been recorded yet (one query): what My work asks them for."""
    return list(
        db.session.execute(
            select(Iteration.id, Iteration.name, Iteration.end_on, Project.id, Project.code)
            .join(Project, Project.id == Iteration.project_id)
            .join(
                ProjectMembership,
                (ProjectMembership.project_id == Project.id)
                & (ProjectMembership.user_id == user_id)
                & (ProjectMembership.role == "customer_rep"),
            )
            .where(
                Iteration.status == IterationStatus.ACTIVE,
                Project.status.in_(OPEN_STATUSES),
                ~select(Feedback.id).where(Feedback.iteration_id == Iteration.id).exists(),
            )
            .order_by(Iteration.end_on, Iteration.id)
        )
    )
