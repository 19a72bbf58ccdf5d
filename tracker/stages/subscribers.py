"""What stages contributes when other parts of the app ask (``tracker.core.events``)."""

from __future__ import annotations

from tracker.core import events
from tracker.core.waiting import Kind, Link
from tracker.stages import queries


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
