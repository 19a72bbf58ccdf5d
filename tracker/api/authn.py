"""Who an API request acts for: the bearer token's user, and nothing else.

A browser's session cookie never authenticates the API, so a page on another site cannot
make a signed-in person's browser call it (which is also why the API needs no CSRF token).
"""

from __future__ import annotations

from flask import g, request

from tracker.api import services
from tracker.api.core import is_api_blueprint
from tracker.api.problems import problem
from tracker.core import sqlite
from tracker.extensions import db, login_manager

CHALLENGE = 'Bearer realm="governance-tracker"'


def authenticate_api_request():
    """Runs before every request; acts only on API resources."""
    if not is_api_blueprint(request.blueprint):
        return None
    # Whatever the session says, this request's user is decided here.
    g._login_user = login_manager.anonymous_user()
    scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
    raw = raw.strip()
    if scheme.lower() != "bearer" or not raw:
        return problem(401, headers={"WWW-Authenticate": CHALLENGE})
    try:
        # Authenticating may write the token's "last used" time, even in a GET: on SQLite
        # this short transaction takes the write lock at its start (tracker.core.sqlite).
        with sqlite.writing():
            user = services.authenticate(raw)
    except services.TokenRefused as refusal:
        db.session.rollback()
        return problem(
            401, str(refusal), headers={"WWW-Authenticate": CHALLENGE + ', error="invalid_token"'}
        )
    db.session.commit()  # keeps "last used", when it was touched
    g._login_user = user
    return None
