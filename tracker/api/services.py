"""Creating, revoking and checking personal access tokens. Operations flush and audit; the
caller commits."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, select

from tracker.api.models import ApiToken
from tracker.audit import services as audit
from tracker.auth import services as users
from tracker.auth.models import User
from tracker.core.errors import RuleError
from tracker.db import utcnow
from tracker.extensions import db

TOKEN_PREFIX = "gt_"  # noqa: S105 - a label, not a secret
EXPIRY_DAYS = {30: "30 days", 90: "90 days", 180: "180 days", 365: "1 year"}
# Writing "last used" on every call would turn every read into a write; once in a while is
# enough for people to see which tokens are still in use.
LAST_USED_GRANULARITY = timedelta(minutes=15)


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # shown once, never stored


def create_token(user: User, *, name: str, expires_in_days: int) -> NewToken:
    name = (name or "").strip()
    if not name:
        raise RuleError("Enter a name for the token", "name")
    if expires_in_days not in EXPIRY_DAYS:
        raise RuleError("Choose when the token expires", "expires_in_days")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    token = ApiToken(
        user_id=user.id,
        name=name,
        prefix=secret[:10],
        token_hash=digest(secret),
        created_at=now,
        expires_at=now + timedelta(days=expires_in_days),
    )
    db.session.add(token)
    db.session.flush()
    audit.record(
        "api_token.created",
        token,
        actor=user,
        summary=f"{user.name} created API token '{name}' ({token.prefix}…), "
        f"expiring after {EXPIRY_DAYS[expires_in_days]}",
        changes={"name": name, "prefix": token.prefix, "expires_at": token.expires_at},
    )
    return NewToken(token, secret)


def revoke_token(token: ApiToken, *, actor: User) -> ApiToken:
    if token.user_id != actor.id:
        raise RuleError("You can only revoke your own tokens")
    if token.revoked_at is not None:
        raise RuleError(f"The token '{token.name}' has already been revoked")
    token.revoked_at = utcnow()
    db.session.flush()
    audit.record(
        "api_token.revoked",
        token,
        actor=actor,
        summary=f"{actor.name} revoked API token '{token.name}' ({token.prefix}…)",
        changes={"revoked_at": [None, token.revoked_at]},
    )
    return token


@users.password_changed.connect
def revoke_on_password_change(user: User, *, actor: User, **_) -> None:
    """A new password ends every token made under the old one: someone who learnt the old
    password (and made a token with it) loses the token with the password."""
    now = utcnow()
    live = db.session.scalars(
        select(ApiToken).where(
            ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None), ApiToken.expires_at > now
        )
    ).all()
    for token in live:
        token.revoked_at = now
    if not live:
        return
    db.session.flush()
    audit.record(
        "api_token.revoked",
        object_type="users",
        object_id=user.id,
        actor=actor,
        summary=f"Revoked {user.name}'s {len(live)} API "
        f"{'token' if len(live) == 1 else 'tokens'} because the password changed",
        changes={"tokens": [[token.prefix for token in live], None]},
    )


def tokens_of(user: User) -> Select:
    return (
        select(ApiToken)
        .where(ApiToken.user_id == user.id)
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id.desc())
    )


class TokenRefused(Exception):
    """Why a presented token does not authenticate; the message is safe to show."""


def authenticate(raw: str, *, now: datetime | None = None) -> User:
    """The user a token acts for, or TokenRefused. Touches ``last_used_at`` now and then."""
    now = now or utcnow()
    token = db.session.scalars(select(ApiToken).where(ApiToken.token_hash == digest(raw))).first()
    if token is None:
        raise TokenRefused("The access token is not recognised.")
    if token.revoked_at is not None:
        raise TokenRefused("The access token has been revoked.")
    if token.expires_at <= now:
        raise TokenRefused("The access token has expired. Create a new one on your account page.")
    if not token.user.is_active_user:
        raise TokenRefused("The account this access token belongs to is deactivated.")
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_GRANULARITY:
        token.last_used_at = now
        db.session.flush()
    return token.user
