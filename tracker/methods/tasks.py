"""Scheduled prompts for method assessment: re-assess when the last one is out of date."""

from __future__ import annotations

from datetime import date

from flask import current_app
from sqlalchemy import func, select

from tracker.core.filters import LONDON
from tracker.extensions import db
from tracker.methods import rules
from tracker.methods.models import Assessment
from tracker.notifications.events import holders
from tracker.notifications.services import notify, path_for
from tracker.projects.models import Project
from tracker.projects.rules import OPEN_STATUSES
from tracker.scheduler.services import claim


def prompt_stale_assessments(today: date) -> int:
    """Prompt the manager of each open project whose last assessment has gone stale, once
    per assessment (a new assessment starts the clock again)."""
    last = (
        select(Assessment.project_id, func.max(Assessment.assessed_at).label("assessed_at"))
        .group_by(Assessment.project_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Project, last.c.assessed_at)
        .join(last, last.c.project_id == Project.id)
        .where(Project.status.in_(OPEN_STATUSES))
        .order_by(Project.id)
    ).all()
    after_days = current_app.config["METHOD_REASSESS_DAYS"]
    sent = 0
    for project, assessed_at in rows:
        assessed_on = assessed_at.astimezone(LONDON).date()
        prompt = rules.reassess_prompt(assessed_on, today, after_days=after_days)
        if prompt is None or prompt.kind != "stale":
            continue
        managers = holders(project.id, ["project_manager"])
        if not managers or not claim(
            "reassessment_prompts", f"project:{project.id}", f"assessed:{assessed_on}"
        ):
            continue
        for manager in managers:
            notify(
                manager,
                "reassess",
                f"{project.code}: re-assess the delivery method",
                f"{project.code} {project.name}: {prompt.text}",
                link=path_for("methods.assess", project_id=project.id),
                project_id=project.id,
            )
        db.session.commit()
        sent += 1
    return sent
