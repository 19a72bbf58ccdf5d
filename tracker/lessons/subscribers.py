"""What the lessons log does when other domains announce something (``tracker.core.events``):
at every gate and every iteration close, the project manager is asked to log its lessons."""

from __future__ import annotations

from tracker.core import events
from tracker.extensions import db
from tracker.lessons import services
from tracker.projects.models import Project
from tracker.stages.services import gate_title


@events.subscribe(events.gate_resolved, order=30)
def lessons_at_gate(gate, *, actor) -> None:
    """A gate review resolved (either way): its stage's lessons are fresh."""
    project = db.session.get(Project, gate.project_id)
    services.prompt_for_lessons(project, f"the gate review ({gate_title(gate)})")


@events.subscribe(events.iteration_closed, order=30)
def lessons_at_iteration_close(iteration, *, project, actor=None) -> None:
    """An iteration closed (by its manager or on schedule): time for its retrospective."""
    services.prompt_for_lessons(project, f"the iteration {iteration.name}")
