"""Rate limits on the API and on signing in (Flask-Limiter).

Counts live in memory by default, which is right for one process; with several web workers
set RATELIMIT_STORAGE_URI (for example ``redis://127.0.0.1:6379/0``) so they share counts.
One limiter per app, so two apps in one process (the tests) never share counters.
"""

from __future__ import annotations

from flask import Flask, current_app, render_template
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


def limit_blueprint(app: Flask, blueprint) -> None:
    app.extensions["tracker_limiter"].limit(lambda: current_app.config["API_RATE_LIMIT"])(blueprint)


def too_many_requests_page():
    return render_template("errors/429.html"), 429
