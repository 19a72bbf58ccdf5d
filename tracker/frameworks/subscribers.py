"""What frameworks does when other domains announce something (``tracker.core.events``)."""

from __future__ import annotations

from tracker.core import events
from tracker.core.waiting import Kind
from tracker.frameworks import decisions, services


@events.subscribe(events.project_created, order=10)
def start_on_default_framework(project, *, actor=None) -> None:
    """A new project starts on the default framework's newest published version, and
    keeps it until its manager moves it at a boundary."""
    services.assign_default(project, actor=actor)


@events.subscribe(events.waiting_for, order=70)
def decisions_by_template_roles(user, *, decisions_only: bool) -> list[Kind]:
    """Requests decided by the roles a gate template names, registered by the domains
    above (service assessments, phase funding exceptions, release gates, closing gates):
    one statement for them all, so My work stays within its queries."""
    return decisions.waiting_for(user)
