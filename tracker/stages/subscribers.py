"""What stages answers when other domains ask (``tracker.core.events``)."""

from __future__ import annotations

from sqlalchemy import select

from tracker.core import events
from tracker.extensions import db
from tracker.stages.models import GateReview
from tracker.stages.rules import GateStatus


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
