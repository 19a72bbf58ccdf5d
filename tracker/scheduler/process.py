"""The scheduler process: APScheduler with its job store in the application database.

``flask scheduler run`` builds a BlockingScheduler here; nothing in the app factory does,
so web workers never run jobs. Every job is idempotent, so a second scheduler started by
mistake wastes a little work but repeats nothing.
"""

from __future__ import annotations

import logging
import signal
from datetime import datetime

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask
from sqlalchemy import MetaData, delete

from tracker.core.filters import LONDON
from tracker.extensions import db
from tracker.scheduler import registry, services
from tracker.scheduler.models import scheduler_jobs

log = logging.getLogger(__name__)

_app: Flask | None = None


def run_scheduled(job_id: str) -> None:
    """What APScheduler calls (by reference, so the job store can keep it): one run of one
    job in a fresh app context, which gives it a session of its own."""
    if _app is None:
        raise RuntimeError("The scheduler process has not been set up")
    with _app.app_context():
        services.run_job(job_id)
        db.session.remove()


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
        executors={"default": ThreadPoolExecutor(workers)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
        timezone=LONDON,
    )


def install_jobs(scheduler: BaseScheduler, *, catch_up: bool = True) -> list[str]:
    """Give the scheduler the registry's jobs, before it starts: each replaces the stored
    job of the same id, and stored jobs no longer registered are dropped.

    With ``catch_up`` every job also runs once as soon as the scheduler starts: one that
    was down at 7am does that day's work when it comes back, and the jobs' unique keys
    stop it from repeating work already done.
    """
    registered = registry.job_ids()
    with _app.app_context():
        db.session.execute(delete(scheduler_jobs).where(scheduler_jobs.c.id.not_in(registered)))
        db.session.commit()
    now = datetime.now(LONDON)
    for job_id, _, spec in registry.JOBS:
        trigger_args = dict(spec)
        trigger = trigger_args.pop("trigger")
        extra = {"next_run_time": now} if catch_up else {}
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


def run_forever(app: Flask) -> None:
    """Run the jobs until the process is stopped (Ctrl-C or SIGTERM), finishing any job
    under way first."""
    scheduler = build_scheduler(app)
    installed = install_jobs(scheduler)
    signal.signal(signal.SIGTERM, _stop)
    log.info("Scheduler starting with jobs: %s", ", ".join(installed))
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        log.info("Scheduler stopping")
        if scheduler.running:
            scheduler.shutdown(wait=True)


def _stop(signum, frame) -> None:
    raise SystemExit(0)
