"""Operations on people: they flush and audit; the caller commits."""

from __future__ import annotations

from blinker import Namespace
from sqlalchemy import select

from tracker.audit import services as audit
from tracker.audit.rules import diff
from tracker.auth.models import (
    GLOBAL_ROLES,
    NO_PASSWORD,
    SignInIdentity,
    SignInSettings,
    User,
    email_lookup,
    normalise_email,
    verify_without_account,
)
from tracker.auth.rules import LocalSignIn
from tracker.auth.sso_rules import (
    ProviderSettings,
    SignInRefused,
    global_role_for,
    groups_of,
    is_true,
    organisation_name_for,
)
from tracker.core import events
from tracker.core.errors import RuleError, StaleEdit, check_version
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
        "organisation_id": user.organisation_id,
        "is_break_glass": user.is_break_glass,
        "must_change_password": user.must_change_password,
    }


def _check_break_glass(is_break_glass: bool, global_role: str | None) -> None:
    if is_break_glass and global_role != "admin":
        raise UserError(
            "is_break_glass", "Only an administrator can be a break-glass administrator"
        )


def create_user(
    *,
    email: str,
    name: str,
    password: str | None,
    global_role: str | None = None,
    organisation_id: int | None = None,
    is_break_glass: bool = False,
    actor=None,
) -> User:
    """Add a person. A password given by someone else is temporary: the person chooses
    their own at their first sign-in."""
    if find_by_email(email) is not None:
        raise UserError("email", "A person with this email address already exists")
    _check_break_glass(is_break_glass, global_role or None)
    user = User(
        email=normalise_email(email),
        name=name.strip(),
        global_role=global_role or None,
        is_active_user=True,
        organisation_id=organisation_id,
        is_break_glass=is_break_glass,
        must_change_password=bool(password) and actor is not None,
    )
    if password:
        user.set_password(password)
    else:
        user.password_hash = NO_PASSWORD
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
    organisation_id: int | None = None,
    is_break_glass: bool | None = None,
    require_password_change: bool = False,
    actor=None,
) -> User:
    """Change a person. A new password set here is temporary, and an administrator may ask
    for a new password at the next sign-in without setting one."""
    existing = find_by_email(email)
    if existing is not None and existing.id != user.id:
        raise UserError("email", "A person with this email address already exists")
    removes_own_admin = user.global_role == "admin" and (not is_active or global_role != "admin")
    if actor is not None and actor.id == user.id and removes_own_admin:
        raise UserError(
            "global_role",
            "You cannot remove your own administrator role or deactivate yourself",
        )
    if is_break_glass is None:
        is_break_glass = user.is_break_glass and global_role == "admin"
    _check_break_glass(is_break_glass, global_role or None)
    if require_password_change and not password and user.password_hash == NO_PASSWORD:
        raise UserError(
            "require_password_change",
            "This person signs in through their organisation's account and has no password "
            "to change: set a temporary password as well",
        )
    before = _snapshot(user)
    user.email = normalise_email(email)
    user.name = name.strip()
    user.global_role = global_role or None
    user.is_active_user = is_active
    if organisation_id is not None:
        user.organisation_id = organisation_id
    user.is_break_glass = is_break_glass
    if password or require_password_change:
        user.must_change_password = True
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
    user.must_change_password = False
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


# Who may sign in with a password ---------------------------------------------------------


def sign_in_settings() -> SignInSettings:
    """The one settings row, or an unsaved default (everyone) when none has been saved."""
    return db.session.get(SignInSettings, 1) or SignInSettings(
        id=1, local_sign_in=LocalSignIn.EVERYONE, version=0
    )


def may_sign_in_locally(user: User) -> bool:
    settings = sign_in_settings()
    if settings.local_sign_in == LocalSignIn.EVERYONE:
        return True
    return user.is_break_glass and user.is_admin


def set_local_sign_in(local_sign_in: str, *, version: int | None, actor: User) -> SignInSettings:
    """Switch password sign-in on or off for everyone but break-glass administrators.

    Switching it off makes the administrator doing so a break-glass administrator, so the
    tracker never ends up with nobody able to sign in when the provider is down.
    """
    if local_sign_in not in set(LocalSignIn):
        raise RuleError("Choose who may sign in with a password", "local_sign_in")
    settings = db.session.get(SignInSettings, 1)
    if settings is None:
        if version not in (None, 0):
            raise StaleEdit()
        settings = SignInSettings(id=1, local_sign_in=LocalSignIn.EVERYONE)
        db.session.add(settings)
        db.session.flush()
    else:
        check_version(settings, version)
    before = {"local_sign_in": str(settings.local_sign_in)}
    settings.local_sign_in = local_sign_in
    settings.updated_at = utcnow()
    if local_sign_in == LocalSignIn.BREAK_GLASS and not actor.is_break_glass:
        actor_before = _snapshot(actor)
        actor.is_break_glass = True
        db.session.flush()
        audit.record(
            "user.updated",
            actor,
            summary=f"{actor.name} became a break-glass administrator",
            changes=diff(actor_before, _snapshot(actor)),
            actor=actor,
        )
    changes = diff(before, {"local_sign_in": str(local_sign_in)})
    db.session.flush()
    if changes:
        audit.record(
            "sign_in.settings_changed",
            settings,
            summary="Password sign-in: " + str(local_sign_in).replace("_", "-"),
            changes=changes,
            actor=actor,
        )
    return settings


# Signing in through an OpenID provider ---------------------------------------------------


def _organisation_id(name: str | None, settings: ProviderSettings) -> int:
    """The organisation's id, asked of the organisations domain (it sits above this one)."""
    if not name:
        raise SignInRefused(
            "The tracker does not know which organisation you belong to, so it cannot create "
            "your account. Ask your administrator.",
            f"provider {settings.name}: no organisation for a new person (set "
            f"TRACKER_OIDC_{settings.name.upper().replace('-', '_')}_ORGANISATION or the "
            "organisation claim)",
        )
    found = [answer for answer in events.send(events.organisation_named, name=name) if answer]
    if not found:
        raise SignInRefused(
            f"Your organisation, {name}, is not set up in the tracker yet, so your account "
            "cannot be created. Ask your administrator to add it.",
            f"provider {settings.name}: organisation {name!r} from the sign-in is not in the "
            "tracker; add it (name or short name) under Organisations",
        )
    return found[0]


def _role_from_provider(settings: ProviderSettings, claims: dict) -> tuple[bool, str | None]:
    """Whether the provider decides global roles, and the role it gives."""
    if not settings.role_map:
        return False, None
    groups = groups_of(claims, settings.groups_claim)
    return True, global_role_for(groups, settings.role_map, GLOBAL_ROLES)


def sign_in_with_provider(settings: ProviderSettings, claims: dict) -> User:
    """The person a provider's verified ID token names: found by (issuer, subject), linked
    by a verified email address the first time, or created. Refusals raise
    ``SignInRefused`` before anything is written."""
    issuer, subject = str(claims.get("iss") or ""), str(claims.get("sub") or "")
    if not issuer or not subject:
        raise SignInRefused(
            "The sign-in service did not say who you are, so you have not been signed in.",
            f"provider {settings.name}: ID token without iss or sub",
            status=400,
        )
    decides_role, role = _role_from_provider(settings, claims)
    identity = db.session.scalars(
        select(SignInIdentity).where(
            SignInIdentity.issuer == issuer, SignInIdentity.subject == subject
        )
    ).first()
    if identity is not None:
        user = db.session.get(User, identity.user_id)
        _refuse_inactive(user, settings)
    else:
        user, identity = _first_sign_in(settings, claims, issuer, subject, role)
    identity.last_signed_in_at = utcnow()
    if decides_role and user.global_role != role and not user.is_break_glass:
        before = _snapshot(user)
        user.global_role = role
        db.session.flush()
        audit.record(
            "user.updated",
            user,
            summary=f"{user.name}'s global role set by {settings.display_name}'s groups",
            changes=diff(before, _snapshot(user)),
            actor=user,
        )
    note_login(user)
    db.session.flush()
    return user


def _refuse_inactive(user: User, settings: ProviderSettings) -> None:
    if not user.is_active_user:
        raise SignInRefused(
            "Your tracker account has been deactivated. Ask your administrator.",
            f"provider {settings.name}: sign-in by deactivated person {user.id} refused",
        )


def _first_sign_in(
    settings: ProviderSettings, claims: dict, issuer: str, subject: str, role: str | None
) -> tuple[User, SignInIdentity]:
    email = str(claims.get("email") or "").strip()
    if not email:
        raise SignInRefused(
            "The sign-in service did not give your email address, so the tracker cannot set "
            "up your account. Ask your administrator.",
            f"provider {settings.name}: first sign-in of subject {subject!r} without an email "
            "claim (is the 'email' scope requested and released?)",
        )
    if not (settings.trust_email or is_true(claims.get("email_verified"))):
        raise SignInRefused(
            "The sign-in service has not verified your email address, so the tracker cannot "
            "set up your account. Verify it there, then try again.",
            f"provider {settings.name}: first sign-in of {email} refused: email_verified is "
            f"{claims.get('email_verified')!r}; nothing created",
        )
    user = find_by_email(email)
    if user is not None:
        _refuse_inactive(user, settings)
        summary = f"{user.name} linked to their account at {settings.display_name}"
    else:
        organisation_id = _organisation_id(organisation_name_for(settings, claims), settings)
        name = str(claims.get("name") or "").strip() or email.split("@")[0]
        user = create_user(
            email=email,
            name=name[:120],
            password=None,
            global_role=role,
            organisation_id=organisation_id,
        )
        summary = f"{user.name} signed in for the first time with {settings.display_name}"
    identity = SignInIdentity(
        user_id=user.id, provider=settings.name, issuer=issuer, subject=subject
    )
    db.session.add(identity)
    db.session.flush()
    audit.record(
        "user.identity_linked",
        user,
        summary=summary,
        changes={"identity": [None, f"{settings.name}: {subject}"]},
        actor=user,
    )
    return user, identity
