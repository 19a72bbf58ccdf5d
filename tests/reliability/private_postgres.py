"""A private, throwaway PostgreSQL server for tests that must restart one.

The shared server the rest of the suite uses is never restarted: this starts another
(``initdb`` in a new temporary directory, on a free port on 127.0.0.1), which the test may
stop, restart and crash as it likes, and removes it afterwards. The server binaries are found
at run time: ``PG_BINDIR``, then ``pg_config --bindir``, then Debian's
``/usr/lib/postgresql/<version>/bin`` (newest first), then ``pg_ctl`` on the PATH.
PostgreSQL refuses to run as root, so under root it runs as the ``postgres`` system user.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

NEEDED = ("initdb", "pg_ctl", "postgres")


class Unavailable(RuntimeError):
    """The server binaries are missing or cannot be run here."""


def _version_key(path: Path) -> tuple:
    return tuple(int(part) for part in re.findall(r"\d+", path.parent.name)) or (0,)


def find_bindir() -> Path:
    candidates: list[Path] = []
    if os.environ.get("PG_BINDIR"):
        candidates.append(Path(os.environ["PG_BINDIR"]))
    pg_config = shutil.which("pg_config")
    if pg_config:
        found = subprocess.run(  # noqa: S603
            [pg_config, "--bindir"], capture_output=True, text=True, check=False
        )
        if found.returncode == 0 and found.stdout.strip():
            candidates.append(Path(found.stdout.strip()))
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=_version_key, reverse=True)
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)
    for candidate in candidates:
        if all((candidate / name).is_file() for name in NEEDED):
            return candidate
    raise Unavailable(
        "the PostgreSQL server binaries (initdb, pg_ctl, postgres) were not found: install the "
        "PostgreSQL server package or set PG_BINDIR"
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateServer:
    """``start()``, ``restart(mode)``, ``stop()``; ``url(database)`` for SQLAlchemy."""

    def __init__(self) -> None:
        self.bindir = find_bindir()
        self.as_user: list[str] = []
        self.owner: pwd.struct_passwd | None = None
        if os.geteuid() == 0:
            try:
                self.owner = pwd.getpwnam("postgres")
            except KeyError:
                raise Unavailable(
                    "running as root and there is no 'postgres' system user to run the "
                    "server as (PostgreSQL refuses to run as root)"
                ) from None
            runuser = shutil.which("runuser")
            if runuser is None:
                raise Unavailable("running as root and 'runuser' is not installed")
            self.as_user = [runuser, "-u", "postgres", "--"]
        self.port = _free_port()
        self.root = Path(tempfile.mkdtemp(prefix="gt-private-pg-"))
        if self.owner is not None:
            os.chown(self.root, self.owner.pw_uid, self.owner.pw_gid)
        self.root.chmod(0o700)
        self.data = self.root / "data"
        self.log = self.root / "server.log"

    def _run(self, *command: str, timeout: int = 120) -> subprocess.CompletedProcess:
        result = subprocess.run(  # noqa: S603
            [*self.as_user, *command],
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout,
            cwd=self.root,
        )
        if result.returncode != 0:
            raise Unavailable(
                f"{Path(command[0]).name} failed ({result.returncode}): "
                + (result.stderr or result.stdout).strip()[-800:]
                + self.log_tail()
            )
        return result

    def log_tail(self) -> str:
        try:
            return "\nserver log:\n" + self.log.read_text()[-1500:]
        except OSError:
            return ""

    def _pg_ctl(self, *args: str) -> None:
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), *args)

    def start(self) -> None:
        self._run(
            str(self.bindir / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--no-sync",
        )
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root}"
        self._pg_ctl("-w", "-t", "60", "-o", options, "start")
        with psycopg.connect(self.dsn("postgres"), autocommit=True) as connection:
            connection.execute('CREATE DATABASE "tracker"')

    def restart(self, mode: str) -> float:
        """Restart the server (``fast``: clean shutdown that ends every session; ``immediate``:
        a crash, recovered from the WAL on start). Seconds until it accepts connections."""
        started = time.monotonic()
        self._pg_ctl("-w", "-t", "60", "-m", mode, "restart")
        return time.monotonic() - started

    def stop(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self._pg_ctl("-w", "-t", "60", "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def dsn(self, database: str = "tracker") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def url(self, database: str = "tracker") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"
