"""A real PostgreSQL restart while gunicorn serves reads and writes.

A private, throwaway PostgreSQL server is started for this test (the shared one is never
restarted: other suites run against it). Gunicorn with several workers serves the app on it,
migrated and holding a project. Virtual users keep reading pages and the API and recording
cost entries and time entries through the real forms while the server is restarted, once with
``pg_ctl restart -m fast`` (a clean shutdown that ends every session) and once with
``-m immediate`` (a crash, recovered from the WAL). Then:

- the app serves again by itself, with the same gunicorn master and workers (pre-ping);
- every request during the outage got a 503 with Retry-After (a page, or problem details on
  the API), never a 500;
- every acknowledged entry is in the database exactly once; a failed one is either absent or
  whole (its audit entry with it), never half written; a failed cost entry sent again with
  its one-off form token is recorded once; and ``flask audit verify`` passes.

Skipped with the reason when the server binaries are missing or cannot run here, unless
TRACKER_REQUIRE_POSTGRES=1, when that is a failure.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
import requests

import config
from tests.conftest import REQUIRE_POSTGRES
from tests.reliability.private_postgres import PrivateServer, Unavailable, _free_port

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PASSWORD = "restart-" + secrets.token_urlsafe(12)
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
TOKEN = re.compile(r'name="token"[^>]*value="([^"]+)"')
WORKERS = 3
# A liveness deadline, not a timing assertion: the measured figures are printed.
RECOVERY_DEADLINE = 30.0
UNAVAILABLE_PAGE = "Sorry, the service is unavailable"


def _unavailable(reason: str) -> None:
    message = f"No private PostgreSQL server for the restart test: {reason}"
    if REQUIRE_POSTGRES:
        pytest.fail(message + " (TRACKER_REQUIRE_POSTGRES is set, so this is a failure)")
    pytest.skip(message)


def _seed(url: str, instance: str) -> dict:
    """Migrate the private database and give it a project, its manager and a team member."""
    from flask_migrate import upgrade

    from tracker import create_app
    from tracker.api import services as tokens
    from tracker.auth import services as users
    from tracker.extensions import db
    from tracker.orgs import services as orgs
    from tracker.projects import services as projects

    previous = os.environ.get("TRACKER_INSTANCE_PATH")
    os.environ["TRACKER_INSTANCE_PATH"] = instance
    try:
        app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            upgrade()
            manager = users.create_user(
                email="manager@example.gov.uk", name="Manager", password=PASSWORD
            )
            member = users.create_user(
                email="member@example.gov.uk", name="Member", password=PASSWORD
            )
            org = orgs.create_organisation(name="Council", short_name=None, kind="nhs")
            project = projects.create_project(
                projects.ProjectData(
                    code="RESTART-1",
                    name="Restart",
                    problem_statement="Keep going when the database restarts.",
                    lead_organisation_id=org.id,
                    partner_ids=[],
                    manager_id=manager.id,
                    budget_at_completion=Decimal("100000000"),
                    planned_start=date.today() - timedelta(days=90),
                    planned_finish=date.today() + timedelta(days=365),
                    criticality=2,
                )
            )
            projects.add_member(project, member, "team_member")
            secret = tokens.create_token(manager, name="Restart", expires_in_days=30).secret
            db.session.commit()
            ids = {"project": project.id, "member": member.id, "token": secret}
            db.session.remove()
            db.engine.dispose()
        return ids
    finally:
        if previous is None:
            os.environ.pop("TRACKER_INSTANCE_PATH", None)
        else:
            os.environ["TRACKER_INSTANCE_PATH"] = previous


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A private PostgreSQL server and gunicorn serving the app on it."""
    server = None
    try:
        server = PrivateServer()
        server.start()
    except (Unavailable, OSError, subprocess.SubprocessError, psycopg.Error) as error:
        if server is not None:
            server.stop()  # removes its temporary directory
        kind = "" if isinstance(error, Unavailable) else f"{type(error).__name__}: "
        _unavailable(f"{kind}{error}")
    gunicorn = log = None
    try:
        instance = str(tmp_path_factory.mktemp("restart-instance"))
        ids = _seed(server.url(), instance)
        port = _free_port()
        log = open(Path(instance) / "gunicorn.log", "w")  # noqa: SIM115
        env = {
            **os.environ,
            "TRACKER_ENV": "development",
            # The key _seed wrote its entries with: one chain, one key.
            "AUDIT_HMAC_KEY": config.TestingConfig.AUDIT_HMAC_KEY,
            "SECRET_KEY": secrets.token_urlsafe(48),
            "DATABASE_URL": server.url(),
            "TRACKER_INSTANCE_PATH": instance,
            "RATELIMIT_ENABLED": "false",
            "PYTHONPATH": str(ROOT),
        }
        gunicorn = subprocess.Popen(  # noqa: S603
            [
                str(BIN / "gunicorn"),
                "--workers",
                str(WORKERS),
                "--bind",
                f"127.0.0.1:{port}",
                "--timeout",
                "60",
                "--log-level",
                "warning",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                if requests.get(f"{base}/health", timeout=5).ok:
                    break
            except requests.RequestException:
                # Not listening yet: the checks below end the wait if it never will.
                time.sleep(0.1)
            assert gunicorn.poll() is None, "gunicorn exited while starting"
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.3)
        yield {
            "server": server,
            "base": base,
            "env": env,
            "gunicorn": gunicorn,
            "log": Path(instance) / "gunicorn.log",
            **ids,
        }
    finally:
        if gunicorn is not None:
            gunicorn.terminate()
            try:
                gunicorn.wait(timeout=30)
            except subprocess.TimeoutExpired:
                gunicorn.kill()
                gunicorn.wait(timeout=30)
        if log is not None:
            log.close()
        server.stop()


def _workers(gunicorn: subprocess.Popen) -> set[int] | None:
    """The worker processes' ids (Linux), or None where the system does not list them."""
    children = Path(f"/proc/{gunicorn.pid}/task/{gunicorn.pid}/children")
    return {int(pid) for pid in children.read_text().split()} if children.exists() else None


def _tail(path: Path) -> str:
    lines = path.read_text(errors="replace").splitlines()
    lines = [line for line in lines if not line.startswith("WARNING:tracker.core.outage")]
    return "\ngunicorn's log (without the outage warnings):\n" + "\n".join(lines)[-8000:]


# Virtual users ---------------------------------------------------------------------------


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: Counter = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    sent: Counter = field(default_factory=Counter)
    acked: dict[str, list[str]] = field(default_factory=lambda: {"cost": [], "time": []})
    failed: dict[str, list[tuple]] = field(default_factory=lambda: {"cost": [], "time": []})
    probes: list[tuple[float, bool]] = field(default_factory=list)

    def check(self, kind: str, response: requests.Response) -> None:
        """Every answer is a success, or a clean 503: never a 500 or a traceback."""
        with self.lock:
            self.statuses[response.status_code] += 1
        if response.status_code in {200, 201, 302}:
            return
        body = response.text
        fine = response.status_code == 503 and response.headers.get("Retry-After") == "5"
        if kind == "api":
            fine = fine and response.headers.get("Content-Type") == "application/problem+json"
        else:
            fine = fine and UNAVAILABLE_PAGE in body
        if not fine or "Traceback" in body:
            with self.lock:
                self.problems.append(f"{kind}: {response.status_code} {body[:300]!r}")


class Person:
    def __init__(self, base: str, email: str, tally: Tally):
        self.base, self.tally = base, tally
        self.http = requests.Session()
        page = self.http.get(f"{base}/login", timeout=30)
        signed_in = self.http.post(
            f"{base}/login",
            data={"email": email, "password": PASSWORD, "csrf_token": _csrf(page.text)},
            allow_redirects=False,
            timeout=30,
        )
        assert signed_in.status_code == 302, f"{email} could not sign in"

    def get(self, path: str) -> requests.Response | None:
        try:
            response = self.http.get(self.base + path, timeout=30, allow_redirects=False)
        except requests.RequestException as error:
            with self.tally.lock:
                self.tally.problems.append(f"GET {path}: {error}")
            return None
        self.tally.check("page", response)
        return response

    def post(self, kind: str, path: str, data: dict) -> bool:
        with self.tally.lock:
            self.tally.sent[kind] += 1
        try:
            response = self.http.post(
                self.base + path, data=data, timeout=30, allow_redirects=False
            )
        except requests.RequestException as error:
            with self.tally.lock:
                self.tally.problems.append(f"POST {path}: {error}")
                self.tally.failed[kind].append((data, path))
            return False
        self.tally.check("page", response)
        with self.tally.lock:
            if response.status_code == 302:
                self.tally.acked[kind].append(data["description" if kind == "cost" else "note"])
                return True
            self.tally.failed[kind].append((data, path))
        return False


def _csrf(html: str) -> str:
    found = CSRF.search(html)
    return found.group(1) if found else ""


def _record_cost(person: Person, project_id: int, marker: str) -> None:
    path = f"/projects/{project_id}/budget/costs/new"
    form = person.get(path)
    if form is None or form.status_code != 200:
        return
    token = TOKEN.search(form.text)
    person.post(
        "cost",
        path,
        {
            "csrf_token": _csrf(form.text),
            "token": token.group(1) if token else "",
            "spent_on": (date.today() - timedelta(days=1)).isoformat(),
            "amount": "12.34",
            "category": "other",
            "supplier": "",
            "description": marker,
        },
    )


def _record_time(person: Person, served: dict, marker: str, sequence: int) -> None:
    form = person.get("/time/new")
    if form is None or form.status_code != 200:
        return
    person.post(
        "time",
        "/time/new",
        {
            "csrf_token": _csrf(form.text),
            "person_id": str(served["member"]),
            "project_id": str(served["project"]),
            # A quarter of an hour on one of the last 40 days: no day comes near 24 hours.
            "work_date": (date.today() - timedelta(days=1 + sequence % 40)).isoformat(),
            "hours": "0.25",
            "note": marker,
        },
    )


def _load(served: dict, tally: Tally, stop: threading.Event, label: str):
    base = served["base"]
    manager = Person(base, "manager@example.gov.uk", tally)
    member = Person(base, "member@example.gov.uk", tally)

    def costs():
        sequence = 0
        while not stop.is_set():
            sequence += 1
            _record_cost(manager, served["project"], f"restart {label} cost #{sequence}")

    def times():
        sequence = 0
        while not stop.is_set():
            sequence += 1
            _record_time(member, served, f"restart {label} time #{sequence}", sequence)

    def reads():
        api = requests.Session()
        api.headers["Authorization"] = f"Bearer {served['token']}"
        while not stop.is_set():
            member.get("/projects/")
            manager.get(f"/projects/{served['project']}/budget")
            try:
                tally.check("api", api.get(f"{base}/api/v1/projects", timeout=30))
            except requests.RequestException as error:
                with tally.lock:
                    tally.problems.append(f"API: {error}")

    def probe():
        while not stop.is_set():
            try:
                ok = requests.get(f"{base}/health", timeout=10).status_code == 200
            except requests.RequestException:
                ok = False
            with tally.lock:
                tally.probes.append((time.monotonic(), ok))
            time.sleep(0.05)

    threads = [threading.Thread(target=job) for job in (costs, times, reads, probe)]
    for thread in threads:
        thread.start()
    return threads, manager


# The test -----------------------------------------------------------------------------------


def _in_database(served: dict, label: str) -> dict[str, Counter]:
    """Per marker: how many entries, and how many of them have their audit entry."""
    like = f"restart {label} %"
    with psycopg.connect(served["server"].dsn()) as connection:
        found = {}
        for kind, table, column in (
            ("cost", "cost_entries", "description"),
            ("time", "time_entries", "note"),
        ):
            rows = connection.execute(
                f"SELECT e.{column}, count(a.id) FROM {table} e "
                "LEFT JOIN audit_entries a ON a.object_type = %s AND a.object_id = e.id "
                f"WHERE e.{column} LIKE %s GROUP BY e.id, e.{column}",
                (table, like),
            ).fetchall()
            found[kind] = Counter(marker for marker, _ in rows)
            found[f"{kind} without audit"] = [marker for marker, audits in rows if audits != 1]
    return found


@pytest.mark.parametrize("mode", ["fast", "immediate"])
def test_the_app_recovers_by_itself_from_a_real_postgres_restart(served, mode):
    gunicorn = served["gunicorn"]
    workers_before = _workers(gunicorn)
    assert workers_before is None or len(workers_before) == WORKERS
    tally, stop = Tally(), threading.Event()
    threads, manager = _load(served, tally, stop, mode)
    try:
        time.sleep(2.0)  # load running before the restart
        acked_before = sum(len(markers) for markers in tally.acked.values())
        restart_started = time.monotonic()
        server_down = served["server"].restart(mode)
        server_up = time.monotonic()
        # The app is not touched: it must find the server again by itself.
        while True:
            with tally.lock:
                back = [t for t, ok in tally.probes if ok and t > server_up]
            if back:
                break
            assert time.monotonic() - server_up < RECOVERY_DEADLINE, (
                f"the app did not serve again within {RECOVERY_DEADLINE:.0f} s of the restart"
            )
            time.sleep(0.05)
        recovered_at = back[0]
        time.sleep(2.0)  # and keeps serving under load afterwards
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)

    assert acked_before > 0, "no write was acknowledged before the restart"
    assert gunicorn.poll() is None and _workers(gunicorn) == workers_before, (
        "gunicorn or a worker was restarted"
    )
    assert not tally.problems, "\n".join(tally.problems[:10]) + _tail(served["log"])
    failed_probes = [t for t, ok in tally.probes if not ok and t >= restart_started]
    assert failed_probes, "the restart was never seen by the app: nothing was tested"
    assert set(tally.statuses) <= {200, 201, 302, 503}, tally.statuses

    # A failed request may still have committed (the answer was lost, not the change): such
    # an entry must be whole. Counted before the failed cost entries are sent again.
    before_resend = _in_database(served, mode)
    # Failed cost entries are sent again, as the person would (same session, same form and
    # its one-off token): each ends up recorded once, whether or not the first try committed.
    resent = 0
    for data, path in tally.failed["cost"]:
        again = manager.http.post(served["base"] + path, data=data, allow_redirects=False)
        assert again.status_code == 302, again.text[:300]
        resent += 1

    found = _in_database(served, mode)
    figures = {"mode": mode, "server restart (s)": round(server_down, 2)}
    figures["app unavailable (s)"] = round(recovered_at - failed_probes[0], 2)
    figures["recovered after server up (s)"] = round(recovered_at - server_up, 2)
    figures["statuses"] = dict(sorted(tally.statuses.items()))
    for kind in ("cost", "time"):
        acked = tally.acked[kind]
        failed = [
            data["description" if kind == "cost" else "note"] for data, _ in tally.failed[kind]
        ]
        counts = found[kind]
        assert len(set(acked)) == len(acked)
        missing = [m for m in acked if counts[m] == 0]
        duplicated = [m for m, n in counts.items() if n > 1]
        unknown = [m for m in counts if m not in set(acked) | set(failed)]
        assert not missing, f"acknowledged {kind} entries lost: {missing[:5]}"
        assert not duplicated, f"{kind} entries written twice: {duplicated[:5]}"
        assert not unknown, f"{kind} entries nobody sent: {unknown[:5]}"
        for state in (before_resend, found):
            assert not state[f"{kind} without audit"], "half written: an entry without its audit"
        if kind == "cost":
            # Sent again with the same token: every failed one is there now, once.
            assert all(counts[m] == 1 for m in failed)
        figures[kind] = {
            "sent": tally.sent[kind],
            "acknowledged": len(acked),
            "failed": len(failed),
            "failed but committed (whole)": sum(1 for m in failed if before_resend[kind][m]),
            "in database": sum(counts.values()),
            "duplicates": len(duplicated),
        }
    figures["cost resent with same token"] = resent
    verify = subprocess.run(  # noqa: S603
        [str(BIN / "flask"), "--app", "wsgi", "audit", "verify"],
        env=served["env"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
    figures["audit verify"] = verify.stdout.strip()
    print(f"\nPostgreSQL restart: {figures}")
