"""Fixtures: the app on SQLite and on PostgreSQL, a per-test transaction, and factories.

Every database test runs on both engines. PostgreSQL tests are skipped with a clear message
when the server is unreachable, unless TRACKER_REQUIRE_POSTGRES=1 (as in CI), when they fail.
"""

from __future__ import annotations

import itertools
import os
import uuid
from datetime import date
from decimal import Decimal

import psycopg
import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from flask_sqlalchemy.session import _app_ctx_id
from hypothesis import settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import scoped_session, sessionmaker

from tracker import create_app
from tracker.extensions import cache
from tracker.extensions import db as _db

# Hypothesis's per-example deadline is a timing assertion: on a loaded two-core machine it
# fails tests that are correct. Speed is measured by the benchmark, not asserted here.
settings.register_profile("tracker", deadline=None)
settings.load_profile("tracker")

POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REQUIRE_POSTGRES = os.environ.get("TRACKER_REQUIRE_POSTGRES", "").lower() in {"1", "true", "yes"}
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
# Unique per run, so two runs against one server (two checkouts, CI) never share a schema.
RUN_ID = (os.environ.get("PYTEST_XDIST_TESTRUNUID") or uuid.uuid4().hex)[:8]
BACKENDS = ["sqlite", "postgresql"]


def postgres_problem() -> str | None:
    """Why PostgreSQL cannot be used, or None when it can."""
    url = make_url(POSTGRES_URL)
    try:
        with psycopg.connect(
            host=url.host,
            port=url.port or 5432,
            user=url.username,
            password=url.password,
            dbname=url.database,
            connect_timeout=3,
        ):
            return None
    except psycopg.Error as error:
        return f"{error}".strip().splitlines()[0]


_postgres_checked: dict[str, str | None] = {}


def require_backend(name: str) -> None:
    if name != "postgresql":
        return
    if "problem" not in _postgres_checked:
        _postgres_checked["problem"] = postgres_problem()
    problem = _postgres_checked["problem"]
    if problem is None:
        return
    message = (
        f"PostgreSQL is unreachable at {make_url(POSTGRES_URL).render_as_string()} ({problem}). "
        "Set TEST_POSTGRES_URL to run the PostgreSQL half of the suite."
    )
    if REQUIRE_POSTGRES:
        pytest.fail(message + " TRACKER_REQUIRE_POSTGRES is set, so this is a failure.")
    pytest.skip(message)


def fresh_database(backend: str, tmp_path_factory, label: str) -> tuple[str, dict]:
    """A URL and engine options for an empty database of its own."""
    if backend == "sqlite":
        path = tmp_path_factory.mktemp(f"sqlite-{label}") / "tracker.sqlite"
        return f"sqlite:///{path}", {"connect_args": {"timeout": 15}}
    schema = f"gt_{label}_{WORKER}_{RUN_ID}".lower()
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    _created_schemas.append(schema)
    return POSTGRES_URL, {
        "connect_args": {"options": f"-c search_path={schema}"},
        "pool_pre_ping": True,
    }


_created_schemas: list[str] = []


def drop_created_schemas() -> None:
    if not _created_schemas:
        return
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        for schema in _created_schemas:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()
    _created_schemas.clear()


def pytest_sessionfinish(session, exitstatus):
    """Leave the PostgreSQL test database as we found it."""
    drop_created_schemas()


def make_app(backend: str, tmp_path_factory, label: str, **overrides):
    url, engine_options = fresh_database(backend, tmp_path_factory, label)
    instance = tmp_path_factory.mktemp(f"instance-{label}")
    os.environ["TRACKER_INSTANCE_PATH"] = str(instance)
    app = create_app(
        {
            "ENV_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": url,
            "SQLALCHEMY_ENGINE_OPTIONS": engine_options,
            **overrides,
        }
    )
    return app


@pytest.hookimpl(tryfirst=True)
def pytest_generate_tests(metafunc):
    """Tests marked ``one_engine`` (access rules, which do not depend on the engine) run on
    SQLite alone; every other database test runs on both engines."""
    if "backend" in metafunc.fixturenames and metafunc.definition.get_closest_marker("one_engine"):
        # As a marker, so that pytest's own parametrisation of the fixture stands aside.
        metafunc.definition.add_marker(
            pytest.mark.parametrize("backend", ["sqlite"], indirect=True, scope="session")
        )


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request) -> str:
    require_backend(request.param)
    return request.param


@pytest.fixture(scope="session")
def app(backend, tmp_path_factory):
    """One migrated database per engine for the whole run: built by the migrations."""
    app = make_app(backend, tmp_path_factory, "suite")
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        _db.engine.dispose()


class _Transaction:
    """One connection inside a transaction, with the session bound to it (SQLAlchemy's 'join
    an external transaction' recipe): the code under test commits to savepoints within it,
    and everything is rolled back at the end."""

    def __init__(self, app, connection=None):
        self.app = app
        self.shared = connection is not None
        self.connection = connection if self.shared else _db.engine.connect()
        # Inside a shared connection (a module's world), a savepoint: rolling it back
        # leaves the world as it was built for the next test.
        self.transaction = (
            self.connection.begin_nested() if self.shared else self.connection.begin()
        )
        self.original = _db.session
        # Flask-SQLAlchemy's own Session picks its engine per table, which would bypass
        # this connection; a plain Session uses the bind it is given.
        _db.session = scoped_session(
            sessionmaker(bind=self.connection, join_transaction_mode="create_savepoint"),
            scopefunc=_app_ctx_id,
        )

    def close(self):
        _db.session.remove()
        _db.session = self.original
        self.transaction.rollback()
        if not self.shared:
            self.connection.close()


@pytest.fixture(scope="module")
def shared_db(app):
    """A transaction for a whole module, for a read-mostly world built once (see ``world`` in
    tests/routes.py): each test of the module runs in a savepoint inside it, rolled back
    afterwards, so no test sees another's changes. Building the world once per module instead
    of once per test is what keeps the access matrix fast."""
    with app.app_context():
        cache.clear()
        outer = _Transaction(app)
        _shared.append(outer)
        try:
            yield outer
        finally:
            _shared.remove(outer)
            outer.close()


# The module transactions open now. On SQLite a second connection could not write while one
# is open, so every test of the module joins it, whether it asked for the world or not.
_shared: list[_Transaction] = []


@pytest.fixture
def db(app, request):
    """Each test runs inside a transaction that is rolled back afterwards; the code under test
    commits to savepoints within it (SQLAlchemy's 'join an external transaction' recipe).

    Requests share the test's session, so factories commit (release their savepoint): a
    view that rolls back then discards only its own work. A test whose module builds a shared
    world runs in a savepoint of the module's transaction instead."""
    if "shared_db" in request.fixturenames:
        request.getfixturevalue("shared_db")
    shared = next((t for t in reversed(_shared) if t.app is app), None)
    with app.app_context():
        # Kept pages are keyed by change stamps, which the rollback below winds back: a
        # later test reaching the same stamp must not be shown an earlier test's copy.
        cache.clear()
        scope = _Transaction(app, shared.connection if shared else None)
        try:
            yield _db
        finally:
            scope.close()


class RequestClient(FlaskClient):
    """Flask reuses the test's app context for requests, so ``g`` would carry the last
    request's signed-in user into the next one; each request starts with an empty ``g``."""

    def open(self, *args, **kwargs):
        if has_app_context():
            g.__dict__.clear()
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app, db):
    app.test_client_class = RequestClient
    return app.test_client()


_counter = itertools.count(1)


def new_user(name=None, *, email=None, global_role=None, password="correct horse battery"):
    """A person, committed. The factories work on whatever transaction is current."""
    from tracker.auth import services as users

    n = next(_counter)
    user = users.create_user(
        email=email or f"person{n}@example.gov.uk",
        name=name or f"Person {n}",
        password=password,
        global_role=global_role,
    )
    _db.session.commit()
    return user


def new_org(name=None, **kwargs):
    from tracker.orgs import services as orgs

    n = next(_counter)
    org = orgs.create_organisation(
        name=name or f"Organisation {n}",
        short_name=kwargs.get("short_name"),
        kind=kwargs.get("kind", "local_authority"),
    )
    _db.session.commit()
    return org


def new_project(*, manager=None, lead=None, members=(), **overrides):
    from tracker.projects import services as projects

    n = next(_counter)
    manager = manager or new_user(f"Manager {n}")
    lead = lead or new_org()
    data = {
        "code": f"PRJ-{n}",
        "name": f"Project {n}",
        "problem_statement": "Residents cannot report problems online.",
        "lead_organisation_id": lead.id,
        "partner_ids": [],
        "manager_id": manager.id,
        "budget_at_completion": Decimal("100000.00"),
        "planned_start": date(2026, 1, 1),
        "planned_finish": date(2026, 12, 31),
        "criticality": 2,
    }
    status = overrides.pop("status", "active")
    data.update(overrides)
    project = projects.create_project(projects.ProjectData(**data))
    # Direct set-up, as a fixture may: in the tracker only governance moves a status
    # (tracker.projects.lifecycle); a new project there is always proposed.
    project.status = status
    for user, role in members:
        projects.add_member(project, user, role)
    _db.session.commit()
    return project


def build_for_module(build):
    """``build(db, new_user, new_project)`` run in a module's shared transaction (see
    ``shared_db``), its result returned with every record in it loaded and detached: a test
    reads ids and columns from them in its own session, never through the module's."""
    built = build(_db, new_user, new_project)
    records = [v for v in built.values() if isinstance(v, _db.Model)]
    for record in records:
        _db.session.refresh(record)
    _db.session.close()
    return built


@pytest.fixture
def make_user(db):
    return new_user


@pytest.fixture
def make_org(db):
    return new_org


@pytest.fixture
def make_project(db):
    return new_project


@pytest.fixture
def login(client):
    """Sign a user in on the test client without posting a form."""

    def sign_in(user):
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        return client

    return sign_in
