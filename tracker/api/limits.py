"""Rate limits on the API and on signing in (Flask-Limiter).

Counts live in memory by default, which is right for one process; with several web workers
set RATELIMIT_STORAGE_URI (for example ``redis://127.0.0.1:6379/0``) so they share counts.
One limiter per app, so two apps in one process (the tests) never share counters.
"""

from __future__ import annotations

import hashlib

from flask import Flask, current_app, render_template, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address


def _failed_sign_in(response) -> bool:
    """A successful sign-in redirects; anything else counts against the limit."""
    return response.status_code != 302


def init_app(app: Flask) -> Limiter:
    limiter = Limiter(get_remote_address, headers_enabled=True)
    limiter.init_app(app)
    app.extensions["tracker_limiter"] = limiter

    login_view = app.view_functions["auth.login"]
    app.view_functions["auth.login"] = limiter.limit(
        lambda: current_app.config["LOGIN_RATE_LIMIT"],
        methods=["POST"],
        deduct_when=_failed_sign_in,
        error_message="Too many failed sign-in attempts",
    )(login_view)
    return limiter


def api_caller() -> str:
    """Whom the API's limit counts: the bearer token (by digest, never the token itself), or
    the address of a caller without one.

    Keyed by token rather than address, so two programs behind one gateway do not share a
    budget and one program cannot escape its budget by moving to another address.
    """
    scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
    raw = raw.strip()
    if scheme.lower() == "bearer" and raw:
        return "token:" + hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]
    return "address:" + (get_remote_address() or "unknown")


def limit_blueprint(app: Flask, blueprint) -> None:
    """One budget for the whole API: every resource's blueprint shares the ``api`` scope,
    so spreading calls over endpoints does not multiply the allowance."""
    limits = app.extensions.get("tracker_api_limit")
    if limits is None:
        limits = app.extensions["tracker_limiter"].shared_limit(
            lambda: current_app.config["API_RATE_LIMIT"], scope="api", key_func=api_caller
        )
        app.extensions["tracker_api_limit"] = limits
    limits(blueprint)


def too_many_requests_page():
    return render_template("errors/429.html"), 429
