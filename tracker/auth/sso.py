"""Signing in through OpenID Connect providers, with Authlib.

The authorisation code flow with PKCE (S256); Authlib keeps the state, the nonce and the
code verifier in the session and checks them on the way back. The ID token's signature is
checked against the provider's published keys (fetched once and cached; fetched again when
a token names a key not in the cache, which is how a rotation shows), and its issuer,
audience, expiry and nonce are checked too. Every refusal becomes a ``SignInRefused`` with
a message for the person and a line for the administrator's log.
"""

from __future__ import annotations

import logging
from typing import Any

import requests
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app, request, session, url_for
from joserfc.errors import (
    BadSignatureError,
    ExpiredTokenError,
    InvalidClaimError,
    JoseError,
    MissingClaimError,
)

from tracker.auth.sso_rules import ProviderSettings, SignInRefused, provider_settings

log = logging.getLogger("tracker.sso")

EXTENSION = "tracker.sso"
# Kept in the session after signing out of the tracker, so the signed-out page can offer the
# provider's own sign-out (RP-initiated logout).
LOGOUT_KEY = "sso_logout"
SIGNED_IN_KEY = "sso_signed_in"


class Providers:
    """The configured providers of one app, and their Authlib clients."""

    def __init__(self, app: Flask):
        self.settings: dict[str, ProviderSettings] = {}
        self.oauth = OAuth(app)
        for raw in app.config.get("OIDC_PROVIDERS") or []:
            settings = provider_settings(raw)
            if settings.name in self.settings:
                raise ValueError(f"OpenID provider {settings.name!r} is configured twice")
            self.settings[settings.name] = settings
            self.oauth.register(
                settings.name,
                client_id=settings.client_id,
                client_secret=settings.client_secret,
                server_metadata_url=settings.metadata_url,
                client_kwargs={
                    "scope": settings.scopes,
                    "code_challenge_method": "S256",
                    "default_timeout": app.config.get("OIDC_TIMEOUT", 10),
                },
            )
            for role in set(settings.role_map.values()) - {"admin", "pmo"}:
                log.warning(
                    "OpenID provider %s maps groups to unknown role %r: people in those groups "
                    "will be refused",
                    settings.name,
                    role,
                )

    def client(self, name: str):
        return self.oauth.create_client(name)


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = Providers(app)


def providers() -> list[ProviderSettings]:
    return list(current_app.extensions[EXTENSION].settings.values())


def provider(name: str) -> ProviderSettings | None:
    return current_app.extensions[EXTENSION].settings.get(name)


def _client(settings: ProviderSettings):
    return current_app.extensions[EXTENSION].client(settings.name)


def _provider_down(settings: ProviderSettings, error: Exception) -> SignInRefused:
    return SignInRefused(
        f"{settings.display_name} is not answering at the moment, so you cannot sign in with it. "
        "Try again in a few minutes.",
        f"provider {settings.name} at {settings.issuer} unreachable or answered with an "
        f"error: {error.__class__.__name__}: {error}",
        status=503,
    )


def _metadata(settings: ProviderSettings) -> dict[str, Any]:
    """The provider's discovery document (cached by Authlib), with its issuer checked."""
    client = _client(settings)
    try:
        metadata = client.load_server_metadata()
    except (requests.RequestException, ValueError) as error:
        raise _provider_down(settings, error) from error
    if not settings.issuer_matches(metadata.get("issuer")):
        # Not kept: the next try fetches the document again.
        client.server_metadata.pop("_loaded_at", None)
        raise SignInRefused(
            "The sign-in service is not set up correctly, so you cannot sign in with it.",
            f"provider {settings.name}: the discovery document's issuer "
            f"{metadata.get('issuer')!r} is not the configured issuer {settings.issuer!r}",
            status=502,
        )
    return metadata


def redirect_uri(settings: ProviderSettings) -> str:
    return url_for("auth.sso_callback", provider=settings.name, _external=True)


def start(settings: ProviderSettings):
    """The redirect to the provider's sign-in page."""
    _metadata(settings)
    return _client(settings).authorize_redirect(redirect_uri(settings))


def _token_problem(settings: ProviderSettings, error: JoseError) -> SignInRefused:
    message = (
        "The sign-in could not be checked, so you have not been signed in. Try again; if it "
        "happens again, tell your administrator."
    )
    if isinstance(error, ExpiredTokenError):
        why = "the ID token has expired (check the server's clock)"
    elif isinstance(error, BadSignatureError):
        why = "the ID token's signature does not verify against the provider's keys"
    elif isinstance(error, InvalidClaimError | MissingClaimError):
        claim = getattr(error, "claim", None) or str(error)
        why = {
            "iss": "the ID token's issuer is not the configured issuer",
            "aud": "the ID token was issued to another client (audience)",
            "azp": "the ID token was issued to another client (authorised party)",
            "nonce": "the ID token's nonce does not match this sign-in",
            "exp": "the ID token has expired",
        }.get(claim, f"the ID token's claim {claim!r} is not valid")
    else:
        why = f"the ID token could not be read ({error.__class__.__name__}: {error})"
    return SignInRefused(message, f"provider {settings.name}: {why}", status=400)


def finish(settings: ProviderSettings) -> tuple[dict[str, Any], str]:
    """Check the provider's answer and return the ID token's claims and the raw ID token."""
    error = request.args.get("error")
    if error:
        description = request.args.get("error_description") or ""
        if error == "access_denied":
            raise SignInRefused(
                f"{settings.display_name} did not let you sign in"
                + (f": {description}" if description else ".")
                + " If your account there has been switched off, ask your IT service desk.",
                f"provider {settings.name} refused the sign-in: {error} {description}".strip(),
            )
        raise SignInRefused(
            f"{settings.display_name} could not sign you in ({error}).",
            f"provider {settings.name} answered with error {error}: {description}",
            status=400,
        )
    returned_issuer = request.args.get("iss")
    if returned_issuer is not None and not settings.issuer_matches(returned_issuer):
        raise SignInRefused(
            "The answer did not come from the sign-in service it was sent to, so you have "
            "not been signed in.",
            f"provider {settings.name}: the authorisation response names issuer "
            f"{returned_issuer!r}, not {settings.issuer!r} (a mix-up attack, or the wrong issuer "
            "configured)",
            status=400,
        )
    metadata = _metadata(settings)
    claims_options = {
        "iss": {"essential": True, "values": [metadata["issuer"]]},
        "exp": {"essential": True},
    }
    try:
        token = _client(settings).authorize_access_token(claims_options=claims_options)
    except MismatchingStateError as error:
        raise SignInRefused(
            "This sign-in had expired or was started in another browser, so you have not been "
            "signed in. Start again from the sign-in page.",
            f"provider {settings.name}: the state in the answer does not match a sign-in "
            "started in this session (expired, replayed or forged)",
            status=400,
        ) from error
    except OAuthError as error:
        raise SignInRefused(
            f"{settings.display_name} would not complete the sign-in. Start again from the "
            "sign-in page.",
            f"provider {settings.name}: token request refused: {error.error} "
            f"{error.description or ''}".strip(),
            status=400,
        ) from error
    except JoseError as error:
        raise _token_problem(settings, error) from error
    except requests.RequestException as error:
        raise _provider_down(settings, error) from error
    claims = token.get("userinfo")
    if not claims or "id_token" not in token:
        raise SignInRefused(
            "The sign-in service did not say who you are, so you have not been signed in.",
            f"provider {settings.name}: no ID token in the token response (is 'openid' among "
            "the scopes?)",
            status=400,
        )
    return dict(claims), token["id_token"]


def verify_id_token(settings: ProviderSettings, id_token: str, nonce: str) -> dict[str, Any]:
    """Check an ID token as ``finish`` does (signature, issuer, audience, expiry, nonce)."""
    client = _client(settings)
    metadata = _metadata(settings)
    claims_options = {
        "iss": {"essential": True, "values": [metadata["issuer"]]},
        "exp": {"essential": True},
    }
    try:
        claims = client.parse_id_token(
            {"id_token": id_token}, nonce=nonce, claims_options=claims_options
        )
    except JoseError as error:
        raise _token_problem(settings, error) from error
    return dict(claims)


def remember_sign_in(settings: ProviderSettings, id_token: str) -> None:
    session[SIGNED_IN_KEY] = {"provider": settings.name, "id_token": id_token}


def offer_logout() -> None:
    """Called on signing out: keep what the provider's sign-out needs for the next page."""
    signed_in = session.pop(SIGNED_IN_KEY, None)
    if signed_in:
        session[LOGOUT_KEY] = signed_in


def pending_logout() -> ProviderSettings | None:
    signed_in = session.get(LOGOUT_KEY)
    return provider(signed_in["provider"]) if signed_in else None


def logout_redirect():
    """The provider's end-session URL, or None when there is nothing to end."""
    signed_in = session.pop(LOGOUT_KEY, None)
    settings = provider(signed_in["provider"]) if signed_in else None
    if settings is None:
        return None
    metadata = _metadata(settings)
    if not metadata.get("end_session_endpoint"):
        return None
    return _client(settings).logout_redirect(
        post_logout_redirect_uri=url_for("auth.login", _external=True),
        id_token_hint=signed_in["id_token"],
    )
