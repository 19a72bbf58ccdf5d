"""What the portfolio does when other domains announce something (``tracker.core.events``).

The portfolio reads every domain below it; the ORM session hooks in ``summary`` see most
changes, but not rows written in bulk with Core statements, whose writers announce them.
"""

from __future__ import annotations

from tracker.core import events
from tracker.portfolio import summary


@events.subscribe(events.checkpoints_taken, order=10)
def refresh_after_checkpoints(_sender, *, project_ids) -> None:
    summary.refresh(project_ids)
