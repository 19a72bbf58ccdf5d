"""Whole-database backup and restore.

SQLite: the sqlite3 online backup API, which copies a consistent snapshot while the app keeps
serving. PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore`` in a single transaction,
so a restore that fails part way leaves the database as it was.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import func, inspect, select, text
from sqlalchemy.engine import make_url

from tracker.extensions import cache, db


class BackupError(RuntimeError):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


def engine_name() -> str:
    return db.engine.dialect.name


def table_counts() -> dict[str, int]:
    """Rows in each of the app's tables that exist in the database, by table name."""
    present = set(inspect(db.engine).get_table_names())
    counts = {}
    for table in db.metadata.sorted_tables:
        if table.name in present:
            counts[table.name] = db.session.scalar(select(func.count()).select_from(table))
    db.session.rollback()
    return counts


def is_empty() -> bool:
    return not any(table_counts().values())


def backup(path: Path) -> None:
    if engine_name() == "sqlite":
        _sqlite_backup(path)
    elif engine_name() == "postgresql":
        _pg_dump(path)
    else:  # pragma: no cover - the app supports these two engines
        raise BackupError(f"Backups of {engine_name()} databases are not supported")


def restore(path: Path, *, force: bool = False) -> None:
    if not path.is_file():
        raise BackupError(f"There is no backup file at {path}")
    if not force and not is_empty():
        raise BackupError(
            "The database already holds data: restoring would replace it. Restore into an "
            "empty database, or add --force to replace everything in this one."
        )
    db.session.remove()
    if engine_name() == "sqlite":
        _sqlite_restore(path)
    elif engine_name() == "postgresql":
        _pg_restore(path)
    else:  # pragma: no cover
        raise BackupError(f"Restoring {engine_name()} databases is not supported")
    db.engine.dispose()
    # Kept pages are keyed by change stamps, and the restored stamps may be ones already
    # used for other content: nothing kept before the restore may be shown after it.
    cache.clear()


# SQLite ---------------------------------------------------------------------------------


def _sqlite_backup(path: Path) -> None:
    raw = db.engine.raw_connection()
    try:
        target = sqlite3.connect(path)
        try:
            raw.driver_connection.backup(target)
        finally:
            target.close()
    finally:
        raw.close()


def _sqlite_restore(path: Path) -> None:
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        try:
            tables = {row[0] for row in source.execute("SELECT name FROM sqlite_master")}
        except sqlite3.DatabaseError:
            raise BackupError(f"{path} is not a SQLite backup of this app") from None
        if "alembic_version" not in tables:
            raise BackupError(f"{path} is not a backup of this app (no alembic_version table)")
        db.engine.dispose()
        raw = db.engine.raw_connection()
        try:
            source.backup(raw.driver_connection)
        finally:
            raw.close()
    finally:
        source.close()


# PostgreSQL -----------------------------------------------------------------------------


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed: install the PostgreSQL client tools")
    return found


def _pg_target() -> tuple[str, dict[str, str], str]:
    """The connection string (without the password), the environment carrying the
    password, and the schema the app uses."""
    url = make_url(db.engine.url)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    dsn = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    with db.engine.connect() as connection:
        schema = connection.scalar(text("SELECT current_schema()"))
    return dsn, env, schema


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    # An argument list with no shell: the file name is the operator's own argument.
    result = subprocess.run(  # noqa: S603
        command, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise BackupError(f"{what} failed: {detail[-1] if detail else 'no message'}")


def _pg_dump(path: Path) -> None:
    dsn, env, schema = _pg_target()
    _run(
        [
            _pg_tool("pg_dump"),
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            f"--schema={schema}",
            f"--file={path}",
            dsn,
        ],
        env,
        "pg_dump",
    )


def _pg_restore(path: Path) -> None:
    dsn, env, _ = _pg_target()
    listing = subprocess.run(  # noqa: S603
        [_pg_tool("pg_restore"), "--list", str(path)], capture_output=True, text=True, check=False
    )
    if listing.returncode != 0 or "alembic_version" not in listing.stdout:
        raise BackupError(f"{path} is not a pg_dump backup of this app")
    _run(
        [
            _pg_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={dsn}",
            str(path),
        ],
        env,
        "pg_restore",
    )
