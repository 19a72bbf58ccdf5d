"""What the board contributes when other domains ask or announce (``tracker.core.events``)."""

from __future__ import annotations

from tracker.board import queries, services
from tracker.core import events
from tracker.core.dates import uk_today


@events.subscribe(events.gate_request_blockers, order=10)
def open_conditions(project) -> str | None:
    """The next gate waits until every condition of the earlier ones is met or waived."""
    return services.open_conditions_blocking(project)


@events.subscribe(events.gate_conditions_given, order=10)
def conditions_as_actions(gate, *, role, text, actor) -> None:
    """Conditions given as free text on the gate page become an action too."""
    services.condition_from_free_text(gate, role=role, text=text, actor=actor)


@events.subscribe(events.my_work_sections, order=10)
def my_conditions(user) -> dict | None:
    rows = queries.my_conditions(user.id)
    if not rows:
        return None
    return {"template": "board/_my_conditions.html", "rows": rows, "today": uk_today()}
