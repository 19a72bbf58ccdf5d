"""What the benefits register contributes when other parts of the app ask
(``tracker.core.events``)."""

from __future__ import annotations

from tracker.benefits import queries
from tracker.core import events
from tracker.core.dates import uk_today
from tracker.core.filters import day
from tracker.core.waiting import Kind, Link


@events.subscribe(events.waiting_for, order=80)
def benefits_to_attend(user, *, decisions_only: bool) -> list[Kind]:
    """Benefits the person owns that are off their trajectory beyond the benefit tolerance,
    and the reviews of closed projects' benefits that have fallen due."""
    if decisions_only:
        return []
    off, due = queries.needing_attention(user.id, uk_today())
    kinds = []
    if off:
        kinds.append(
            Kind(
                "benefits_off_track",
                "benefit you own off its trajectory",
                "benefits you own off their trajectory",
                off,
                [
                    Link(
                        f"{project.code}: {benefit.title}",
                        "benefits.show_benefit",
                        {"project_id": project.id, "benefit_id": benefit.id},
                    )
                    for benefit, project in off
                ],
            )
        )
    if due:
        kinds.append(
            Kind(
                "benefit_reviews",
                "benefits review due",
                "benefits reviews due",
                due,
                [
                    Link(
                        f"{project.code}: {benefit.title} (due {day(due_on)})",
                        "benefits.record_review",
                        {"project_id": project.id, "benefit_id": benefit.id},
                    )
                    for benefit, project, due_on in due
                ],
            )
        )
    return kinds
