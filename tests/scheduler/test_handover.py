"""A scheduler that survives losing a machine: two real ``flask scheduler run`` processes
on one PostgreSQL database; the active one is killed (SIGKILL) in the middle of a run; the
standby takes over within 30 seconds, re-runs the interrupted run once, and the job log
holds every due run exactly once, with no due time skipped. On SQLite a second process
refuses to start."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import select

from tests.conftest import make_app, require_backend
from tracker.db import utcnow
from tracker.extensions import db
from tracker.scheduler.models import JobRun, SchedulerProcess

ROOT = Path(__file__).resolve().parents[2]
INTERVAL = 3.0
JOB_SECONDS = 1.5


def _environment(app, tmp_path) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "TRACKER_INSTANCE_PATH": str(tmp_path),
        "TRACKER_ENV": "development",
        "AUDIT_HMAC_KEY": app.config["AUDIT_HMAC_KEY"],
        "FLASK_APP": "wsgi",
        "TRACKER_SCHEDULER_JOBS": "tests.scheduler.handover_jobs:JOBS",
        "TRACKER_SCHEDULER_POLL_SECONDS": "0.5",
        "HANDOVER_INTERVAL_SECONDS": str(INTERVAL),
        "HANDOVER_JOB_SECONDS": str(JOB_SECONDS),
    }
    options = app.config["SQLALCHEMY_ENGINE_OPTIONS"].get("connect_args", {}).get("options")
    if options:  # the test's own schema, for every connection the child makes
        env["PGOPTIONS"] = options
    env.pop("MAIL_SERVER", None)
    return env


def _start(env, log: Path) -> subprocess.Popen:
    """A scheduler process writing its log to ``log``."""
    with log.open("w") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "flask", "scheduler", "run"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def _wait(app, condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with app.app_context():
            result = condition()
            db.session.remove()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"{what}: not within {seconds}s")


def _process(pid: int) -> SchedulerProcess | None:
    return db.session.scalars(select(SchedulerProcess).where(SchedulerProcess.pid == pid)).first()


def _just_started(run: JobRun) -> bool:
    """Running, and well inside its JOB_SECONDS: a kill now lands in the middle of it."""
    return run.outcome == "running" and utcnow() - run.started_at < timedelta(seconds=0.5)


def _runs() -> list[JobRun]:
    return list(db.session.scalars(select(JobRun).order_by(JobRun.due_at, JobRun.attempt)))


@pytest.fixture
def pg_app(tmp_path_factory):
    require_backend("postgresql")
    app = make_app("postgresql", tmp_path_factory, "handover")
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.mark.postgres
def test_the_standby_takes_over_a_killed_scheduler_and_runs_each_due_run_once(pg_app, tmp_path):
    env = _environment(pg_app, tmp_path)
    first = _start(env, tmp_path / "first.log")
    second = None
    try:
        _wait(pg_app, lambda: (p := _process(first.pid)) and p.active_since, 30, "first active")
        second = _start(env, tmp_path / "second.log")
        _wait(pg_app, lambda: _process(second.pid), 30, "second reports in")
        # Let the first run a few jobs, then kill it while a run is under way.
        _wait(
            pg_app,
            lambda: (
                sum(r.outcome == "succeeded" for r in _runs()) >= 2
                and any(r.outcome == "running" for r in _runs())
            ),
            60,
            "the first scheduler in the middle of its third run",
        )
        time.sleep(0.3)
        with pg_app.app_context():
            assert _process(second.pid).active_since is None  # a standby until now
            db.session.remove()
        first.send_signal(signal.SIGKILL)
        killed_at = time.monotonic()
        first.wait(timeout=10)
        _wait(pg_app, lambda: _process(second.pid).active_since, 30, "the standby takes over")
        took_over_in = time.monotonic() - killed_at
        _wait(
            pg_app,
            lambda: (
                sum(
                    r.outcome == "succeeded" and r.runner.endswith(f":{second.pid}")
                    for r in _runs()
                )
                >= 3
            ),
            60,
            "the successor runs the jobs",
        )
    finally:
        if first.poll() is None:
            first.kill()
        if second is not None:
            second.send_signal(signal.SIGTERM)
            second.wait(timeout=60)
    output = (tmp_path / "second.log").read_text()
    first_output = (tmp_path / "first.log").read_text()

    print(f"hand-over: the standby was active {took_over_in:.2f}s after the kill")
    assert took_over_in < 30, took_over_in
    assert second.returncode == 0, output
    assert "on standby" in output and "is active" in output, output
    assert "Scheduler starting with jobs: handover_tick" in first_output

    with pg_app.app_context():
        runs = [r for r in _runs() if r.outcome != "running"]
        db.session.remove()
    first_runner = f":{first.pid}"
    second_runner = f":{second.pid}"
    # The run the first process was in the middle of: marked interrupted, run again once.
    interrupted = [r for r in runs if r.error and r.error.startswith("Interrupted")]
    assert len(interrupted) == 1, (
        [(r.due_at, r.attempt, r.outcome, r.runner, r.error) for r in runs],
        first_output[-2000:],
        output[-2000:],
    )
    cut = interrupted[0]
    assert cut.runner.endswith(first_runner) and cut.outcome == "failed"
    again = [r for r in runs if r.due_at == cut.due_at and r is not cut]
    assert [(r.attempt, r.outcome) for r in again] == [(2, "succeeded")]
    assert again[0].runner.endswith(second_runner)
    # Every due run exactly once: one success per due time, due times one interval apart.
    succeeded = [r for r in runs if r.outcome == "succeeded"]
    due_times = [r.due_at for r in succeeded]
    assert len(due_times) == len(set(due_times))
    assert all(r.outcome == "succeeded" for r in runs if r is not cut)
    gaps = [later - earlier for earlier, later in itertools.pairwise(due_times)]
    assert all(
        abs(gap - timedelta(seconds=INTERVAL)) < timedelta(milliseconds=5) for gap in gaps
    ), gaps
    assert {r.runner.split(":")[-1] for r in succeeded} == {str(first.pid), str(second.pid)}


def test_on_sqlite_a_second_scheduler_refuses_to_start(tmp_path_factory, tmp_path):
    app = make_app("sqlite", tmp_path_factory, "solo")
    with app.app_context():
        upgrade()
    # A poll long enough that a busy machine never makes the first look gone.
    env = {**_environment(app, tmp_path), "TRACKER_SCHEDULER_POLL_SECONDS": "3"}
    first = _start(env, tmp_path / "first.log")
    try:
        _wait(app, lambda: (p := _process(first.pid)) and p.active_since, 30, "first active")
        second = _start(env, tmp_path / "second.log")
        second.wait(timeout=60)
        output = (tmp_path / "second.log").read_text()
        assert second.returncode == 1, output
        assert "Another scheduler" in output and "On SQLite run one scheduler only" in output
        assert first.poll() is None  # the first carries on
    finally:
        first.send_signal(signal.SIGTERM)
        first.wait(timeout=60)
    with app.app_context():
        assert db.session.scalars(select(SchedulerProcess)).all() == []  # it left cleanly
        db.engine.dispose()
