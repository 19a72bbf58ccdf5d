"""Which of several ``flask scheduler run`` processes runs the jobs.

On PostgreSQL: the one holding a session-level advisory lock, taken on a connection of its
own and held for the life of the process. PostgreSQL releases the lock when that session
ends: at once when the process dies (the operating system closes its socket), and within
about 15 seconds when its machine vanishes (TCP keepalives on both sides, set below). A
standby tries for the lock every poll, so it takes over within a poll of the lock's
release. There is no clock in this: no lease to expire early on a slow machine or late on
a fast one, and no two holders, because PostgreSQL grants the lock to one session at a time.

On SQLite there is no second machine: one process runs, and the command refuses to start
a second (``process.run_forever``).
"""

from __future__ import annotations

import contextlib

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

# The lock is named by two 32-bit keys: this application, and the schema its tables are in
# (so that two deployments sharing one database, or test runs, do not block each other).
_LOCK_ARGS = "hashtext('governance-tracker scheduler'), hashtext(current_schema())"

# Libpq's keepalives notice a dead server; the session settings make the server notice a
# dead client (idle 5 s, then 3 probes 2 s apart; unacknowledged data: 10 s).
_CLIENT_KEEPALIVES = {
    "keepalives": 1,
    "keepalives_idle": 5,
    "keepalives_interval": 2,
    "keepalives_count": 3,
}
_SERVER_KEEPALIVES = (
    "SET tcp_keepalives_idle = 5",
    "SET tcp_keepalives_interval = 2",
    "SET tcp_keepalives_count = 3",
    "SET tcp_user_timeout = 10000",
)


class AdvisoryLock:
    """The scheduler's PostgreSQL advisory lock, on a dedicated connection."""

    def __init__(self, engine: Engine, connect_args: dict | None = None) -> None:
        """``connect_args``: the app engine's own (its search path, in tests)."""
        self._engine = create_engine(
            engine.url,
            poolclass=NullPool,
            isolation_level="AUTOCOMMIT",
            connect_args={**(connect_args or {}), **_CLIENT_KEEPALIVES},
        )
        self._connection: Connection | None = None
        self.held = False

    def try_acquire(self) -> bool:
        """Take the lock if it is free (never waits); False if another process holds it."""
        try:
            if self._connection is None:
                self._connection = self._engine.connect()
                for statement in _SERVER_KEEPALIVES:
                    self._connection.execute(text(statement))
            self.held = bool(
                self._connection.scalar(text(f"SELECT pg_try_advisory_lock({_LOCK_ARGS})"))
            )
        except DBAPIError:
            self._drop()
            self.held = False
        return self.held

    def still_held(self) -> bool:
        """Whether this process still holds the lock: a session-level lock lasts as long as
        its session, so the question is whether the connection is still alive."""
        if not self.held or self._connection is None:
            return False
        try:
            self._connection.execute(text("SELECT 1"))
        except DBAPIError:
            self._drop()
            self.held = False
        return self.held

    def release(self) -> None:
        self._drop()
        self.held = False

    def _drop(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(DBAPIError):
                self._connection.close()
            self._connection = None
        self._engine.dispose()
