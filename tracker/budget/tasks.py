"""Scheduled budget jobs. Each runs in an app context, is idempotent and commits its work."""

from __future__ import annotations

import logging
from datetime import date

from flask import has_app_context
from sqlalchemy import select

from tracker.extensions import db

log = logging.getLogger(__name__)


def run_monthly_checkpoints(today: date) -> int:
    """Take this month's budget checkpoint for every active project with a baseline.

    At most one scheduled checkpoint per project per month, however often the job runs and
    even when two runs overlap: the (project, month) UNIQUE key decides, and a project that
    already has this month's checkpoint is skipped. Each project is committed on its own, so
    one project's problem never loses the others' checkpoints. Returns how many were taken.
    """
    if not has_app_context():
        from tracker import create_app

        with create_app().app_context():
            return _run(today)
    return _run(today)


def _run(today: date) -> int:
    from tracker.budget import services
    from tracker.budget.models import Baseline
    from tracker.core.errors import RuleError
    from tracker.projects.models import Project

    project_ids = list(
        db.session.scalars(
            select(Project.id)
            .where(
                Project.status == "active",
                Project.id.in_(select(Baseline.project_id)),
            )
            .order_by(Project.id)
        )
    )
    taken = 0
    for project_id in project_ids:
        try:
            project = db.session.get(Project, project_id)
            checkpoint = services.monthly_checkpoint(project, today)
            db.session.commit()
        except RuleError as error:
            db.session.rollback()
            log.warning("Monthly budget checkpoint skipped for project %s: %s", project_id, error)
            continue
        except Exception:
            db.session.rollback()
            log.exception("Monthly budget checkpoint failed for project %s", project_id)
            continue
        if checkpoint is not None:
            taken += 1
    return taken
