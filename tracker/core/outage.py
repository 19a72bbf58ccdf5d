"""When the database cannot be reached (restarting, failing over, out of connections), the
request gets a 503 with Retry-After, never a 500 traceback: a page for people, problem
details for the API. The engine's ``pool_pre_ping`` replaces dead connections, so once the
server is back the next request works without restarting the app."""

from __future__ import annotations

import contextlib
import logging

from flask import current_app, g, render_template
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from tracker.core import bp
from tracker.core.problems import is_api_request, problem
from tracker.extensions import db, login_manager

RETRY_AFTER_SECONDS = 5
DETAIL = (
    "The service cannot reach its database at the moment. Try again in "
    f"{RETRY_AFTER_SECONDS} seconds. If you were saving a change, check whether it was saved "
    "before you send it again."
)
log = logging.getLogger(__name__)


@event.listens_for(Engine, "handle_error")
def _a_failed_ping_means_a_dead_connection(context) -> None:
    """Any error while the pool pings a connection means that connection is unusable. The
    driver does not always say so in a way SQLAlchemy recognises: psycopg, finding the
    socket closed half way through the ping, raises "can't change 'autocommit' now" (a
    ProgrammingError), which would reach the request as a 500. Marked as a disconnect, the
    pool throws the connection away and opens a fresh one, as for any other dead one."""
    if context.is_pre_ping:
        context.is_disconnect = True


def _unavailable(error: Exception):
    log.warning("Database unavailable: %s", str(error).splitlines()[0] if str(error) else error)
    # The connection may already be gone: rolling back is best effort; the pool throws an
    # invalidated connection away when the request ends.
    with contextlib.suppress(DBAPIError):
        db.session.rollback()
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if is_api_request():
        return problem(503, DETAIL, title="Service unavailable", headers=headers)
    # The page must not touch the database again: show it as to a signed-out person, so the
    # layout loads no user and no navigation badges.
    g._login_user = login_manager.anonymous_user()
    body = render_template("errors/503.html", retry_after=RETRY_AFTER_SECONDS)
    return current_app.response_class(body, status=503, headers=headers)


# Connection refused or lost, server shutting down or starting up (OperationalError);
# a connection already closed (InterfaceError); no pooled connection free in time.
for _error in (OperationalError, InterfaceError, PoolTimeout):
    bp.app_errorhandler(_error)(_unavailable)


def _end_session(exception: BaseException | None) -> None:
    """End the request's session as Flask-SQLAlchemy does, but survive a connection that died
    after the response was made (a server restart between the last query and the end of the
    request): rolling back on it fails, which would turn a finished page into a bare 500.
    The dead connection is thrown away instead; the pool opens a new one next time."""
    try:
        db.session.remove()
    except DBAPIError as error:
        log.warning("Connection lost at the end of a request: %s", str(error).splitlines()[0])
        with contextlib.suppress(DBAPIError):
            if db.session.registry.has():
                db.session.registry().invalidate()
        with contextlib.suppress(DBAPIError):
            db.session.remove()


# Registered after Flask-SQLAlchemy's own teardown, so it runs first (teardowns run in reverse).
bp.record_once(lambda state: state.app.teardown_appcontext(_end_session))
