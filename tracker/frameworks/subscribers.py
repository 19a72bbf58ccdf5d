"""What frameworks does when other domains announce something (``tracker.core.events``)."""

from __future__ import annotations

from tracker.core import events
from tracker.frameworks import services


@events.subscribe(events.project_created, order=10)
def start_on_default_framework(project, *, actor=None) -> None:
    """A new project starts on the default framework's newest published version, and
    keeps it until its manager moves it at a boundary."""
    services.assign_default(project, actor=actor)
