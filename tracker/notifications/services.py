"""Notifying people: an inbox entry, plus an outbox email when they want one.

``notify`` adds rows to the caller's transaction and flushes, like every service: the email
is sent by the sender only once that transaction has committed, and a failure to send never
undoes the change that caused it.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import current_app, has_request_context, url_for
from sqlalchemy import delete, select, update

from tracker.audit import services as audit
from tracker.auth.models import User
from tracker.core.errors import RuleError
from tracker.db import utcnow
from tracker.extensions import db
from tracker.notifications.mailer import header_text
from tracker.notifications.models import KINDS, EmailOptOut, Notification, OutboxEmail
from tracker.notifications.vocabulary import EmailStatus


def path_for(endpoint: str, **values) -> str:
    """A URL path for an endpoint, in a request or in a scheduled job (no request there)."""
    if has_request_context():
        return url_for(endpoint, **values)
    adapter = current_app.url_map.bind(
        "localhost", script_name=current_app.config.get("APPLICATION_ROOT") or "/"
    )
    return adapter.build(endpoint, values)


def absolute_url(path: str) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + path


def wants_email(user: User, kind: str) -> bool:
    if not user.is_active_user or not user.email:
        return False
    opted_out = db.session.scalar(
        select(EmailOptOut.kind).where(EmailOptOut.user_id == user.id, EmailOptOut.kind == kind)
    )
    return opted_out is None


def notify(
    user: User,
    kind: str,
    title: str,
    body: str = "",
    *,
    link: str = "",
    project_id: int | None = None,
) -> Notification:
    """Put a message in the person's inbox and, if they want it by email, in the outbox."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    notification = Notification(
        user_id=user.id,
        project_id=project_id,
        kind=kind,
        title=title[:200],
        body=body,
        link=link,
        created_at=utcnow(),
    )
    db.session.add(notification)
    db.session.flush()
    if wants_email(user, kind):
        text = body.strip()
        if link:
            text += f"\n\nOpen it in Governance Tracker: {absolute_url(link)}"
        text += (
            "\n\nYou get this email because of your roles on projects in Governance Tracker. "
            f"Choose which emails you get: {absolute_url(path_for('notifications.settings'))}"
        )
        db.session.add(
            OutboxEmail(
                notification_id=notification.id,
                to_address=user.email,
                subject=header_text(title)[:200],
                body=f"Dear {user.name},\n\n{text.strip()}\n",
                status=EmailStatus.PENDING,
                next_attempt_at=utcnow(),
            )
        )
        db.session.flush()
    return notification


def notify_all(users: Iterable[User], kind: str, title: str, body: str = "", **kwargs) -> int:
    """Notify each person once, however many of the roles concerned they hold."""
    seen: set[int] = set()
    for user in users:
        if user.id in seen:
            continue
        seen.add(user.id)
        notify(user, kind, title, body, **kwargs)
    return len(seen)


def mark_read(user: User, notification: Notification) -> bool:
    """Mark one of the person's own notifications read; False if it already was."""
    if notification.user_id != user.id:
        raise RuleError("That notification is not yours.")
    result = db.session.execute(
        update(Notification)
        .where(Notification.id == notification.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount == 1


def mark_all_read(user: User) -> int:
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def email_kinds(user: User) -> list[str]:
    """The kinds this person gets by email (every kind unless they opted out)."""
    opted_out = set(
        db.session.scalars(select(EmailOptOut.kind).where(EmailOptOut.user_id == user.id))
    )
    return [kind for kind in KINDS if kind not in opted_out]


def set_email_kinds(user: User, kinds: Iterable[str], *, actor: User) -> list[str]:
    chosen = list(dict.fromkeys(kinds))
    unknown = [kind for kind in chosen if kind not in KINDS]
    if unknown:
        raise RuleError("Choose the emails you want from the list", "email_kinds")
    before = email_kinds(user)
    db.session.execute(delete(EmailOptOut).where(EmailOptOut.user_id == user.id))
    db.session.add_all(
        EmailOptOut(user_id=user.id, kind=kind) for kind in KINDS if kind not in chosen
    )
    db.session.flush()
    after = email_kinds(user)
    if before != after:
        audit.record(
            "notifications.email_choices_changed",
            user,
            summary=f"{user.name} changed which notifications they get by email",
            changes={"email_kinds": [before, after]},
            actor=actor,
        )
    return after
