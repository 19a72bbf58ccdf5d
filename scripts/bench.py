"""The benchmark behind ``make bench``: key pages at 100 and at 10,000 projects, on SQLite
and on PostgreSQL, plus throughput under gunicorn and the monthly checkpoint job.

Each (engine, scale) gets a database of its own, built by the migrations and loaded by
``flask demo load --scale small|national``: a SQLite file under ``instance/bench/`` and a
PostgreSQL database ``bench_small`` / ``bench_national`` (created here; ``BENCH_POSTGRES_URL``
names the server, default ``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``). A
database already holding its generated portfolio is reused unless ``--rebuild`` is given.

For every page it reports the median and 95th-percentile server time (the whole request
inside the app, measured with the test client, so no network) and the number of SQL
queries one request issues. Under gunicorn with several workers it measures requests per
second on the project overview and on ``/health`` in the same run, and their ratio. It
times the monthly checkpoint job over the whole portfolio (this month's scheduled
checkpoints are deleted first so the job has every project to do: the benchmark databases
are throwaway). It prints a table and writes everything to ``bench-results.json``.

Run ``python scripts/bench.py --help`` for the options.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, delete, event, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

POSTGRES_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
SCALES = ("small", "national")
ENGINES = ("sqlite", "postgresql")
BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Page:
    name: str
    who: str  # whose view: a key of the people picked by ``pick()``
    url: str  # formatted with the ids picked by ``pick()``
    # Empty the app's cache before each request: the first view after a change, for pages
    # that keep what they rendered until something changes.
    cold: bool = False


# The pages the issue names. To benchmark another page, add a line.
PAGES = [
    Page("Project list", "pmo", "/projects/"),
    Page("Project overview", "manager", "/projects/{staged}"),
    Page("Project overview, first view", "manager", "/projects/{staged}", cold=True),
    Page("Budget, stage-gated project", "manager", "/projects/{staged}/budget"),
    Page("Budget, agile project", "agile_manager", "/projects/{agile}/budget"),
    Page("Approver inbox", "approver", "/decisions"),
    Page("My work, board member", "approver", "/my-work"),
    Page("People picker search", "manager", "/people/search?q=na"),
    Page("Gate review, for the board", "approver", "/projects/{gate_project}/gates/{gate}"),
    Page(
        "Gate evidence, for the board",
        "approver",
        "/projects/{gate_project}/gates/{gate}/evidence",
    ),
    # One render of the board pack (WeasyPrint), stored nothing: the issue asks under 3 s.
    Page(
        "Board pack PDF, rendered now",
        "approver",
        "/projects/{gate_project}/gates/{gate}/pack",
    ),
    Page("Delivery confidence of a project", "manager", "/projects/{staged}/confidence"),
    Page("Boards across the portfolio", "pmo", "/portfolio/board"),
    Page("Documents of a project", "manager", "/projects/{staged}/documents"),
    Page("Weekly timesheet", "team", "/timesheet?week={week}"),
    Page("Risk register", "manager", "/projects/{staged}/risks"),
    Page("A risk, with its history", "manager", "/projects/{staged}/risks/{risk}"),
    Page("Issue register", "manager", "/projects/{staged}/issues"),
    Page("An issue", "manager", "/projects/{staged}/issues/{issue}"),
    Page("An escalation", "pmo", "/projects/{escalated}/escalations/{escalation}"),
    Page("A change request", "manager", "/projects/{staged}/change-requests/{change}"),
    Page("Change an assumption", "manager", "/projects/{staged}/assumptions/{assumption}/edit"),
    Page("Change a dependency", "manager", "/projects/{staged}/dependencies/{dependency}/edit"),
    Page("Escalations, for the PMO", "pmo", "/projects/escalations"),
    Page(
        "Assumptions and dependencies",
        "manager",
        "/projects/{staged}/assumptions-and-dependencies",
    ),
    Page("Change control", "manager", "/projects/{staged}/change-requests"),
    Page("Lessons log", "manager", "/projects/{staged}/lessons"),
    Page("Lessons library", "pmo", "/lessons?q=a&method=agile"),
    Page("Risks and escalations by method", "pmo", "/portfolio/registers"),
    Page("Benefits register", "manager", "/projects/{staged}/benefits"),
    Page("A benefit, with its measurements", "manager", "/projects/{staged}/benefits/{benefit}"),
    Page("Benefits across the portfolio", "pmo", "/portfolio/benefits"),
    Page("Governance frameworks", "pmo", "/frameworks/"),
    Page("Governance framework", "pmo", "/frameworks/{framework}"),
    Page("A project's framework", "manager", "/projects/{staged}/framework"),
    Page("Phases, agile project", "agile_manager", "/projects/{agile}/phases"),
    Page("Releases, agile project", "agile_manager", "/projects/{agile}/releases"),
    Page("Closure, agile project", "agile_manager", "/projects/{agile}/closure"),
    Page("Business case versions", "manager", "/projects/{staged}/business-case"),
    Page(
        "A business case version",
        "manager",
        "/projects/{staged}/business-case/versions/{case}",
    ),
    Page(
        "What changed in a business case version",
        "manager",
        "/projects/{staged}/business-case/versions/{case}/changes",
    ),
    Page("Switching method, agile project", "agile_manager", "/projects/{agile}/method-switch"),
    Page("PMO dashboard", "pmo", "/portfolio/"),
    Page("Proposals pipeline", "pmo", "/proposals/pipeline"),
    Page("Proposals pipeline, filtered", "pmo", "/proposals/pipeline?stage=scored"),
    Page("A proposal", "pmo", "/proposals/{proposal}"),
    Page("Proposals side by side", "pmo", "/proposals/compare?ids={proposal}&ids={other_proposal}"),
    # The programme of 300 projects (the national generator's first), and its portfolio.
    Page("Programme of 300 projects", "pmo", "/programmes/{programme}"),
    Page("Programme page, its board member", "programme_board", "/programmes/{programme}"),
    Page("Programme dependencies", "pmo", "/programmes/{programme}/dependencies"),
    Page("Methods within a programme", "pmo", "/programmes/{programme}/methods"),
    Page("Portfolio of programmes", "pmo", "/portfolios/{portfolio}"),
    Page("Organisation and its people", "pmo", "/organisations/{organisation}"),
    Page("PMO dashboard, filtered", "pmo", "/portfolio/?method=agile&status=active"),
    Page("PMO dashboard, first view", "pmo", "/portfolio/", cold=True),
    Page(
        "PMO dashboard, filtered, first",
        "pmo",
        "/portfolio/?method=agile&status=active",
        cold=True,
    ),
    Page("Evidence by zone and method, first view", "pmo", "/evidence/", cold=True),
    Page(
        "Evidence by criticality band, first view",
        "pmo",
        "/evidence/?grouping=band_criticality",
        cold=True,
    ),
    Page("Calibration of the method model", "pmo", "/evidence/calibration"),
]


# --------------------------------------------------------------------------------------
# Databases
# --------------------------------------------------------------------------------------


def database_url(engine: str, scale: str) -> str:
    if engine == "sqlite":
        path = ROOT / "instance" / "bench" / f"{scale}.sqlite"
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}"
    return make_url(POSTGRES_URL).set(database=f"bench_{scale}").render_as_string(False)


def reset_database(engine: str, url: str) -> None:
    if engine == "sqlite":
        Path(make_url(url).database).unlink(missing_ok=True)
        return
    name = make_url(url).database
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def generated_projects(engine: str, url: str) -> int:
    if engine == "postgresql":
        name = make_url(url).database
        admin = create_engine(POSTGRES_URL)
        with admin.connect() as connection:
            exists = connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            )
        admin.dispose()
        if not exists:
            return 0
    elif not Path(make_url(url).database).exists():
        return 0
    probe = create_engine(url)
    try:
        with probe.connect() as connection:
            return connection.scalar(text("SELECT count(*) FROM projects WHERE code LIKE 'NAT-%'"))
    except Exception:
        return 0
    finally:
        probe.dispose()


def environment(url: str) -> dict[str, str]:
    instance = ROOT / "instance" / "bench"
    instance.mkdir(parents=True, exist_ok=True)
    return {
        **os.environ,
        "DATABASE_URL": url,
        "TRACKER_INSTANCE_PATH": str(instance),
        "TRACKER_ENV": "development",
        "FLASK_APP": "wsgi",
    }


def prepare(engine: str, scale: str, rebuild: bool) -> dict:
    """The loaded database for (engine, scale), and how long loading took (if it did)."""
    url = database_url(engine, scale)
    wanted = {"small": 100, "national": 10_000}[scale]
    if not rebuild and generated_projects(engine, url) == wanted:
        print(f"  reusing the {scale} database on {engine}")
        return {"url": url, "load_seconds": None}
    print(f"  building the {scale} database on {engine} (migrations, then demo load)...")
    reset_database(engine, url)
    env = environment(url)
    subprocess.run(  # noqa: S603 - our own command line
        [BIN / "flask", "db", "upgrade"],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    started = time.monotonic()
    subprocess.run(  # noqa: S603 - our own command line
        [BIN / "flask", "demo", "load", "--scale", scale],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    seconds = time.monotonic() - started
    if engine == "postgresql":
        analyse = create_engine(url, isolation_level="AUTOCOMMIT")
        with analyse.connect() as connection:
            connection.execute(text("VACUUM ANALYZE"))
        analyse.dispose()
    print(f"  loaded in {seconds:.0f} s")
    return {"url": url, "load_seconds": round(seconds, 1)}


# --------------------------------------------------------------------------------------
# Pages, in process
# --------------------------------------------------------------------------------------


def make_app(url: str):
    os.environ.update({k: v for k, v in environment(url).items() if k != "FLASK_APP"})
    from tracker import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False})


def pick(app) -> tuple[dict, dict]:
    """The people and records each page is viewed with: the same kind at every scale (the
    lowest-numbered active generated project of a method, its manager, and so on)."""
    from tracker.auth.models import User
    from tracker.benefits.models import Benefit
    from tracker.business_cases.models import BusinessCaseVersion
    from tracker.changes.models import ChangeRequest
    from tracker.extensions import db
    from tracker.frameworks.models import GovernanceFramework
    from tracker.projects.models import Project, ProjectMembership
    from tracker.proposals.models import Proposal
    from tracker.registers.models import Assumption, Dependency, Escalation, Issue, Risk
    from tracker.stages.models import GateReview
    from tracker.worklog.models import TimeEntry

    with app.app_context():

        def project(method: str) -> int:
            return db.session.scalar(
                select(func.min(Project.id)).where(
                    Project.code.like("NAT-%"),
                    Project.delivery_method == method,
                    Project.status == "active",
                )
            )

        def manager(project_id: int) -> int:
            return db.session.scalar(
                select(ProjectMembership.user_id).where(
                    ProjectMembership.project_id == project_id,
                    ProjectMembership.role == "project_manager",
                )
            )

        staged, agile = project("stage_gated"), project("agile")
        approver = db.session.scalar(
            select(ProjectMembership.user_id)
            .join(GateReview, GateReview.project_id == ProjectMembership.project_id)
            .where(GateReview.status == "pending", ProjectMembership.role == "executive")
            .group_by(ProjectMembership.user_id)
            .order_by(func.count().desc(), ProjectMembership.user_id)
            .limit(1)
        )
        gate_project, gate = db.session.execute(
            select(GateReview.project_id, GateReview.id)
            .join(ProjectMembership, ProjectMembership.project_id == GateReview.project_id)
            .where(
                GateReview.status == "pending",
                ProjectMembership.user_id == approver,
                ProjectMembership.role == "executive",
            )
            .order_by(GateReview.id)
            .limit(1)
        ).one()
        team = db.session.scalar(
            select(ProjectMembership.user_id)
            .where(ProjectMembership.project_id == staged, ProjectMembership.role == "team_member")
            .order_by(ProjectMembership.user_id)
            .limit(1)
        )
        last_day = (
            db.session.scalar(
                select(func.max(TimeEntry.work_date)).where(TimeEntry.person_id == team)
            )
            or date.today()
        )
        pmo = db.session.scalar(select(User.id).where(User.global_role == "pmo").limit(1))
        people = {
            "pmo": pmo,
            "manager": manager(staged),
            "agile_manager": manager(agile),
            "approver": approver,
            "team": team,
        }
        framework = db.session.scalar(
            select(GovernanceFramework.id).where(GovernanceFramework.is_default.is_(True))
        )
        ids = {
            "framework": framework,
            "staged": staged,
            "agile": agile,
            "gate_project": gate_project,
            "gate": gate,
            "week": (last_day - timedelta(days=last_day.weekday())).isoformat(),
            "organisation": db.session.scalar(
                select(Project.lead_organisation_id).where(Project.id == staged)
            ),
            "risk": db.session.scalar(select(func.min(Risk.id)).where(Risk.project_id == staged)),
            **{
                name: db.session.scalar(
                    select(func.min(model.id)).where(model.project_id == staged)
                )
                for name, model in (
                    ("issue", Issue),
                    ("change", ChangeRequest),
                    ("assumption", Assumption),
                    ("dependency", Dependency),
                )
            },
            "benefit": db.session.scalar(
                select(func.min(Benefit.id)).where(Benefit.project_id == staged)
            ),
            "case": db.session.scalar(
                select(func.max(BusinessCaseVersion.number)).where(
                    BusinessCaseVersion.project_id == staged
                )
            ),
        }
        ids["escalation"], ids["escalated"] = db.session.execute(
            select(Escalation.id, Escalation.project_id).order_by(Escalation.id).limit(1)
        ).one()
        submitted = db.session.scalars(
            select(Proposal.id).where(Proposal.status == "submitted").order_by(Proposal.id).limit(2)
        ).all()
        ids["proposal"], ids["other_proposal"] = submitted[0], submitted[-1]
        from tracker.programmes.models import Programme, ProgrammeRoleHolder

        programme, portfolio = db.session.execute(
            select(Programme.id, Programme.portfolio_id).where(Programme.code == "NAT-PRG-001")
        ).one()
        ids.update(programme=programme, portfolio=portfolio)
        people["programme_board"] = db.session.scalar(
            select(ProgrammeRoleHolder.user_id).where(
                ProgrammeRoleHolder.programme_id == programme, ProgrammeRoleHolder.role == "sro"
            )
        )
        return people, ids


class QueryCounter:
    def __init__(self, engine) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, connection, cursor, statement, *args) -> None:
        # SQLite's BEGIN is sent as a statement, PostgreSQL's is not: count queries only.
        if statement != "BEGIN":
            self.count += 1


def measure_pages(app, people: dict, ids: dict, runs: int) -> list[dict]:
    from tracker.auth.models import User
    from tracker.extensions import cache, db

    results = []
    with app.app_context():
        counter = QueryCounter(db.engine)
        sessions = {
            who: db.session.get(User, user_id).get_id()
            for who, user_id in people.items()
            if user_id is not None
        }
    for page in PAGES:
        url = page.url.format(**ids)
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = sessions[page.who]
            session["_fresh"] = True
        times, queries = [], []
        for run in range(runs + 3):
            if page.cold:
                with app.app_context():
                    cache.clear()
            counter.count = 0
            started = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise SystemExit(f"{page.name}: {url} answered {response.status_code}")
            if run >= 3:  # the first requests warm caches and compile templates
                times.append(elapsed)
                queries.append(counter.count)
        times.sort()
        results.append(
            {
                "page": page.name,
                "url": url,
                "median_ms": round(statistics.median(times), 1),
                "p95_ms": round(times[max(0, round(0.95 * len(times)) - 1)], 1),
                "queries": max(queries),
            }
        )
    return results


def paper_urls(app, ids: dict) -> list[tuple[str, str, str]]:
    """The printable papers timed on their own (name, whose view, address): the board pack
    of the benchmarked gate, an exception report's pack, a highlight report and the
    committee report. Records a scale lacks are left out."""
    from tracker.extensions import db
    from tracker.stages.models import ExceptionReport, HighlightReport

    with app.app_context():
        exception = db.session.execute(
            select(ExceptionReport.project_id, ExceptionReport.id)
            .order_by(ExceptionReport.id)
            .limit(1)
        ).first()
        highlight = (
            db.session.execute(
                select(HighlightReport.project_id, HighlightReport.id)
                .where(HighlightReport.project_id == ids["gate_project"])
                .order_by(HighlightReport.id.desc())
                .limit(1)
            ).first()
            or db.session.execute(
                select(HighlightReport.project_id, HighlightReport.id)
                .order_by(HighlightReport.id.desc())
                .limit(1)
            ).first()
        )
    papers = [
        (
            "Board pack of a gate",
            "approver",
            "/projects/{gate_project}/gates/{gate}/pack".format(**ids),
        )
    ]
    if exception:
        papers.append(
            (
                "Board pack of an exception",
                "pmo",
                f"/projects/{exception[0]}/exceptions/{exception[1]}/pack",
            )
        )
    if highlight:
        papers.append(
            (
                "Highlight report PDF",
                "pmo",
                f"/projects/{highlight[0]}/highlights/{highlight[1]}.pdf",
            )
        )
    papers.append(("Committee report PDF", "pmo", "/portfolio/committee-report.pdf"))
    return papers


def time_papers(app, people: dict, ids: dict, runs: int) -> list[dict]:
    """Each paper rendered ``runs`` times after one warm-up, in seconds (the issue asks a
    typical gate's board pack in under 3 s): median and slowest."""
    from tracker.auth.models import User
    from tracker.extensions import db

    with app.app_context():
        sessions = {
            who: db.session.get(User, user_id).get_id()
            for who, user_id in people.items()
            if user_id is not None
        }
    results = []
    for name, who, url in paper_urls(app, ids):
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = sessions[who]
            session["_fresh"] = True
        seconds = []
        for run in range(runs + 1):
            started = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - started
            if response.status_code != 200 or not response.data.startswith(b"%PDF"):
                raise SystemExit(f"{name}: {url} answered {response.status_code}")
            if run:
                seconds.append(elapsed)
        results.append(
            {
                "paper": name,
                "url": url,
                "median_s": round(statistics.median(seconds), 2),
                "max_s": round(max(seconds), 2),
                "bytes": len(response.data),
            }
        )
    return results


def time_checkpoint_job(app) -> dict:
    """The monthly checkpoint job over the whole portfolio, from scratch for this month."""
    from tracker.budget.models import BudgetException, Checkpoint
    from tracker.budget.tasks import run_monthly_checkpoints
    from tracker.extensions import db

    today = date.today()
    with app.app_context():
        this_month = select(Checkpoint.id).where(Checkpoint.period == f"{today:%Y-%m}")
        db.session.execute(
            delete(BudgetException).where(BudgetException.checkpoint_id.in_(this_month))
        )
        db.session.execute(delete(Checkpoint).where(Checkpoint.id.in_(this_month)))
        db.session.commit()
        started = time.monotonic()
        taken = run_monthly_checkpoints(today)
        seconds = time.monotonic() - started
    return {"projects": taken, "seconds": round(seconds, 1)}


# --------------------------------------------------------------------------------------
# Throughput under gunicorn
# --------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def throughput(
    app, url: str, people: dict, ids: dict, workers: int, requests: int, rounds_wanted: int = 5
) -> dict:
    """Requests per second on the project overview and on /health, same server, same run."""
    with app.app_context():
        from tracker.auth.models import User
        from tracker.extensions import db

        user = db.session.get(User, people["manager"])
        serializer = app.session_interface.get_signing_serializer(app)
        cookie = serializer.dumps({"_user_id": user.get_id(), "_fresh": True})
    port = free_port()
    env = environment(url)
    server = subprocess.Popen(  # noqa: S603 - our own command line
        [
            BIN / "gunicorn",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/health", timeout=2).read()  # noqa: S310 - http to localhost
                break
            except OSError:
                time.sleep(0.2)
        headers = {"Cookie": f"session={cookie}"}

        def fetch(path: str) -> None:
            request = urllib.request.Request(base + path, headers=headers)  # noqa: S310 - http to localhost
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - http to localhost
                response.read()
                if response.status != 200 or response.url != base + path:
                    raise SystemExit(f"{path} answered {response.status} at {response.url}")

        def rate(path: str) -> float:
            for _ in range(workers * 2):
                fetch(path)  # warm every worker
            started = time.monotonic()
            with ThreadPoolExecutor(max_workers=workers * 2) as pool:
                list(pool.map(lambda _: fetch(path), range(requests)))
            return requests / (time.monotonic() - started)

        overview = f"/projects/{ids['staged']}"
        # Rounds, each timing both routes back to back (in turn first), so that a moment
        # when the machine is busier falls on both; the figures are the rounds' medians.
        rounds = []
        for number in range(max(1, rounds_wanted)):
            order = ("/health", overview) if number % 2 == 0 else (overview, "/health")
            measured = {path: rate(path) for path in order}
            rounds.append(
                {
                    "health_rps": round(measured["/health"], 1),
                    "overview_rps": round(measured[overview], 1),
                    "ratio": round(measured[overview] / measured["/health"], 3),
                }
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {
        "workers": workers,
        "requests": requests,
        "health_rps": round(statistics.median(r["health_rps"] for r in rounds), 1),
        "overview_rps": round(statistics.median(r["overview_rps"] for r in rounds), 1),
        "ratio": round(statistics.median(r["ratio"] for r in rounds), 3),
        "rounds": rounds,
    }


# --------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------


def print_table(results: dict, pages: bool = True) -> None:
    runs = results["runs"]
    print()
    runs_pages = PAGES if pages else []
    header = f"{'Page':<30}" + "".join(
        f"{engine[:6] + ' ' + scale:>24}"
        for engine, scale in [(r["engine"], r["scale"]) for r in runs]
    )
    print(header)
    print(f"{'':<30}" + "".join(f"{'median / p95 ms  (SQL)':>24}" for _ in runs))
    for index, page in enumerate(runs_pages):
        line = f"{page.name:<30}"
        for run in runs:
            row = run["pages"][index]
            line += f"{row['median_ms']:>9.1f} /{row['p95_ms']:>7.1f}  ({row['queries']:>3})"
        print(line)
    for run in runs:
        for paper in run.get("papers", []):
            print(
                f"{paper['paper']}, {run['engine']} {run['scale']}: median "
                f"{paper['median_s']:.2f} s, slowest {paper['max_s']:.2f} s "
                f"({paper['bytes'] // 1024} KB)"
            )
    for run in runs:
        job, load = run.get("checkpoint_job"), run.get("load_seconds")
        extra = f"; loaded in {load:.0f} s" if load else ""
        if job:
            print(
                f"Monthly checkpoint job, {run['engine']} {run['scale']}: "
                f"{job['projects']} projects in {job['seconds']:.1f} s{extra}"
            )
        gun = run.get("gunicorn")
        if gun:
            ratios = ", ".join(f"{r['ratio']:.0%}" for r in gun["rounds"])
            print(
                f"gunicorn ({gun['workers']} workers), {run['engine']} {run['scale']}: "
                f"/health {gun['health_rps']:.0f} req/s, project overview "
                f"{gun['overview_rps']:.0f} req/s, ratio {gun['ratio']:.0%} "
                f"(median of {len(gun['rounds'])} rounds: {ratios})"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--scales", default=",".join(SCALES))
    parser.add_argument("--runs", type=int, default=30, help="requests per page (default 30)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument(
        "--requests", type=int, default=400, help="requests per route under gunicorn"
    )
    parser.add_argument(
        "--rounds", type=int, default=5, help="rounds of both routes under gunicorn (default 5)"
    )
    parser.add_argument(
        "--rebuild", action="store_true", help="rebuild the databases even if loaded"
    )
    parser.add_argument("--skip-job", action="store_true", help="do not time the checkpoint job")
    parser.add_argument(
        "--paper-runs", type=int, default=10, help="renders of each printable paper (default 10)"
    )
    parser.add_argument(
        "--papers-only",
        metavar="DATABASE_URL",
        help="only time the printable papers (board packs, reports), on this loaded database",
    )
    parser.add_argument("--output", default="bench-results.json")
    parser.add_argument(
        "--job-only",
        metavar="DATABASE_URL",
        help="only time the monthly checkpoint job, on this already-loaded database",
    )
    args = parser.parse_args()
    if args.papers_only:
        app = make_app(args.papers_only)
        people, ids = pick(app)
        print_table(
            {
                "runs": [
                    {
                        "engine": "given",
                        "scale": "database",
                        "pages": [],
                        "papers": time_papers(app, people, ids, args.paper_runs),
                    }
                ]
            },
            pages=False,
        )
        return
    if args.job_only:
        app = make_app(args.job_only)
        figures = time_checkpoint_job(app)
        with app.app_context():
            from tracker.extensions import db

            db.engine.dispose()
        print(f"Monthly checkpoint job: {figures['projects']} projects in {figures['seconds']} s")
        return
    results = {
        "started": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "runs": [],
    }
    for engine in args.engines.split(","):
        for scale in args.scales.split(","):
            print(f"{engine}, {scale} scale")
            prepared = prepare(engine, scale, args.rebuild)
            app = make_app(prepared["url"])
            people, ids = pick(app)
            run = {"engine": engine, "scale": scale, "load_seconds": prepared["load_seconds"]}
            run["pages"] = measure_pages(app, people, ids, args.runs)
            run["papers"] = time_papers(app, people, ids, args.paper_runs)
            run["gunicorn"] = throughput(
                app, prepared["url"], people, ids, args.workers, args.requests, args.rounds
            )
            if not args.skip_job:
                run["checkpoint_job"] = time_checkpoint_job(app)
            with app.app_context():
                from tracker.extensions import db

                db.engine.dispose()
            results["runs"].append(run)
            Path(args.output).write_text(json.dumps(results, indent=2))
    print_table(results)
    print(f"\nFigures written to {args.output}")


if __name__ == "__main__":
    main()
