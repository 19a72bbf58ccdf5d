"""Running jobs: the idempotency key every job claims, and the run log around each run.

A run never lets an error escape: the job's unfinished work is rolled back, the error is
written to the run log, and the scheduler goes on with the next job.
"""

from __future__ import annotations

import contextvars
import importlib
import logging
import os
import socket
import time
import traceback
from collections.abc import Callable
from datetime import date

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError, OperationalError

from tracker.core.dates import uk_today
from tracker.db import utcnow
from tracker.extensions import db
from tracker.scheduler import registry
from tracker.scheduler.models import JobKey, JobRun
from tracker.scheduler.rules import RunOutcome

log = logging.getLogger(__name__)

RETRIES = 3
RETRY_WAIT_SECONDS = 2

_current_run: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "current_job_run", default=None
)


def claim(job_id: str, subject: str, period_key: str) -> bool:
    """Claim (job, subject, period) in the caller's transaction; False if already done.

    Call it before doing the work, then commit the key and the work together. Two runs at
    the same moment both try to insert the key: on PostgreSQL the second waits for the
    first to commit and then fails the unique check; SQLite has one writer at a time.
    """
    key = JobKey(job_id=job_id, subject=subject, period_key=period_key, run_id=_current_run.get())
    try:
        with db.session.begin_nested():
            db.session.add(key)
            db.session.flush()
    except IntegrityError:
        return False
    return True


def resolve(path: str) -> Callable[[date], int]:
    """The function a ``"module:function"`` path names (ImportError or AttributeError if not)."""
    module_name, _, name = path.partition(":")
    if not name:
        raise ValueError(f"{path!r} is not a 'module:function' path")
    return getattr(importlib.import_module(module_name), name)


def run_job(job_id: str, today: date | None = None) -> JobRun:
    """Run one registered job now, in the current app context, and log the run."""
    entry = registry.find(job_id)
    if entry is None:
        raise KeyError(f"No job called {job_id!r}. Jobs: {', '.join(registry.job_ids())}")
    _, path, _ = entry
    today = today or uk_today()
    run = JobRun(
        job_id=job_id,
        period_key=today.isoformat(),
        runner=f"{socket.gethostname()}:{os.getpid()}"[:120],
        started_at=utcnow(),
        outcome=RunOutcome.RUNNING,
    )
    db.session.add(run)
    db.session.commit()
    run_id = run.id
    token = _current_run.set(run_id)
    try:
        done = _with_retries(resolve(path), today)
    except Exception:
        db.session.rollback()
        log.exception("Job %s failed", job_id)
        _finish(run_id, RunOutcome.FAILED, 0, traceback.format_exc(limit=8)[-4000:])
    else:
        db.session.commit()
        _finish(run_id, RunOutcome.SUCCEEDED, int(done or 0), None)
    finally:
        _current_run.reset(token)
    return db.session.get(JobRun, run_id)


def _with_retries(job: Callable[[date], int], today: date) -> int:
    """Run the job, again if the database was busy (SQLite locked by the web server, a
    PostgreSQL deadlock): jobs are idempotent, so a retry repeats nothing done."""
    for attempt in range(1, RETRIES + 1):
        try:
            return job(today)
        except OperationalError:
            db.session.rollback()
            if attempt == RETRIES:
                raise
            log.warning("Database busy; retrying (attempt %s of %s)", attempt + 1, RETRIES)
            time.sleep(RETRY_WAIT_SECONDS * attempt)
    raise AssertionError("unreachable")


def _finish(run_id: int, outcome: str, done: int, error: str | None) -> None:
    try:
        db.session.execute(
            update(JobRun)
            .where(JobRun.id == run_id)
            .values(outcome=outcome, done=done, error=error, finished_at=utcnow())
        )
        db.session.commit()
    except Exception:  # the database itself is failing: the log line is all we can do
        db.session.rollback()
        log.exception("Could not record the end of job run %s", run_id)
