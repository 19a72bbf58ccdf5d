"""Operations on people: they flush and audit; the caller commits."""

from __future__ import annotations

from blinker import Namespace
from sqlalchemy import select

from tracker.audit import services as audit
from tracker.audit.rules import diff
from tracker.auth.models import User, email_lookup, normalise_email, verify_without_account
from tracker.core.errors import RuleError
from tracker.db import utcnow
from tracker.extensions import db

_signals = Namespace()
# Sent (sender: the person) inside the transaction that changed their password. Whatever else
# lets someone act as the person subscribes and ends with it (the API revokes its tokens),
# so this package need not know about them.
password_changed = _signals.signal("password-changed")


class UserError(RuleError):
    """A change to a person that the rules refuse; the message says why, on ``field``."""

    def __init__(self, field: str, message: str):
        super().__init__(message, field)


def find_by_email(email: str) -> User | None:
    return db.session.scalars(select(User).where(email_lookup(email))).first()


def _snapshot(user: User) -> dict:
    return {
        "name": user.name,
        "email": user.email,
        "global_role": user.global_role,
        "is_active": user.is_active_user,
    }


def create_user(
    *, email: str, name: str, password: str, global_role: str | None = None, actor=None
) -> User:
    if find_by_email(email) is not None:
        raise UserError("email", "A person with this email address already exists")
    user = User(
        email=normalise_email(email),
        name=name.strip(),
        global_role=global_role or None,
        is_active_user=True,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record(
        "user.created",
        user,
        summary=f"Created user {user.name} ({user.email})",
        changes=diff({}, _snapshot(user)),
        actor=actor,
    )
    return user


def update_user(
    user: User,
    *,
    email: str,
    name: str,
    global_role: str | None,
    is_active: bool,
    password: str | None = None,
    actor=None,
) -> User:
    existing = find_by_email(email)
    if existing is not None and existing.id != user.id:
        raise UserError("email", "A person with this email address already exists")
    removes_own_admin = user.global_role == "admin" and (not is_active or global_role != "admin")
    if actor is not None and actor.id == user.id and removes_own_admin:
        raise UserError(
            "global_role",
            "You cannot remove your own administrator role or deactivate yourself",
        )
    before = _snapshot(user)
    user.email = normalise_email(email)
    user.name = name.strip()
    user.global_role = global_role or None
    user.is_active_user = is_active
    changes = diff(before, _snapshot(user))
    if password:
        user.set_password(password)
        changes["password"] = ["(reset)", "(reset)"]
    if not changes:
        return user
    db.session.flush()
    audit.record(
        "user.updated", user, summary=f"Updated user {user.name}", changes=changes, actor=actor
    )
    if password:
        _end_access(user, actor=actor)
    return user


def _end_access(user: User, *, actor) -> None:
    """A new password ends every session and every token made under the old one."""
    user.session_version += 1
    db.session.flush()
    password_changed.send(user, actor=actor or user)


def change_password(user: User, new_password: str) -> None:
    """Set a new password and end every other session (and every API token) of this person."""
    user.set_password(new_password)
    db.session.flush()
    audit.record("user.password_changed", user, summary=f"{user.name} changed their password")
    _end_access(user, actor=user)


def password_matches(user: User | None, password: str) -> bool:
    """Check a sign-in's password; with no such account, take the same time and say no."""
    if user is None:
        return verify_without_account(password)
    return user.check_password(password)


def sign_out(user: User) -> None:
    """End this person's sessions on the server: a copy of the session cookie (or of a
    remember cookie) taken before now no longer signs anyone in, because the loader
    compares the version it carries with this one."""
    user.session_version += 1
    db.session.flush()


def note_login(user: User) -> None:
    user.last_login_at = utcnow()
