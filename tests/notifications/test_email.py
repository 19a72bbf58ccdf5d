"""Email through a real SMTP server on localhost: written to the outbox with the change,
sent only after commit, at most once, retried later when the server is down."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import func, select

from tests.scheduler.fixtures import at, free_port
from tests.stages.helpers import plan_stages, report_data
from tracker.notifications import mailer
from tracker.notifications import services as notifications
from tracker.notifications.models import Notification, OutboxEmail
from tracker.stages import services as stages
from tracker.stages.models import GateReview


def outbox(db, **where):
    statement = select(OutboxEmail).order_by(OutboxEmail.id)
    for name, value in where.items():
        statement = statement.where(getattr(OutboxEmail, name) == value)
    return list(db.session.scalars(statement))


def test_a_gate_request_emails_its_approvers_after_commit(app, db, board, smtp_server, mail_to):
    mail_to(smtp_server)
    plan_stages(board["project"], board["manager"], count=2)
    gate = stages.request_gate(board["project"], report_data(), actor=board["manager"])
    # Written in the gate's transaction, but nothing has gone to the server yet.
    queued = outbox(db, status="pending")
    assert {e.to_address for e in queued} == {board["executive"].email, board["senior_user"].email}
    assert smtp_server.messages == []
    db.session.commit()

    assert mailer.send_due() == 2
    received = sorted(smtp_server.messages, key=lambda m: m["To"])
    assert sorted(m["To"] for m in received) == sorted(
        [board["executive"].email, board["senior_user"].email]
    )
    assert all(m["From"] == app.config["MAIL_FROM"] for m in received)
    assert received[0]["Subject"] == f"{board['project'].code}: a gate review needs your decision"
    body = received[0].get_content()
    assert f"/projects/{board['project'].id}/gates/{gate.id}" in body
    assert "Choose which emails you get" in body
    assert {e.status for e in outbox(db)} == {"sent"}

    # Sending again sends nothing more.
    assert mailer.send_due() == 0
    assert len(smtp_server.messages) == 2


def test_a_rolled_back_change_leaves_no_notification_and_no_email(db, board, smtp_server, mail_to):
    mail_to(smtp_server)
    plan_stages(board["project"], board["manager"], count=2)
    stages.request_gate(board["project"], report_data(), actor=board["manager"])
    db.session.rollback()
    assert db.session.scalar(select(func.count(GateReview.id))) == 0
    assert db.session.scalar(select(func.count(Notification.id))) == 0
    assert mailer.send_due() == 0
    assert smtp_server.messages == []


def test_the_manager_hears_when_the_gate_is_decided(db, board, waiting_gate, smtp_server, mail_to):
    mail_to(smtp_server)
    for role in ("executive", "senior_user"):
        stages.decide_gate(
            waiting_gate, role=role, decision="approve", comment="", actor=board[role]
        )
        db.session.commit()
    told = db.session.scalars(
        select(Notification)
        .where(Notification.user_id == board["manager"].id)
        .order_by(Notification.id)
    ).all()
    # The decision, then the prompt to log the gate's lessons (tests/lessons).
    assert [n.kind for n in told] == ["gate_resolved", "lessons_prompt"]
    note = told[0]
    assert "approved" in note.body.lower()
    mailer.send_due()
    assert [m["To"] for m in smtp_server.messages if "decided" in m["Subject"]] == [
        board["manager"].email
    ]


def test_server_down_keeps_the_change_and_retries_later(db, board, smtp_server, mail_to):
    dead_port = free_port()  # nothing listens here
    mail_to(None, port=dead_port)
    plan_stages(board["project"], board["manager"], count=2)
    with time_machine.travel(at(2026, 3, 2, 9), tick=False):
        gate = stages.request_gate(board["project"], report_data(), actor=board["manager"])
        db.session.commit()
        assert mailer.send_due() == 0
    # The gate stands; the first email was tried once and waits a minute; the second was
    # left alone, since the server was down.
    assert db.session.get(GateReview, gate.id).status == "pending"
    first, second = outbox(db)
    assert (first.status, first.attempts) == ("pending", 1)
    assert "Connection" in first.last_error or "refused" in first.last_error.lower()
    assert first.next_attempt_at == at(2026, 3, 2, 9) + timedelta(minutes=1)
    assert (second.status, second.attempts) == ("pending", 0)

    # Too early for the retry: nothing happens, even with the server back.
    mail_to(smtp_server)
    with time_machine.travel(at(2026, 3, 2, 9) + timedelta(seconds=30), tick=False):
        assert mailer.send_due() == 1  # only the untried one
    with time_machine.travel(at(2026, 3, 2, 9) + timedelta(minutes=2), tick=False):
        assert mailer.send_due() == 1
    assert len(smtp_server.messages) == 2
    assert {e.status for e in outbox(db)} == {"sent"}
    assert db.session.get(OutboxEmail, first.id).attempts == 2


def test_an_email_that_keeps_failing_is_given_up(db, board, mail_to, monkeypatch):
    from tracker.scheduler import rules

    mail_to(None, port=free_port())
    moment = at(2026, 3, 2)
    with time_machine.travel(moment, tick=False):
        notifications.notify(board["manager"], "highlight_due", "A highlight report is due")
        db.session.commit()
    for _ in range(rules.MAX_SEND_ATTEMPTS):
        with time_machine.travel(moment, tick=False):
            mailer.send_due()
        moment += rules.MAX_BACKOFF
    (email,) = outbox(db)
    assert email.status == "failed"
    assert email.attempts == rules.MAX_SEND_ATTEMPTS
    with time_machine.travel(moment + timedelta(days=1), tick=False):
        assert mailer.send_due() == 0
    assert db.session.get(OutboxEmail, email.id).attempts == rules.MAX_SEND_ATTEMPTS


def test_an_email_being_sent_elsewhere_is_not_sent_again(db, board, smtp_server, mail_to):
    mail_to(smtp_server)
    notifications.notify(board["manager"], "highlight_due", "A highlight report is due")
    db.session.commit()
    (email,) = outbox(db)
    email.status = "sending"  # another sender claimed it
    db.session.commit()
    assert mailer.send_due() == 0
    assert smtp_server.messages == []


def test_without_a_mail_server_emails_are_written_to_the_log(app, db, board, caplog, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", None)
    notifications.notify(
        board["manager"], "highlight_due", "A highlight report is due", "Write it <now>."
    )
    db.session.commit()
    with caplog.at_level("INFO", logger="tracker.mail"):
        assert mailer.send_due() == 1
    assert "Subject: A highlight report is due" in caplog.text
    assert board["manager"].email in caplog.text
    assert outbox(db)[0].status == "sent"


def test_people_choose_which_notifications_come_by_email(db, board):
    notifications.set_email_kinds(board["manager"], ["gate_requested"], actor=board["manager"])
    db.session.commit()
    notifications.notify(board["manager"], "highlight_due", "A highlight report is due")
    notifications.notify(board["manager"], "gate_requested", "A gate needs you")
    db.session.commit()
    assert [e.subject for e in outbox(db)] == ["A gate needs you"]
    # Both are in the inbox whatever the email choice.
    assert (
        db.session.scalar(
            select(func.count(Notification.id)).where(Notification.user_id == board["manager"].id)
        )
        == 2
    )


def test_inactive_people_get_no_email(db, board):
    board["manager"].is_active_user = False
    db.session.commit()
    notifications.notify(board["manager"], "highlight_due", "A highlight report is due")
    db.session.commit()
    assert outbox(db) == []


def test_the_send_command_sends_the_queue(app, db, board, smtp_server, mail_to):
    mail_to(smtp_server)
    notifications.notify(board["manager"], "highlight_due", "A highlight report is due")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["notifications", "send"])
    assert result.exit_code == 0, result.output
    assert "Sent 1 email." in result.output
    assert [m["Subject"] for m in smtp_server.messages] == ["A highlight report is due"]
