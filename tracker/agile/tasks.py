"""Scheduled reminders for agile delivery: an iteration about to end with no customer
feedback recorded (it cannot close without it)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import exists, select

from tracker.agile.models import Feedback, Iteration
from tracker.agile.rules import IterationStatus
from tracker.core.filters import day
from tracker.extensions import db
from tracker.notifications.events import holders
from tracker.notifications.services import notify, path_for
from tracker.projects.models import Project
from tracker.projects.rules import OPEN_STATUSES
from tracker.scheduler.services import claim

WARN_DAYS = 2


def remind_iteration_feedback(today: date) -> int:
    """Tell the project manager, once per iteration end date, when an iteration ends within
    two days and no customer feedback has been recorded for it."""
    rows = db.session.execute(
        select(Iteration, Project)
        .join(Project, Project.id == Iteration.project_id)
        .where(
            Iteration.status.in_((IterationStatus.PLANNED, IterationStatus.ACTIVE)),
            Iteration.end_on >= today,
            Iteration.end_on <= today + timedelta(days=WARN_DAYS),
            Project.status.in_(OPEN_STATUSES),
            ~exists().where(Feedback.iteration_id == Iteration.id),
        )
        .order_by(Iteration.end_on, Iteration.id)
    ).all()
    sent = 0
    for iteration, project in rows:
        managers = holders(project.id, ["project_manager"])
        if not managers or not claim(
            "iteration_feedback", f"iteration:{iteration.id}", f"end:{iteration.end_on}"
        ):
            continue
        ends = "today" if iteration.end_on == today else f"on {day(iteration.end_on)}"
        for manager in managers:
            notify(
                manager,
                "iteration_feedback",
                f"{project.code}: {iteration.name} ends {ends} without customer feedback",
                f"{iteration.name} of {project.code} {project.name} ends {ends} and no customer "
                "feedback has been recorded for it. An iteration closes only with customer "
                "feedback or agreement: ask your customer representatives now.",
                link=path_for(
                    "agile.create_feedback", project_id=project.id, iteration_id=iteration.id
                ),
                project_id=project.id,
            )
        db.session.commit()
        sent += 1
    return sent
