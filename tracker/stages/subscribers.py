"""What stages answers when other domains ask (``tracker.core.events``)."""

from __future__ import annotations

from sqlalchemy import select

from tracker.core import events
from tracker.core.waiting import Kind, Link
from tracker.extensions import db
from tracker.stages import queries
from tracker.stages.models import GateReview
from tracker.stages.rules import GateStatus


@events.subscribe(events.waiting_for, order=10)
def decisions_waiting(user, *, decisions_only: bool) -> list[Kind]:
    """Gates, exception reports and agile starts waiting for this person's decision: the
    rows of the Decisions inbox."""
    items = queries.inbox(user)
    return [
        Kind(
            "decisions",
            "gate, exception or start to decide",
            "gates, exceptions or starts to decide",
            items,
            [Link(f"{item.project_code}: {item.kind}", "stages.inbox") for item in items],
            is_decision=True,
        )
    ]


@events.subscribe(events.framework_move_blockers, order=10)
def gate_waiting(project) -> str | None:
    """A project changes framework between gates, never while the board is deciding one:
    the gate was requested under the old version's template."""
    waiting = db.session.scalar(
        select(GateReview.id).where(
            GateReview.project_id == project.id, GateReview.status == GateStatus.PENDING
        )
    )
    if waiting is not None:
        return "a gate is waiting for the board's decision; move it once the board has decided."
    return None


@events.subscribe(events.boundary_waiting, order=10)
def gate_at_boundary(project) -> tuple[str, int, str] | None:
    """The gate waiting for the board, which a switch of method may ride on."""
    gate = db.session.scalars(
        select(GateReview).where(
            GateReview.project_id == project.id, GateReview.status == GateStatus.PENDING
        )
    ).first()
    if gate is None:
        return None
    name = (
        f"the gate at the end of {gate.closes_stage.label}"
        if gate.closes_stage is not None
        else "the start gate"
    )
    return ("gate", gate.id, name)
