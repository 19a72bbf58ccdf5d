"""What worklog contributes when other parts of the app ask (``tracker.core.events``)."""

from __future__ import annotations

from tracker.core import events
from tracker.core.filters import day
from tracker.core.waiting import Kind, Link
from tracker.worklog import queries, rules, services


@events.subscribe(events.waiting_for, order=40)
def weeks_to_submit(user, *, decisions_only: bool) -> list[Kind]:
    """Past weeks with time logged that the person has not submitted."""
    if decisions_only:
        return []
    weeks = queries.weeks_to_submit(user.id, rules.week_start(services.today()))
    links = [
        Link(
            f"Week starting {day(week.week_start)}",
            "worklog.timesheet",
            {"week": week.week_start.isoformat()},
        )
        for week in weeks
    ]
    return [Kind("weeks", "week to submit", "weeks to submit", weeks, links)]
