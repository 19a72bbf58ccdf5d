"""A generated national portfolio, for the benchmark and for trying the tracker at scale.

``generate(projects=10_000)`` adds 50 organisations, a few thousand people and that many
projects with every delivery method: stages, gates, iterations, baselines, months of time
and cost, customer feedback and monthly budget checkpoints. Rows are written in bulk (Core
``INSERT`` executemany batches on SQLite, ``COPY`` on PostgreSQL) with ids assigned here,
so nothing is read back per row.

The rows satisfy every CHECK, UNIQUE and foreign key, and follow the domain rules the
services apply: dates inside the project's dates, stage budgets adding up to less than the
budget at completion, one active stage or iteration at a time, at most 24 hours logged by a
person on a day, checkpoints computed by the budget rules from the generated costs.

No audit entries are written for generated records: the audit trail records what people
did, and nobody did this. The chain is left exactly as it was, so ``flask audit verify``
still passes; the generated records simply have no history.
"""

from __future__ import annotations

import bisect
import json
import random
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import Table, func, insert, select

from tracker.agile.models import Feedback, Iteration
from tracker.agile.rules import IterationStatus
from tracker.auth.models import User
from tracker.budget import rules as budget_rules
from tracker.budget import services as budget_services
from tracker.budget.models import Baseline, BaselineLine, Checkpoint, CheckpointStage, CostEntry
from tracker.extensions import db
from tracker.frameworks import services as frameworks
from tracker.frameworks.models import ProjectFramework
from tracker.methods import rules as method_rules
from tracker.methods.models import Assessment, MethodDecision, MethodDecisionDriver
from tracker.orgs.models import Organisation
from tracker.programmes import demo as programmes_demo
from tracker.projects import governance
from tracker.projects.models import Project, ProjectMembership, project_partners
from tracker.projects.rules import ProjectStatus, size_tier
from tracker.registers.models import Escalation, Issue, Risk, RiskChange
from tracker.stages import rules as stage_rules
from tracker.stages.models import GateDecision, GateReview, Stage
from tracker.stages.rules import GateStatus, StageStatus
from tracker.worklog.models import HourlyRate, TimeEntry, TimesheetWeek
from tracker.worklog.rules import WeekStatus

SCALES = {"demo": 0, "small": 100, "national": 10_000}
CODE_PREFIX = "NAT-"
EMAIL_DOMAIN = "national.example.gov.uk"

# Per project, on average (the national scale's totals divided by 10,000).
TIME_ENTRIES_PER_PROJECT = 100
COST_ENTRIES_PER_PROJECT = 20
FEEDBACK_PER_ITERATION = (0, 1, 1, 2, 2, 3, 3)  # about 1.7 per closed iteration
CHECKPOINTS_PER_PROJECT = 10

PLACES = (
    "Northshire",
    "Eastvale",
    "Westmoor",
    "Southdown",
    "Riverford",
    "Highfield",
    "Lowmarsh",
    "Brackenridge",
    "Coldwater",
    "Ashby",
    "Kingsmead",
    "Oakham",
    "Thornbury",
    "Fenwick",
    "Greystone",
    "Millbrook",
    "Redcliffe",
    "Stonehaven",
    "Whitford",
    "Elmswell",
)
ORG_KINDS = (
    ("County Council", "local_authority"),
    ("Borough Council", "local_authority"),
    ("Integrated Care Board", "nhs"),
    ("Police", "police"),
    ("Fire and Rescue Service", "police"),
    ("Council for Voluntary Service", "voluntary"),
    ("Combined Authority", "other"),
)
FIRST = (
    "Amira",
    "Ben",
    "Chloe",
    "Daniel",
    "Ella",
    "Farid",
    "Grace",
    "Harry",
    "Imogen",
    "Jacob",
    "Kemi",
    "Liam",
    "Mei",
    "Noah",
    "Olivia",
    "Pavel",
    "Queenie",
    "Rhys",
    "Sofia",
    "Tariq",
)
LAST = (
    "Adams",
    "Begum",
    "Clarke",
    "Davies",
    "Evans",
    "Fraser",
    "Gill",
    "Hussain",
    "Iqbal",
    "Jenkins",
    "Kaur",
    "Lloyd",
    "Morris",
    "Nowak",
    "Owen",
    "Price",
    "Quinn",
    "Roberts",
    "Singh",
    "Thomas",
    "Usman",
    "Vaughan",
    "Walsh",
    "Young",
)
SERVICES = (
    "adult social care case management",
    "school transport booking",
    "highways defect reporting",
    "housing repairs",
    "waste collection routing",
    "library membership",
    "parking permits",
    "council tax self-service",
    "hospital discharge coordination",
    "community safety hub",
    "youth services outreach",
    "planning applications",
    "flood resilience",
    "care home capacity",
    "domestic abuse referrals",
    "digital inclusion",
    "public health screening",
    "fleet electrification",
)
VERBS = ("Replace", "Redesign", "Integrate", "Modernise", "Pilot", "Consolidate", "Rebuild")
STAGED_STAGES = (
    "Initiation",
    "Discovery and design",
    "Build",
    "Test and transition",
    "Closure",
)
HYBRID_STAGES = ("Initiation and discovery", "Iterative delivery", "Transition and closure")
SAID = (
    "The new form is much quicker to fill in on a phone.",
    "I could not find where to upload my documents.",
    "Staff explained the change well, but the letter was confusing.",
    "The booking worked first time.",
    "We need the page in Welsh and Polish as well.",
    "Waiting times are better than last month.",
)
DESCRIPTIONS = {
    "staff": ("Agency staff", "Backfill for secondment", "Contractor days"),
    "supplier": ("Software licences", "Supplier milestone payment", "Hosting"),
    "capital": ("Hardware", "Building works", "Vehicles"),
    "other": ("Training", "Travel", "Printing and post"),
}
SUPPLIERS = ("Acme Digital Ltd", "Civic Systems plc", "Northern Build Co", "CloudHost UK")
ANSWERS = {
    # Fifteen 1-5 answers (U1..U7 F1..F3 C1 R1..R4) leaning to each method.
    "stage_gated": "1111112 121 3 2323",
    "agile": "3554552 334 2 2223",
    "hybrid": "3233231 432 4 2322",
}
ANSWER_KEYS = ("U1", "U2", "U3", "U4", "U5", "U6", "U7", "F1", "F2", "F3", "C1")
ANSWER_KEYS += ("R1", "R2", "R3", "R4")
TARGETS = {
    "scope_target": "The products in the stage plan",
    "quality_target": "Acceptance criteria agreed with the senior user",
    "risk_target": "No risk above amber without a plan",
    "benefit_target": "Benefits profile unchanged",
    "sustainability_target": "No increase in carbon compared with the current service",
}


# --------------------------------------------------------------------------------------
# Bulk writing
# --------------------------------------------------------------------------------------

# Parents before children: a flush writes every buffer in this order, so foreign keys hold.
TABLE_ORDER: tuple[Table, ...] = (
    Organisation.__table__,
    User.__table__,
    Project.__table__,
    ProjectFramework.__table__,
    project_partners,
    ProjectMembership.__table__,
    Assessment.__table__,
    MethodDecision.__table__,
    MethodDecisionDriver.__table__,
    Stage.__table__,
    GateReview.__table__,
    GateDecision.__table__,
    Iteration.__table__,
    HourlyRate.__table__,
    Baseline.__table__,
    BaselineLine.__table__,
    TimesheetWeek.__table__,
    TimeEntry.__table__,
    CostEntry.__table__,
    Feedback.__table__,
    Checkpoint.__table__,
    CheckpointStage.__table__,
    Risk.__table__,
    RiskChange.__table__,
    Issue.__table__,
    Escalation.__table__,
    *programmes_demo.BULK_TABLES,
)

# About fifteen risks and five issues a project, as a national portfolio's registers hold.
RISK_TITLES = (
    ("Supplier cannot staff the data migration", "technical"),
    ("Partner council withdraws its funding share", "economic"),
    ("Elections change the sponsoring cabinet member", "political"),
    ("Data-sharing agreement not signed in time", "legal"),
    ("Key analyst leaves before handover", "people"),
    ("Legacy system cannot export clean records", "technical"),
    ("Partner teams work to different governance", "organisational"),
    ("Contact-centre staff resist the new process", "organisational"),
    ("Hosting costs rise with the new contract", "commercial"),
    ("Accessibility audit finds blocking failures", "legal"),
    ("Neighbouring council wants to share the platform", "economic"),
    ("Residents' panel asks for changes late", "organisational"),
    ("Cyber assessment delays go-live", "technical"),
    ("Inflation erodes the contingency", "economic"),
    ("Procurement challenge from a losing bidder", "legal"),
)
ISSUE_TITLES = (
    ("request_for_change", "Add Welsh-language forms"),
    ("off_specification", "Search results miss archived records"),
    ("problem", "Test environment unavailable for two weeks"),
    ("concern", "Unclear ownership of the shared data"),
    ("problem", "Supplier invoice disputed"),
)


def _distinct_board(pool: list, picks: list) -> dict:
    """Executive, Senior User and Senior Supplier from the pool, three different people
    (the segregation of duties: no combined board roles at any scale). A repeated pick
    moves to the next person in the pool, so the random draws, and everything generated
    after them, stay the same."""
    chosen: list = []
    for pick in picks:
        index = pool.index(pick)
        while pool[index] in chosen:
            index = (index + 1) % len(pool)
        chosen.append(pool[index])
    return dict(zip(("executive", "senior_user", "senior_supplier"), chosen, strict=True))


class BulkWriter:
    """Buffers rows per table and writes them in batches, parents first.

    Every column is given a value (defaults filled in here), so the same rows serve an
    ``INSERT`` executemany and a PostgreSQL ``COPY``.
    """

    def __init__(self, batch_size: int = 20_000, now: datetime | None = None) -> None:
        self.connection = db.session.connection()
        self.is_postgres = self.connection.dialect.name == "postgresql"
        self.batch_size = batch_size
        self.now = now or datetime.now(UTC)
        self.buffers: dict[str, list[dict]] = defaultdict(list)
        self.pending = 0
        self.counts: dict[str, int] = defaultdict(int)
        self.next_ids: dict[str, int] = {}
        self._defaults = {table.name: self._defaults_of(table) for table in TABLE_ORDER}

    def _defaults_of(self, table: Table) -> dict:
        values = {}
        for column in table.columns:
            default = column.default
            if default is None:
                continue
            if default.is_scalar:
                values[column.name] = default.arg
            elif default.is_callable:
                values[column.name] = default.arg(None)
        return values

    def next_id(self, table: Table) -> int:
        """Ids are assigned here, after the highest already stored."""
        if table.name not in self.next_ids:
            current = self.connection.scalar(select(func.max(table.c.id)))
            self.next_ids[table.name] = (current or 0) + 1
        value = self.next_ids[table.name]
        self.next_ids[table.name] = value + 1
        return value

    def add(self, table: Table, row: dict) -> dict:
        if "id" in table.c and "id" not in row:
            row["id"] = self.next_id(table)
        self.buffers[table.name].append(row)
        self.pending += 1
        if self.pending >= self.batch_size:
            self.flush()
        return row

    def flush(self) -> None:
        for table in TABLE_ORDER:
            rows = self.buffers.pop(table.name, None)
            if not rows:
                continue
            defaults = self._defaults[table.name]
            rows = [{**defaults, **row} for row in rows]
            if self.is_postgres:
                self._copy(table, rows)
            else:
                self.connection.execute(insert(table), rows)
            self.counts[table.name] += len(rows)
        self.pending = 0

    def _copy(self, table: Table, rows: list[dict]) -> None:
        columns = [column.name for column in table.columns]
        names = ", ".join(f'"{name}"' for name in columns)
        cursor = self.connection.connection.driver_connection.cursor()
        with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([row.get(name) for name in columns])
        cursor.close()

    def finish(self) -> None:
        self.flush()
        if self.is_postgres:
            # COPY with explicit ids leaves the sequences behind: move them on.
            for table in TABLE_ORDER:
                if "id" not in table.c or table.name not in self.next_ids:
                    continue
                self.connection.execute(
                    select(
                        func.setval(
                            func.pg_get_serial_sequence(table.name, "id"),
                            select(func.max(table.c.id)).scalar_subquery(),
                        )
                    )
                )


# --------------------------------------------------------------------------------------
# The plan of one project (plain data, worked out before anything is written)
# --------------------------------------------------------------------------------------


@dataclass
class Span:
    id: int
    name: str
    start: date
    finish: date
    budget: Decimal = Decimal(0)
    status: str = "planned"
    stage_id: int | None = None  # for an iteration inside a hybrid stage
    committed: int | None = None
    completed: int | None = None


@dataclass
class Plan:
    id: int
    code: str
    method: str | None
    status: str
    start: date
    finish: date
    bac: Decimal
    criticality: int
    manager: int
    board: dict[str, int]
    team: list[int]
    customer: int | None
    stages: list[Span] = field(default_factory=list)
    iterations: list[Span] = field(default_factory=list)

    @property
    def tier(self) -> str:
        return size_tier(self.bac, Decimal(250_000), Decimal(5_000_000))

    def logged_until(self, today: date) -> date:
        return min(self.finish, today - timedelta(days=1))

    def span_on(self, day: date) -> tuple[int | None, int | None]:
        """(stage id, iteration id) that time or cost on ``day`` is booked to."""
        for iteration in self.iterations:
            if iteration.start <= day <= iteration.finish:
                return None, iteration.id
        for stage in self.stages:
            if stage.start <= day <= stage.finish:
                return stage.id, None
        return None, None


def _money(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))


def _split(start: date, finish: date, parts: int) -> list[tuple[date, date]]:
    """``parts`` back-to-back periods covering start..finish."""
    days = (finish - start).days + 1
    bounds = [start + timedelta(days=days * k // parts) for k in range(parts + 1)]
    return [(bounds[k], bounds[k + 1] - timedelta(days=1)) for k in range(parts)]


def _status_by_dates(start: date, finish: date, today: date, project_closed: bool) -> str:
    if project_closed or finish < today:
        return "closed"
    if start <= today:
        return "active"
    return "planned"


def _at(day: date, hour: int = 17) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


# --------------------------------------------------------------------------------------
# The generator
# --------------------------------------------------------------------------------------


class Generator:
    def __init__(self, projects: int, *, today: date, seed: int, password_hash: str) -> None:
        self.n = projects
        self.today = today
        self.random = random.Random(seed)
        # The registers draw from their own generator, so adding them changed nothing else
        # the same seed generates.
        self.register_random = random.Random(seed + 1)
        self.password_hash = password_hash
        self.writer = BulkWriter()
        self.tier_small = Decimal(current_app.config["TIER_SMALL_BELOW"])
        self.tier_large = Decimal(current_app.config["TIER_LARGE_ABOVE"])
        self.week_ids: dict[tuple[int, date], int] = {}
        self.role_rates: dict[str, tuple[list[date], list[Decimal]]] = {}
        self.results: dict[tuple[str, str], dict] = {}
        default = frameworks.default_framework()
        newest = frameworks.latest_published(default.id) if default else None
        self.framework_version_id = newest.id if newest else None

    # People and organisations ---------------------------------------------------------

    def organisations(self) -> list[int]:
        count = max(5, min(50, self.n // 2))
        existing = set(db.session.scalars(select(Organisation.name)))
        ids = []
        for k in range(count):
            place = PLACES[k % len(PLACES)]
            suffix, kind = ORG_KINDS[(k // len(PLACES) + k) % len(ORG_KINDS)]
            name = f"{place} {suffix}"
            while name in existing:
                name += " (national)"
            existing.add(name)
            row = self.writer.add(
                Organisation.__table__,
                {"name": name, "short_name": None, "kind": kind, "created_at": self.writer.now},
            )
            ids.append(row["id"])
        return ids

    def people(self, count: int, label: str) -> list[int]:
        ids = []
        for _ in range(count):
            user_id = self.writer.next_id(User.__table__)
            first = FIRST[user_id % len(FIRST)]
            last = LAST[(user_id // len(FIRST)) % len(LAST)]
            self.writer.add(
                User.__table__,
                {
                    "id": user_id,
                    "email": f"{label}.{user_id}@{EMAIL_DOMAIN}",
                    "name": f"{first} {last}",
                    "password_hash": self.password_hash,
                    "global_role": None,
                    "is_active": True,
                    "session_version": 1,
                    "created_at": self.writer.now,
                    "last_login_at": None,
                },
            )
            ids.append(user_id)
        return ids

    def rates(self) -> None:
        start = date(2015, 1, 1)
        existing = set(
            db.session.execute(
                select(HourlyRate.role, HourlyRate.effective_from).where(
                    HourlyRate.role.is_not(None)
                )
            ).all()
        )
        for role, amount in {
            "project_manager": "52.00",
            "team_member": "38.00",
            "senior_supplier": "61.00",
            "senior_user": "58.00",
            "executive": "75.00",
            "customer_rep": "30.00",
        }.items():
            if (role, start) not in existing:
                self.writer.add(
                    HourlyRate.__table__,
                    {
                        "person_id": None,
                        "role": role,
                        "rate": Decimal(amount),
                        "effective_from": start,
                        "created_by_id": None,
                        "created_at": self.writer.now,
                    },
                )
                existing.add((role, start))
        self.writer.flush()
        by_role: dict[str, list[tuple[date, Decimal]]] = defaultdict(list)
        for role, effective, rate in db.session.execute(
            select(HourlyRate.role, HourlyRate.effective_from, HourlyRate.rate).where(
                HourlyRate.role.is_not(None)
            )
        ):
            by_role[role].append((effective, Decimal(rate)))
        for role, rows in by_role.items():
            rows.sort()
            self.role_rates[role] = ([d for d, _ in rows], [r for _, r in rows])

    def rate(self, role: str, day: date) -> Decimal:
        days, rates = self.role_rates[role]
        index = bisect.bisect_right(days, day) - 1
        return rates[index] if index >= 0 else Decimal(0)

    # Projects ---------------------------------------------------------------------------

    def plans(self, orgs: list[int]) -> list[Plan]:
        rnd = self.random
        # Each team member works on about eight projects at once, a manager on about ten,
        # a board member sits on about twenty boards.
        team_pool = self.people(max(8, self.n // 2), "team")
        managers = self.people(max(3, self.n // 10), "manager")
        board_pool = self.people(max(6, self.n // 8), "board")
        customers = self.people(max(2, self.n // 20), "customer")
        # Of every 20 projects: 8 stage-gated, 6 agile, 5 hybrid, 1 not yet decided.
        methods = ["stage_gated", "agile", "hybrid"] * 5 + ["stage_gated"] * 3 + ["agile", None]
        plans = []
        first = self.writer.connection.scalar(
            select(func.count()).where(Project.code.like(f"{CODE_PREFIX}%"))
        )
        for k in range(self.n):
            method = methods[k % len(methods)]
            length = {
                "stage_gated": rnd.randint(360, 1460),
                "agile": rnd.randint(180, 720),
                "hybrid": rnd.randint(300, 1095),
                None: rnd.randint(180, 720),
            }[method]
            if method is None:
                start = self.today + timedelta(days=rnd.randint(30, 240))
                status = ProjectStatus.PROPOSED
            else:
                # Most projects are under way; about three in ten have finished.
                start = self.today - timedelta(days=round(length * rnd.uniform(0.05, 1.45)))
                status = ProjectStatus.ACTIVE
            finish = start + timedelta(days=length)
            if method is not None and finish < self.today:
                status = ProjectStatus.CLOSED if rnd.random() < 0.9 else ProjectStatus.CLOSED_EARLY
            tier_pick = rnd.random()
            if tier_pick < 0.3:
                bac = rnd.randint(50, 249) * 1000
            elif tier_pick < 0.85:
                bac = rnd.randint(250, 5000) * 1000
            else:
                bac = rnd.randint(5001, 40000) * 1000
            board = _distinct_board(
                board_pool,
                [rnd.choice(board_pool), rnd.choice(board_pool), rnd.choice(board_pool)],
            )
            team = rnd.sample(team_pool, 4)
            plans.append(
                Plan(
                    id=self.writer.next_id(Project.__table__),
                    code=f"{CODE_PREFIX}{first + k + 1:05d}",
                    method=method,
                    status=status,
                    start=start,
                    finish=finish,
                    bac=Decimal(bac),
                    criticality=rnd.choices((1, 2, 3, 4, 5), (25, 30, 25, 15, 5))[0],
                    manager=managers[k % len(managers)],
                    board=board,
                    team=team,
                    customer=rnd.choice(customers) if method in ("agile", "hybrid") else None,
                )
            )
            self._plan_spans(plans[-1])
        return plans

    def _plan_spans(self, plan: Plan) -> None:
        rnd = self.random
        closed = plan.status in (ProjectStatus.CLOSED, ProjectStatus.CLOSED_EARLY)
        if plan.method in ("stage_gated", "hybrid"):
            names = STAGED_STAGES if plan.method == "stage_gated" else HYBRID_STAGES
            weights = [rnd.uniform(0.5, 1.5) for _ in names]
            # Stage budgets add up to 85-98% of BAC: the rest is the project's contingency.
            share = plan.bac * Decimal(str(round(rnd.uniform(0.85, 0.98), 3)))
            total = sum(weights)
            for number, (name, (start, finish)) in enumerate(
                zip(names, _split(plan.start, plan.finish, len(names)), strict=True), 1
            ):
                plan.stages.append(
                    Span(
                        id=self.writer.next_id(Stage.__table__),
                        name=name,
                        start=start,
                        finish=finish,
                        budget=_money(share * Decimal(weights[number - 1] / total) - Decimal(1)),
                        status=_status_by_dates(start, finish, self.today, closed),
                    )
                )
        if plan.method == "agile":
            length = rnd.choice((14, 21))
            count = 8
            anchor = (
                plan.finish if closed else min(plan.finish, self.today + timedelta(days=length))
            )
            first = max(plan.start, anchor - timedelta(days=length * count - 1))
            bounds = _split(first, min(plan.finish, first + timedelta(days=length * count - 1)), 8)
            spans = [(None, start, finish) for start, finish in bounds]
        elif plan.method == "hybrid":
            delivery = plan.stages[1]
            spans = [
                (delivery.id, start, finish)
                for start, finish in _split(delivery.start, delivery.finish, 4)
            ]
        else:
            spans = []
        for number, (stage_id, start, finish) in enumerate(spans, 1):
            status = _status_by_dates(start, finish, self.today, closed)
            if (
                plan.status == ProjectStatus.CLOSED_EARLY
                and plan.method == "agile"
                and number == len(spans)
            ):
                # Closed before its last iteration: what makes an agile closure early.
                status = IterationStatus.PLANNED
            committed = rnd.randint(15, 40) if status != IterationStatus.PLANNED else None
            plan.iterations.append(
                Span(
                    id=self.writer.next_id(Iteration.__table__),
                    name=f"Iteration {number}",
                    start=start,
                    finish=finish,
                    status=status,
                    stage_id=stage_id,
                    committed=committed,
                    completed=(
                        int(committed * rnd.uniform(0.6, 1.0))
                        if status == IterationStatus.CLOSED
                        else None
                    ),
                )
            )

    def write_project(self, plan: Plan, orgs: list[int]) -> None:
        rnd, add, now = self.random, self.writer.add, self.writer.now
        service = SERVICES[plan.id % len(SERVICES)]
        lead = orgs[plan.id % len(orgs)]
        created = _at(plan.start - timedelta(days=30), 9) if plan.start < self.today else now
        started_at = (
            _at(plan.start - timedelta(days=3), 10)
            if plan.method == "agile" and plan.status != ProjectStatus.PROPOSED
            else None
        )
        add(
            Project.__table__,
            {
                "id": plan.id,
                "code": plan.code,
                "name": f"{VERBS[plan.id % len(VERBS)]} {service} ({plan.code[-5:]})",
                "problem_statement": f"The current {service} service is slow and costly to run; "
                "residents and staff have told us where it fails them.",
                "lead_organisation_id": lead,
                "budget_at_completion": plan.bac,
                "planned_start": plan.start,
                "planned_finish": plan.finish,
                "criticality": plan.criticality,
                "delivery_method": plan.method,
                "status": plan.status,
                # An agile project that ever ran was started by its Executive (the rule the
                # services apply); the others start at their start gate, or have not.
                "start_authorised_at": started_at,
                "start_authorised_by_id": plan.board["executive"] if started_at else None,
                "version": 1,
                "created_at": created,
                "updated_at": created,
            },
        )
        if self.framework_version_id is not None:
            # Every project starts on the default framework (as the project service does).
            add(
                ProjectFramework.__table__,
                {
                    "project_id": plan.id,
                    "framework_version_id": self.framework_version_id,
                    "since_at": created,
                    "assigned_by_id": None,
                    "version": 1,
                },
            )
        for partner in {rnd.choice(orgs) for _ in range(rnd.randint(0, 2))} - {lead}:
            add(project_partners, {"project_id": plan.id, "organisation_id": partner})
        roles = [(plan.manager, "project_manager")]
        roles += [(user, role) for role, user in plan.board.items()]
        roles += [(user, "team_member") for user in plan.team]
        if plan.customer:
            roles.append((plan.customer, "customer_rep"))
        # Written in bulk, not through the team service, so held to the same policy here.
        held: dict[int, set[str]] = {}
        for user, role in roles:
            held.setdefault(user, set()).add(role)
        level = stage_rules.gate_regime(plan.tier, plan.criticality).level
        conflicts = stage_rules.team_conflicts(level, {str(u): r for u, r in held.items()})
        if conflicts:
            raise RuntimeError(f"{plan.code} breaks the segregation of duties: {conflicts}")
        for user, role in roles:
            add(
                ProjectMembership.__table__,
                {"project_id": plan.id, "user_id": user, "role": role, "created_at": created},
            )
        if plan.method is not None:
            self._method(plan, created)
        self._stages(plan)
        self._iterations(plan)
        if plan.method is not None:
            self._work(plan)
        self._registers(plan, created)

    def _method(self, plan: Plan, at: datetime) -> None:
        tier = size_tier(plan.bac, self.tier_small, self.tier_large)
        key = (plan.method, tier)
        if key not in self.results:
            digits = [int(d) for d in ANSWERS[plan.method].replace(" ", "")]
            raw = {**dict(zip(ANSWER_KEYS, digits, strict=True)), "team_size": 8}
            raw["culture"] = "collaboration"
            answers = method_rules.validate_answers(raw)
            result = method_rules.recommend(answers, size_tier=tier).to_dict()
            self.results[key] = {"answers": answers.to_dict(), "result": result}
        answers, result = self.results[key]["answers"], self.results[key]["result"]
        dump = lambda value: json.dumps(value, ensure_ascii=False, sort_keys=True)  # noqa: E731
        assessment = self.writer.add(
            Assessment.__table__,
            {
                "project_id": plan.id,
                "sequence": 1,
                "assessed_by_id": plan.manager,
                "assessed_at": at,
                "model_version": result["model_version"],
                "answers": dump(answers),
                "team_size": answers["team_size"],
                "culture": answers["culture"],
                "method": result["method"],
                "zone": result["zone"],
                "confidence": result["confidence"],
                "flags": dump(result["flags"]),
                "confidence_reasons": dump(result["confidence_reasons"]),
                "scores": dump(result["scores"]),
                "reasons": dump(result["reasons"]),
                "risks": dump(result["risks"]),
                "tailoring": dump(result["tailoring"]),
            },
        )
        follows = result["method"] == plan.method
        decision = self.writer.add(
            MethodDecision.__table__,
            {
                "project_id": plan.id,
                "sequence": 1,
                "decided_by_id": plan.manager,
                "decided_at": at + timedelta(days=3),
                "method": plan.method,
                "previous_method": None,
                "rationale": "" if follows else "The board chose the method it knows.",
                "assessment_id": assessment["id"],
                "recommended_method": result["method"],
                "follows_recommendation": follows,
                "risk_id": None,
            },
        )
        self.writer.add(
            MethodDecisionDriver.__table__,
            {"decision_id": decision["id"], "driver": "project_needs" if follows else "tradition"},
        )

    def _registers(self, plan: Plan, created: datetime) -> None:
        """The project's risk and issue registers, with the escalations its tailoring asks
        for (rows past the threshold wait for the board)."""
        rnd, add = self.register_random, self.writer.add
        level = stage_rules.gate_regime(plan.tier, plan.criticality).level
        threshold = governance.escalation_threshold(level)
        people = [plan.manager, *plan.team]
        for number, (title, category) in enumerate(RISK_TITLES):
            likelihood, impact = rnd.randint(1, 5), rnd.randint(1, 5)
            closed = number % 5 == 4
            at = created + timedelta(days=number * 3)
            opportunity = category == "economic" and number == 10
            risk = add(
                Risk.__table__,
                {
                    "project_id": plan.id,
                    "title": title,
                    "description": "",
                    "owner_id": people[number % len(people)],
                    "status": "closed" if closed else "open",
                    "source": "register",
                    "created_at": at,
                    "updated_at": at,
                    "version": 1,
                    "kind": "opportunity" if opportunity else "threat",
                    "category": category,
                    "cause": "",
                    "event": title,
                    "effect": "",
                    "likelihood": likelihood,
                    "impact": impact,
                    "response": "exploit" if opportunity else "reduce",
                    "review_on": plan.finish,
                },
            )
            add(
                RiskChange.__table__,
                {
                    "risk_id": risk["id"],
                    "changed_at": at,
                    "changed_by_id": plan.manager,
                    "field": "Score",
                    "from_value": None,
                    "to_value": str(likelihood * impact),
                },
            )
            if not closed and likelihood * impact >= threshold.risk_score:
                add(
                    Escalation.__table__,
                    {
                        "project_id": plan.id,
                        "risk_id": risk["id"],
                        "reason": f"Score {likelihood * impact} reached the board's threshold "
                        f"of {threshold.risk_score} ({level} governance)",
                        "escalated_at": at,
                        "escalated_by_id": plan.manager,
                        "status": "awaiting",
                        "response": "",
                        "version": 1,
                    },
                )
        for number, (kind, title) in enumerate(ISSUE_TITLES):
            at = created + timedelta(days=10 + number * 7)
            closed = number == 4
            add(
                Issue.__table__,
                {
                    "project_id": plan.id,
                    "kind": kind,
                    "title": title,
                    "description": "",
                    "priority": ("high", "medium", "low")[number % 3],
                    "severity": 1 + (plan.id + number) % 4,
                    "owner_id": plan.manager,
                    "raised_by_id": plan.manager,
                    "status": "closed" if closed else "open",
                    "resolution": "Settled with the supplier" if closed else "",
                    "created_at": at,
                    "updated_at": at,
                    "closed_at": at + timedelta(days=5) if closed else None,
                    "version": 1,
                },
            )

    def _stages(self, plan: Plan) -> None:
        if not plan.stages:
            return
        add = self.writer.add
        tolerances = stage_rules.DEFAULT_TOLERANCES[stage_rules.SizeTier(plan.tier)]
        regime = stage_rules.gate_regime(plan.tier, plan.criticality)
        for number, stage in enumerate(plan.stages, 1):
            add(
                Stage.__table__,
                {
                    "id": stage.id,
                    "project_id": plan.id,
                    "sequence": number,
                    "name": stage.name,
                    "planned_start": stage.start,
                    "planned_finish": stage.finish,
                    "planned_budget": stage.budget,
                    "time_tolerance_days": tolerances.time_days,
                    "cost_tolerance_percent": tolerances.cost.percent,
                    "cost_tolerance_amount": tolerances.cost.amount,
                    **TARGETS,
                    "status": stage.status,
                    "forecast_finish": None,
                    "forecast_cost": None,
                    "forecast_at": None,
                    "created_at": _at(plan.start, 9),
                    "updated_at": _at(plan.start, 9),
                },
            )
        # Gates: the start gate, then one at the end of each closed stage; an active stage
        # whose planned end has nearly come is waiting for its end-stage decision.
        roles = ",".join(regime.approver_roles)
        closed = [s for s in plan.stages if s.status == StageStatus.CLOSED]
        boundaries = list(range(0, len(closed) + 1))
        if plan.status == ProjectStatus.CLOSED:
            # Closed at its closing gate: every boundary's gate was approved.
            boundaries = list(range(0, len(plan.stages) + 1))
        elif plan.status == ProjectStatus.CLOSED_EARLY:
            # The Executive closed it early: there is no approved closing gate.
            boundaries = [b for b in boundaries if b < len(plan.stages)]
        if regime.gates is stage_rules.GateBoundaries.START_AND_CLOSE:
            # A small project's board meets only at the start and the close.
            boundaries = [b for b in boundaries if b in (0, len(plan.stages))]
        for boundary in boundaries:
            closes = plan.stages[boundary - 1] if boundary >= 1 else None
            authorises = plan.stages[boundary] if boundary < len(plan.stages) else None
            on = closes.finish if closes else plan.start - timedelta(days=7)
            self._gate(plan, boundary, closes, authorises, on, roles, GateStatus.APPROVED)
        active = [s for s in plan.stages if s.status == StageStatus.ACTIVE]
        if active and self.random.random() < 0.15 and plan.status == ProjectStatus.ACTIVE:
            stage = active[0]
            number = plan.stages.index(stage) + 1
            small = regime.gates is stage_rules.GateBoundaries.START_AND_CLOSE
            if small and number < len(plan.stages):
                return  # no gate at this boundary under a small project's regime
            following = plan.stages[number] if number < len(plan.stages) else None
            on = min(self.today, stage.finish) - timedelta(days=self.random.randint(0, 10))
            self._gate(plan, number, stage, following, on, roles, GateStatus.PENDING)

    def _gate(self, plan, boundary, closes, authorises, on, roles, status) -> None:
        requested = _at(on, 10)
        gate = self.writer.add(
            GateReview.__table__,
            {
                "project_id": plan.id,
                "boundary": boundary,
                "round": 1,
                "closes_stage_id": closes.id if closes else None,
                "authorises_stage_id": authorises.id if authorises else None,
                "requested_by_id": plan.manager,
                "requested_at": requested,
                "delivered_vs_plan": "Delivered the stage's products to plan.",
                "forecast": "Within tolerance.",
                "lessons": "Involve partners earlier.",
                "next_stage_plan": "As in the stage plan." if authorises else "",
                "business_case_justified": True,
                "required_roles": roles,
                "status": status,
                "conditions": None,
                "outcome_note": None,
                "resolved_at": requested + timedelta(days=4)
                if status == GateStatus.APPROVED
                else None,
                "version": 1,
            },
        )
        if status != GateStatus.APPROVED:
            return
        for role in roles.split(","):
            self.writer.add(
                GateDecision.__table__,
                {
                    "gate_id": gate["id"],
                    "role": role,
                    "decided_by_id": plan.board[role],
                    "decision": "approve",
                    "comment": "",
                    "decided_at": requested + timedelta(days=4),
                },
            )

    def _iterations(self, plan: Plan) -> None:
        for iteration in plan.iterations:
            closed = iteration.status == IterationStatus.CLOSED
            self.writer.add(
                Iteration.__table__,
                {
                    "id": iteration.id,
                    "project_id": plan.id,
                    "stage_id": iteration.stage_id,
                    "name": iteration.name,
                    "goal": "Ship the next slice of the service to real users.",
                    "start_on": iteration.start,
                    "end_on": iteration.finish,
                    "committed_points": iteration.committed,
                    "status": iteration.status,
                    "completed_points": iteration.completed,
                    "started_at": _at(iteration.start, 9)
                    if iteration.status != IterationStatus.PLANNED
                    else None,
                    "closed_at": _at(iteration.finish) if closed else None,
                    "closed_by_id": plan.manager if closed else None,
                    "created_at": _at(iteration.start - timedelta(days=3), 9),
                },
            )

    # Time, cost, feedback, baseline and checkpoints ----------------------------------------

    def _work(self, plan: Plan) -> None:
        rnd, add = self.random, self.writer.add
        until = plan.logged_until(self.today)
        days = (until - plan.start).days + 1
        labour: list[tuple[date, Decimal]] = []
        costs: list[tuple[date, Decimal]] = []
        if days > 0:
            # Entries in proportion to the weeks worked (the average project logs 100).
            share = min(1.0, days / 730)
            wanted = max(1, round(TIME_ENTRIES_PER_PROJECT * 1.7 * share))
            loggers = [(user, "team_member") for user in plan.team]
            loggers.append((plan.manager, "project_manager"))
            seen: set[tuple[int, date]] = set()
            for _ in range(wanted):
                person, role = rnd.choice(loggers)
                day = plan.start + timedelta(days=rnd.randrange(days))
                if day.weekday() >= 5:
                    day -= timedelta(days=day.weekday() - 4)
                    if day < plan.start:
                        continue
                if (person, day) in seen:
                    continue
                seen.add((person, day))
                # At most 3 hours on one project's day: nobody is on more than eight projects
                # at once, so nobody logs more than 24 hours on a day.
                hours = Decimal(rnd.choice(("1.00", "1.50", "2.00", "2.50", "3.00")))
                if role == "project_manager":
                    hours = min(hours, Decimal("2.00"))
                stage_id, iteration_id = plan.span_on(day)
                add(
                    TimeEntry.__table__,
                    {
                        "person_id": person,
                        "week_id": self._week(person, day),
                        "project_id": plan.id,
                        "stage_id": stage_id,
                        "iteration_id": iteration_id,
                        "backlog_item_id": None,
                        "work_date": day,
                        "hours": hours,
                        "role": role,
                        "note": "",
                        "created_by_id": person,
                        "version": 1,
                        "created_at": _at(day, 16),
                        "updated_at": _at(day, 16),
                    },
                )
                labour.append((day, hours * self.rate(role, day)))
            # Costs: what the plan expects to have spent by now, give or take, in invoices.
            spent = float(plan.bac) * min(1.0, days / ((plan.finish - plan.start).days + 1))
            spent *= rnd.uniform(0.45, 0.75)
            count = max(1, round(COST_ENTRIES_PER_PROJECT * 1.6 * share))
            invoices: dict[tuple, tuple[date, Decimal]] = {}
            for _ in range(count):
                day = plan.start + timedelta(days=rnd.randrange(days))
                category = rnd.choice(budget_rules.COST_CATEGORIES)
                amount = _money(spent / count * rnd.uniform(0.5, 1.5)) or Decimal("1.00")
                stage_id, iteration_id = plan.span_on(day)
                # A credit note refunds a tenth of an earlier invoice on the same stage or
                # iteration, a week later: no stage's spending ever goes below nothing.
                invoice = invoices.get((stage_id, iteration_id))
                credit = invoice is not None and rnd.random() < 0.03
                if credit:
                    day = min(invoice[0] + timedelta(days=7), plan.logged_until(self.today))
                    amount = _money(invoice[1])
                else:
                    invoices[(stage_id, iteration_id)] = (day, amount)
                add(
                    CostEntry.__table__,
                    {
                        "project_id": plan.id,
                        "spent_on": day,
                        "amount": -amount / 10 if credit else amount,
                        "category": category,
                        "supplier": rnd.choice(SUPPLIERS)
                        if category in ("supplier", "capital")
                        else "",
                        "description": rnd.choice(DESCRIPTIONS[category]),
                        "stage_id": stage_id,
                        "iteration_id": iteration_id,
                        "credit_reason": "Supplier credit note" if credit else None,
                        "import_id": None,
                        "token": None,
                        "recorded_by_id": plan.manager,
                        "created_at": _at(day, 12),
                    },
                )
                costs.append((day, -amount / 10 if credit else amount))
        self._feedback(plan)
        self._budget(plan, sorted(labour + costs))

    def _week(self, person: int, day: date) -> int:
        monday = day - timedelta(days=day.weekday())
        key = (person, monday)
        week_id = self.week_ids.get(key)
        if week_id is None:
            submitted = monday + timedelta(days=6) < self.today
            row = self.writer.add(
                TimesheetWeek.__table__,
                {
                    "person_id": person,
                    "week_start": monday,
                    "status": WeekStatus.SUBMITTED if submitted else WeekStatus.OPEN,
                    "submitted_at": _at(monday + timedelta(days=4)) if submitted else None,
                    "version": 1,
                    "updated_at": _at(monday + timedelta(days=4)),
                },
            )
            week_id = self.week_ids[key] = row["id"]
        return week_id

    def _feedback(self, plan: Plan) -> None:
        rnd = self.random
        closed = [i for i in plan.iterations if i.status == IterationStatus.CLOSED]
        for iteration in closed:
            for _ in range(rnd.choice(FEEDBACK_PER_ITERATION)):
                at = _at(iteration.finish, 11)
                loop_closed = rnd.random() < 0.6
                self.writer.add(
                    Feedback.__table__,
                    {
                        "project_id": plan.id,
                        "iteration_id": iteration.id,
                        "source": rnd.choice(
                            ("service_user", "citizen", "partner_organisation", "staff")
                        ),
                        "given_by": "",
                        "rating": rnd.randint(2, 5),
                        "said": rnd.choice(SAID),
                        "agreement": rnd.choice(("yes", "yes_with_changes", "no")),
                        "action_taken": "Added to the backlog." if loop_closed else "",
                        "backlog_item_id": None,
                        "loop_closed": loop_closed,
                        "loop_closed_at": at + timedelta(days=10) if loop_closed else None,
                        "loop_closed_how": "Told them at the next show and tell."
                        if loop_closed
                        else "",
                        "recorded_by_id": plan.manager,
                        "created_at": at,
                        "version": 1,
                    },
                )

    def _budget(self, plan: Plan, spending: list[tuple[date, Decimal]]) -> None:
        """A first baseline, then a checkpoint at each month's end, computed by the rules."""
        kind = {"stage_gated": "stage", "agile": "release", "hybrid": "hybrid"}[plan.method]
        lines = []
        if kind in ("stage", "hybrid"):
            lines += [
                ("stage", s.id, None, f"Stage {n}: {s.name}", s.start, s.finish, s.budget)
                for n, s in enumerate(plan.stages, 1)
            ]
        planned_points = None
        if kind in ("release", "hybrid"):
            iteration_budget = _money(plan.bac * Decimal("0.9") / len(plan.iterations))
            for iteration in plan.iterations:
                budget = iteration_budget if kind == "release" else Decimal(0)
                lines.append(
                    (
                        "iteration",
                        None,
                        iteration.id,
                        iteration.name,
                        iteration.start,
                        iteration.finish,
                        budget,
                    )
                )
            planned_points = sum(i.committed or 25 for i in plan.iterations)
        stage_lines = [
            budget_rules.StageBudget(n, s, f, b) for k, _, _, n, s, f, b in lines if k == "stage"
        ]
        iteration_lines = [
            budget_rules.PlannedIteration(n, s, f, b)
            for k, _, _, n, s, f, b in lines
            if k == "iteration"
        ]
        if kind == "release":
            curve = budget_rules.release_baseline(
                budget_rules.ReleasePlan(tuple(iteration_lines), planned_points)
            )
        elif kind == "hybrid":
            curve = budget_rules.hybrid_baseline(stage_lines, iteration_lines)
        else:
            curve = budget_rules.stage_baseline(stage_lines)
        baseline = self.writer.add(
            Baseline.__table__,
            {
                "project_id": plan.id,
                "number": 1,
                "kind": kind,
                "bac": curve.bac,
                "planned_points": planned_points,
                "starts_on": curve.start or plan.start,
                "finishes_on": curve.finish or plan.finish,
                "reason": "First baseline",
                "created_by_id": plan.manager,
                "created_at": _at(plan.start, 9),
            },
        )
        for line_kind, stage_id, iteration_id, name, start, finish, budget in lines:
            self.writer.add(
                BaselineLine.__table__,
                {
                    "baseline_id": baseline["id"],
                    "kind": line_kind,
                    "stage_id": stage_id,
                    "iteration_id": iteration_id,
                    "name": name,
                    "start_on": start,
                    "end_on": finish,
                    "budget": budget,
                },
            )
        # Month ends from the start to last month (the job takes this month's), latest first.
        ends = []
        month = date(self.today.year, self.today.month, 1) - timedelta(days=1)
        last = min(plan.finish, plan.logged_until(self.today))
        while month >= plan.start and len(ends) < CHECKPOINTS_PER_PROJECT + 3:
            if month <= last + timedelta(days=31):
                ends.append(min(month, last) if month > last else month)
            month = date(month.year, month.month, 1) - timedelta(days=1)
        ends = sorted(set(ends))[-(CHECKPOINTS_PER_PROJECT + 3) :]
        if not ends:
            return
        tolerance = stage_rules.DEFAULT_TOLERANCES[stage_rules.SizeTier(plan.tier)].cost
        spent_days = [day for day, _ in spending]
        running = []
        total = Decimal(0)
        for _, amount in spending:
            total += amount
            running.append(total)
        performance = Decimal(str(round(self.random.uniform(0.8, 1.05), 3)))
        for on in ends:
            index = bisect.bisect_right(spent_days, on)
            ac = budget_rules.money(running[index - 1] if index else Decimal(0))
            pv = budget_rules.planned_value_at(curve, on)
            progress_rows = []
            done_points = None
            if kind == "release":
                done_points = sum(
                    i.completed or 0
                    for i in plan.iterations
                    if i.status == IterationStatus.CLOSED and i.finish <= on
                )
                ev = budget_rules.agile_earned_value(curve.bac, done_points, planned_points)
            else:
                for stage in plan.stages:
                    if stage.finish <= on:
                        percent = Decimal(100)
                    elif stage.start > on:
                        percent = Decimal(0)
                    else:
                        elapsed = Decimal((on - stage.start).days + 1)
                        length = Decimal((stage.finish - stage.start).days + 1)
                        percent = min(Decimal(100), 100 * elapsed / length * performance)
                    percent = percent.quantize(budget_rules.PERCENT_PLACES)
                    stage_ev = budget_rules.earned_value(
                        [budget_rules.StageProgress(stage.budget, percent)]
                    )
                    progress_rows.append((stage.id, stage.budget, percent, stage_ev))
                ev = budget_rules.money(sum((row[3] for row in progress_rows), Decimal(0)))
                if planned_points:
                    done_points = sum(
                        i.completed or 0
                        for i in plan.iterations
                        if i.status == IterationStatus.CLOSED and i.finish <= on
                    )
            point = budget_rules.checkpoint(curve.bac, pv, ev, ac)
            judged = budget_rules.checkpoint_cost_status(point, tolerance)
            checkpoint = self.writer.add(
                Checkpoint.__table__,
                {
                    "project_id": plan.id,
                    "baseline_id": baseline["id"],
                    "taken_on": on,
                    "trigger": "monthly",
                    "period": f"{on:%Y-%m}",
                    "gate_id": None,
                    "iteration_id": None,
                    **{name: getattr(point, name) for name in budget_services.CHECKPOINT_FIGURES},
                    "completed_points": done_points,
                    "planned_points": planned_points,
                    "status": judged.status.value if judged else None,
                    "tolerance": tolerance.describe(),
                    "tolerance_limit": tolerance.limit_for(point.bac),
                    "stage_id": None,
                    "stage_status": None,
                    "stage_eac": None,
                    "reasons": json.dumps(dict(point.reasons)),
                    "note": "Monthly budget check",
                    "token": None,
                    "taken_by_id": None,
                    "created_at": _at(on, 23),
                },
            )
            for stage_id, budget, percent, stage_ev in progress_rows:
                self.writer.add(
                    CheckpointStage.__table__,
                    {
                        "checkpoint_id": checkpoint["id"],
                        "stage_id": stage_id,
                        "budget": budget,
                        "percent_complete": percent,
                        "ev": stage_ev,
                    },
                )


def generated_projects() -> int:
    return db.session.scalar(
        select(func.count()).select_from(Project).where(Project.code.like(f"{CODE_PREFIX}%"))
    )


def generate(
    projects: int,
    *,
    password_hash: str,
    today: date | None = None,
    seed: int = 11,
    progress: Callable[[Iterable], Iterable] | None = None,
) -> dict[str, int]:
    """Write a generated portfolio of ``projects`` projects; returns rows written per table.

    Runs in the caller's transaction and does not commit. ``progress`` wraps the loop over
    projects (a progress bar).
    """
    generator = Generator(
        projects, today=today or date.today(), seed=seed, password_hash=password_hash
    )
    generator.rates()
    orgs = generator.organisations()
    plans = generator.plans(orgs)
    loop = progress(plans) if progress else plans
    for plan in loop:
        generator.write_project(plan, orgs)
    programmes_demo.generate_national(generator.writer, plans, orgs, generator.today)
    generator.writer.finish()
    # The rows went in by bulk Core inserts, past the ORM hooks: derive what is stored.
    from tracker.portfolio import summary

    ids = [plan.id for plan in plans]
    summary.backfill_finished_on(ids)
    summary.refresh(ids)
    return dict(generator.writer.counts)
