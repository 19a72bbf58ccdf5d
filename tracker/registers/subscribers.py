"""What the registers contribute when other parts of the app ask (``tracker.core.events``)."""

from __future__ import annotations

from tracker.core import events
from tracker.core.waiting import Kind, Link
from tracker.registers import queries


@events.subscribe(events.waiting_for, order=50)
def risks_to_review(user, *, decisions_only: bool) -> list[Kind]:
    """Open risks the person owns: theirs to review until closed."""
    if decisions_only:
        return []
    rows = queries.risks_to_review(user.id)
    links = [
        Link(
            f"{row.code}: {row.title}",
            "registers.list_risks",
            {"project_id": row[2]},
        )
        for row in rows
    ]
    return [
        Kind("risks", "open risk you own to review", "open risks you own to review", rows, links)
    ]
