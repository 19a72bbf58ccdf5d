"""The embedded default under the real server: several people saving at the same moment,
with the scheduler's jobs running beside it, and no save dropped.

What ``make run`` starts, on a SQLite file: ``flask run`` (a threaded server) and
``flask scheduler run``, whose jobs send queued emails to a real SMTP server on localhost
(aiosmtpd) and remind approvers of gates waiting too long. Eight people, each signed in
through the form in a browser session of their own, sign in at the same moment and then,
in three rounds, post a real form at the same moment (cost entries with their one-off token,
time entries), while the scheduler's first runs send about a hundred emails. Then:

- no answer is a 5xx (no "database is locked" 503): every sign-in and every save succeeded;
- every save is in the database exactly once, with its audit entry;
- the scheduler's jobs ran during the rounds and all succeeded without a retry; every
  queued email went to the SMTP server exactly once; each waiting approver got one reminder.
"""

from __future__ import annotations

import os
import re
import secrets
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import requests
import time_machine

import config
from tests.scheduler.fixtures import SmtpServer, free_port
from tracker.scheduler import registry

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "writers-" + secrets.token_urlsafe(12)
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
TOKEN = re.compile(r'name="token"[^>]*value="([^"]+)"')
WRITERS = 8
ROUNDS = 3
QUEUED_EMAILS = 90  # with the gate requests' emails, under one batch of the sender (100)
WAITING_GATES = 2  # each with an Executive and a Senior User to remind


def seed(database: Path, instance: Path, writers: int) -> dict:
    """Migrate a SQLite file and give it ``writers`` managers, each with a project of their
    own, gates waiting ten days for their board, and a batch of queued emails."""
    from flask_migrate import upgrade

    from tests.stages.helpers import committed_waiting_start_gate
    from tracker import create_app
    from tracker.auth import services as users
    from tracker.extensions import db
    from tracker.notifications.models import OutboxEmail
    from tracker.orgs import services as orgs
    from tracker.projects import services as projects

    previous = os.environ.get("TRACKER_INSTANCE_PATH")
    os.environ["TRACKER_INSTANCE_PATH"] = str(instance)
    try:
        app = create_app(
            {"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}"}
        )
        with app.app_context():
            upgrade()
            org = orgs.create_organisation(name="Council", short_name=None, kind="nhs")
            people = []
            for number in range(writers):
                manager = users.create_user(
                    email=f"writer{number}@example.gov.uk",
                    name=f"Writer {number}",
                    password=PASSWORD,
                )
                project = projects.create_project(
                    projects.ProjectData(
                        code=f"WRITE-{number}",
                        name=f"Writers {number}",
                        problem_statement="Save without losing anything.",
                        lead_organisation_id=org.id,
                        partner_ids=[],
                        manager_id=manager.id,
                        budget_at_completion=Decimal("100000000"),
                        planned_start=date.today() - timedelta(days=90),
                        planned_finish=date.today() + timedelta(days=365),
                        criticality=2,
                    )
                )
                # Direct set-up, as a fixture may: in the tracker only governance moves it.
                project.status = "active"
                people.append({"email": manager.email, "user": manager.id, "project": project.id})
            db.session.commit()
            with time_machine.travel(datetime.now(UTC) - timedelta(days=10), tick=False):
                for number in range(WAITING_GATES):
                    committed_waiting_start_gate(f"w{number}", "WAIT")
            db.session.add_all(
                OutboxEmail(
                    to_address=f"reader{number}@example.gov.uk",
                    subject=f"Queued {number}",
                    body="Queued before the rounds.",
                )
                for number in range(QUEUED_EMAILS)
            )
            db.session.commit()
            db.session.remove()
            db.engine.dispose()
        return {"people": people}
    finally:
        if previous is None:
            os.environ.pop("TRACKER_INSTANCE_PATH", None)
        else:
            os.environ["TRACKER_INSTANCE_PATH"] = previous


@contextmanager
def serving(database: Path, instance: Path, smtp: SmtpServer, root: Path = ROOT):
    """``flask run`` on a free port, as ``make run`` starts it; yields the base URL, the
    environment and a function that starts ``flask scheduler run`` beside it."""
    port = free_port()
    env = {
        **os.environ,
        "TRACKER_ENV": "development",
        # The key the set-up wrote its entries with: one chain, one key.
        "AUDIT_HMAC_KEY": config.TestingConfig.AUDIT_HMAC_KEY,
        "FLASK_APP": "wsgi",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "DATABASE_URL": f"sqlite:///{database}",
        "TRACKER_INSTANCE_PATH": str(instance),
        "RATELIMIT_ENABLED": "false",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp.port),
        "MAIL_USE_TLS": "false",
        "MAIL_TIMEOUT": "5",
        "PYTHONPATH": str(root),
    }
    logs = {name: open(instance / f"{name}.log", "w") for name in ("web", "scheduler")}  # noqa: SIM115
    processes: list[subprocess.Popen] = []

    def start(*args: str) -> subprocess.Popen:
        process = subprocess.Popen(  # noqa: S603 - our own command line
            [sys.executable, "-m", "flask", *args],
            cwd=root,
            env=env,
            stdout=logs[args[0] if args[0] == "scheduler" else "web"],
            stderr=subprocess.STDOUT,
        )
        processes.append(process)
        return process

    try:
        web = start("run", "--host", "127.0.0.1", "--port", str(port))
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{base}/health", timeout=5).ok:
                    break
            except requests.RequestException:
                time.sleep(0.1)  # not listening yet; the checks below end a wait in vain
            assert web.poll() is None, "flask run exited while starting"
            assert time.monotonic() < deadline, "flask run did not start"
        yield {
            "base": base,
            "env": env,
            "start_scheduler": lambda: start("scheduler", "run"),
            "logs": {name: instance / f"{name}.log" for name in logs},
        }
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=30)
        for log in logs.values():
            log.close()


# People ---------------------------------------------------------------------------------


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: Counter = field(default_factory=Counter)
    posts: Counter = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    acked: dict[str, list[str]] = field(default_factory=lambda: {"cost": [], "time": []})
    window: list[float] = field(default_factory=list)

    def note(self, what: str, response: requests.Response, expected: int) -> None:
        with self.lock:
            self.statuses[response.status_code] += 1
            if response.request.method == "POST":
                self.posts[response.status_code] += 1
            if response.status_code != expected:
                self.problems.append(f"{what}: {response.status_code} {response.text[:200]!r}")


class Writer:
    """One person in a browser session of their own."""

    def __init__(self, base: str, person: dict, tally: Tally):
        self.base, self.person, self.tally = base, person, tally
        self.http = requests.Session()

    def _get(self, path: str) -> str:
        response = self.http.get(self.base + path, timeout=60, allow_redirects=False)
        self.tally.note(f"GET {path}", response, 200)
        return response.text

    def _post(self, what: str, path: str, data: dict) -> bool:
        response = self.http.post(self.base + path, data=data, timeout=60, allow_redirects=False)
        self.tally.note(what, response, 302)
        return response.status_code == 302

    def sign_in_form(self) -> dict:
        return {
            "email": self.person["email"],
            "password": PASSWORD,
            "csrf_token": _csrf(self._get("/login")),
        }

    def sign_in(self, form: dict) -> None:
        self._post(f"sign-in {self.person['email']}", "/login", form)

    def save_form(self, kind: str, marker: str, sequence: int) -> tuple[str, dict]:
        """Open the form (as a person does before typing), ready to post."""
        if kind == "cost":
            path = f"/projects/{self.person['project']}/budget/costs/new"
            page = self._get(path)
            token = TOKEN.search(page)
            return path, {
                "csrf_token": _csrf(page),
                "token": token.group(1) if token else "",
                "spent_on": (date.today() - timedelta(days=1)).isoformat(),
                "amount": "12.34",
                "category": "other",
                "supplier": "",
                "description": marker,
            }
        page = self._get("/time/new")
        return "/time/new", {
            "csrf_token": _csrf(page),
            "person_id": str(self.person["user"]),
            "project_id": str(self.person["project"]),
            "work_date": (date.today() - timedelta(days=1 + sequence)).isoformat(),
            "hours": "0.5",
            "note": marker,
        }

    def save(self, kind: str, marker: str, path: str, data: dict) -> None:
        if self._post(f"{kind} {marker}", path, data):
            with self.tally.lock:
                self.tally.acked[kind].append(marker)


def _csrf(html: str) -> str:
    found = CSRF.search(html)
    return found.group(1) if found else ""


def all_at_once(people: list[dict], base: str, tally: Tally, rounds: int, label: str) -> None:
    """Everyone signs in at the same moment, then saves at the same moment, ``rounds``
    times: each opens the form first, then all post together (a barrier)."""
    barrier = threading.Barrier(len(people))
    errors: list[BaseException] = []

    def person(number: int) -> None:
        writer = Writer(base, people[number], tally)
        try:
            form = writer.sign_in_form()
            barrier.wait(timeout=60)
            with tally.lock:
                tally.window.append(time.time())
            writer.sign_in(form)
            for round_ in range(rounds):
                kind = "cost" if (number + round_) % 2 == 0 else "time"
                marker = f"{label} {kind} w{number} r{round_}"
                path, data = writer.save_form(kind, marker, round_)
                barrier.wait(timeout=60)
                with tally.lock:
                    tally.window.append(time.time())
                writer.save(kind, marker, path, data)
        except BaseException as error:  # reported by the test, with the thread's context
            errors.append(error)
            barrier.abort()

    threads = [threading.Thread(target=person, args=(n,)) for n in range(len(people))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    if errors:
        raise errors[0]


def stored(database: Path, label: str) -> dict[str, Counter]:
    """Per marker, how many entries there are, and the markers whose entry lacks its one
    audit entry."""
    found: dict = {}
    with sqlite3.connect(database) as connection:
        for kind, table, column in (
            ("cost", "cost_entries", "description"),
            ("time", "time_entries", "note"),
        ):
            rows = connection.execute(
                f"SELECT e.{column}, count(a.id) FROM {table} e "
                "LEFT JOIN audit_entries a ON a.object_type = ? AND a.object_id = e.id "
                f"WHERE e.{column} LIKE ? GROUP BY e.id, e.{column}",
                (table, f"{label} %"),
            ).fetchall()
            found[kind] = Counter(marker for marker, _ in rows)
            found[f"{kind} without audit"] = [marker for marker, audits in rows if audits != 1]
    return found


def _wait_for_jobs(database: Path, deadline_seconds: float) -> list[tuple]:
    deadline = time.monotonic() + deadline_seconds
    while True:
        with sqlite3.connect(database) as connection:
            runs = connection.execute(
                "SELECT job_id, outcome, done, started_at, finished_at, error FROM job_runs"
            ).fetchall()
        if len(runs) >= len(registry.JOBS) and all(run[1] != "running" for run in runs):
            return runs
        assert time.monotonic() < deadline, f"the scheduler's first runs did not finish: {runs}"
        time.sleep(0.2)


def _moment(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


# The test -----------------------------------------------------------------------------------


def test_eight_people_saving_at_once_beside_the_scheduler_lose_nothing(tmp_path):
    database, instance = tmp_path / "tracker.sqlite", tmp_path / "instance"
    instance.mkdir()
    seeded = seed(database, instance, WRITERS)
    smtp = SmtpServer()
    smtp.start()
    try:
        with serving(database, instance, smtp) as served:
            scheduler = served["start_scheduler"]()
            # The rounds start once the scheduler is at work.
            deadline = time.monotonic() + 30
            while True:
                with sqlite3.connect(database) as connection:
                    if connection.execute("SELECT count(*) FROM job_runs").fetchone()[0]:
                        break
                assert scheduler.poll() is None, served["logs"]["scheduler"].read_text()
                assert time.monotonic() < deadline, "the scheduler did not start a job"
                time.sleep(0.05)
            tally = Tally()
            all_at_once(seeded["people"], served["base"], tally, ROUNDS, "writers")
            runs = _wait_for_jobs(database, 30)
            web_log = served["logs"]["web"].read_text()
            scheduler_log = served["logs"]["scheduler"].read_text()
            verify = subprocess.run(
                [sys.executable, "-m", "flask", "audit", "verify"],
                cwd=ROOT,
                env=served["env"],
                capture_output=True,
                text=True,
                check=False,
            )
    finally:
        smtp.stop()

    # No 5xx, and every sign-in and save was acknowledged.
    assert not tally.problems, "\n".join(tally.problems[:10]) + "\n" + web_log[-4000:]
    assert not [status for status in tally.statuses if status >= 500]
    assert tally.posts == Counter({302: WRITERS * (ROUNDS + 1)})
    assert "database is locked" not in web_log

    # Every save stored exactly once, each with its audit entry.
    found = stored(database, "writers")
    for kind in ("cost", "time"):
        acked = tally.acked[kind]
        assert len(acked) == WRITERS * ROUNDS // 2
        assert sorted(found[kind]) == sorted(acked), kind
        assert set(found[kind].values()) == {1}, f"{kind} entries written twice"
        assert found[f"{kind} without audit"] == []
    assert verify.returncode == 0, verify.stdout + verify.stderr

    # The scheduler worked during the rounds, and none of its jobs failed or had to retry.
    by_job = {run[0]: run[1:] for run in runs}  # outcome, done, started, finished, error
    assert {job: entry[0] for job, entry in by_job.items()} == dict.fromkeys(
        registry.job_ids(), "succeeded"
    ), [entry[4] for entry in by_job.values() if entry[4]]
    assert "Database busy" not in scheduler_log
    jobs_started = min(_moment(entry[2]) for entry in by_job.values())
    jobs_finished = max(_moment(entry[3]) for entry in by_job.values())
    assert jobs_started < max(tally.window) and jobs_finished > min(tally.window), (
        "the scheduler's jobs did not run during the rounds"
    )
    # Each queued email went once: the hundred queued, the gate requests and the reminders.
    message_ids = [message["Message-ID"] for message in smtp.messages]
    assert len(message_ids) == len(set(message_ids))
    with sqlite3.connect(database) as connection:
        statuses = dict(
            connection.execute("SELECT status, count(*) FROM email_outbox GROUP BY status")
        )
        reminders = connection.execute(
            "SELECT user_id, count(*) FROM notifications WHERE kind = 'approval_reminder' "
            "GROUP BY user_id"
        ).fetchall()
    assert by_job["approval_reminders"][1] == 2 * WAITING_GATES
    assert len(reminders) == 2 * WAITING_GATES and {count for _, count in reminders} == {1}
    sent = by_job["send_emails"][1]
    assert sent == len(message_ids) and sent >= QUEUED_EMAILS
    assert statuses.get("sending", 0) == 0 and statuses.get("failed", 0) == 0
