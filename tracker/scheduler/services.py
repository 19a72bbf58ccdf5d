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
from datetime import date, datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from tracker.core.dates import uk_today
from tracker.db import utcnow
from tracker.extensions import db
from tracker.scheduler import registry
from tracker.scheduler.models import JobKey, JobRun, SchedulerProcess
from tracker.scheduler.rules import RunOutcome

log = logging.getLogger(__name__)

RETRIES = 3
# A scheduled run cut short by its process's death is tried at most this many times.
MAX_ATTEMPTS = 3
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


def runner_name() -> str:
    """This process, as the job log names it."""
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


def open_run(job_id: str, due_at: datetime, *, attempt: int = 1, today: date | None = None):
    """Record, and commit, that this process starts the run of ``job_id`` due at ``due_at``;
    None if that run is already recorded (the unique index: it never runs twice).

    The scheduler calls it before its job store moves the job on to its next time, so a
    process that dies at any moment leaves either no trace (the successor runs the job at
    the stored time) or a run marked running (the successor re-runs it once).
    """
    run = JobRun(
        job_id=job_id,
        period_key=(today or uk_today()).isoformat(),
        runner=runner_name(),
        started_at=utcnow(),
        outcome=RunOutcome.RUNNING,
        due_at=due_at,
        attempt=attempt,
    )
    db.session.add(run)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return None
    return run.id


def resume_interrupted() -> list[int]:
    """Re-run, once each, the scheduled runs a previous scheduler left unfinished.

    Called by the process that has just become the active scheduler, before it starts any
    job: only the active one runs scheduled jobs, so a scheduled run still marked running
    was cut short when the process running it died (or lost the lock). It is marked failed (its own
    end, should the old process still be finishing, no longer overwrites that) and run
    again for the same day, as attempt two; the jobs' unique keys keep whatever it had
    already done from being done again. Returns the new runs' ids.
    """
    # Every such run is another process's, even one named like this one (a container
    # restarted under the same host name and process number): this one has run none yet.
    me = runner_name()
    left = db.session.scalars(
        select(JobRun)
        .where(JobRun.outcome == RunOutcome.RUNNING, JobRun.due_at.is_not(None))
        .order_by(JobRun.id)
    ).all()
    resumed = []
    for run in left:
        again = run.attempt < MAX_ATTEMPTS and registry.find(run.job_id) is not None
        note = f"Interrupted: the scheduler {run.runner} stopped during this run; " + (
            f"{me} ran it again." if again else "not run again."
        )
        db.session.execute(
            update(JobRun)
            .where(JobRun.id == run.id, JobRun.outcome == RunOutcome.RUNNING)
            .values(outcome=RunOutcome.FAILED, error=note, finished_at=utcnow())
        )
        db.session.commit()
        log.warning("Run %s of %s was interrupted on %s", run.id, run.job_id, run.runner)
        if not again:
            continue
        run_id = open_run(
            run.job_id,
            run.due_at,
            attempt=run.attempt + 1,
            today=date.fromisoformat(run.period_key),
        )
        if run_id is not None:
            run_job(run.job_id, date.fromisoformat(run.period_key), run_id=run_id)
            resumed.append(run_id)
    return resumed


def run_job(job_id: str, today: date | None = None, *, run_id: int | None = None) -> JobRun:
    """Run one registered job now, in the current app context, and log the run (the one
    ``run_id`` names, already opened by the scheduler, or a new one)."""
    entry = registry.find(job_id)
    if entry is None:
        raise KeyError(f"No job called {job_id!r}. Jobs: {', '.join(registry.job_ids())}")
    _, path, _ = entry
    if run_id is None:
        today = today or uk_today()
        run = JobRun(
            job_id=job_id,
            period_key=today.isoformat(),
            runner=runner_name(),
            started_at=utcnow(),
            outcome=RunOutcome.RUNNING,
        )
        db.session.add(run)
        db.session.commit()
        run_id = run.id
    elif today is None:
        today = date.fromisoformat(db.session.get(JobRun, run_id).period_key)
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
            .where(JobRun.id == run_id, JobRun.outcome == RunOutcome.RUNNING)
            .values(outcome=outcome, done=done, error=error, finished_at=utcnow())
        )
        db.session.commit()
    except Exception:  # the database itself is failing: the log line is all we can do
        db.session.rollback()
        log.exception("Could not record the end of job run %s", run_id)


# --------------------------------------------------------------------------------------
# Which scheduler process is active: what the job log shows
# --------------------------------------------------------------------------------------


def report_in(*, active: bool, gone_after: timedelta) -> None:
    """Write this process's row (every poll): seen now, active or standby.

    The active one also clears any other row's claim to be active (that process lost the
    lock, so it is dead or about to stop) and forgets processes not seen for a long time.
    """
    me, now = runner_name(), utcnow()
    row = db.session.get(SchedulerProcess, me)
    if row is None:
        host, _, pid = me.rpartition(":")
        row = SchedulerProcess(runner=me, host=host, pid=int(pid), started_at=now)
        db.session.add(row)
    row.seen_at = now
    if active and row.active_since is None:
        row.active_since = now
    elif not active:
        row.active_since = None
    if active:
        db.session.execute(
            update(SchedulerProcess)
            .where(SchedulerProcess.runner != me, SchedulerProcess.active_since.is_not(None))
            .values(active_since=None)
        )
        db.session.execute(
            delete(SchedulerProcess).where(SchedulerProcess.seen_at < now - gone_after * 20)
        )
    db.session.commit()


def other_live_process(gone_after: timedelta) -> SchedulerProcess | None:
    """Another scheduler seen lately (the SQLite check: only one may run there)."""
    return db.session.scalars(
        select(SchedulerProcess).where(
            SchedulerProcess.runner != runner_name(),
            SchedulerProcess.seen_at >= utcnow() - gone_after,
        )
    ).first()


def leave() -> None:
    """Remove this process's row as it stops cleanly."""
    db.session.execute(delete(SchedulerProcess).where(SchedulerProcess.runner == runner_name()))
    db.session.commit()
