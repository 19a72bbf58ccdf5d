"""Reads for the inbox and the header's unread count."""

from __future__ import annotations

from sqlalchemy import Select, func, select

from tracker.extensions import db
from tracker.notifications.models import EMAIL_STATUSES, Notification, OutboxEmail
from tracker.notifications.vocabulary import EmailStatus


def unread_count(user_id: int) -> int:
    return db.session.scalar(
        select(func.count(Notification.id)).where(
            Notification.user_id == user_id, Notification.read_at.is_(None)
        )
    )


def inbox(user_id: int) -> Select:
    """The person's notifications, unread first, newest first (for pagination)."""
    return (
        select(Notification)
        .where(Notification.user_id == user_id)
        .order_by(
            Notification.read_at.is_not(None),
            Notification.created_at.desc(),
            Notification.id.desc(),
        )
    )


def outbox_counts() -> dict[str, int]:
    rows = db.session.execute(
        select(OutboxEmail.status, func.count(OutboxEmail.id)).group_by(OutboxEmail.status)
    )
    counts = dict.fromkeys(EMAIL_STATUSES, 0)
    counts.update({status: count for status, count in rows})
    return counts


def failed_emails(limit: int = 20) -> list[OutboxEmail]:
    return list(
        db.session.scalars(
            select(OutboxEmail)
            .where(
                OutboxEmail.status.in_((EmailStatus.FAILED, EmailStatus.PENDING)),
                OutboxEmail.attempts > 0,
            )
            .order_by(OutboxEmail.id.desc())
            .limit(limit)
        )
    )


def latest_emails(limit: int = 20) -> list[OutboxEmail]:
    """The newest emails in the outbox, whatever their status: with no mail server (in
    development) this is where people read what the tracker would have sent."""
    return list(
        db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id.desc()).limit(limit))
    )
