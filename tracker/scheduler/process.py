"""The scheduler process: APScheduler with its job store in the application database.

``flask scheduler run`` builds the scheduler here; nothing in the app factory does, so web
workers never run jobs. On PostgreSQL several such processes may run, on several machines:
the one holding the advisory lock (``leadership``) runs the jobs, the others wait to take
over. Each due run is recorded before it starts (``services.open_run``), so a successor
knows what its predecessor left unfinished.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import time
from datetime import datetime, timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.job import Job
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask
from sqlalchemy import MetaData, delete, select
from sqlalchemy.exc import SQLAlchemyError

from tracker.core.filters import LONDON
from tracker.extensions import db
from tracker.scheduler import leadership, registry, services
from tracker.scheduler.models import scheduler_jobs

log = logging.getLogger(__name__)

_app: Flask | None = None


def run_scheduled(job_id: str, run_id: int | None = None) -> None:
    """What APScheduler calls (by reference, so the job store can keep it): one run of one
    job in a fresh app context, which gives it a session of its own. ``run_id`` is the run
    the executor recorded for this due time; None (a job stored by an older release, or
    an executor of APScheduler's own) records a new one."""
    if _app is None:
        raise RuntimeError("The scheduler process has not been set up")
    with _app.app_context():
        services.run_job(job_id, run_id=run_id)
        db.session.remove()


def skip_recorded(job_id: str) -> None:
    """Run instead of a job whose due run another process has already recorded."""
    log.warning("Job %s: this due run is already in the log; not running it again", job_id)


class RecordingExecutor(ThreadPoolExecutor):
    """APScheduler's thread pool, recording each due run before handing it to a thread.

    This runs in the scheduler's own thread, before APScheduler moves the job in its store
    on to its next time: a run is in the log (as running) before the store forgets it is
    due, whatever moment the process dies at.
    """

    def _do_submit_job(self, job, run_times):
        due_at = run_times[-1]  # coalesced: one run covers every time missed
        with _app.app_context():
            run_id = services.open_run(job.id, due_at)
            db.session.remove()
        state = job.__getstate__()
        if run_id is None:
            state["func"], state["args"] = "tracker.scheduler.process:skip_recorded", (job.id,)
        else:
            state["args"] = (job.id, run_id)
        recorded = Job.__new__(Job)
        recorded.__setstate__(state)
        recorded._scheduler, recorded._jobstore_alias = job._scheduler, job._jobstore_alias
        super()._do_submit_job(recorded, run_times[-1:])


def check_registry() -> None:
    """Fail at start-up, not at 7am, if a registered job's function cannot be found."""
    for job_id, path, _ in registry.JOBS:
        try:
            services.resolve(path)
        except (ImportError, AttributeError, ValueError) as error:
            raise RuntimeError(f"Job {job_id}: cannot load {path} ({error})") from None


def build_scheduler(app: Flask, scheduler_class: type[BaseScheduler] = BlockingScheduler):
    """A scheduler whose jobs are the registry's, stored in the app's database."""
    global _app
    _app = app
    check_registry()
    with app.app_context():
        engine = db.engine
    store = SQLAlchemyJobStore(engine=engine, tablename="scheduler_jobs", metadata=MetaData())
    # SQLite has one writer at a time: jobs run one after another there.
    workers = 1 if engine.dialect.name == "sqlite" else 2
    return scheduler_class(
        jobstores={"default": store},
        executors={"default": RecordingExecutor(workers)},
        # A run is recorded before it starts, so none is dropped for being late: every
        # time missed while no scheduler was active is done by one run when one is.
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        timezone=LONDON,
    )


def install_jobs(scheduler: BaseScheduler, *, catch_up: bool = True) -> list[str]:
    """Give the scheduler the registry's jobs, before it starts: each replaces the stored
    job of the same id, and stored jobs no longer registered are dropped.

    With ``catch_up`` a job keeps the next time stored by the scheduler that ran it before
    (another process, or this one before a restart), so a time missed while none was
    running is run at once; a job never run before runs at once. One that was down at 7am
    does that day's work when it comes back, and a hand-over neither skips nor repeats a run.
    """
    registered = registry.job_ids()
    with _app.app_context():
        db.session.execute(delete(scheduler_jobs).where(scheduler_jobs.c.id.not_in(registered)))
        db.session.commit()
        stored = dict(
            db.session.execute(select(scheduler_jobs.c.id, scheduler_jobs.c.next_run_time)).all()
        )
        db.session.remove()
    now = datetime.now(LONDON)
    for job_id, _, spec in registry.JOBS:
        trigger_args = dict(spec)
        trigger = trigger_args.pop("trigger")
        extra = {"next_run_time": _next_run(stored.get(job_id), now)} if catch_up else {}
        scheduler.add_job(
            "tracker.scheduler.process:run_scheduled",
            trigger,
            args=[job_id],
            id=job_id,
            name=registry.JOB_TITLES.get(job_id, job_id),
            replace_existing=True,
            **trigger_args,
            **extra,
        )
    return registered


def _next_run(stored: float | None, now: datetime) -> datetime:
    """When a job runs next: at once if never run, else at its stored time (a trigger
    changed by a release takes effect after that time)."""
    if stored is None:
        return now
    return datetime.fromtimestamp(stored, LONDON)


class SchedulerRefused(RuntimeError):
    """Another scheduler runs against this SQLite database."""


def run_forever(app: Flask) -> None:
    """Run the jobs until the process is stopped (Ctrl-C or SIGTERM), finishing any job
    under way first; on PostgreSQL, wait as a standby while another process is active."""
    if app.config.get("SCHEDULER_JOBS"):
        registry.use(app.config["SCHEDULER_JOBS"])
        check_registry()
    poll = float(app.config.get("SCHEDULER_POLL_SECONDS") or 5)
    gone_after = timedelta(seconds=poll * 3)
    me = services.runner_name()
    with app.app_context():
        engine = db.engine
        if engine.dialect.name != "postgresql":
            other = services.other_live_process(gone_after)
            if other is not None:
                raise SchedulerRefused(
                    f"Another scheduler ({other.runner}, seen {other.seen_at:%H:%M:%S} UTC) "
                    "runs against this database. On SQLite run one scheduler only; if that "
                    f"one has stopped, start this again in {gone_after.seconds} seconds."
                )
        services.report_in(active=False, gone_after=gone_after)
        db.session.remove()
    lock = None
    if engine.dialect.name == "postgresql":
        options = app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {}
        lock = leadership.AdvisoryLock(engine, options.get("connect_args"))
    signal.signal(signal.SIGTERM, _stop)
    scheduler: BaseScheduler | None = None
    said_standby = False
    try:
        while True:
            if scheduler is None and (lock is None or lock.try_acquire()):
                scheduler = _become_active(app, me, gone_after)
            elif scheduler is None and not said_standby:
                log.info("Scheduler %s on standby: another process is active", me)
                said_standby = True
            elif scheduler is not None and lock is not None and not lock.still_held():
                # The lock is gone (the database restarted, or dropped our session): another
                # process may already be active. Stop at once, whatever is under way; the
                # supervisor restarts this process as a standby.
                log.error("Scheduler %s lost the lock; stopping now", me)
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(3)
            _report_in(app, scheduler is not None, gone_after)
            time.sleep(poll)
    except (KeyboardInterrupt, SystemExit):
        log.info("Scheduler stopping")
        if scheduler is not None and scheduler.running:
            scheduler.shutdown(wait=True)
        if lock is not None:
            lock.release()
        with app.app_context():
            try:
                services.leave()
            except SQLAlchemyError:
                log.warning("Could not remove this scheduler from the process list")
            db.session.remove()


def _become_active(app: Flask, me: str, gone_after: timedelta) -> BaseScheduler:
    """This process now runs the jobs: re-run what a dead predecessor left, then start."""
    log.info("Scheduler %s is active", me)
    _report_in(app, True, gone_after)
    with app.app_context():
        resumed = services.resume_interrupted()
        db.session.remove()
    if resumed:
        log.info("Re-ran %s run(s) left unfinished by the previous scheduler", len(resumed))
    scheduler = build_scheduler(app, BackgroundScheduler)
    installed = install_jobs(scheduler)
    log.info("Scheduler starting with jobs: %s", ", ".join(installed))
    scheduler.start()
    return scheduler


def _report_in(app: Flask, active: bool, gone_after: timedelta) -> None:
    with app.app_context():
        try:
            services.report_in(active=active, gone_after=gone_after)
        except SQLAlchemyError:
            db.session.rollback()
            log.warning("Could not report in (database unavailable?)")
        db.session.remove()


def _stop(signum, frame) -> None:
    raise SystemExit(0)
