"""Names holding CR/LF never reach an email header, and an email that cannot be sent is
marked failed with a reason instead of stopping the job or staying "sending"."""

from __future__ import annotations

from sqlalchemy import select

from tests.stages.helpers import plan_stages, report_data
from tracker.db import utcnow
from tracker.notifications import mailer
from tracker.notifications import services as notifications
from tracker.notifications.models import OutboxEmail
from tracker.scheduler import services as scheduler
from tracker.stages import services as stages

HOSTILE = "P\r\nBcc: t@e.io\r\n\r\n"  # fits a project code's 20 characters


def test_header_text_is_one_line():
    assert mailer.header_text("A\r\nBcc: x\tY\x00Z\u2028W") == "A Bcc: x Y Z W"
    assert mailer.header_text("  plain   words ") == "plain words"


def test_a_project_name_with_line_breaks_cannot_add_headers(db, board, smtp_server, mail_to):
    mail_to(smtp_server)
    plan_stages(board["project"], board["manager"], count=2)
    board["project"].code = HOSTILE  # as an older database or a crafted import might hold
    stages.request_gate(board["project"], report_data(), actor=board["manager"])
    db.session.commit()
    subjects = [email.subject for email in db.session.scalars(select(OutboxEmail))]
    assert subjects
    assert all("\r" not in subject and "\n" not in subject for subject in subjects)

    assert mailer.send_due() == len(subjects)
    for message in smtp_server.messages:
        assert message["Bcc"] is None
        assert message["Subject"].startswith("P Bcc: t@e.io : a gate review"), message["Subject"]
    assert all("t@e.io" not in message["To"] for message in smtp_server.messages)
    statuses = {email.status for email in db.session.scalars(select(OutboxEmail))}
    assert statuses == {"sent"}


def _queue(db, board, *, to: str, subject: str) -> int:
    note = notifications.notify(board["team"], "gate_resolved", "placeholder")
    email = OutboxEmail(
        notification_id=note.id,
        to_address=to,
        subject=subject,
        body="Hello",
        status="pending",
        next_attempt_at=utcnow(),
    )
    db.session.add(email)
    db.session.commit()
    return email.id


def test_an_older_row_with_a_broken_subject_is_still_sent_on_one_line(
    db, board, smtp_server, mail_to
):
    mail_to(smtp_server)
    email_id = _queue(db, board, to=board["team"].email, subject="Reminder\r\nBcc: x@example.com")
    mailer.send_due()
    assert db.session.get(OutboxEmail, email_id).status == "sent"
    (message,) = [m for m in smtp_server.messages if m["Subject"].startswith("Reminder")]
    assert message["Subject"] == "Reminder Bcc: x@example.com"
    assert message["Bcc"] is None


def test_an_email_that_cannot_be_built_fails_with_a_reason_and_the_round_goes_on(
    db, board, smtp_server, mail_to
):
    mail_to(smtp_server)
    bad = _queue(db, board, to="a@example.gov.uk\r\nBcc: thief@example.com", subject="Bad")
    good = _queue(db, board, to=board["team"].email, subject="Good")
    mailer.send_due()
    db.session.expire_all()
    broken = db.session.get(OutboxEmail, bad)
    assert broken.status == "failed"
    assert "line break" in broken.last_error
    assert db.session.get(OutboxEmail, good).status == "sent"
    assert [m["Subject"] for m in smtp_server.messages if m["Subject"] in {"Bad", "Good"}] == [
        "Good"
    ]
    # Nothing is left claimed, and a second round sends nothing again.
    assert not db.session.scalars(select(OutboxEmail).where(OutboxEmail.status == "sending")).all()
    before = len(smtp_server.messages)
    mailer.send_due()
    assert len(smtp_server.messages) == before


def test_the_scheduled_email_job_survives_a_broken_email(app, db, board, smtp_server, mail_to):
    mail_to(smtp_server)
    bad = _queue(db, board, to="a@example.gov.uk\nX-Evil: 1", subject="Bad")
    good = _queue(db, board, to=board["team"].email, subject="Good")
    run = scheduler.run_job("send_emails")
    db.session.expire_all()
    assert run.outcome == "succeeded"
    assert db.session.get(OutboxEmail, bad).status == "failed"
    assert db.session.get(OutboxEmail, good).status == "sent"
