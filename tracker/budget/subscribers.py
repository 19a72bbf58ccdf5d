"""What budget does when other domains announce something (``tracker.core.events``).

Budget sits above stages and agile: they announce, budget takes its automatic checkpoints
in the same transaction. A checkpoint may in turn put the current stage in exception
(``stages.apply_forecast``), which budget calls directly, as it may.
"""

from __future__ import annotations

from tracker.budget import services
from tracker.core import events


@events.subscribe(events.gate_approved, order=10)
def checkpoint_at_gate(gate, *, actor) -> None:
    services.checkpoint_at_gate(gate, actor)


@events.subscribe(events.iteration_closed, order=10)
def checkpoint_at_iteration_close(iteration, *, project, actor) -> None:
    services.checkpoint_at_iteration_close(project, iteration, actor)
