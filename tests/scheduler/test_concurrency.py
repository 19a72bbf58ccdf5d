"""Exactly once, on PostgreSQL with real concurrent sessions: two runs of a job at the same
moment (a second scheduler started by mistake) create each reminder and its email once, and
two senders at the same moment send each email once."""

from __future__ import annotations

import threading
from datetime import date

import pytest
import time_machine
from flask_migrate import upgrade
from sqlalchemy import func, select

from tests.conftest import make_app, require_backend
from tests.scheduler.fixtures import SmtpServer, at
from tests.stages.helpers import committed_waiting_start_gate
from tracker.extensions import db
from tracker.notifications import mailer
from tracker.notifications.models import Notification, OutboxEmail
from tracker.scheduler import services as scheduler
from tracker.scheduler.models import JobKey, JobRun
from tracker.stages import tasks as stage_tasks

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def pg_app(tmp_path_factory):
    """An app on a PostgreSQL schema of its own (dropped at the end of the run): the threads
    below commit for real, which the per-test transaction of the ``db`` fixture cannot."""
    require_backend("postgresql")
    app = make_app("postgresql", tmp_path_factory, "schedrace")
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


def _waiting_gate(app, label: str) -> dict:
    """A committed medium project whose start gate has waited since 2 March 2026."""
    with app.app_context(), time_machine.travel(at(2026, 3, 2), tick=False):
        people, _, _, _ = committed_waiting_start_gate(label, "SCH")
        return {role: user.id for role, user in people.items()}


def _together(count: int, target, *args) -> list:
    """Run ``target`` in ``count`` threads at once; re-raise any thread's error."""
    results, errors = [None] * count, []

    def work(index):
        try:
            results[index] = target(*args)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    assert errors == []
    return results


def _hold_at_first_call(monkeypatch, module, name: str, parties: int) -> None:
    """Make each thread wait at its first call of ``module.name`` until every thread has
    reached it, so all of them have read the same state before any of them writes."""
    real = getattr(module, name)
    barrier = threading.Barrier(parties, timeout=30)
    local = threading.local()

    def held(*args, **kwargs):
        if not getattr(local, "waited", False):
            local.waited = True
            barrier.wait()
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, held)


def test_two_runs_at_the_same_moment_remind_each_approver_once(pg_app, monkeypatch):
    ids = _waiting_gate(pg_app, "remind")
    _hold_at_first_call(monkeypatch, stage_tasks, "claim", 2)

    def one_run():
        with pg_app.app_context():
            run = scheduler.run_job("approval_reminders", date(2026, 3, 10))
            result = (run.outcome, run.done, run.error)
            db.session.remove()
            return result

    results = _together(2, one_run)
    assert [outcome for outcome, _, _ in results] == ["succeeded", "succeeded"], results
    assert sum(done for _, done, _ in results) == 2

    with pg_app.app_context():
        approvers = [ids["executive"], ids["senior_user"]]
        reminders = db.session.execute(
            select(Notification.user_id, func.count(Notification.id))
            .where(Notification.kind == "approval_reminder", Notification.user_id.in_(approvers))
            .group_by(Notification.user_id)
        ).all()
        assert sorted(reminders) == sorted((user_id, 1) for user_id in approvers)
        emails = db.session.scalar(
            select(func.count(OutboxEmail.id))
            .join(Notification, Notification.id == OutboxEmail.notification_id)
            .where(Notification.kind == "approval_reminder", Notification.user_id.in_(approvers))
        )
        assert emails == 2
        keys = db.session.scalar(
            select(func.count(JobKey.id)).where(
                JobKey.job_id == "approval_reminders",
                JobKey.subject.in_([f"user:{user_id}" for user_id in approvers]),
            )
        )
        assert keys == 2
        runs = db.session.scalar(
            select(func.count(JobRun.id)).where(JobRun.job_id == "approval_reminders")
        )
        assert runs >= 2  # both runs are in the log, each with what it did


def test_two_senders_at_the_same_moment_send_each_email_once(pg_app, monkeypatch):
    _waiting_gate(pg_app, "send")  # queues the gate-request emails to both approvers
    server = SmtpServer()
    server.start()
    try:
        for key, value in {**server.config(), "MAIL_TIMEOUT": 5}.items():
            monkeypatch.setitem(pg_app.config, key, value)
        with pg_app.app_context():
            due = db.session.scalar(
                select(func.count(OutboxEmail.id)).where(OutboxEmail.status == "pending")
            )
        assert due >= 2
        _hold_at_first_call(monkeypatch, mailer, "_claim", 2)

        def one_sender():
            with pg_app.app_context():
                sent = mailer.send_due()
                db.session.remove()
                return sent

        results = _together(2, one_sender)
        assert sum(results) == due
        assert len(server.messages) == due
        message_ids = [m["Message-ID"] for m in server.messages]
        assert len(set(message_ids)) == len(message_ids)  # no outbox row went twice
        with pg_app.app_context():
            statuses = set(db.session.scalars(select(OutboxEmail.status)))
        assert statuses == {"sent"}
    finally:
        server.stop()
