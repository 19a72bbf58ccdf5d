"""What budget does when other domains announce something (``tracker.core.events``).

Budget sits above stages and agile: they announce, budget takes its automatic checkpoints
in the same transaction. A checkpoint may in turn put the current stage in exception
(``stages.apply_forecast``), which budget calls directly, as it may.
"""

from __future__ import annotations

from tracker.budget import queries, services
from tracker.core import events
from tracker.core.waiting import Kind, Link


@events.subscribe(events.gate_approved, order=10)
def checkpoint_at_gate(gate, *, actor) -> None:
    services.checkpoint_at_gate(gate, actor)


@events.subscribe(events.closure_blockers, order=10)
def budget_exception_waiting(project) -> str | None:
    waiting = services.open_budget_exception(project)
    if waiting is None:
        return None
    return (
        f"A budget exception raised on {waiting.raised_at:%d/%m/%Y} is waiting for the "
        "board: decide it first, then close the project."
    )


@events.subscribe(events.iteration_closed, order=10)
def checkpoint_at_iteration_close(iteration, *, project, actor) -> None:
    services.checkpoint_at_iteration_close(project, iteration, actor)


@events.subscribe(events.waiting_for, order=20)
def budget_exceptions_waiting(user, *, decisions_only: bool) -> list[Kind]:
    """Budget exceptions waiting for a board role this person holds (the inbox's second
    table)."""
    items = queries.inbox(user)
    return [
        Kind(
            "budget_exceptions",
            "budget exception to decide",
            "budget exceptions to decide",
            items,
            [
                Link(
                    f"{item.project_code}: budget exception",
                    "stages.inbox",
                    {"_anchor": "budget-exceptions"},
                )
                for item in items
            ],
            is_decision=True,
        )
    ]
