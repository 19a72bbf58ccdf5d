"""The embedded default: SQLite set up so that several people saving at once, and the
scheduler beside the web server, queue for the one write lock instead of failing.

- **WAL journal mode** (set once, persistently, for a database file): readers never block the
  writer and the writer never blocks readers, so pages keep loading while a save commits.
  ``synchronous=NORMAL`` is the setting SQLite recommends with WAL: a commit is durable
  against the app crashing; a power cut may lose the last commits, never corrupt the file.
- **Write transactions take the write lock at their start** (``BEGIN IMMEDIATE``): a
  transaction that read first and then tried to write would find the lock taken and fail at
  once ("database is locked"), since waiting could deadlock. Taking it at BEGIN means the
  second writer waits, within the busy timeout, for the first to commit.
- **Reads do not take it**: a request with a safe method (GET, HEAD, OPTIONS) begins a plain
  deferred transaction. Anything else (form posts, sign-in, API writes), CLI commands and
  scheduled jobs begin with the write lock. Code in a read request that must write wraps
  its transaction in :func:`writing`; a write request's slow reads (sign-in's password
  check) run in :func:`reading`, before its writes.
- **A busy timeout** (``SQLITE_BUSY_TIMEOUT``, 20 s by default) long enough that queueing
  behind other writers, each holding the lock for milliseconds, never reaches the outage
  page; that page is the last resort for a lock held far too long.

None of this applies to PostgreSQL, which has row locks and MVCC of its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_forced_begin: ContextVar[str | None] = ContextVar("sqlite_forced_begin", default=None)


def is_sqlite_connection(dbapi_connection) -> bool:
    return type(dbapi_connection).__module__.startswith("sqlite3")


def begin_statement() -> str:
    """``BEGIN IMMEDIATE`` unless this is a read-only request (or :func:`writing` says so)."""
    forced = _forced_begin.get()
    if forced is not None:
        return forced
    if has_request_context() and request.method in SAFE_METHODS:
        return "BEGIN"
    return "BEGIN IMMEDIATE"


@contextmanager
def _begin_with(statement: str) -> Iterator[None]:
    token = _forced_begin.set(statement)
    try:
        yield
    finally:
        _forced_begin.reset(token)


def writing():
    """Transactions begun inside take the write lock at their start, even in a GET request.

    For the rare read request that writes (an API token's "last used" time). Whoever uses
    it makes sure no transaction is open yet: an open read transaction cannot safely become
    a write one."""
    return _begin_with("BEGIN IMMEDIATE")


def reading():
    """Transactions begun inside do not take the write lock, even in a POST: for reads and
    slow work (checking a password) before a request's writes. The caller ends the read
    transaction (rollback or commit) before writing, so the writes begin a transaction of
    their own that queues for the lock."""
    return _begin_with("BEGIN")


def _on_connect(dbapi_connection, connection_record) -> None:
    """Make SQLite behave: enforce foreign keys, use WAL; let SQLAlchemy own
    transactions (pysqlite's own BEGIN handling breaks SAVEPOINT); add the aggregate
    functions SQLite lacks (the portfolio's median, registered by that domain through
    ``on_connect``)."""
    if not is_sqlite_connection(dbapi_connection):
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        if _is_file(cursor):
            mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
            if mode.lower() != "wal":
                # Persistent: written into the file, so every later connection is in WAL.
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()
    for hook in _connect_hooks:
        hook(dbapi_connection)


_connect_hooks: list = []


def on_connect(hook) -> None:
    """Run ``hook(dbapi_connection)`` on every new SQLite connection (a domain adding the
    SQL functions its queries need): core knows no domain, so the domain registers."""
    if hook not in _connect_hooks:
        _connect_hooks.append(hook)


def _is_file(cursor) -> bool:
    """A database on disk (not ``:memory:`` nor a temporary one, which have no file name)."""
    for _, name, path in cursor.execute("PRAGMA database_list").fetchall():
        if name == "main":
            return bool(path)
    return False


def _on_begin(connection) -> None:
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(begin_statement())


def install() -> None:
    """Listen on every engine (the app's, the scheduler's job store's, the tests'), once."""
    if not event.contains(Engine, "connect", _on_connect):
        event.listen(Engine, "connect", _on_connect)
        event.listen(Engine, "begin", _on_begin)


def engine_options(options: dict, busy_timeout_seconds: float) -> dict:
    """The app's engine options with the busy timeout (pysqlite's ``timeout``, which is
    SQLite's busy handler), unless the options already set one."""
    options = dict(options)
    connect_args = dict(options.get("connect_args", {}))
    connect_args.setdefault("timeout", busy_timeout_seconds)
    options["connect_args"] = connect_args
    return options
