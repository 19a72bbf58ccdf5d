"""Each reminder job, run directly with a controlled clock: who it reminds, and that a
second run in the same period adds nothing."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from sqlalchemy import func, select

from tests.scheduler.fixtures import at
from tracker.agile.models import Feedback, Iteration
from tracker.methods.models import Assessment
from tracker.notifications.models import Notification, OutboxEmail
from tracker.scheduler import registry
from tracker.scheduler import services as scheduler
from tracker.scheduler.models import JobKey, JobRun
from tracker.stages import services as stages
from tracker.stages.models import HighlightReport


def notes(db, user, kind=None):
    statement = select(Notification).where(Notification.user_id == user.id)
    if kind:
        statement = statement.where(Notification.kind == kind)
    return list(db.session.scalars(statement.order_by(Notification.id)))


def run(job_id, today, moment=None):
    with time_machine.travel(moment or at(today.year, today.month, today.day, 7), tick=False):
        return scheduler.run_job(job_id, today)


# --------------------------------------------------------------------------------------
# Approval reminders
# --------------------------------------------------------------------------------------


def test_approvers_are_reminded_once_a_day_after_the_configured_wait(db, board, waiting_gate):
    # Requested 2 March; APPROVAL_REMINDER_DAYS = 3: waiting more than 3 days on 6 March.
    assert run("approval_reminders", date(2026, 3, 5)).done == 0
    first = run("approval_reminders", date(2026, 3, 6))
    assert first.outcome == "succeeded" and first.done == 2
    again = run("approval_reminders", date(2026, 3, 6))
    assert again.outcome == "succeeded" and again.done == 0
    for role in ("executive", "senior_user"):
        reminders = notes(db, board[role], "approval_reminder")
        assert len(reminders) == 1
        assert reminders[0].title == "1 decision waiting for you for more than 3 days"
        assert board["project"].code in reminders[0].body
        assert "2 March 2026 (4 days)" in reminders[0].body
        assert reminders[0].link == "/decisions"
    assert notes(db, board["manager"], "approval_reminder") == []
    # The next day is a new period: one more reminder each.
    assert run("approval_reminders", date(2026, 3, 7)).done == 2
    assert len(notes(db, board["executive"], "approval_reminder")) == 2


def test_a_role_that_has_decided_is_not_reminded(db, board, waiting_gate):
    stages.decide_gate(
        waiting_gate, role="executive", decision="approve", comment="", actor=board["executive"]
    )
    db.session.commit()
    assert run("approval_reminders", date(2026, 3, 10)).done == 1
    assert notes(db, board["executive"], "approval_reminder") == []
    assert len(notes(db, board["senior_user"], "approval_reminder")) == 1


def test_the_reminder_wait_is_configurable(app, db, board, waiting_gate, monkeypatch):
    monkeypatch.setitem(app.config, "APPROVAL_REMINDER_DAYS", 10)
    assert run("approval_reminders", date(2026, 3, 12)).done == 0
    assert run("approval_reminders", date(2026, 3, 13)).done == 2


def test_exception_reports_waiting_are_in_the_reminder(db, board):
    from tests.stages.helpers import access_ids

    with time_machine.travel(at(2026, 2, 1), tick=False):
        access_ids(board["project"], board["manager"])  # a gate and an exception report
    from tracker.stages.models import ExceptionReport

    report = db.session.scalars(select(ExceptionReport)).one()
    report.status = "open"
    db.session.commit()
    assert run("approval_reminders", date(2026, 3, 1)).done == 1
    (reminder,) = notes(db, board["executive"], "approval_reminder")
    assert "2 decisions" in reminder.title
    assert "exception report waiting since 1 February 2026" in reminder.body
    assert "gate review waiting since 1 February 2026" in reminder.body


def test_a_closed_project_gets_no_reminders(db, board, waiting_gate):
    board["project"].status = "closed"
    db.session.commit()
    assert run("approval_reminders", date(2026, 3, 20)).done == 0


# --------------------------------------------------------------------------------------
# Highlight reports
# --------------------------------------------------------------------------------------


def _active_stage(db, board, waiting_gate):
    for role in ("executive", "senior_user"):
        stages.decide_gate(
            waiting_gate, role=role, decision="approve", comment="", actor=board[role]
        )
    db.session.commit()
    stage = stages.stages_of(board["project"])[0]
    stages.start_stage(stage, version=stage.version, actor=board["manager"])
    db.session.commit()
    return stage


def test_the_manager_is_reminded_when_a_highlight_report_is_due(db, board, waiting_gate):
    stage = _active_stage(db, board, waiting_gate)
    # Medium governance: a highlight report every two months from the stage's start.
    assert stage.planned_start == date(2026, 1, 1)
    assert run("highlight_reports_due", date(2026, 2, 28)).done == 0
    assert run("highlight_reports_due", date(2026, 3, 1)).done == 1
    assert run("highlight_reports_due", date(2026, 3, 2)).done == 0  # same due date
    (reminder,) = notes(db, board["manager"], "highlight_due")
    assert "next was due on 1 March 2026" in reminder.body
    assert reminder.link.endswith("/highlights/new")
    db.session.add(
        HighlightReport(
            project_id=board["project"].id,
            stage_id=stage.id,
            period_start=date(2026, 1, 1),
            period_end=date(2026, 3, 1),
            overall_status="green",
            this_period="t",
            next_period="n",
            issues_and_risks="i",
            reported_by_id=board["manager"].id,
        )
    )
    db.session.commit()
    assert run("highlight_reports_due", date(2026, 4, 30)).done == 0
    assert run("highlight_reports_due", date(2026, 5, 1)).done == 1


def test_no_highlight_reminder_before_a_stage_is_under_way(db, board, waiting_gate):
    assert run("highlight_reports_due", date(2026, 6, 1)).done == 0


# --------------------------------------------------------------------------------------
# Iteration feedback
# --------------------------------------------------------------------------------------


@pytest.fixture
def iteration(db, board):
    board["project"].delivery_method = "agile"
    iteration = Iteration(
        project_id=board["project"].id,
        name="Sprint 4",
        goal="Online forms",
        status="active",
        start_on=date(2026, 3, 2),
        end_on=date(2026, 3, 13),
    )
    db.session.add(iteration)
    db.session.commit()
    return iteration


def test_manager_is_reminded_two_days_before_an_iteration_ends_without_feedback(
    db, board, iteration
):
    assert run("iteration_feedback", date(2026, 3, 10)).done == 0
    assert run("iteration_feedback", date(2026, 3, 11)).done == 1
    assert run("iteration_feedback", date(2026, 3, 12)).done == 0
    (reminder,) = notes(db, board["manager"], "iteration_feedback")
    assert (
        reminder.title
        == f"{board['project'].code}: Sprint 4 ends on 13 March 2026 without customer feedback"
    )
    assert reminder.link.endswith(f"/iterations/{iteration.id}/feedback/new")
    assert notes(db, board["team"]) == []


def test_no_iteration_reminder_once_feedback_is_recorded(db, board, iteration):
    db.session.add(
        Feedback(
            project_id=board["project"].id,
            iteration_id=iteration.id,
            source="citizen",
            rating=4,
            said="Clearer",
            agreement="yes",
        )
    )
    db.session.commit()
    assert run("iteration_feedback", date(2026, 3, 12)).done == 0


# --------------------------------------------------------------------------------------
# Re-assessment prompts
# --------------------------------------------------------------------------------------


def test_a_stale_assessment_prompts_the_manager_once(db, board):
    from tests.methods.helpers import raw
    from tracker.methods import services as methods

    with time_machine.travel(at(2026, 1, 5), tick=False):
        methods.assess(board["project"], raw(), assessed_by=board["manager"])
        db.session.commit()
    # METHOD_REASSESS_DAYS = 90: stale once more than 90 days old.
    assert run("reassessment_prompts", date(2026, 4, 5)).done == 0
    assert run("reassessment_prompts", date(2026, 4, 6)).done == 1
    assert run("reassessment_prompts", date(2026, 4, 20)).done == 0
    (prompt,) = notes(db, board["manager"], "reassess")
    assert "is 91 days old" in prompt.body
    assert prompt.link.endswith("/assessments/new")
    # A new assessment starts the clock again.
    with time_machine.travel(at(2026, 4, 21), tick=False):
        methods.assess(board["project"], raw(), assessed_by=board["manager"])
        db.session.commit()
    assert db.session.scalar(select(func.count(Assessment.id))) == 2
    assert run("reassessment_prompts", date(2026, 7, 21)).done == 1


# --------------------------------------------------------------------------------------
# The run log, failures and the keys
# --------------------------------------------------------------------------------------


def test_each_run_is_logged_with_its_keys(db, board, waiting_gate):
    logged = run("approval_reminders", date(2026, 3, 6))
    assert logged.period_key == "2026-03-06"
    assert logged.finished_at is not None and logged.seconds >= 0
    keys = list(db.session.scalars(select(JobKey).order_by(JobKey.subject)))
    assert [(k.job_id, k.subject, k.period_key, k.run_id) for k in keys] == [
        ("approval_reminders", f"user:{board['executive'].id}", "2026-03-06", logged.id),
        ("approval_reminders", f"user:{board['senior_user'].id}", "2026-03-06", logged.id),
    ]


def boom(today):
    raise RuntimeError("the database of reminders caught fire")


def half_done_then_boom(today):
    """Does part of its work, then fails: none of the part may survive."""
    from tracker.extensions import db
    from tracker.scheduler.services import claim

    claim("broken", "subject:1", today.isoformat())
    db.session.flush()
    raise RuntimeError("failed halfway")


def test_a_failing_job_is_logged_and_the_others_carry_on(db, board, waiting_gate, monkeypatch):
    monkeypatch.setattr(
        registry,
        "JOBS",
        [
            ("broken", f"{__name__}:half_done_then_boom", {"trigger": "interval", "minutes": 1}),
            *registry.JOBS,
        ],
    )
    failed = run("broken", date(2026, 3, 6))
    assert failed.outcome == "failed"
    assert "failed halfway" in failed.error
    assert db.session.scalar(select(func.count(JobKey.id)).where(JobKey.job_id == "broken")) == 0
    worked = run("approval_reminders", date(2026, 3, 6))
    assert worked.outcome == "succeeded" and worked.done == 2
    outcomes = dict(db.session.execute(select(JobRun.job_id, JobRun.outcome)).all())
    assert outcomes == {"broken": "failed", "approval_reminders": "succeeded"}


def test_a_job_that_raises_does_not_stop_the_scheduler_thread(db, monkeypatch):
    monkeypatch.setattr(
        registry, "JOBS", [("boom", f"{__name__}:boom", {"trigger": "interval", "minutes": 1})]
    )
    result = scheduler.run_job("boom", date(2026, 3, 6))  # no exception escapes
    assert result.outcome == "failed" and "caught fire" in result.error
    again = scheduler.run_job("boom", date(2026, 3, 7))
    assert again.outcome == "failed" and again.id != result.id


def test_unknown_jobs_are_refused(db):
    with pytest.raises(KeyError):
        scheduler.run_job("no_such_job", date(2026, 3, 6))


def test_every_registered_job_can_be_loaded_and_has_a_title():
    from tracker.scheduler import process

    process.check_registry()
    assert len(set(registry.job_ids())) == len(registry.JOBS)
    assert all(job_id in registry.JOB_TITLES for job_id in registry.job_ids())


def test_the_reminder_email_goes_to_the_outbox_with_the_reminder(db, board, waiting_gate):
    before = db.session.scalar(select(func.count(OutboxEmail.id)))
    run("approval_reminders", date(2026, 3, 6))
    emails = list(db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id.desc()).limit(2)))
    assert db.session.scalar(select(func.count(OutboxEmail.id))) == before + 2
    assert {e.to_address for e in emails} == {board["executive"].email, board["senior_user"].email}
    assert all(e.status == "pending" for e in emails)
    assert all("http://127.0.0.1:5000/decisions" in e.body for e in emails)


def test_uk_today_follows_the_london_calendar():
    with time_machine.travel(at(2026, 6, 30, 23), tick=False):  # 00:00 BST on 1 July
        assert scheduler.uk_today() == date(2026, 7, 1)
    with time_machine.travel(at(2026, 6, 30, 22), tick=False):
        assert scheduler.uk_today() == date(2026, 6, 30)


class Flaky:
    calls = 0


def busy_once(today):
    from sqlalchemy.exc import OperationalError

    Flaky.calls += 1
    if Flaky.calls == 1:
        raise OperationalError("INSERT …", {}, Exception("database is locked"))
    return 7


def test_a_busy_database_is_retried(db, monkeypatch):
    monkeypatch.setattr(scheduler, "RETRY_WAIT_SECONDS", 0)
    monkeypatch.setattr(
        registry, "JOBS", [("busy", f"{__name__}:busy_once", {"trigger": "interval", "minutes": 1})]
    )
    Flaky.calls = 0
    result = scheduler.run_job("busy", date(2026, 3, 6))
    assert (result.outcome, result.done, Flaky.calls) == ("succeeded", 7, 2)
