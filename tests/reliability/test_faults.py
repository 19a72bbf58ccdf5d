"""Faults: the database connection dies under the app, and a scheduled job fails half way.

A real server restart is in test_restart.py (on a private server of its own). Here the shared
server is not restarted (other suites run against it): the app's own server connections are
terminated at chosen moments (between requests, before a COMMIT, after a page was made),
which is what the app sees when the server restarts. The test engine names its connections
with ``application_name`` so only its own are terminated."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, event, func, select, text

from tests.conftest import POSTGRES_URL, fresh_database, require_backend
from tests.scheduler.test_jobs import notes, run
from tracker import create_app
from tracker.audit import services as audit
from tracker.audit.models import AuditEntry
from tracker.extensions import db as _db
from tracker.notifications.models import Notification, OutboxEmail
from tracker.orgs.models import Organisation
from tracker.scheduler.models import JobKey
from tracker.stages import tasks

ROUNDS = 20


@pytest.fixture
def pg_app(tmp_path_factory, monkeypatch):
    """An app on PostgreSQL with its own schema and committed data (no test transaction)."""
    require_backend("postgresql")
    url, options = fresh_database("postgresql", tmp_path_factory, "faults")
    name = f"gt-faults-{uuid.uuid4().hex[:8]}"
    options["connect_args"]["application_name"] = name
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path_factory.mktemp("faults")))
    app = create_app(
        {
            "ENV_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": url,
            "SQLALCHEMY_ENGINE_OPTIONS": options,
            # Let a failing request end as an error page, as in production.
            "PROPAGATE_EXCEPTIONS": False,
        }
    )
    app.config["APPLICATION_NAME"] = name
    with app.app_context():
        upgrade()
        from tracker.auth import services as users

        admin = users.create_user(
            email="admin@example.gov.uk",
            name="Admin",
            password="correct horse battery",
            global_role="admin",
        )
        _db.session.commit()
        app.config["ADMIN_SESSION_ID"] = admin.get_id()
    yield app
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


def _client(app):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = app.config["ADMIN_SESSION_ID"]
        session["_fresh"] = True
    return client


def _terminate(app) -> int:
    """Terminate the app's server connections, as a server restart would; how many."""
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            return len(
                connection.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                        "AND application_name = :name"
                    ),
                    {"name": app.config["APPLICATION_NAME"]},
                ).all()
            )
    finally:
        admin.dispose()


def _counts(app) -> tuple[int, int]:
    with app.app_context():
        counts = (
            _db.session.scalar(select(func.count(Organisation.id))),
            _db.session.scalar(select(func.count(AuditEntry.id))),
        )
        _db.session.remove()
        return counts


def test_the_app_recovers_by_itself_after_its_connections_are_killed(pg_app):
    client = _client(pg_app)
    assert client.get("/organisations/").status_code == 200
    killed = 0
    for round_number in range(ROUNDS):
        killed += _terminate(pg_app)
        # A read and a write straight after: pre-ping replaces the dead connections.
        assert client.get("/organisations/").status_code == 200
        response = client.post(
            "/organisations/new",
            data={"name": f"Council {round_number}", "kind": "local_authority"},
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert killed >= ROUNDS  # every round really had a connection to kill
    print(
        f"\n{ROUNDS} rounds: {killed} server connections terminated; every request after succeeded"
    )
    organisations, _ = _counts(pg_app)
    assert organisations == ROUNDS
    with pg_app.app_context():
        assert audit.verify().is_intact


def test_a_connection_killed_mid_transaction_leaves_no_half_written_change(pg_app):
    client = _client(pg_app)
    assert client.get("/organisations/").status_code == 200
    before = _counts(pg_app)
    engine = _engine(pg_app)
    fired = []

    @event.listens_for(engine, "commit")
    def kill_before_commit(connection):
        # The organisation and its audit entry are flushed; the COMMIT has not been sent.
        if not fired:
            fired.append(connection.connection.dbapi_connection.info.backend_pid)
            _terminate(pg_app)

    try:
        response = client.post(
            "/organisations/new", data={"name": "Half written", "kind": "local_authority"}
        )
    finally:
        event.remove(engine, "commit", kill_before_commit)
    assert fired
    # A lost connection is the database being unavailable: a 503 page, not a 500 traceback.
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "Sorry, the service is unavailable" in response.get_data(as_text=True)
    # Neither the organisation nor its audit entry was written; the chain is whole.
    assert _counts(pg_app) == before
    with pg_app.app_context():
        assert audit.verify().is_intact
        _db.session.remove()
    # The next request gets a fresh connection and works.
    again = client.post("/organisations/new", data={"name": "Whole", "kind": "local_authority"})
    assert again.status_code == 302
    assert _counts(pg_app) == (before[0] + 1, before[1] + 1)


def _engine(app):
    with app.app_context():
        return _db.engine


def test_a_real_job_failing_half_way_leaves_no_partial_work(db, board, waiting_gate, monkeypatch):
    """The approval reminder job fails after reminding the first of two approvers. Each
    approver's reminder is one unit (claim, notification, email) committed together: the
    first is kept whole, the second left no trace, and the next run does only the second."""
    real_notify = tasks.notify
    calls = []

    def notify_then_fail(*args, **kwargs):
        calls.append(args[0].id)
        if len(calls) == 2:
            raise RuntimeError("mail relay fell over")
        return real_notify(*args, **kwargs)

    emails_before = db.session.scalar(select(func.count(OutboxEmail.id)))
    monkeypatch.setattr(tasks, "notify", notify_then_fail)
    failed = run("approval_reminders", date(2026, 3, 6))
    assert failed.outcome == "failed" and "mail relay fell over" in failed.error
    first, second = calls  # it really did fail half way
    assert second != first
    kinds = Notification.kind == "approval_reminder"
    reminded = set(db.session.scalars(select(Notification.user_id).where(kinds)))
    claimed = set(
        db.session.scalars(select(JobKey.subject).where(JobKey.job_id == "approval_reminders"))
    )
    assert reminded == {first}
    assert claimed == {f"user:{first}"}
    emails = db.session.scalar(select(func.count(OutboxEmail.id))) - emails_before
    assert emails <= 1  # the first approver's email at most, never the second's

    monkeypatch.setattr(tasks, "notify", real_notify)
    again = run("approval_reminders", date(2026, 3, 6))
    assert again.outcome == "succeeded" and again.done == 1
    for role in ("executive", "senior_user"):
        assert len(notes(db, board[role], "approval_reminder")) == 1


def _closed_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("where", ["sqlite", "postgresql"])
def test_an_unreachable_database_gives_a_503_page_and_problem_not_a_500(
    where, tmp_path, monkeypatch
):
    """No server at all: the database-unavailable handler answers, with Retry-After, and the
    page it renders touches no database itself (no user, no navigation badges)."""
    url = (
        f"sqlite:///{tmp_path / 'missing' / 'dir' / 'tracker.sqlite'}"
        if where == "sqlite"
        else f"postgresql+psycopg://postgres@127.0.0.1:{_closed_port()}/none"
    )
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path))
    app = create_app(
        {
            "ENV_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": url,
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
            "PROPAGATE_EXCEPTIONS": False,
        }
    )
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "1:1"  # signed in: loading the user is what fails
        session["_fresh"] = True
    page = client.get("/projects/")
    assert page.status_code == 503
    assert page.headers["Retry-After"] == "5"
    body = page.get_data(as_text=True)
    assert "Sorry, the service is unavailable" in body and "Traceback" not in body
    health = client.get("/health")
    assert health.status_code == 503
    api = client.get("/api/v1/projects", headers={"Authorization": "Bearer nothing"})
    assert api.status_code == 503
    assert api.mimetype == "application/problem+json"
    assert api.headers["Retry-After"] == "5"
    assert api.get_json()["status"] == 503
    assert "cannot reach its database" in api.get_json()["detail"]


def test_a_connection_lost_after_the_page_was_made_still_gives_the_page(pg_app):
    """The server goes away between a request's last query and its end: the session's
    closing ROLLBACK fails. The page already made is sent (not a bare 500), and the next
    request works on a new connection."""
    client = _client(pg_app)
    assert client.get("/organisations/").status_code == 200
    engine = _engine(pg_app)
    fired = []

    @event.listens_for(engine, "rollback")
    def kill_before_rollback(connection):
        if not fired:
            fired.append(True)
            _terminate(pg_app)

    try:
        response = client.get("/organisations/")
    finally:
        event.remove(engine, "rollback", kill_before_rollback)
    assert fired
    assert response.status_code == 200
    assert "Organisations" in response.get_data(as_text=True)
    assert client.get("/organisations/").status_code == 200


def test_a_connection_whose_ping_fails_in_any_way_is_replaced(app, monkeypatch):
    """psycopg, finding the socket closed half way through the pool's ping, raises a
    ProgrammingError ("can't change 'autocommit' now") that SQLAlchemy does not take for a
    disconnect: without the tracker's handler the request got a 500. Any failed ping now
    replaces the connection."""
    engine = create_engine(
        app.config["SQLALCHEMY_DATABASE_URI"],
        **{**app.config["SQLALCHEMY_ENGINE_OPTIONS"], "pool_pre_ping": True},
    )
    try:
        with engine.connect() as connection:
            first = connection.connection.dbapi_connection
        dialect = engine.dialect
        real_ping = dialect.do_ping
        pings = []

        def failing_once(dbapi_connection):
            pings.append(dbapi_connection)
            if len(pings) == 1:
                raise dialect.loaded_dbapi.ProgrammingError(
                    "can't change 'autocommit' now: connection in transaction status ACTIVE"
                )
            return real_ping(dbapi_connection)

        monkeypatch.setattr(dialect, "do_ping", failing_once)
        with engine.connect() as connection:
            assert connection.execute(text("SELECT 1")).scalar_one() == 1
            second = connection.connection.dbapi_connection
        assert pings[0] is first
        assert second is not first
    finally:
        engine.dispose()
