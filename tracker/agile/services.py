"""Operations on iterations, backlog items and feedback: each validates with the domain
rules, changes state, writes its audit entry and flushes; the caller commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_login import current_user
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from tracker.agile import queries, rules
from tracker.agile.access import start_refusal
from tracker.agile.models import BacklogItem, CarryOver, Feedback, ItemStatusChange, Iteration
from tracker.agile.rules import ItemStatus, IterationStatus, Move, Priority
from tracker.agile.vocabulary import (
    AGREEMENTS,
    FEEDBACK_SOURCES,
    ITEM_STATUSES,
    ITERATIVE_METHODS,
)
from tracker.audit import services as audit
from tracker.audit.rules import diff
from tracker.core import events
from tracker.core.errors import RuleError, StaleEdit, check_version
from tracker.db import utcnow
from tracker.extensions import db
from tracker.projects import lifecycle
from tracker.projects.access import project_roles
from tracker.projects.models import Project
from tracker.projects.rules import FINISHED_STATUSES, MOVER_LABELS, Mover, ProjectStatus
from tracker.stages.models import Stage
from tracker.stages.rules import StageStatus

ALREADY_CLOSED = "This iteration has already been closed."


def iterations_allowed(project: Project) -> str | None:
    """Why this project cannot have iterations, or None when it can."""
    if project.delivery_method in ITERATIVE_METHODS:
        return None
    if project.delivery_method is None:
        return (
            "Iterations are for agile and hybrid projects. This project's delivery method "
            "is not decided yet: record a method decision first."
        )
    return (
        "Iterations are for agile and hybrid projects. This project is stage-gated: "
        "plan its work in stages instead."
    )


def _require_iterative(project: Project) -> None:
    problem = iterations_allowed(project)
    if problem:
        raise RuleError(problem)


def _actor_id() -> int | None:
    return current_user.id if getattr(current_user, "is_authenticated", False) else None


# --------------------------------------------------------------------------------------
# Iterations
# --------------------------------------------------------------------------------------


@dataclass
class IterationData:
    name: str
    goal: str
    start_on: date
    end_on: date
    committed_points: int | None = None
    stage_id: int | None = None


def _iteration_snapshot(iteration: Iteration) -> dict:
    return {
        "name": iteration.name,
        "goal": iteration.goal,
        "start_on": iteration.start_on,
        "end_on": iteration.end_on,
        "committed_points": iteration.committed_points,
        "status": iteration.status,
        "completed_points": iteration.completed_points,
        "stage_id": iteration.stage_id,
    }


def _check_iteration(project: Project, data: IterationData, exclude_id: int | None) -> None:
    name = data.name.strip()
    if not name:
        raise RuleError("Enter a name for the iteration", "name")
    if data.end_on < data.start_on:
        raise RuleError("End date must be the same as or after the start date", "end_on")
    if data.committed_points is not None and data.committed_points < 0:
        raise RuleError("Committed points must be 0 or more", "committed_points")
    others = db.session.scalars(
        select(Iteration).where(Iteration.project_id == project.id, Iteration.id != exclude_id)
        if exclude_id is not None
        else select(Iteration).where(Iteration.project_id == project.id)
    ).all()
    if any(other.name.lower() == name.lower() for other in others):
        raise RuleError(f"This project already has an iteration called '{name}'", "name")
    spans = [rules.IterationSpan(o.name, o.start_on, o.end_on) for o in others]
    problems = rules.iteration_problems(
        [*spans, rules.IterationSpan(name, data.start_on, data.end_on)]
    )
    if problems:
        raise RuleError(problems[0], "start_on")


PLANNABLE_STAGE_STATUSES = (StageStatus.AUTHORISED, StageStatus.ACTIVE)


def _check_stage(project: Project, data: IterationData, current: Iteration | None) -> None:
    """A hybrid iteration sits inside a stage its gate has authorised, within its dates."""
    if data.stage_id is None:
        return
    if project.delivery_method != "hybrid":
        raise RuleError("Only hybrid projects plan iterations inside stages", "stage_id")
    stage = db.session.get(Stage, data.stage_id)
    if stage is None or stage.project_id != project.id:
        raise RuleError("Choose a stage from the list", "stage_id")
    unchanged = (
        current is not None
        and current.stage_id == data.stage_id
        and (current.start_on, current.end_on) == (data.start_on, data.end_on)
    )
    if unchanged:
        return
    if stage.status not in PLANNABLE_STAGE_STATUSES:
        raise RuleError(
            f"{stage.label} is {stage.status.replace('_', ' ')}: iterations can be planned only "
            "inside a stage its gate has authorised (authorised or active).",
            "stage_id",
        )
    if data.start_on < stage.planned_start or data.end_on > stage.planned_finish:
        raise RuleError(
            f"The iteration must fall within {stage.label}, which runs from "
            f"{stage.planned_start:%d/%m/%Y} to {stage.planned_finish:%d/%m/%Y}",
            "start_on" if data.start_on < stage.planned_start else "end_on",
        )


def _require_open(project: Project) -> None:
    if project.status in FINISHED_STATUSES:
        raise RuleError("This project is closed: its iterations cannot be planned or started.")


def create_iteration(project: Project, data: IterationData) -> Iteration:
    _require_iterative(project)
    _require_open(project)
    _check_iteration(project, data, None)
    _check_stage(project, data, None)
    iteration = Iteration(
        project_id=project.id,
        stage_id=data.stage_id,
        name=data.name.strip(),
        goal=(data.goal or "").strip(),
        start_on=data.start_on,
        end_on=data.end_on,
        committed_points=data.committed_points,
        status=IterationStatus.PLANNED,
    )
    db.session.add(iteration)
    _flush_unique_name(iteration.name)
    audit.record(
        "iteration.created",
        iteration,
        project_id=project.id,
        summary=f"Planned iteration {iteration.name}",
        changes=diff({}, _iteration_snapshot(iteration)),
    )
    return iteration


def update_iteration(
    project: Project, iteration: Iteration, data: IterationData, *, version: int | None
) -> Iteration:
    check_version(iteration, version)
    if iteration.status == IterationStatus.CLOSED:
        raise RuleError("A closed iteration cannot be changed: its figures are history.")
    _check_iteration(project, data, iteration.id)
    _check_stage(project, data, iteration)
    before = _iteration_snapshot(iteration)
    iteration.stage_id = data.stage_id
    iteration.name = data.name.strip()
    iteration.goal = (data.goal or "").strip()
    iteration.start_on = data.start_on
    iteration.end_on = data.end_on
    iteration.committed_points = data.committed_points
    changes = diff(before, _iteration_snapshot(iteration))
    if changes:
        _flush_unique_name(iteration.name)
        audit.record(
            "iteration.updated",
            iteration,
            project_id=project.id,
            summary=f"Updated iteration {iteration.name}: "
            + ", ".join(k.replace("_", " ") for k in changes),
            changes=changes,
        )
    return iteration


def _flush_unique_name(name: str) -> None:
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise RuleError(f"This project already has an iteration called '{name}'", "name") from None
    except StaleDataError:
        raise StaleEdit() from None


def _locked(iteration: Iteration) -> Iteration:
    """Re-read the iteration under a row lock (PostgreSQL; SQLite serialises writers), so a
    decision is taken on its current state, not on what the page showed."""
    return db.session.scalars(
        select(Iteration)
        .where(Iteration.id == iteration.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def start_iteration(project: Project, iteration: Iteration, *, version: int | None) -> Iteration:
    _require_iterative(project)
    _require_open(project)
    waiting = not_started(project)
    if waiting:
        raise RuleError(waiting)
    check_version(iteration, version)
    iteration = _locked(iteration)
    if iteration.status != IterationStatus.PLANNED:
        raise RuleError(
            f"Only a planned iteration can be started; {iteration.name} is {iteration.status}."
        )
    active = db.session.scalars(
        select(Iteration.name).where(
            Iteration.project_id == project.id, Iteration.status == IterationStatus.ACTIVE
        )
    ).first()
    if active is not None:
        raise RuleError(f"Close {active} before starting another iteration.")
    items = db.session.scalars(
        select(BacklogItem.points).where(BacklogItem.iteration_id == iteration.id)
    ).all()
    iteration.status = IterationStatus.ACTIVE
    iteration.started_at = utcnow()
    if iteration.committed_points is None:
        iteration.committed_points = sum(items)
    _flush_decision()
    audit.record(
        "iteration.started",
        iteration,
        project_id=project.id,
        summary=f"Started iteration {iteration.name} with {iteration.committed_points} "
        "points committed",
        changes={
            "status": ["planned", "active"],
            "committed_points": [None, iteration.committed_points],
        },
    )
    return iteration


def not_started(project: Project) -> str | None:
    """Why this project's iterations cannot start yet, or None when they can.

    The manager plans iterations at any time, but starting one spends the project's money:
    that waits until the board has started the project (the Executive's authorisation for
    agile work, the approved start gate for hybrid work). Starting an iteration never moves
    the project's status.
    """
    if project.status != ProjectStatus.PROPOSED:
        return None
    if project.delivery_method == "hybrid":
        return (
            "This hybrid project is still proposed: it starts its iterations once the board "
            "has approved its start gate."
        )
    return (
        "This agile project is still proposed: it starts its iterations once the Executive "
        "has authorised the start."
    )


def _flush_decision() -> None:
    """Flush a state change; someone else's change in between makes ours stale."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except (StaleDataError, IntegrityError):
        raise RuleError(
            "Someone else changed this iteration at the same time. Reload the page to see "
            "its current state."
        ) from None


def close_iteration(
    project: Project, iteration: Iteration, *, version: int | None
) -> rules.IterationClose:
    """Close the active iteration once customers have agreed to proceed.

    Done items count as completed; every other item moves to the next planned iteration
    (or back to the backlog) with a carry-over record and a history row, so the spill-over
    stays visible on the closed iteration.
    """
    iteration = _locked(iteration)
    if iteration.status == IterationStatus.CLOSED:
        raise RuleError(ALREADY_CLOSED)
    check_version(iteration, version)
    agreements = db.session.scalars(
        select(Feedback.agreement).where(Feedback.iteration_id == iteration.id)
    ).all()
    items = db.session.scalars(
        select(BacklogItem).where(BacklogItem.iteration_id == iteration.id).order_by(BacklogItem.id)
    ).all()
    try:
        outcome = rules.close_iteration(
            iteration.status,
            agreements,
            [
                rules.ClosingItem(item.id, item.points, rules.ItemStatus(item.status))
                for item in items
            ],
        )
    except rules.IterationCloseError as error:
        raise RuleError(str(error)) from None
    next_iteration = db.session.scalars(
        select(Iteration)
        .where(
            Iteration.project_id == project.id,
            Iteration.status == IterationStatus.PLANNED,
            Iteration.id != iteration.id,
        )
        .order_by(Iteration.start_on, Iteration.id)
    ).first()
    now = utcnow()
    iteration.status = IterationStatus.CLOSED
    iteration.completed_points = outcome.completed_points
    iteration.closed_at = now
    iteration.closed_by_id = _actor_id()
    carried = set(outcome.carried_over)
    for item in items:
        if item.id not in carried:
            continue
        db.session.add(
            CarryOver(
                iteration_id=iteration.id,
                item_id=item.id,
                to_iteration_id=next_iteration.id if next_iteration else None,
                points=item.points,
                status=item.status,
            )
        )
        item.iteration_id = next_iteration.id if next_iteration else None
        db.session.add(
            ItemStatusChange(
                project_id=project.id,
                item_id=item.id,
                from_status=item.status,
                to_status=item.status,
                iteration_id=item.iteration_id,
                reason="carried_over",
                changed_at=now,
                changed_by_id=_actor_id(),
            )
        )
    _flush_decision()
    destination = next_iteration.name if next_iteration else "the backlog"
    audit.record(
        "iteration.closed",
        iteration,
        project_id=project.id,
        summary=f"Closed iteration {iteration.name}: {outcome.completed_points} points "
        f"completed, {len(carried)} items ({outcome.carried_over_points} points) carried over "
        f"to {destination}",
        changes={
            "status": ["active", "closed"],
            "completed_points": [None, outcome.completed_points],
            "carried_over_items": sorted(carried),
            "carried_over_to": destination,
            "agreements": outcome.agreements,
            "disagreements": outcome.disagreements,
        },
    )
    # Every iteration close takes a budget checkpoint (once a baseline exists): budget
    # subscribes (docs/architecture.md), in this transaction.
    events.send(
        events.iteration_closed,
        iteration,
        project=project,
        actor=current_user if _actor_id() is not None else None,
    )
    return outcome


# --------------------------------------------------------------------------------------
# Authorising an agile project's start
# --------------------------------------------------------------------------------------


def start_problem(project: Project) -> str | None:
    """Why the board cannot authorise this project's start here, or None when it can."""
    if project.delivery_method is None:
        return (
            "The project's delivery method is not decided yet: record a method decision "
            "first. An agile project starts when its Executive authorises it."
        )
    if project.delivery_method != "agile":
        return (
            "A stage-gated or hybrid project starts when the board approves its start gate: "
            "request the start gate from its stages."
        )
    if project.status != ProjectStatus.PROPOSED:
        return f"This project is already {project.status.replace('_', ' ')}: it has started."
    return None


def authorise_start(project: Project, *, conditions: str, version: int | None, actor) -> Project:
    """The Executive's decision that a proposed agile project starts: the agile project's
    start gate. The project becomes active, who authorised it and when is kept on the
    project, and its manager is told; only then can its iterations start."""
    conditions = (conditions or "").strip()
    project = db.session.scalars(
        select(Project)
        .where(Project.id == project.id)
        .with_for_update(of=Project)
        .execution_options(populate_existing=True)
    ).one()
    problem = start_problem(project)
    if problem:
        raise RuleError(problem)
    check_version(project, version)
    refusal = start_refusal(actor, project)
    if refusal:
        raise RuleError(refusal)
    project.start_authorised_at = utcnow()
    project.start_authorised_by_id = actor.id
    label = MOVER_LABELS[Mover.START_AUTHORISED]
    lifecycle.move(
        project,
        ProjectStatus.ACTIVE,
        mover=Mover.START_AUTHORISED,
        actor=actor,
        decision=f"{label}: {conditions}" if conditions else label,
        refs={"conditions": conditions} if conditions else None,
    )
    # Another domain reacts to the decision: imported here, as close_project does the budget,
    # so the agile package does not load the notifications package at import time.
    from tracker.notifications import events as notifications

    notifications.start_authorised(project, actor)
    return project


# --------------------------------------------------------------------------------------
# Closing a project without stages
# --------------------------------------------------------------------------------------


def closure_problem(project: Project) -> str | None:
    """Why the board cannot close this project here, or None when it can."""
    if project.delivery_method not in ("agile", None):
        return (
            "A stage-gated or hybrid project closes at its closing gate, or early by the "
            "Executive at a waiting gate or on an exception report."
        )
    if project.status in FINISHED_STATUSES:
        return "This project is already closed."
    return None


def closing_status(project: Project) -> ProjectStatus:
    """Closed when the project delivered its last iteration (every iteration closed, none
    waiting); closed early otherwise."""
    statuses = db.session.scalars(
        select(Iteration.status).where(Iteration.project_id == project.id)
    ).all()
    if (
        project.status == ProjectStatus.ACTIVE
        and project.delivery_method == "agile"
        and statuses
        and all(status == IterationStatus.CLOSED for status in statuses)
    ):
        return ProjectStatus.CLOSED
    return ProjectStatus.CLOSED_EARLY


def close_project(project: Project, *, reason: str, version: int | None, actor) -> Project:
    """The Executive's decision to close a project that has no stages (agile, or no
    method decided yet). After its last iteration the project is closed; before, it is
    closed early. An iteration under way must close first, so what it delivered and
    carried over is recorded, and a budget exception waiting for the board is decided
    first, so no decision is left waiting on a closed project."""
    reason = (reason or "").strip()
    if not reason:
        raise RuleError("Enter the reason for closing the project", "reason")
    project = db.session.scalars(
        select(Project)
        .where(Project.id == project.id)
        .with_for_update(of=Project)
        .execution_options(populate_existing=True)
    ).one()
    problem = closure_problem(project)
    if problem:
        raise RuleError(problem)
    check_version(project, version)
    if "executive" not in project_roles(actor, project.id):
        raise RuleError("Only the project's Executive can close the project.")
    running = db.session.scalars(
        select(Iteration.name).where(
            Iteration.project_id == project.id, Iteration.status == IterationStatus.ACTIVE
        )
    ).first()
    if running is not None:
        raise RuleError(
            f"{running} is under way: close it first, so what it delivered and carried over "
            "is recorded, then close the project."
        )
    # Budget answers for its own exceptions (docs/architecture.md: agile sits below it).
    blockers = [problem for problem in events.send(events.closure_blockers, project) if problem]
    if blockers:
        raise RuleError(blockers[0])
    target = closing_status(project)
    mover = Mover.CLOSING_DECISION if target is ProjectStatus.CLOSED else Mover.EARLY_CLOSURE
    lifecycle.move(
        project,
        target,
        mover=mover,
        actor=actor,
        decision=f"{MOVER_LABELS[mover]}: {reason}",
        refs={"reason": reason},
    )
    return project


# --------------------------------------------------------------------------------------
# Backlog items
# --------------------------------------------------------------------------------------


@dataclass
class ItemData:
    title: str
    description: str
    points: int
    iteration_id: int | None = None
    moscow: str | None = None


def _item_snapshot(item: BacklogItem) -> dict:
    return {
        "title": item.title,
        "description": item.description,
        "points": item.points,
        "status": item.status,
        "iteration": item.iteration.name if item.iteration else None,
        "moscow": item.moscow,
    }


def _lock_project(project: Project) -> Project:
    """The project row under a lock: the one place in the lock order that serialises
    everything that hands out or changes backlog ranks (PostgreSQL; SQLite serialises
    writers anyway)."""
    return db.session.scalars(
        select(Project)
        .where(Project.id == project.id)
        .with_for_update(of=Project)
        .execution_options(populate_existing=True)
    ).one()


def _bottom_rank(project_id: int) -> int:
    highest = db.session.scalar(
        select(func.max(BacklogItem.rank)).where(BacklogItem.project_id == project_id)
    )
    return (highest or 0) + 1


def _target_iteration(project: Project, iteration_id: int | None) -> Iteration | None:
    if iteration_id is None:
        return None
    iteration = db.session.get(Iteration, iteration_id)
    if iteration is None or iteration.project_id != project.id:
        raise RuleError("Choose an iteration from the list", "iteration_id")
    if iteration.status == IterationStatus.CLOSED:
        raise RuleError(
            f"{iteration.name} is closed: add the item to a planned or active iteration, or "
            "leave it in the backlog",
            "iteration_id",
        )
    return iteration


def _check_item(data: ItemData) -> None:
    if not (data.title or "").strip():
        raise RuleError("Enter a title for the item", "title")
    if isinstance(data.points, bool) or not isinstance(data.points, int) or data.points <= 0:
        raise RuleError("Points must be a whole number of 1 or more", "points")
    if data.moscow not in (None, *Priority):
        raise RuleError("Choose must, should, could or won't have, or leave it blank", "moscow")


def _history(item: BacklogItem, reason: str, from_status: str | None, at=None) -> None:
    db.session.add(
        ItemStatusChange(
            project_id=item.project_id,
            item_id=item.id,
            from_status=from_status,
            to_status=item.status,
            iteration_id=item.iteration_id,
            reason=reason,
            changed_at=at or utcnow(),
            changed_by_id=_actor_id(),
        )
    )


def create_item(project: Project, data: ItemData) -> BacklogItem:
    _require_iterative(project)
    _check_item(data)
    iteration = _target_iteration(project, data.iteration_id)
    _lock_project(project)
    item = BacklogItem(
        project_id=project.id,
        title=data.title.strip(),
        description=(data.description or "").strip(),
        points=data.points,
        status=ItemStatus.TODO,
        iteration=iteration,
        rank=_bottom_rank(project.id),  # a new item joins the bottom of the order
        moscow=data.moscow or None,
    )
    db.session.add(item)
    db.session.flush()
    _history(item, "created", None)
    db.session.flush()
    audit.record(
        "backlog_item.created",
        item,
        project_id=project.id,
        summary=f"Added backlog item '{item.title}' ({item.points} points)",
        changes=diff({}, _item_snapshot(item)),
    )
    return item


def _refuse_if_closed(item: BacklogItem) -> None:
    if item.iteration is not None and item.iteration.status == IterationStatus.CLOSED:
        raise RuleError(
            f"This item belongs to {item.iteration.name}, which is closed: its figures are history."
        )


def update_item(
    project: Project, item: BacklogItem, data: ItemData, *, version: int | None
) -> BacklogItem:
    check_version(item, version)
    _refuse_if_closed(item)
    _check_item(data)
    iteration = _target_iteration(project, data.iteration_id)
    before = _item_snapshot(item)
    moved = item.iteration_id != (iteration.id if iteration else None)
    item.title = data.title.strip()
    item.description = (data.description or "").strip()
    item.points = data.points
    item.iteration = iteration
    item.moscow = data.moscow or None
    changes = diff(before, _item_snapshot(item))
    if not changes:
        return item
    _flush_item()
    if moved:
        _history(item, "moved", item.status)
        db.session.flush()
    audit.record(
        "backlog_item.updated",
        item,
        project_id=project.id,
        summary=f"Updated backlog item '{item.title}': "
        + ", ".join(k.replace("_", " ") for k in changes),
        changes=changes,
    )
    return item


def change_status(
    project: Project, item: BacklogItem, status: str, *, version: int | None
) -> BacklogItem:
    check_version(item, version)
    _refuse_if_closed(item)
    if status not in ITEM_STATUSES:
        raise RuleError("Choose a status from the list", "status")
    if status == item.status:
        raise RuleError(f"The item is already '{ITEM_STATUSES[status]}'", "status")
    before = item.status
    item.status = status
    _flush_item()
    _history(item, "status", before)
    db.session.flush()
    audit.record(
        "backlog_item.status_changed",
        item,
        project_id=project.id,
        summary=f"Moved '{item.title}' from {ITEM_STATUSES[before]} to {ITEM_STATUSES[status]}",
        changes={"status": [before, status]},
    )
    return item


def _movable_ranks(project_id: int) -> list[int]:
    """The ranks of the items whose place still matters (``queries.movable``); the others
    keep their ranks and are stepped over."""
    return list(
        db.session.scalars(
            select(BacklogItem.rank)
            .outerjoin(Iteration, Iteration.id == BacklogItem.iteration_id)
            .where(BacklogItem.project_id == project_id, queries.movable(BacklogItem, Iteration))
            .order_by(BacklogItem.rank)
        )
    )


MOVE_WORDS = {
    Move.UP: "up",
    Move.DOWN: "down",
    Move.TOP: "to the top",
    Move.BOTTOM: "to the bottom",
}


def move_item(
    project: Project, item: BacklogItem, move: Move | int, *, seen_rank: int | None
) -> BacklogItem:
    """Put an item somewhere else in the backlog's order (the product owner's decision).

    ``move`` is up, down, top, bottom, or a place (1 = first) among the items that can
    move. ``seen_rank`` is the rank the person saw: if the item has moved since, the move is
    refused as stale rather than applied to an order they did not see. Under the project
    lock, the items between the old place and the new shift one place, through negative
    ranks so the unique (project, rank) index holds at every step: no place is lost or
    given twice, whoever else is reordering. The item's history keeps the move (audit).
    """
    _lock_project(project)
    db.session.refresh(item)  # its rank and status as they are now, under the lock
    rank = item.rank
    if seen_rank is not None and rank != seen_rank:
        raise StaleEdit()
    if item.status == ItemStatus.DONE:
        raise RuleError(f"'{item.title}' is done: only work still to do is put in order.")
    _refuse_if_closed(item)
    ranks = _movable_ranks(project.id)
    try:
        target = rules.target_rank(ranks, rank, move)
    except ValueError:
        raise RuleError(
            f"Choose a place from 1 to {len(ranks)} for '{item.title}'", "position"
        ) from None
    before, after = ranks.index(rank) + 1, ranks.index(target) + 1
    if target == rank:
        where = "first" if before == 1 else "last" if before == len(ranks) else f"in place {before}"
        raise RuleError(f"'{item.title}' is already {where} in the backlog.")
    same_project = BacklogItem.project_id == project.id
    if target < rank:  # up: the items from the target to just above shift down one place
        between = same_project & BacklogItem.rank.between(target, rank - 1)
        parked = -(BacklogItem.rank + 1)
    else:  # down: the items from just below to the target shift up one place
        between = same_project & BacklogItem.rank.between(rank + 1, target)
        parked = -(BacklogItem.rank - 1)
    plain = {"synchronize_session": False}
    db.session.execute(
        update(BacklogItem).where(between).values(rank=parked), execution_options=plain
    )
    db.session.execute(
        update(BacklogItem).where(BacklogItem.id == item.id).values(rank=target),
        execution_options=plain,
    )
    db.session.execute(
        update(BacklogItem)
        .where(same_project, BacklogItem.rank < 0)
        .values(rank=-BacklogItem.rank),
        execution_options=plain,
    )
    db.session.expire(item, ["rank"])
    how = MOVE_WORDS.get(move, "") if not isinstance(move, int) else f"to place {move}"
    audit.record(
        "backlog_item.reordered",
        item,
        project_id=project.id,
        summary=f"Moved '{item.title}' {how or 'in the order'}: from place {before} to place "
        f"{after} of {len(ranks)} in the backlog",
        changes={"place": [before, after], "rank": [rank, target]},
    )
    return item


def _flush_item() -> None:
    try:
        with db.session.begin_nested():
            db.session.flush()
    except StaleDataError:
        raise StaleEdit() from None


# --------------------------------------------------------------------------------------
# Feedback
# --------------------------------------------------------------------------------------


@dataclass
class FeedbackData:
    source: str
    given_by: str
    rating: int
    said: str
    agreement: str
    action_taken: str = ""
    backlog_item_id: int | None = None


def _feedback_snapshot(feedback: Feedback) -> dict:
    return {
        "source": feedback.source,
        "given_by": feedback.given_by,
        "rating": feedback.rating,
        "said": feedback.said,
        "agreement": feedback.agreement,
        "action_taken": feedback.action_taken,
        "backlog_item": feedback.backlog_item.title if feedback.backlog_item else None,
        "loop_closed": feedback.loop_closed,
        "loop_closed_how": feedback.loop_closed_how,
    }


def add_feedback(project: Project, iteration: Iteration, data: FeedbackData) -> Feedback:
    if iteration.project_id != project.id:
        raise RuleError("That iteration belongs to another project")
    if iteration.status == IterationStatus.PLANNED:
        raise RuleError(
            f"{iteration.name} has not started: customers give feedback on work they have "
            "seen. Start the iteration first."
        )
    if data.source not in FEEDBACK_SOURCES:
        raise RuleError("Choose who gave the feedback", "source")
    if (
        isinstance(data.rating, bool)
        or not isinstance(data.rating, int)
        or not 1 <= data.rating <= 5
    ):
        raise RuleError("Rating must be a whole number from 1 to 5", "rating")
    if not (data.said or "").strip():
        raise RuleError("Enter what they said", "said")
    if data.agreement not in AGREEMENTS:
        raise RuleError("Choose whether they agreed to proceed", "agreement")
    item = None
    if data.backlog_item_id is not None:
        item = db.session.get(BacklogItem, data.backlog_item_id)
        if item is None or item.project_id != project.id:
            raise RuleError("Choose a backlog item from the list", "backlog_item_id")
    feedback = Feedback(
        project_id=project.id,
        iteration_id=iteration.id,
        source=data.source,
        given_by=(data.given_by or "").strip(),
        rating=data.rating,
        said=data.said.strip(),
        agreement=data.agreement,
        action_taken=(data.action_taken or "").strip(),
        backlog_item=item,
        loop_closed=False,
        recorded_by_id=_actor_id(),
    )
    db.session.add(feedback)
    db.session.flush()
    audit.record(
        "feedback.recorded",
        feedback,
        project_id=project.id,
        summary=f"Recorded feedback on {iteration.name} from a "
        f"{FEEDBACK_SOURCES[data.source].lower()}: rating {data.rating}, agreement "
        f"'{AGREEMENTS[data.agreement]}'",
        changes=diff({}, _feedback_snapshot(feedback)),
    )
    return feedback


def close_loop(
    project: Project,
    feedback: Feedback,
    *,
    action_taken: str,
    how: str,
    backlog_item_id: int | None,
    version: int | None,
) -> Feedback:
    """Say what the team did about the feedback and record that the customer was told."""
    check_version(feedback, version)
    if feedback.loop_closed:
        raise RuleError("The loop on this feedback has already been closed.")
    if not (action_taken or "").strip():
        raise RuleError("Enter what the team did about the feedback", "action_taken")
    if not (how or "").strip():
        raise RuleError("Enter how you told them what you did", "loop_closed_how")
    item = feedback.backlog_item
    if backlog_item_id is not None:
        item = db.session.get(BacklogItem, backlog_item_id)
        if item is None or item.project_id != project.id:
            raise RuleError("Choose a backlog item from the list", "backlog_item_id")
    before = _feedback_snapshot(feedback)
    feedback.action_taken = action_taken.strip()
    feedback.loop_closed_how = how.strip()
    feedback.backlog_item = item
    feedback.loop_closed = True
    feedback.loop_closed_at = utcnow()
    _flush_item()
    audit.record(
        "feedback.loop_closed",
        feedback,
        project_id=project.id,
        summary=f"Closed the loop on feedback from a {FEEDBACK_SOURCES[feedback.source].lower()}",
        changes=diff(before, _feedback_snapshot(feedback)),
    )
    return feedback
