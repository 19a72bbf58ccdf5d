"""The scheduler process: web workers never start it; ``flask scheduler run`` runs every
registered job through APScheduler with its job store in the application database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from flask_migrate import upgrade
from sqlalchemy import create_engine, func, insert, select

from tests.conftest import make_app
from tracker import create_app
from tracker.extensions import db
from tracker.scheduler import process, registry
from tracker.scheduler.models import JobRun, scheduler_jobs

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def file_app(tmp_path_factory):
    """An app on a SQLite file of its own, migrated: the scheduler commits for real."""
    app = make_app("sqlite", tmp_path_factory, "scheduler")
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


def _scheduler_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if "APScheduler" in t.name]


def test_the_web_app_never_starts_a_scheduler():
    before = threading.active_count()
    app = create_app({"ENV_NAME": "testing"})
    assert app is not None
    assert _scheduler_threads() == []
    assert threading.active_count() == before


def test_jobs_are_stored_in_the_database_and_stale_ones_dropped(file_app):
    with file_app.app_context():
        db.session.execute(
            insert(scheduler_jobs).values(id="retired_job", next_run_time=1.0, job_state=b"x")
        )
        db.session.commit()
    scheduler = process.build_scheduler(file_app, BackgroundScheduler)
    process.install_jobs(scheduler, catch_up=False)
    scheduler.start(paused=True)
    try:
        assert sorted(job.id for job in scheduler.get_jobs()) == sorted(registry.job_ids())
        with file_app.app_context():
            stored = set(db.session.scalars(select(scheduler_jobs.c.id)))
        assert stored == set(registry.job_ids())
        sender = scheduler.get_job("send_emails")
        assert sender.trigger.interval.total_seconds() == 60
        daily = scheduler.get_job("approval_reminders")
        assert str(daily.trigger.fields[5]) == "7"  # hour
    finally:
        scheduler.shutdown(wait=False)


def _wait_for_runs(app, count: int, seconds: float = 30) -> list[JobRun]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with app.app_context():
            runs = list(db.session.scalars(select(JobRun).where(JobRun.outcome != "running")))
            db.session.remove()
        if len(runs) >= count:
            return runs
        time.sleep(0.2)
    raise AssertionError(f"only {len(runs)} of {count} job runs finished in {seconds}s")


def test_started_jobs_catch_up_at_once_and_are_logged(file_app):
    scheduler = process.build_scheduler(file_app, BackgroundScheduler)
    process.install_jobs(scheduler, catch_up=True)
    scheduler.start()
    try:
        runs = _wait_for_runs(file_app, len(registry.JOBS))
    finally:
        scheduler.shutdown(wait=True)
    assert {run.job_id for run in runs} == set(registry.job_ids())
    assert {run.outcome for run in runs} == {"succeeded"}


def test_flask_scheduler_run_is_a_process_of_its_own(file_app, tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": file_app.config["SQLALCHEMY_DATABASE_URI"],
        "TRACKER_INSTANCE_PATH": str(tmp_path),
        "TRACKER_ENV": "development",
        # The key the test process wrote its entries with: one chain, one key.
        "AUDIT_HMAC_KEY": file_app.config["AUDIT_HMAC_KEY"],
        "FLASK_APP": "wsgi",
    }
    env.pop("MAIL_SERVER", None)
    command = [sys.executable, "-m", "flask", "scheduler", "run"]
    child = subprocess.Popen(  # noqa: S603 - our own command line
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        runs = _wait_for_runs(file_app, len(registry.JOBS))
    finally:
        child.send_signal(signal.SIGTERM)
        output, _ = child.communicate(timeout=30)
    assert child.returncode == 0, output
    assert "Scheduler starting with jobs" in output
    assert {run.job_id for run in runs} == set(registry.job_ids())
    engine = create_engine(file_app.config["SQLALCHEMY_DATABASE_URI"])
    with engine.connect() as connection:
        stored = connection.scalar(select(func.count()).select_from(scheduler_jobs))
    engine.dispose()
    assert stored == len(registry.JOBS)


def test_a_broken_registry_stops_the_scheduler_at_start(monkeypatch):
    monkeypatch.setattr(
        registry, "JOBS", [("ghost", "tracker.nowhere.tasks:run", {"trigger": "cron", "hour": 1})]
    )
    with pytest.raises(RuntimeError, match=r"ghost: cannot load tracker\.nowhere\.tasks:run"):
        process.check_registry()


# --------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------


def test_list_shows_every_job(app):
    result = app.test_cli_runner().invoke(args=["scheduler", "list"])
    assert result.exit_code == 0
    for job_id in registry.job_ids():
        assert job_id in result.output
    assert "Every day at 07:00" in result.output


def test_run_job_runs_one_job_for_a_day(app, db, board, waiting_gate):
    result = app.test_cli_runner().invoke(
        args=["scheduler", "run-job", "approval_reminders", "--day", "2026-03-06"]
    )
    assert result.exit_code == 0, result.output
    assert "approval_reminders: done 2" in result.output
    run = db.session.scalars(select(JobRun).order_by(JobRun.id.desc())).first()
    assert (run.job_id, run.period_key) == ("approval_reminders", date(2026, 3, 6).isoformat())


def test_run_job_refuses_an_unknown_job(app, db):
    result = app.test_cli_runner().invoke(args=["scheduler", "run-job", "nope"])
    assert result.exit_code == 2
    assert "No job called nope" in result.output
