"""What phases does when other domains announce something (``tracker.core.events``)."""

from __future__ import annotations

from tracker.core import events
from tracker.phases import services


@events.subscribe(events.iteration_closed, order=20)
def spending_at_iteration_close(iteration, *, project, actor=None) -> None:
    """After the iteration's budget checkpoint, compare the phase's spending with the
    funding released to it: past it, an exception goes to the board."""
    phase = services.active_phase(project)
    if phase is not None:
        services.check_spending(phase, actor=actor)
