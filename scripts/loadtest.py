"""Load test: gunicorn with several workers on PostgreSQL or SQLite, on loopback, bounded in
time and count.

    python scripts/loadtest.py --duration 60 --max-actions 5000 --users 16 --workers 4
    python scripts/loadtest.py --engine sqlite --scheduler --duration 60

It creates a database of its own (on the PostgreSQL server named by --postgres, default
postgresql://postgres@127.0.0.1:5432/postgres; or, with --engine sqlite, a SQLite file in a
temporary folder), migrates it, loads the demo data, starts gunicorn on 127.0.0.1 (and, with
--scheduler, ``flask scheduler run`` beside it, sending its emails to an SMTP server on
localhost), and runs virtual users that mix reads (pages and the API) with writes:
board members deciding pending gates through the API with bearer tokens (all at once, so they
race), and project managers and team members recording cost entries and time entries through
the real forms with CSRF tokens. Afterwards it checks in the database that every acknowledged
write is there exactly once, that no scheduled job failed, runs ``flask audit verify``,
prints the figures, and drops the database (unless --keep). Not part of ``make test``.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import psycopg
import requests
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
TOKEN = re.compile(r'name="token"[^>]*value="([^"]+)"')


@dataclass
class Results:
    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: Counter = field(default_factory=Counter)
    by_kind: Counter = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    time_acks: list[str] = field(default_factory=list)
    cost_acks: list[str] = field(default_factory=list)
    gate_acks: list[tuple[int, str]] = field(default_factory=list)
    requests: int = 0

    def note(self, kind: str, response: requests.Response | None, started: float) -> None:
        with self.lock:
            self.requests += 1
            self.latencies.append(time.perf_counter() - started)
            status = response.status_code if response is not None else "no response"
            self.statuses[status] += 1
            self.by_kind[(kind, status)] += 1
            if response is not None and response.status_code >= 500:
                self.errors.append(f"{kind}: {response.status_code} {response.url}")


def run(command: list[str], env: dict, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        command, env=env, cwd=ROOT, check=True, capture_output=True, text=True, **kwargs
    )


def flask(env: dict, *args: str) -> str:
    return run([str(BIN / "flask"), "--app", "wsgi", *args], env).stdout


# Set-up ---------------------------------------------------------------------------------


def create_database(server: str, name: str) -> None:
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def drop_database(server: str, name: str) -> None:
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def prepare(env: dict) -> dict:
    """Tokens for every board member of a pending gate; who records costs and time where."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import select

    from tracker import create_app
    from tracker.api import services as tokens
    from tracker.auth.models import User
    from tracker.extensions import db
    from tracker.projects.models import Project, ProjectMembership
    from tracker.stages.models import GateReview

    app = create_app()
    with app.app_context():
        deciders = []
        for gate in db.session.scalars(select(GateReview).where(GateReview.status == "pending")):
            for role in gate.roles:
                holders = db.session.scalars(
                    select(User)
                    .join(ProjectMembership, ProjectMembership.user_id == User.id)
                    .where(
                        ProjectMembership.project_id == gate.project_id,
                        ProjectMembership.role == role,
                    )
                )
                for user in holders:
                    secret = tokens.create_token(user, name="Load test", expires_in_days=30).secret
                    deciders.append((secret, gate.project_id, gate.id, role))
        managers = [
            (project.manager_email, project.id)
            for project in db.session.execute(
                select(User.email.label("manager_email"), Project.id)
                .join(ProjectMembership, ProjectMembership.user_id == User.id)
                .join(Project, Project.id == ProjectMembership.project_id)
                .where(ProjectMembership.role == "project_manager", Project.status == "active")
            )
        ]
        members = list(
            db.session.execute(
                select(User.email, ProjectMembership.project_id)
                .join(ProjectMembership, ProjectMembership.user_id == User.id)
                .where(ProjectMembership.role == "team_member")
            )
        )
        projects = list(db.session.scalars(select(Project.id)))
        reader = tokens.create_token(
            db.session.scalars(select(User).where(User.global_role == "pmo")).first(),
            name="Load test reader",
            expires_in_days=30,
        ).secret
        db.session.commit()
    return {
        "deciders": deciders,
        "managers": managers,
        "members": [tuple(row) for row in members],
        "projects": projects,
        "reader": reader,
    }


def start_gunicorn(env: dict, port: int, workers: int) -> subprocess.Popen:
    process = subprocess.Popen(  # noqa: S603
        [
            str(BIN / "gunicorn"),
            "--workers",
            str(workers),
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
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if requests.get(f"http://127.0.0.1:{port}/health", timeout=10).ok:
                return process
        except requests.RequestException:
            time.sleep(0.5)
    process.terminate()
    process.wait(timeout=30)
    raise SystemExit("gunicorn did not start: " + (process.stderr.read() if process.stderr else ""))


# Virtual users --------------------------------------------------------------------------


class WebUser:
    """A person using the pages: signs in through the form, then posts forms with CSRF."""

    def __init__(self, base: str, email: str, password: str, results: Results):
        self.base, self.results = base, results
        self.http = requests.Session()
        page = self.http.get(f"{base}/login", timeout=30)
        response = self.http.post(
            f"{base}/login",
            data={"email": email, "password": password, "csrf_token": _csrf(page.text)},
            allow_redirects=False,
            timeout=30,
        )
        if response.status_code != 302:
            raise RuntimeError(f"{email} could not sign in: {response.status_code}")

    def get(self, kind: str, path: str) -> requests.Response | None:
        started = time.perf_counter()
        response = None
        try:
            response = self.http.get(self.base + path, timeout=30, allow_redirects=False)
        except requests.RequestException as error:
            self.results.errors.append(f"{kind}: {error}")
        self.results.note(kind, response, started)
        return response

    def post(self, kind: str, path: str, data: dict) -> requests.Response | None:
        started = time.perf_counter()
        response = None
        try:
            response = self.http.post(
                self.base + path, data=data, timeout=30, allow_redirects=False
            )
        except requests.RequestException as error:
            self.results.errors.append(f"{kind}: {error}")
        self.results.note(kind, response, started)
        return response


def _csrf(html: str) -> str:
    found = CSRF.search(html)
    return found.group(1) if found else ""


def record_cost(user: WebUser, project_id: int, marker: str) -> None:
    path = f"/projects/{project_id}/budget/costs/new"
    form = user.get("cost form", path)
    if form is None or form.status_code != 200:
        return
    token = TOKEN.search(form.text)
    response = user.post(
        "cost entry",
        path,
        {
            "csrf_token": _csrf(form.text),
            "token": token.group(1) if token else "",
            "spent_on": (date.today() - timedelta(days=random.randint(1, 60))).isoformat(),
            "amount": f"{random.randint(1, 5000)}.{random.randint(0, 99):02d}",
            "category": "other",
            "supplier": "",
            "description": marker,
        },
    )
    if response is not None and response.status_code == 302:
        with user.results.lock:
            user.results.cost_acks.append(marker)


def record_time(user: WebUser, project_id: int, marker: str) -> None:
    form = user.get("time form", "/time/new")
    if form is None or form.status_code != 200:
        return
    select = re.search(r'name="person_id".*?</select>', form.text, re.S)
    person = select and re.search(r'value="(\d+)"[^>]*selected', select.group(0))
    response = user.post(
        "time entry",
        "/time/new",
        {
            "csrf_token": _csrf(form.text),
            "person_id": person.group(1) if person else "",
            "project_id": str(project_id),
            "work_date": (date.today() - timedelta(days=random.randint(0, 20))).isoformat(),
            "hours": "0.25",
            "note": marker,
        },
    )
    if response is not None and response.status_code == 302:
        with user.results.lock:
            user.results.time_acks.append(marker)


def decide(base: str, decider: tuple, results: Results) -> None:
    secret, project_id, gate_id, role = decider
    started = time.perf_counter()
    response = None
    try:
        response = requests.post(
            f"{base}/api/v1/projects/{project_id}/gates/{gate_id}/decisions",
            json={"role": role, "decision": "approve", "comment": "Load test"},
            headers={"Authorization": f"Bearer {secret}"},
            timeout=30,
        )
    except requests.RequestException as error:
        results.errors.append(f"gate decision: {error}")
    results.note("gate decision", response, started)
    if response is not None and response.status_code == 201:
        with results.lock:
            results.gate_acks.append((gate_id, role))


def api_read(base: str, secret: str, path: str, results: Results) -> None:
    started = time.perf_counter()
    response = None
    try:
        response = requests.get(
            f"{base}/api/v1{path}", headers={"Authorization": f"Bearer {secret}"}, timeout=30
        )
    except requests.RequestException as error:
        results.errors.append(f"api read: {error}")
    results.note("api read", response, started)


def start_scheduler(env: dict, smtp_port: int | None) -> subprocess.Popen:
    """``flask scheduler run``, as ``make run`` starts it beside the web server."""
    mail = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp_port), "MAIL_USE_TLS": "false"}
    return subprocess.Popen(  # noqa: S603
        [str(BIN / "flask"), "--app", "wsgi", "scheduler", "run"],
        cwd=ROOT,
        env={**env, **(mail if smtp_port else {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def start_smtp():
    """A local SMTP server that accepts every message (aiosmtpd, a development dependency)."""
    import logging
    import socket

    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)

    class Sink:
        received = 0

        async def handle_DATA(self, server, session, envelope):
            Sink.received += 1
            return "250 Message accepted for delivery"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    return controller, port, Sink


def virtual_user(number, base, plan, password, results, stop_at, budget, run_id) -> None:
    rng = random.Random(number)
    manager_email, manager_project = plan["managers"][number % len(plan["managers"])]
    member_email, member_project = plan["members"][number % len(plan["members"])]
    try:
        manager = WebUser(base, manager_email, password, results)
        member = WebUser(base, member_email, password, results)
    except (RuntimeError, requests.RequestException) as error:
        results.errors.append(str(error))
        return
    # The gate decisions go first and all at once: each one is sent by two virtual users
    # at the same moment, so they race; exactly one may be acknowledged.
    for decider in (plan["deciders"] * 2)[number :: plan["users"]]:
        decide(base, decider, results)
    sequence = 0
    while time.monotonic() < stop_at and budget.acquire(blocking=False):
        sequence += 1
        marker = f"load {run_id} u{number} #{sequence}"
        roll = rng.random()
        if roll < 0.35:
            member.get("page read", rng.choice(["/projects/", "/decisions", "/my-work"]))
        elif roll < 0.5:
            page = rng.choice(["", "/budget", "/stages", "/time"])
            manager.get("page read", f"/projects/{manager_project}{page}")
        elif roll < 0.6:
            api_read(base, plan["reader"], rng.choice(["/projects", "/organisations"]), results)
        elif roll < 0.8:
            record_time(member, member_project, marker)
        else:
            record_cost(manager, manager_project, marker)


# Checks ---------------------------------------------------------------------------------


def check(env: dict, results: Results, run_id: str) -> dict:
    from sqlalchemy import func, select

    from tracker import create_app
    from tracker.budget.models import CostEntry
    from tracker.extensions import db
    from tracker.scheduler.models import JobRun
    from tracker.stages.models import GateDecision
    from tracker.worklog.models import TimeEntry

    app = create_app()
    with app.app_context():
        like = f"load {run_id} %"
        times = Counter(db.session.scalars(select(TimeEntry.note).where(TimeEntry.note.like(like))))
        costs = Counter(
            db.session.scalars(
                select(CostEntry.description).where(CostEntry.description.like(like))
            )
        )
        decisions = Counter(
            db.session.execute(select(GateDecision.gate_id, GateDecision.role)).all()
        )
        total_decisions = db.session.scalar(select(func.count(GateDecision.id)))
        job_runs = Counter(db.session.execute(select(JobRun.job_id, JobRun.outcome)).all())
    return {
        "time acknowledged": len(results.time_acks),
        "time missing": sum(1 for m in results.time_acks if times[m] == 0),
        "time duplicated": sum(1 for m in results.time_acks if times[m] > 1),
        "time unacknowledged in db": sum(1 for m in times if m not in set(results.time_acks)),
        "cost acknowledged": len(results.cost_acks),
        "cost missing": sum(1 for m in results.cost_acks if costs[m] == 0),
        "cost duplicated": sum(1 for m in results.cost_acks if costs[m] > 1),
        "cost unacknowledged in db": sum(1 for m in costs if m not in set(results.cost_acks)),
        "gate decisions acknowledged": len(results.gate_acks),
        "gate decisions missing": sum(1 for key in results.gate_acks if decisions[tuple(key)] == 0),
        "gate decisions duplicated": sum(1 for count in decisions.values() if count > 1),
        "gate decisions acknowledged twice": sum(
            1 for count in Counter(results.gate_acks).values() if count > 1
        ),
        "gate decisions in db": total_decisions,
        "job runs": ", ".join(f"{job} {outcome}: {n}" for (job, outcome), n in job_runs.items())
        or "none",
        "job runs failed": sum(n for (_, outcome), n in job_runs.items() if outcome == "failed"),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=60, help="seconds of load (max 600)")
    parser.add_argument("--max-actions", type=int, default=5000, help="stop after this many")
    parser.add_argument("--users", type=int, default=16, help="virtual users (threads)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--engine", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument(
        "--scheduler",
        action="store_true",
        help="run flask scheduler run beside gunicorn, as make run does",
    )
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "LOADTEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
        help="a PostgreSQL server on loopback where a scratch database may be created",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    duration = min(args.duration, 600)
    server = make_url(args.postgres)
    if args.engine == "postgresql" and server.host not in {"127.0.0.1", "localhost", "::1"}:
        raise SystemExit("The load test runs against a server on loopback only.")
    run_id = uuid.uuid4().hex[:8]
    name = f"gt_load_{run_id}"
    password = "load-" + secrets.token_urlsafe(12)
    instance = tempfile.mkdtemp(prefix="gt-load-")
    if args.engine == "sqlite":
        url = make_url(f"sqlite:///{Path(instance) / 'loadtest.sqlite'}")
    else:
        url = server.set(drivername="postgresql+psycopg", database=name)
    env = {
        **os.environ,
        "TRACKER_ENV": "development",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "DATABASE_URL": url.render_as_string(hide_password=False),
        "TRACKER_INSTANCE_PATH": instance,
        "TRACKER_DEMO_PASSWORD": password,
        # Every virtual user comes from 127.0.0.1: per-address limits would throttle the test.
        "RATELIMIT_ENABLED": "false",
        "PYTHONPATH": str(ROOT),
    }
    plain = server.set(drivername="postgresql").render_as_string(hide_password=False)
    if args.engine == "postgresql":
        create_database(plain, name)
    gunicorn = scheduler = smtp = None
    try:
        flask(env, "db", "upgrade")
        flask(env, "demo", "load")
        plan = prepare(env)
        plan["users"] = args.users
        if not plan["managers"] or not plan["members"]:
            raise SystemExit("The demo data has no active projects with managers and members.")
        gunicorn = start_gunicorn(env, args.port, args.workers)
        if args.scheduler:
            smtp = start_smtp()
            scheduler = start_scheduler(env, smtp[1])
        base = f"http://127.0.0.1:{args.port}"
        results = Results()
        budget = threading.Semaphore(args.max_actions)
        started = time.monotonic()
        stop_at = started + duration
        threads = [
            threading.Thread(
                target=virtual_user,
                args=(n, base, plan, password, results, stop_at, budget, run_id),
            )
            for n in range(args.users)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=duration + 120)
        elapsed = time.monotonic() - started
        gunicorn.send_signal(signal.SIGTERM)
        gunicorn.wait(timeout=30)
        if scheduler is not None:
            scheduler.send_signal(signal.SIGTERM)
            scheduler.wait(timeout=60)
        figures = check(env, results, run_id)
        verify = subprocess.run(  # noqa: S603
            [str(BIN / "flask"), "--app", "wsgi", "audit", "verify"],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        for process in (gunicorn, scheduler):
            if process is not None and process.poll() is None:
                process.kill()
        if smtp is not None:
            smtp[0].stop()
        if not args.keep and args.engine == "postgresql":
            drop_database(plain, name)

    latencies = sorted(results.latencies) or [0.0]
    fivexx = sum(count for status, count in results.statuses.items() if str(status)[0] == "5")
    print(
        f"Load test {run_id} on {args.engine}: {args.users} virtual users, "
        f"{args.workers} gunicorn workers" + (", scheduler running" if args.scheduler else "")
    )
    rate = results.requests / elapsed
    print(f"  requests        {results.requests} in {elapsed:.1f} s ({rate:.1f}/s)")
    print(f"  statuses        {dict(sorted(results.statuses.items(), key=str))}")
    print(f"  5xx             {fivexx}")
    print(
        "  latency         "
        f"median {statistics.median(latencies) * 1000:.0f} ms, "
        f"p95 {latencies[int(len(latencies) * 0.95) - 1] * 1000:.0f} ms, "
        f"max {latencies[-1] * 1000:.0f} ms"
    )
    for (kind, status), count in sorted(results.by_kind.items(), key=str):
        print(f"  {kind:<15} {status}: {count}")
    for key, value in figures.items():
        print(f"  {key:<28} {value}")
    print(f"  audit verify    {verify.stdout.strip() or verify.stderr.strip()}")
    if smtp is not None:
        print(f"  emails received by the SMTP server: {smtp[2].received}")
    for error in results.errors[:10]:
        print(f"  error: {error}")
    lost = sum(figures[k] for k in figures if "missing" in k or "duplicated" in k)
    ok = (
        fivexx == 0
        and lost == 0
        and figures["job runs failed"] == 0
        and verify.returncode == 0
        and not results.errors
    )
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
