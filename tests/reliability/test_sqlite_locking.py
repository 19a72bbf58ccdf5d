"""How the embedded default takes SQLite's one write lock (tracker.core.sqlite): WAL for a
file, the lock at BEGIN for writes and not for reads, writers queueing instead of failing,
and sign-in checking the password without holding the lock."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from flask_migrate import upgrade
from sqlalchemy import event, text

from tests.conftest import make_app
from tracker import create_app
from tracker.auth import services as users
from tracker.auth.models import User
from tracker.core import sqlite
from tracker.extensions import db


@pytest.fixture
def file_app(tmp_path_factory):
    """An app on a SQLite file of its own, migrated: requests commit for real."""
    app = make_app("sqlite", tmp_path_factory, "locking")
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


def _database(app) -> str:
    return app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")


def _lock_is_free(path: str) -> bool:
    """Whether another connection could take the write lock at once."""
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        assert "locked" in str(error)
        return False
    else:
        other.execute("ROLLBACK")
        return True
    finally:
        other.close()


def test_a_database_file_is_in_wal_mode_and_memory_is_left_alone(file_app):
    with file_app.app_context():
        assert db.session.scalar(text("PRAGMA journal_mode")) == "wal"
        assert db.session.scalar(text("PRAGMA synchronous")) == 1  # NORMAL
        assert db.session.scalar(text("PRAGMA foreign_keys")) == 1
    # Persistent: a plain connection that sets nothing finds the file in WAL.
    with sqlite3.connect(_database(file_app)) as plain:
        assert plain.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    memory = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with memory.app_context():
        assert db.session.scalar(text("PRAGMA journal_mode")) == "memory"


def test_the_busy_timeout_comes_from_the_settings(tmp_path):
    app = create_app(
        {
            "ENV_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'busy.sqlite'}",
            "SQLITE_BUSY_TIMEOUT": 7.5,
        }
    )
    with app.app_context():
        assert db.session.scalar(text("PRAGMA busy_timeout")) == 7500
        db.engine.dispose()


def test_writes_take_the_lock_at_begin_and_reads_do_not(file_app):
    begun: list[str] = []

    def note(conn, cursor, statement, *args):
        if statement.startswith("BEGIN"):
            begun.append(statement)

    def first_statement(method: str, context=None) -> str:
        begun.clear()
        with file_app.test_request_context("/", method=method):
            if context is None:
                db.session.scalar(text("SELECT 1"))
            else:
                with context():
                    db.session.scalar(text("SELECT 1"))
            db.session.rollback()
        return begun[0]

    with file_app.app_context():
        event.listen(db.engine, "before_cursor_execute", note)
        try:
            assert first_statement("GET") == "BEGIN"
            assert first_statement("HEAD") == "BEGIN"
            assert first_statement("POST") == "BEGIN IMMEDIATE"
            assert first_statement("DELETE") == "BEGIN IMMEDIATE"
            assert first_statement("GET", sqlite.writing) == "BEGIN IMMEDIATE"
            assert first_statement("POST", sqlite.reading) == "BEGIN"
            # No request: a CLI command or a scheduled job.
            begun.clear()
            db.session.scalar(text("SELECT 1"))
            db.session.rollback()
            assert begun == ["BEGIN IMMEDIATE"]
        finally:
            event.remove(db.engine, "before_cursor_execute", note)


def test_two_writers_that_read_first_queue_instead_of_failing(file_app):
    """Each reads, pauses while the other starts, then writes: with a deferred BEGIN the
    second would fail at once ("database is locked"); with the lock at BEGIN it waits."""
    with file_app.app_context():
        users.create_user(
            email="queue@example.gov.uk", name="Queue", password="correct horse battery"
        )
        db.session.commit()
    both_started = threading.Barrier(2, timeout=10)
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            with file_app.app_context():
                both_started.wait()
                user = db.session.scalars(
                    db.select(User).where(User.email == "queue@example.gov.uk")
                ).one()
                time.sleep(0.3)
                user.name = name
                db.session.commit()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(name,)) for name in ("First", "Second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    with file_app.app_context():
        assert db.session.scalar(text("SELECT name FROM users")) in {"First", "Second"}


def test_signing_in_checks_the_password_without_holding_the_write_lock(file_app, monkeypatch):
    with file_app.app_context():
        users.create_user(
            email="signin@example.gov.uk", name="Sign In", password="correct horse battery"
        )
        db.session.commit()
    path = _database(file_app)
    seen: list[bool] = []
    check_password = User.check_password

    def watched(self, password):
        seen.append(_lock_is_free(path))
        return check_password(self, password)

    monkeypatch.setattr(User, "check_password", watched)
    client = file_app.test_client()
    wrong = client.post("/login", data={"email": "signin@example.gov.uk", "password": "nope"})
    assert wrong.status_code == 400
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT failures FROM login_throttles").fetchall() == [(1,)]
    right = client.post(
        "/login", data={"email": "signin@example.gov.uk", "password": "correct horse battery"}
    )
    assert right.status_code == 302
    assert seen == [True, True]
    with sqlite3.connect(path) as connection:
        failures = connection.execute("SELECT failures FROM login_throttles").fetchall()
        signed_in = connection.execute("SELECT last_login_at FROM users").fetchone()[0]
    assert failures == []  # cleared by the successful sign-in
    assert signed_in is not None


def test_the_email_sender_holds_no_lock_while_it_talks_to_the_mail_server(file_app, monkeypatch):
    from tracker.notifications import mailer
    from tracker.notifications.models import OutboxEmail
    from tracker.scheduler import services as scheduler

    with file_app.app_context():
        db.session.add_all(
            OutboxEmail(to_address=f"r{n}@example.gov.uk", subject=f"Email {n}", body="Hello")
            for n in range(3)
        )
        db.session.commit()
    path = _database(file_app)
    seen: list[tuple[str, bool]] = []
    monkeypatch.setattr(
        mailer, "deliver", lambda message: seen.append((message["Subject"], _lock_is_free(path)))
    )
    with file_app.app_context():
        run = scheduler.run_job("send_emails")
        assert (run.outcome, run.done) == ("succeeded", 3)
        db.session.remove()
    assert seen == [("Email 0", True), ("Email 1", True), ("Email 2", True)]
