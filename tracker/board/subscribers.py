"""What the board contributes when other domains ask or announce (``tracker.core.events``)."""

from __future__ import annotations

from flask import g

from tracker.board import packs, queries, services
from tracker.core import events
from tracker.core.dates import uk_today
from tracker.core.filters import day
from tracker.core.waiting import Kind, Link


def _my_conditions(user_id: int) -> list:
    """The person's open conditions, read once a request (My work asks twice: the count
    and the table)."""
    cache = g.setdefault("board_my_conditions", {})
    if user_id not in cache:
        cache[user_id] = queries.my_conditions(user_id)
    return cache[user_id]


@events.subscribe(events.gate_request_blockers, order=10)
def open_conditions(project) -> str | None:
    """The next gate waits until every condition of the earlier ones is met or waived."""
    return services.open_conditions_blocking(project)


@events.subscribe(events.gate_conditions_given, order=10)
def conditions_as_actions(gate, *, role, text, actor) -> None:
    """Conditions given as free text on the gate page become an action too."""
    services.condition_from_free_text(gate, role=role, text=text, actor=actor)


@events.subscribe(events.gate_requested, order=10)
def pack_at_request(gate, *, actor) -> None:
    """Freeze the pack the board will decide from; a render failure leaves the request."""
    packs.freeze_at(gate, moment="requested", actor=actor)


@events.subscribe(events.gate_resolved, order=10)
def pack_at_resolve(gate, *, actor) -> None:
    """Freeze the pack as the gate resolved; a render failure leaves the decision."""
    packs.freeze_at(gate, moment="resolved", actor=actor)


@events.subscribe(events.exception_raised, order=10)
def pack_at_raise(report, *, actor) -> None:
    """Freeze the exception's pack as it goes to the board; a render failure leaves the
    report raised."""
    packs.freeze_at(report, moment="requested", actor=actor)


@events.subscribe(events.exception_decided, order=10)
def pack_at_exception_decided(report, *, actor) -> None:
    """Freeze the exception's pack as the board decided it; a failure leaves the decision."""
    packs.freeze_at(report, moment="resolved", actor=actor)


@events.subscribe(events.my_work_sections, order=10)
def my_conditions(user) -> dict | None:
    rows = _my_conditions(user.id)
    if not rows:
        return None
    return {"template": "board/_my_conditions.html", "rows": rows, "today": uk_today()}


@events.subscribe(events.waiting_for, order=60)
def conditions_to_meet(user, *, decisions_only: bool) -> list[Kind]:
    """Open conditions of the board's approvals that the person owns."""
    if decisions_only:
        return []
    rows = _my_conditions(user.id)
    links = [
        Link(
            f"{project.code}: {condition.text[:80]} (due {day(condition.due_on)})",
            "board.show_condition",
            {"project_id": project.id, "condition_id": condition.id},
        )
        for condition, project in rows
    ]
    return [Kind("conditions", "condition to meet", "conditions to meet", rows, links)]
