"""Single sign-on rules, kept pure: the providers' settings, what a provider's claims mean for
the person, and which tracker role their groups give. No Flask, no database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
DEFAULT_SCOPES = "openid email profile"
# The strongest role wins when a person's groups map to several.
ROLE_STRENGTH = {"admin": 2, "pmo": 1}


class SignInRefused(Exception):
    """A sign-in through a provider that the tracker refuses. ``message`` is for the person;
    ``log`` is for the administrator's log (what to look at or change)."""

    def __init__(self, message: str, log: str, *, status: int = 403):
        super().__init__(message)
        self.message = message
        self.log = log
        self.status = status


@dataclass(frozen=True)
class ProviderSettings:
    name: str
    issuer: str
    client_id: str
    client_secret: str
    label: str
    scopes: str = DEFAULT_SCOPES
    organisation: str | None = None
    organisation_claim: str | None = None
    groups_claim: str = "groups"
    role_map: Mapping[str, str] = field(default_factory=dict)
    # For a provider that only issues addresses in domains it has verified but does not send
    # ``email_verified`` (Entra ID work accounts): treat its addresses as verified.
    trust_email: bool = False

    @property
    def display_name(self) -> str:
        """The provider as a sentence names it: the button's words without "Sign in with"."""
        return self.label.removeprefix("Sign in with ").strip() or self.name

    @property
    def metadata_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"

    def issuer_matches(self, other: str | None) -> bool:
        """An issuer must match exactly; only a trailing slash is forgiven."""
        return other is not None and other.rstrip("/") == self.issuer.rstrip("/")


def parse_role_map(text: str) -> dict[str, str]:
    """``"group-id=pmo, other=admin"`` to a dict. Roles are checked at sign-in, not here, so
    a wrong mapping refuses the people it concerns with a clear log line instead of
    stopping the whole service from starting."""
    mapping: dict[str, str] = {}
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        group, separator, role = part.rpartition("=")
        if not separator or not group.strip() or not role.strip():
            raise ValueError(f"role mapping {part!r} is not in the form group=role")
        mapping[group.strip()] = role.strip()
    return mapping


def provider_settings(raw: Mapping[str, object]) -> ProviderSettings:
    """Check one provider's settings (as ``config.oidc_providers`` reads them)."""
    name = str(raw.get("name") or "")
    if not NAME_PATTERN.match(name):
        raise ValueError(f"OpenID provider name {name!r}: use lower-case letters, digits, '-'")
    missing = [key for key in ("issuer", "client_id", "client_secret") if not raw.get(key)]
    if missing:
        prefix = "TRACKER_OIDC_" + name.upper().replace("-", "_")
        variables = ", ".join(f"{prefix}_{key.upper()}" for key in missing)
        raise ValueError(f"OpenID provider {name!r} needs {variables}")
    issuer = str(raw["issuer"])
    if not issuer.startswith(("https://", "http://")):
        raise ValueError(f"OpenID provider {name!r}: the issuer must be an https URL")
    scopes = str(raw.get("scopes") or DEFAULT_SCOPES)
    if "openid" not in scopes.split():
        raise ValueError(f"OpenID provider {name!r}: the scopes must include 'openid'")
    role_map = raw.get("role_map") or {}
    if isinstance(role_map, str):
        role_map = parse_role_map(role_map)
    return ProviderSettings(
        name=name,
        issuer=issuer,
        client_id=str(raw["client_id"]),
        client_secret=str(raw["client_secret"]),
        label=str(raw.get("label") or f"Sign in with {name}"),
        scopes=scopes,
        organisation=str(raw["organisation"]) if raw.get("organisation") else None,
        organisation_claim=(
            str(raw["organisation_claim"]) if raw.get("organisation_claim") else None
        ),
        groups_claim=str(raw.get("groups_claim") or "groups"),
        role_map=dict(role_map),
        trust_email=str(raw.get("trust_email") or "").strip().lower() in {"1", "true", "yes"},
    )


def is_true(value: object) -> bool:
    """``email_verified`` is a boolean in the standard; some providers send a string."""
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def groups_of(claims: Mapping[str, object], claim: str) -> list[str]:
    value = claims.get(claim)
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, Iterable):
        return [str(item) for item in value]
    return []


def global_role_for(
    groups: Iterable[str], role_map: Mapping[str, str], known_roles: Iterable[str]
) -> str | None:
    """The tracker role a person's provider groups give (the strongest), or None.

    Groups not in the mapping are ignored (people belong to many). A mapping that names a
    role the tracker does not have refuses the sign-in: guessing would give someone the
    wrong access.
    """
    known = set(known_roles)
    roles = []
    for group in groups:
        role = role_map.get(group)
        if role is None:
            continue
        if role not in known:
            raise SignInRefused(
                "Your account's group gives a role the tracker does not know, so you cannot "
                "sign in until an administrator corrects the role mapping.",
                f"group {group!r} maps to unknown role {role!r} "
                f"(known roles: {', '.join(sorted(known))}); fix the provider's role mapping",
            )
        roles.append(role)
    if not roles:
        return None
    return max(roles, key=lambda role: ROLE_STRENGTH.get(role, 0))


def organisation_name_for(settings: ProviderSettings, claims: Mapping[str, object]) -> str | None:
    """The organisation a person belongs to: the configured claim when the token carries it,
    otherwise the provider's own organisation."""
    if settings.organisation_claim:
        value = claims.get(settings.organisation_claim)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return settings.organisation
