"""Each due run once: recorded before it starts, and re-run once by the next active
scheduler if the process running it died."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from tracker.scheduler import services
from tracker.scheduler.models import JobRun

DUE = datetime(2026, 3, 6, 7, 0, tzinfo=UTC)


def _left_running(db, attempt: int = 1) -> JobRun:
    """A run of a real job that a dead scheduler on another machine left running."""
    run = JobRun(
        job_id="approval_reminders",
        period_key="2026-03-06",
        runner="gone-machine:4242",
        outcome="running",
        due_at=DUE,
        attempt=attempt,
    )
    db.session.add(run)
    db.session.flush()
    return run


def test_a_due_run_is_recorded_once(db):
    first = services.open_run("approval_reminders", DUE, today=date(2026, 3, 6))
    assert first is not None
    assert services.open_run("approval_reminders", DUE, today=date(2026, 3, 6)) is None
    assert services.open_run("approval_reminders", DUE, attempt=2) is not None


def test_the_successor_reruns_an_interrupted_run_once(db):
    cut = _left_running(db)
    manual = JobRun(job_id="send_emails", period_key="2026-03-06", outcome="running")
    db.session.add(manual)  # run by hand (run-job), perhaps still going: left alone
    db.session.flush()
    cut_id, manual_id = cut.id, manual.id

    resumed = services.resume_interrupted()

    assert len(resumed) == 1
    runs = db.session.scalars(
        select(JobRun).where(JobRun.due_at == DUE).order_by(JobRun.attempt)
    ).all()
    assert [(r.id, r.attempt, r.outcome) for r in runs] == [
        (cut_id, 1, "failed"),
        (resumed[0], 2, "succeeded"),
    ]
    assert runs[0].error.startswith("Interrupted: the scheduler gone-machine:4242 stopped")
    assert runs[1].period_key == "2026-03-06"  # the same day's work
    assert runs[1].runner == services.runner_name()
    assert db.session.get(JobRun, manual_id).outcome == "running"
    assert services.resume_interrupted() == []  # once


def test_a_run_interrupted_three_times_is_not_tried_again(db):
    _left_running(db, attempt=3)
    assert services.resume_interrupted() == []
    run = db.session.scalars(select(JobRun).where(JobRun.due_at == DUE)).one()
    assert run.outcome == "failed" and run.error.endswith("not run again.")
