"""Scheduled budget jobs. Each runs in an app context, is idempotent and commits its work."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date

from flask import has_app_context

from tracker.budget import monthly, services
from tracker.core import events, stamps
from tracker.core.errors import RuleError
from tracker.extensions import db
from tracker.projects.models import Project

log = logging.getLogger(__name__)

BATCH_SIZE = 500
"""Projects per batch: one transaction, a fixed handful of queries, one audit append.
Large enough that round trips stop mattering; small enough that a batch's project locks
are held for well under a second and a failed batch costs little to retry."""

SQLITE_BATCH_SIZE = 25
"""On SQLite a batch's transaction holds the database's one write lock, which every save
waits for: batches stay small enough to hold it for a fraction of a second (about 150 ms
measured on a busy two-core machine, docs/reliability.md), and saves go in between them."""


def run_monthly_checkpoints(today: date, *, batch_size: int | None = None) -> int:
    """Take this month's budget checkpoint for every active project with a baseline.

    At most one scheduled checkpoint per project per month, however often the job runs and
    even when two runs overlap: the (project, month) UNIQUE key decides, and a project that
    already has this month's checkpoint is skipped. Projects are taken set-based, a batch at
    a time (``tracker.budget.monthly``), each batch committed on its own. A batch that fails
    is rolled back and its projects retried one at a time through the per-project service,
    so one project's bad data never loses the others' checkpoints. Returns how many were
    taken. ``batch_size`` defaults to BATCH_SIZE, or SQLITE_BATCH_SIZE on SQLite.
    """
    if not has_app_context():
        from tracker import create_app

        with create_app().app_context():
            return _run(today, batch_size)
    return _run(today, batch_size)


def _run(today: date, batch_size: int | None) -> int:
    if batch_size is None:
        sqlite = db.session.get_bind().dialect.name == "sqlite"
        batch_size = SQLITE_BATCH_SIZE if sqlite else BATCH_SIZE

    project_ids = monthly.due_project_ids(today)
    db.session.commit()  # end the read transaction: each batch is a transaction of its own
    taken = 0
    for start in range(0, len(project_ids), batch_size):
        batch = project_ids[start : start + batch_size]
        try:
            result = monthly.take_batch(batch, today)
            _after_batch(result.taken)
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception(
                "Monthly budget checkpoints: the batch of projects %s-%s failed; "
                "retrying them one at a time",
                batch[0],
                batch[-1],
            )
            taken += _one_at_a_time(batch, today)
            continue
        taken += len(result.taken)
        if result.failed:
            taken += _one_at_a_time(result.failed, today)
    return taken


def _one_at_a_time(project_ids: Sequence[int], today: date) -> int:
    """The per-project service for each project, each committed on its own."""
    taken = 0
    for project_id in project_ids:
        try:
            project = db.session.get(Project, project_id)
            checkpoint = services.monthly_checkpoint(project, today)
            if checkpoint is not None:
                _after_batch([project_id])
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


def _after_batch(project_ids: list[int]) -> None:
    """What the rest of the app keeps about a project and must hear of its new checkpoint,
    called once per committed unit of work (a batch, or one project in a retry), inside
    that transaction, just before it commits. The batch writes with Core statements, which
    the session's change hooks do not see, so it says so here."""
    stamps.bump(stamps.project_scope(project_id) for project_id in project_ids)
    # The portfolio refreshes its stored facts of these projects (docs/architecture.md).
    events.send(events.checkpoints_taken, project_ids=project_ids)
