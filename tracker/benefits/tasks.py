"""Scheduled reminders of benefits reviews: on each review date an end-project report set
(or the PMO added), each benefit of the closed project still to be reviewed for that date
is reminded once, to its owner (or, for an owner outside the tracker, to the project's
Executive and manager), claimed per benefit and date (``tracker.scheduler.services.claim``)
in the transaction that writes the reminder."""

from __future__ import annotations

from datetime import date

from tracker.benefits import queries
from tracker.core.filters import day
from tracker.extensions import db
from tracker.notifications.events import holders
from tracker.notifications.services import notify_all, path_for
from tracker.scheduler.services import claim


def remind_benefit_reviews(today: date) -> int:
    """Once per benefit and review date: tell the owner the review is due."""
    sent = 0
    for benefit, project, due_on in db.session.execute(queries.reviews_due(today=today)).all():
        if not claim("benefit_reviews", f"benefit:{benefit.id}", due_on.isoformat()):
            continue
        if benefit.owner is not None and benefit.owner.is_active_user:
            people = [benefit.owner]
            body = (
                f"The benefits of {project.code} {project.name} were to be reviewed on "
                f"{day(due_on)}. Record the latest measurement of “{benefit.title}” and "
                "whether it was realised, partly or not, with the evidence."
            )
        else:
            people = holders(project.id, ("executive", "project_manager"))
            body = (
                f"“{benefit.title}” of {project.code} was to be reviewed on {day(due_on)}. "
                f"Its owner, {benefit.owner_name or 'a person'} ({benefit.owner_email}), has "
                "no account: ask them for the review and record it."
            )
        notify_all(
            [p for p in people if p.is_active_user],
            "benefit_review",
            f"{project.code}: a benefits review is due",
            body,
            link=path_for("benefits.record_review", project_id=project.id, benefit_id=benefit.id),
            project_id=project.id,
        )
        db.session.commit()
        sent += 1
    return sent
