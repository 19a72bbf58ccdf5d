"""People and their global roles."""

from __future__ import annotations

import contextlib
import secrets
from datetime import datetime

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from tracker.auth.rules import LocalSignIn
from tracker.core import stamps
from tracker.db import utcnow
from tracker.extensions import db

GLOBAL_ROLES = {"admin": "Administrator", "pmo": "PMO analyst"}

# An account made by a provider's sign-in has no password: no argon2 hash ever matches it.
NO_PASSWORD = "!sso"  # noqa: S105 - a marker, not a password

_hasher = PasswordHasher()
# The test suite hashes hundreds of passwords; it uses argon2's cheapest profile.
_cheap_hasher = PasswordHasher.from_parameters(profiles.CHEAPEST)


def _password_hasher() -> PasswordHasher:
    if has_app_context() and current_app.config.get("PASSWORD_HASH_CHEAP"):
        return _cheap_hasher
    return _hasher


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint("global_role IN ('admin', 'pmo')", name="global_role_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    global_role: Mapped[str | None] = mapped_column(String(20))
    # The agency the person speaks for. A plain foreign key: the organisations domain sits
    # above this one and adds the ``organisation`` relationship (tracker.orgs.models), so
    # this package never imports it. Nullable only for people created before it existed.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    # Set when an administrator gives a temporary password: the person must choose their own
    # before doing anything else.
    must_change_password: Mapped[bool] = mapped_column(default=False)
    # May still sign in with a password when passwords are switched off for everyone else.
    is_break_glass: Mapped[bool] = mapped_column(default=False)
    is_active_user: Mapped[bool] = mapped_column("is_active", default=True)
    # Bumped on every password change and every sign-out: sessions (and remember cookies)
    # carry it, so a copied cookie stops working once its owner signs out.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<User {self.email}>"

    # Flask-Login ---------------------------------------------------------------
    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.is_active_user

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    # Passwords -----------------------------------------------------------------
    def set_password(self, password: str) -> None:
        self.password_hash = _password_hasher().hash(password)

    @property
    def has_password(self) -> bool:
        """False for someone who only ever signs in through their organisation's account."""
        return self.password_hash != NO_PASSWORD

    def check_password(self, password: str) -> bool:
        try:
            return _hasher.verify(self.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    # Roles ---------------------------------------------------------------------
    @property
    def is_admin(self) -> bool:
        return self.global_role == "admin"

    @property
    def is_pmo(self) -> bool:
        """PMO staff see the whole portfolio; administrators can do everything PMO can."""
        return self.global_role in {"admin", "pmo"}

    @property
    def role_label(self) -> str:
        return GLOBAL_ROLES.get(self.global_role or "", "User")


_dummy_hashes: dict[int, str] = {}


def verify_without_account(password: str) -> bool:
    """Spend the time a real password check takes, for a sign-in with no account behind it.

    Without it a wrong password for an unknown address answers at once and a wrong password
    for a real one answers after argon2's work, so the timing tells who has an account.
    The dummy hash is made with the same parameters as real ones, once per process.
    """
    hasher = _password_hasher()
    dummy = _dummy_hashes.get(id(hasher))
    if dummy is None:
        dummy = _dummy_hashes.setdefault(id(hasher), hasher.hash(secrets.token_urlsafe(24)))
    with contextlib.suppress(VerificationError, InvalidHashError):
        _hasher.verify(dummy, password)
    return False


class SignInIdentity(db.Model):
    """A person's account at an OpenID provider: matched on (issuer, subject), never on email."""

    __tablename__ = "sign_in_identities"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    provider: Mapped[str] = mapped_column(String(40))
    issuer: Mapped[str] = mapped_column(String(500))
    subject: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_signed_in_at: Mapped[datetime | None]


class SignInSettings(db.Model):
    """Who may sign in with a password (one row; none yet means everyone may)."""

    __tablename__ = "sign_in_settings"
    __table_args__ = (
        CheckConstraint("id = 1", name="single_row"),
        CheckConstraint(
            "local_sign_in IN (" + ", ".join(f"'{value}'" for value in LocalSignIn) + ")",
            name="local_sign_in_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True, default=1)
    local_sign_in: Mapped[str] = mapped_column(String(20), default=LocalSignIn.EVERYONE)
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __mapper_args__ = {"version_id_col": version}


class LoginThrottle(db.Model):
    """Failed sign-ins per account name, in the database so every web worker sees the same count.

    Keyed by a hash of the normalised email address, whether or not such an account exists:
    a locked name then behaves the same either way and reveals nothing.
    """

    __tablename__ = "login_throttles"
    __table_args__ = (CheckConstraint("failures >= 0", name="failures_not_negative"),)

    email_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    first_failed_at: Mapped[datetime | None]
    locked_until: Mapped[datetime | None]


def normalise_email(email: str) -> str:
    return email.strip().lower()


def email_lookup(email: str):
    return func.lower(User.email) == normalise_email(email)


# A person's name appears on project pages: a change to anyone moves the ``people`` stamp.
stamps.moves(User, scopes=lambda _user: {stamps.PEOPLE})
