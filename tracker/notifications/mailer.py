"""Sending the outbox: each email at most once, retried with back-off when sending fails.

The sender claims an email by moving it from ``pending`` to ``sending`` with a conditional
UPDATE and commits that before it talks to the mail server. A second sender (another
scheduler, or ``flask notifications send`` run by hand) finds the row no longer pending and
leaves it alone. If the process dies mid-send the row stays ``sending``: it is not retried,
since the server may have taken it, and the job log shows it for a person to check.

An email that cannot be built or that fails in any other unexpected way is marked
``failed`` with the reason at once, and the round goes on to the next email: one bad row
never stops the job or stays ``sending``. Header values are made single-line first, so a
project or person name holding CR/LF can neither add headers nor fail the email.

No transaction is open while the mail server is talked to: the message is built, the
transaction ended, and only then is it handed over. On SQLite a scheduled job's transaction
holds the one write lock, which must never wait on a network (tracker.core.sqlite).
"""

from __future__ import annotations

import logging
import re
import smtplib
from datetime import datetime
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app
from sqlalchemy import select, update

from tracker.db import utcnow
from tracker.extensions import db
from tracker.notifications.models import OutboxEmail
from tracker.notifications.vocabulary import EmailStatus
from tracker.scheduler.rules import backoff, gives_up

log = logging.getLogger("tracker.mail")

BATCH = 100


class MailServerDown(Exception):
    """The mail server could not be reached: stop this round, try again later."""


# Control characters and the Unicode line and paragraph separators.
_LINE_BREAKING = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")


def header_text(value: str) -> str:
    """A header value on one line: every run of control characters (CR, LF, tab, NUL...)
    becomes one space, so text from people (project names, person names) cannot start a
    header of its own."""
    return " ".join(_LINE_BREAKING.sub(" ", value or "").split())


def _address(value: str) -> str:
    """An address is used as it is or not at all: changing it could send to someone else."""
    if _LINE_BREAKING.search(value or ""):
        raise ValueError("the recipient's address contains a line break or control character")
    return value


def _message(email: OutboxEmail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = _address(email.to_address)
    message["Subject"] = header_text(email.subject)
    message["Message-ID"] = make_msgid(idstring=f"outbox-{email.id}")
    message.set_content(email.body)
    return message


def deliver(message: EmailMessage) -> None:
    """Hand one email to the SMTP server, or to the log when no server is configured."""
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        log.info("Email (MAIL_SERVER not set, so not sent):\n%s", message.as_string())
        return
    try:
        with smtplib.SMTP(
            config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"]
        ) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            smtp.send_message(message)
    except (smtplib.SMTPConnectError, smtplib.SMTPServerDisconnected) as error:
        raise MailServerDown(f"{type(error).__name__}: {error}") from error
    except smtplib.SMTPException:
        raise  # the server answered but refused this email
    except OSError as error:  # refused connection, timeout, unknown host
        raise MailServerDown(f"{type(error).__name__}: {error}") from error


def _claim(email_id: int, now: datetime) -> bool:
    result = db.session.execute(
        update(OutboxEmail)
        .where(
            OutboxEmail.id == email_id,
            OutboxEmail.status == EmailStatus.PENDING,
            OutboxEmail.next_attempt_at <= now,
        )
        .values(status=EmailStatus.SENDING, claimed_at=now, attempts=OutboxEmail.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def _settle(email_id: int, error: Exception | None) -> None:
    email = db.session.get(OutboxEmail, email_id, populate_existing=True)
    now = utcnow()
    if error is None:
        email.status, email.sent_at, email.last_error = EmailStatus.SENT, now, None
    else:
        email.last_error = f"{error}"[:2000]
        if gives_up(email.attempts):
            email.status = EmailStatus.FAILED
        else:
            email.status = EmailStatus.PENDING
            email.next_attempt_at = now + backoff(email.attempts)
    db.session.commit()


def _give_up(email_id: int, reason: str) -> None:
    """Mark an email failed at once, with why: it would fail the same way every time."""
    db.session.rollback()
    email = db.session.get(OutboxEmail, email_id, populate_existing=True)
    email.status = EmailStatus.FAILED
    email.last_error = reason[:2000]
    db.session.commit()


def send_due(now: datetime | None = None, limit: int = BATCH) -> int:
    """Send the emails that are due; return how many went. Commits as it goes."""
    now = now or utcnow()
    due = list(
        db.session.scalars(
            select(OutboxEmail.id)
            .where(OutboxEmail.status == EmailStatus.PENDING, OutboxEmail.next_attempt_at <= now)
            .order_by(OutboxEmail.id)
            .limit(limit)
        )
    )
    db.session.commit()  # end the read, so each claim below is its own short transaction
    sent = 0
    for email_id in due:
        if not _claim(email_id, now):
            continue  # another sender has it, or had it
        try:
            message = _message(db.session.get(OutboxEmail, email_id, populate_existing=True))
            db.session.commit()  # end the transaction before talking to the mail server
            deliver(message)
        except MailServerDown as error:
            log.warning("Mail server unreachable; email %s will be retried: %s", email_id, error)
            _settle(email_id, error)
            break  # the rest would fail the same way: leave them for the next round
        except smtplib.SMTPException as error:
            log.warning("Email %s was refused: %s", email_id, error)
            _settle(email_id, error)
        except Exception as error:  # one bad email must not stop the round
            log.exception("Email %s could not be sent and will not be retried", email_id)
            _give_up(email_id, f"Could not be sent: {type(error).__name__}: {error}")
        else:
            _settle(email_id, None)
            sent += 1
    return sent
