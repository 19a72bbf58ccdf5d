"""Who may do what with time: the worklog domain's object rules, on the one team lookup.

Views, templates, services and the API ask here; nobody re-derives it.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from tracker.auth.models import User
from tracker.extensions import db
from tracker.projects.models import ProjectMembership
from tracker.worklog.models import TimeEntry, TimesheetWeek


def unlockable_weeks(actor: User, week_ids: Iterable[int]) -> set[int]:
    """Of ``week_ids``, the submitted weeks ``actor`` may reopen: an administrator any, a
    project manager those with time on a project they manage. One query for the lot, so a
    project's time log does not ask once per week."""
    week_ids = set(week_ids)
    if not week_ids:
        return set()
    if actor.is_admin:
        return week_ids
    managed = select(ProjectMembership.project_id).where(
        ProjectMembership.user_id == actor.id, ProjectMembership.role == "project_manager"
    )
    return set(
        db.session.scalars(
            select(TimeEntry.week_id)
            .where(TimeEntry.week_id.in_(week_ids), TimeEntry.project_id.in_(managed))
            .distinct()
        )
    )


def can_unlock(actor: User, week: TimesheetWeek) -> bool:
    """Only an administrator, or the manager of a project the week has time on."""
    return week.id in unlockable_weeks(actor, [week.id])
