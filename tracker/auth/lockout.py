"""Temporary lockout after repeated failed sign-ins for one account name.

Counts live in the database (``login_throttles``) and each update locks its row, so several
gunicorn workers share one count. Unknown email addresses are counted the same way, so the
lockout message never tells anyone whether an account exists.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from tracker.audit import services as audit
from tracker.auth.models import LoginThrottle, User, normalise_email
from tracker.db import utcnow
from tracker.extensions import db

LOCKED_MESSAGE = (
    "Too many failed attempts to sign in with this email address. "
    "Wait {minutes} minutes and try again, or ask your administrator for help."
)


def email_key(email: str) -> str:
    return hashlib.sha256(normalise_email(email).encode()).hexdigest()


def _aware(moment: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; they are stored in UTC.
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def locked_message() -> str:
    return LOCKED_MESSAGE.format(minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"])


def is_locked(email: str, now: datetime | None = None) -> bool:
    now = now or utcnow()
    row = db.session.get(LoginThrottle, email_key(email))
    return row is not None and row.locked_until is not None and _aware(row.locked_until) > now


def _locked_row(key: str) -> LoginThrottle:
    """The row for this name, created if missing, locked against other workers."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.session.execute(
        insert(LoginThrottle)
        .values(email_key=key, failures=0)
        .on_conflict_do_nothing(index_elements=["email_key"])
    )
    return db.session.scalars(
        select(LoginThrottle)
        .where(LoginThrottle.email_key == key)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def record_failure(email: str, user: User | None, now: datetime | None = None) -> bool:
    """Count one failed sign-in; return True when this failure locks the name."""
    now = now or utcnow()
    config = current_app.config
    row = _locked_row(email_key(email))
    window = timedelta(minutes=config["LOGIN_LOCKOUT_WINDOW_MINUTES"])
    first = _aware(row.first_failed_at)
    if (
        first is None
        or now - first > window
        or (row.locked_until and _aware(row.locked_until) <= now)
    ):
        row.failures, row.first_failed_at, row.locked_until = 0, now, None
    row.failures += 1
    locks = row.failures >= config["LOGIN_LOCKOUT_FAILURES"]
    if locks:
        minutes = config["LOGIN_LOCKOUT_MINUTES"]
        row.locked_until = now + timedelta(minutes=minutes)
        audit.record(
            "auth.locked_out",
            object_type="users",
            object_id=user.id if user is not None else None,
            summary=(
                f"Sign-in locked for {minutes} minutes after {row.failures} failed attempts "
                f"for {normalise_email(email)[:120]}"
                + ("" if user is not None else " (no such account)")
            ),
        )
    db.session.flush()
    return locks


def clear(email: str) -> None:
    row = db.session.get(LoginThrottle, email_key(email))
    if row is not None:
        db.session.delete(row)
        db.session.flush()
