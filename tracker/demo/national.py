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
from tracker.benefits import rules as benefit_rules
from tracker.benefits.models import Benefit, BenefitReview, Measurement, ReviewDate
from tracker.budget import rules as budget_rules
from tracker.budget import services as budget_services
from tracker.budget.models import Baseline, BaselineLine, Checkpoint, CheckpointStage, CostEntry
from tracker.business_cases.models import BusinessCaseVersion, CaseFlow, CaseFunding, CaseOption
from tracker.changes.models import ChangeRequest
from tracker.extensions import db
from tracker.frameworks import services as frameworks
from tracker.frameworks.models import ProjectFramework
from tracker.lessons.models import Lesson
from tracker.methods import rules as method_rules
from tracker.methods.models import Assessment, MethodDecision, MethodDecisionDriver
from tracker.orgs.models import Organisation
from tracker.programmes import demo as programmes_demo
from tracker.projects import governance
from tracker.projects.models import Project, ProjectMembership, project_partners
from tracker.projects.rules import ProjectStatus, size_tier
from tracker.proposals.models import (
    BoardMember,
    FitCriterion,
    Proposal,
    ProposalDecision,
    ProposalFunding,
    ProposalScore,
    proposal_partners,
)
from tracker.registers.models import Assumption, Dependency, Escalation, Issue, Risk, RiskChange
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
# The answer profiles a project is assessed with (its uncertainty, feasibility and
# criticality), by the zone and method they lead to. Most projects are delivered the way
# their profile recommends; the others depart from it, so the evidence has both to compare.
PROFILES = {
    "clear": ANSWERS["stage_gated"],  # clear -> stage-gated
    "complicated": "2232221 223 2 2323",  # complicated, iteration hard -> stage-gated
    "complex": ANSWERS["agile"],  # complex -> agile
    "complex_constrained": ANSWERS["hybrid"],  # complex, critical -> hybrid
}
PROFILE_OF_METHOD = {
    "stage_gated": ("clear", "complicated"),
    "agile": ("complex",),
    "hybrid": ("complex_constrained",),
}
FOLLOWING_SHARE = 0.6
DEPARTURE_DRIVERS = ("tradition", "training", "member_preference", "manager_preference")
SWITCHED_SHARE = 0.08  # agile and hybrid projects that started stage-gated and switched
# How well each method's delivery goes in each zone (a factor on progress, so on EV, CPI
# and SPI): adaptive methods fare better where uncertainty is high, plan-driven ones where
# it is low. Invented for the demo, so the evidence pages have something to find.
FIT = {
    ("clear", "stage_gated"): 1.06,
    ("clear", "hybrid"): 0.98,
    ("clear", "agile"): 0.94,
    ("complicated", "stage_gated"): 1.02,
    ("complicated", "hybrid"): 1.04,
    ("complicated", "agile"): 0.95,
    ("complex", "stage_gated"): 0.84,
    ("complex", "hybrid"): 0.98,
    ("complex", "agile"): 1.08,
    ("chaotic", "stage_gated"): 0.8,
    ("chaotic", "hybrid"): 0.95,
    ("chaotic", "agile"): 1.05,
}
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
    BusinessCaseVersion.__table__,
    CaseOption.__table__,
    CaseFlow.__table__,
    CaseFunding.__table__,
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
    Assumption.__table__,
    Dependency.__table__,
    ChangeRequest.__table__,
    Lesson.__table__,
    Benefit.__table__,
    Measurement.__table__,
    ReviewDate.__table__,
    BenefitReview.__table__,
    FitCriterion.__table__,
    BoardMember.__table__,
    Proposal.__table__,
    proposal_partners,
    ProposalFunding.__table__,
    ProposalScore.__table__,
    ProposalDecision.__table__,
    *programmes_demo.BULK_TABLES,
)

# Three to five benefits a project (about four): (title, category, measure, unit, baseline,
# target); a cashable benefit's figures grow with the project's budget.
BENEFITS = (
    ("Lower cost of handling requests", "cashable", "Running cost", "£ a year", 0, 40_000),
    ("Requests made online", "non_cashable", "Share of requests made online", "%", 20, 70),
    ("Faster decisions for residents", "societal", "Median days to a decision", "days", 28, 10),
    ("Fewer repeat calls", "non_cashable", "Repeat calls a month", "calls", 900, 400),
    ("Staff time released", "non_cashable", "Hours a month", "hours", 0, 300),
)

# The pipeline: about one proposal for every ten projects, spread over every step.
PROPOSALS_PER_PROJECT = 10
PROPOSAL_STEPS = ("draft", "submitted", "scored", "scored", "deferred", "rejected", "approved")
PROPOSAL_CRITERIA = (
    ("Strategic priority", 3),
    ("Value for money", 2),
    ("Partnership benefit", 2),
    ("Deliverability", 1),
)
PROPOSAL_TOPICS = (
    "Joined-up hospital discharge",
    "Digital library cards",
    "Flood warning sensors",
    "Electric fleet charging",
    "Warm homes retrofit",
    "School transport booking",
    "Shared case records for families",
    "Community minibus",
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
# Two assumptions, one dependency, one change request and two lessons a project: enough
# rows that the register pages' query counts are measured on full lists, not empty ones.
ASSUMPTIONS = (
    "The partner councils keep their funding shares for the whole project",
    "The supplier's cloud platform passes the cyber assessment",
)
LESSONS = (
    (
        "Recruit residents for testing at kick-off",
        "Testing waited three weeks for volunteers",
        "Recruit the residents' panel when the project starts",
        "avoid",
        "stakeholders",
    ),
    (
        "Agree data ownership with partners early",
        "A shared dataset had no owner until the second stage",
        "Name an owner for each shared dataset in the first board meeting",
        "repeat",
        "partnership",
    ),
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
    profile: str = "clear"  # the answers it is assessed with (PROFILES)
    fit: float = 1.0  # FIT for its zone and method
    switched_from: str | None = None  # the method it was first delivered with

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
        self.seed = seed
        # The registers draw from their own generator, so adding them changed nothing else
        # the same seed generates.
        self.register_random = random.Random(seed + 1)
        self.benefit_random = random.Random(seed + 2)
        # Likewise the profiles, departures and switches the evidence pages read.
        self.evidence_random = random.Random(seed + 2)
        self.password_hash = password_hash
        self.writer = BulkWriter()
        self.tier_small = Decimal(current_app.config["TIER_SMALL_BELOW"])
        self.tier_large = Decimal(current_app.config["TIER_LARGE_ABOVE"])
        self.week_ids: dict[tuple[int, date], int] = {}
        self.case_numbers: dict[int, int] = {}
        self.role_rates: dict[str, tuple[list[date], list[Decimal]]] = {}
        self.results: dict[tuple[str, str], dict] = {}
        self.previous_plan_id: int | None = None
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

    def people(self, count: int, label: str, role: str | None = None) -> list[int]:
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
                    "global_role": role,
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
            self._profile(plans[-1])
            self._plan_spans(plans[-1])
        return plans

    def _assessment(self, profile: str, tier: str) -> dict:
        """The answers of a profile and the model's result for them (computed once)."""
        key = (profile, tier)
        if key not in self.results:
            digits = [int(d) for d in PROFILES[profile].replace(" ", "")]
            raw = {**dict(zip(ANSWER_KEYS, digits, strict=True)), "team_size": 8}
            raw["culture"] = "collaboration"
            answers = method_rules.validate_answers(raw)
            result = method_rules.recommend(answers, size_tier=tier).to_dict()
            self.results[key] = {"answers": answers.to_dict(), "result": result}
        return self.results[key]

    def _profile(self, plan: Plan) -> None:
        """Which answers the project is assessed with, how well its method fits its zone,
        and whether it switched method."""
        if plan.method is None:
            return
        rnd = self.evidence_random
        own = PROFILE_OF_METHOD[plan.method]
        if rnd.random() < FOLLOWING_SHARE:
            plan.profile = rnd.choice(own)
        else:
            plan.profile = rnd.choice([p for p in PROFILES if p not in own])
        tier = size_tier(plan.bac, self.tier_small, self.tier_large)
        zone = self._assessment(plan.profile, tier)["result"]["zone"]
        plan.fit = FIT[(zone, plan.method)]
        running = plan.status != ProjectStatus.PROPOSED and plan.start < self.today
        if plan.method in ("agile", "hybrid") and running and rnd.random() < SWITCHED_SHARE:
            plan.switched_from = "stage_gated"

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
                        int(min(committed, committed * rnd.uniform(0.6, 1.0) * plan.fit))
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
        self._benefits(plan, created)

    # The pipeline -------------------------------------------------------------------------

    def proposals(self, plans: list[Plan], orgs: list[int]) -> None:
        """Proposals at every step (set-based rows, like the rest): three PMO scorers, a
        board of three, the PMO's criteria, funding per proposal, scores and decisions. An
        approved proposal points at a generated project (one each), as if it became it."""
        if not plans:
            return
        rnd = random.Random(self.seed + 2)
        pmo = self.people(3, "pmo", role="pmo")
        board = self.people(3, "board")
        have_board = set(db.session.scalars(select(BoardMember.user_id)))
        for user_id in board:
            if user_id not in have_board:
                self.writer.add(
                    BoardMember.__table__,
                    {"user_id": user_id, "added_by_id": pmo[0], "added_at": self.writer.now},
                )
        existing = {c.name: c for c in db.session.scalars(select(FitCriterion))}
        criteria = []
        for name, weight in PROPOSAL_CRITERIA:
            if name in existing:
                criteria.append((existing[name].id, existing[name].scale_max))
                continue
            row = self.writer.add(
                FitCriterion.__table__,
                {
                    "name": name,
                    "description": "",
                    "weight": weight,
                    "scale_max": 5,
                    "is_active": True,
                    "created_by_id": pmo[0],
                    "created_at": self.writer.now,
                    "version": 1,
                },
            )
            criteria.append((row["id"], 5))
        count = max(len(PROPOSAL_STEPS), self.n // PROPOSALS_PER_PROJECT)
        approved_plans = iter(plans)
        for k in range(count):
            step = PROPOSAL_STEPS[k % len(PROPOSAL_STEPS)]
            plan = plans[rnd.randrange(len(plans))]
            digits = [int(d) for d in ANSWERS[plan.method or "hybrid"].replace(" ", "")]
            raw = {**dict(zip(ANSWER_KEYS, digits, strict=True)), "team_size": 8}
            raw["culture"] = "collaboration"
            cost = _money(rnd.randrange(20, 2_000) * 1_000)
            tier = size_tier(cost, self.tier_small, self.tier_large)
            if (plan.method or "hybrid", tier) not in self.results:
                answers = method_rules.validate_answers(raw)
                result = method_rules.recommend(answers, size_tier=tier).to_dict()
                self.results[(plan.method or "hybrid", tier)] = {
                    "answers": answers.to_dict(),
                    "result": result,
                }
            stored = self.results[(plan.method or "hybrid", tier)]
            start = self.today + timedelta(days=rnd.randrange(30, 400))
            created = _at(self.today - timedelta(days=rnd.randrange(1, 200)), 10)
            status = {
                "draft": "draft",
                "submitted": "submitted",
                "scored": "submitted",
                "deferred": "deferred",
                "rejected": "rejected",
                "approved": "approved",
            }[step]
            project_id = None
            if step == "approved":
                project_id = next(approved_plans, None)
                project_id = project_id.id if project_id is not None else None
                if project_id is None:
                    status = "submitted"
            lead = orgs[rnd.randrange(len(orgs))]
            proposal = self.writer.add(
                Proposal.__table__,
                {
                    "title": f"{PROPOSAL_TOPICS[k % len(PROPOSAL_TOPICS)]} ({k + 1})",
                    "problem": "Residents wait too long and agencies repeat the same work.",
                    "outcome": "A faster service that the partners run together.",
                    "lead_organisation_id": lead,
                    "rough_cost": cost,
                    "start_on": start,
                    "finish_on": start + timedelta(days=rnd.randrange(180, 900)),
                    "status": status,
                    "proposer_id": plan.manager,
                    "created_at": created,
                    "updated_at": created,
                    "submitted_at": None if status == "draft" else created + timedelta(days=2),
                    "assessment": json.dumps(stored, ensure_ascii=False, sort_keys=True),
                    "recommended_method": stored["result"]["method"],
                    "zone": stored["result"]["zone"],
                    "model_version": stored["result"]["model_version"],
                    "project_id": project_id,
                    "deferred_until": self.today + timedelta(days=rnd.randrange(1, 90))
                    if status == "deferred"
                    else None,
                    "version": 1,
                },
            )
            partner = orgs[rnd.randrange(len(orgs))]
            if partner != lead:
                self.writer.add(
                    proposal_partners,
                    {"proposal_id": proposal["id"], "organisation_id": partner},
                )
            capital = _money(cost * Decimal("0.6"))
            for source, amount in (("capital", capital), ("grant", cost - capital)):
                self.writer.add(
                    ProposalFunding.__table__,
                    {
                        "proposal_id": proposal["id"],
                        "source": source,
                        "amount": amount,
                        "is_confirmed": rnd.random() < 0.5,
                    },
                )
            if step in {"draft", "submitted"}:
                continue
            for scorer in pmo[: 2 + (k % 2)]:
                for criterion_id, scale_max in criteria:
                    self.writer.add(
                        ProposalScore.__table__,
                        {
                            "proposal_id": proposal["id"],
                            "criterion_id": criterion_id,
                            "scorer_id": scorer,
                            "score": rnd.randint(1, scale_max),
                            "reason": "From the mandate and the partners' plans.",
                            "scored_at": created + timedelta(days=5),
                        },
                    )
            if status in {"deferred", "rejected", "approved"}:
                self.writer.add(
                    ProposalDecision.__table__,
                    {
                        "proposal_id": proposal["id"],
                        "sequence": 1,
                        "decision": {"deferred": "defer", "rejected": "reject"}.get(
                            status, "approve"
                        ),
                        "reason": "" if status == "approved" else "The board's reason.",
                        "defer_until": proposal["deferred_until"],
                        "decided_by_id": board[k % len(board)],
                        "decided_at": created + timedelta(days=10),
                    },
                )

    def _method(self, plan: Plan, at: datetime) -> None:
        tier = size_tier(plan.bac, self.tier_small, self.tier_large)
        assessed = self._assessment(plan.profile, tier)
        answers, result = assessed["answers"], assessed["result"]
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
        decisions = [(plan.method, None, at + timedelta(days=3))]
        if plan.switched_from:
            # Started on the first method; switched a third of the way through its time.
            elapsed = (min(self.today, plan.finish) - plan.start).days
            switched_on = plan.start + timedelta(days=max(1, elapsed // 3))
            decisions = [
                (plan.switched_from, None, at + timedelta(days=3)),
                (plan.method, plan.switched_from, _at(switched_on, 11)),
            ]
        for sequence, (method, previous, decided_at) in enumerate(decisions, 1):
            follows = result["method"] == method
            decision = self.writer.add(
                MethodDecision.__table__,
                {
                    "project_id": plan.id,
                    "sequence": sequence,
                    "decided_by_id": plan.manager,
                    "decided_at": decided_at,
                    "method": method,
                    "previous_method": previous,
                    "rationale": "" if follows else "The board chose the method it knows.",
                    "assessment_id": assessment["id"],
                    "recommended_method": result["method"],
                    "follows_recommendation": follows,
                    "risk_id": None,
                },
            )
            driver = "project_needs" if follows else self.evidence_random.choice(DEPARTURE_DRIVERS)
            self.writer.add(
                MethodDecisionDriver.__table__, {"decision_id": decision["id"], "driver": driver}
            )

    def _benefits(self, plan: Plan, created: datetime) -> None:
        """About four benefits a project (one cashable, in pounds) measured monthly from the
        start, with their stored facts; a closed project's benefits are reviewed six months
        after it finished, on the date its end-project report would have set."""
        rnd, add = self.benefit_random, self.writer.add
        closed = plan.status in (ProjectStatus.CLOSED, ProjectStatus.CLOSED_EARLY)
        review_on = plan.finish + timedelta(days=182)
        if closed:
            add(
                ReviewDate.__table__,
                {
                    "project_id": plan.id,
                    "due_on": review_on,
                    "report_id": None,
                    "created_at": created,
                },
            )
        people = [plan.board["executive"], plan.manager, *plan.team]
        for number, (title, category, measure, unit, baseline, target) in enumerate(
            BENEFITS[: 3 + plan.id % 3]
        ):
            scale = Decimal(max(1, int(plan.bac / 100_000))) if category == "cashable" else 1
            base, goal = Decimal(baseline) * scale, Decimal(target) * scale
            start, due = plan.start, plan.finish + timedelta(days=365)
            pace = Decimal(str(round(rnd.uniform(0.6, 1.15), 2)))  # some fall behind
            rows, latest = [], None
            on = start + timedelta(days=30)
            while on < min(self.today, due) and len(rows) < 24:
                expected = benefit_rules.expected(
                    on,
                    baseline=benefit_rules.Point(start, base),
                    target=benefit_rules.Point(due, goal),
                )
                value = (base + (expected - base) * pace).quantize(Decimal("0.01"))
                share = benefit_rules.shortfall_share(
                    "benefit", baseline=base, target=goal, expected_value=expected, actual=value
                )
                off = benefit_rules.is_off_track(share, benefit_rules.DEFAULT_TOLERANCE_PERCENT)
                rows.append((on, value, expected.quantize(Decimal("0.0001")), off))
                latest = rows[-1]
                on += timedelta(days=30)
            outcome = None
            if closed and review_on <= self.today and latest is not None:
                reached = benefit_rules.realised_amount(
                    "benefit", baseline=base, target=goal, latest=latest[1]
                ) / abs(goal - base)
                outcome = (
                    "realised"
                    if reached >= Decimal("0.9")
                    else "partly"
                    if reached >= Decimal("0.4")
                    else "not_realised"
                )
            benefit = add(
                Benefit.__table__,
                {
                    "project_id": plan.id,
                    "title": title,
                    "description": "",
                    "kind": "benefit",
                    "category": category,
                    "organisation_id": None,
                    "owner_id": people[number % len(people)],
                    "owner_name": "",
                    "owner_email": "",
                    "measure": measure,
                    "unit": unit,
                    "baseline_value": base,
                    "baseline_on": start,
                    "target_value": goal,
                    "target_on": due,
                    "trajectory": "linear",
                    "latest_value": latest[1] if latest else None,
                    "latest_on": latest[0] if latest else None,
                    "off_track": bool(latest and latest[3]),
                    "review_outcome": outcome,
                    "created_at": created,
                    "updated_at": created,
                    "version": 1,
                },
            )
            for on, value, expected, off in rows:
                add(
                    Measurement.__table__,
                    {
                        "benefit_id": benefit["id"],
                        "measured_on": on,
                        "value": value,
                        "expected_value": expected,
                        "off_track": off,
                        "note": "",
                        "recorded_by_id": benefit["owner_id"],
                        "recorded_at": _at(on),
                    },
                )
            if outcome is not None:
                add(
                    BenefitReview.__table__,
                    {
                        "benefit_id": benefit["id"],
                        "due_on": review_on,
                        "outcome": outcome,
                        "evidence": "Measured figures since the baseline; finance ledger.",
                        "reviewed_by_id": benefit["owner_id"],
                        "reviewed_at": _at(review_on),
                    },
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
        issues = []
        for number, (kind, title) in enumerate(ISSUE_TITLES):
            at = created + timedelta(days=10 + number * 7)
            closed = number == 4
            issue = add(
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
            issues.append(issue)
        self._raid(plan, created, issues[0])

    def _raid(self, plan: Plan, created: datetime, change_issue: dict) -> None:
        """Assumptions, a dependency on the project generated before (so never a loop) or on
        an outside party, a change request from the request for change, and two lessons.
        Drawn from the project's number, not the random generators: nothing else moves."""
        add = self.writer.add
        for number, statement in enumerate(ASSUMPTIONS):
            add(
                Assumption.__table__,
                {
                    "project_id": plan.id,
                    "statement": statement,
                    "owner_id": plan.manager,
                    "confirm_by": plan.start + timedelta(days=60 + 30 * number),
                    "status": "confirmed" if number == 1 and plan.id % 2 else "open",
                    "created_at": created,
                    "version": 1,
                },
            )
        previous, self.previous_plan_id = self.previous_plan_id, plan.id
        on_project = previous if previous is not None and plan.id % 3 else None
        add(
            Dependency.__table__,
            {
                "project_id": plan.id,
                "kind": "project" if on_project else "external",
                "on_project_id": on_project,
                "external_party": "" if on_project else "National Highways",
                "what": "The shared address gazetteer" if on_project else "Street works permit",
                "needed_by": plan.start + timedelta(days=120),
                "raised_by_id": plan.manager,
                "created_at": created,
                "acknowledged_by_id": None,
                "acknowledged_at": None,
                "version": 1,
            },
        )
        decided = plan.id % 2 == 0
        add(
            ChangeRequest.__table__,
            {
                "project_id": plan.id,
                "issue_id": change_issue["id"],
                "stage_id": None,
                "title": change_issue["title"],
                "time_impact_days": 10,
                "cost_impact": Decimal("4500.00"),
                **{f"{t}_impact": "None" for t in ("quality", "risk", "sustainability")},
                "scope_impact": "Adds bilingual forms",
                "benefit_impact": "Reaches Welsh-speaking residents",
                "authority": "board",
                "authority_reason": "No change budget is delegated: the board decides",
                "status": "approved" if decided else "submitted",
                "requested_by_id": plan.manager,
                "requested_at": change_issue["created_at"],
                "decided_by_id": plan.board["executive"] if decided else None,
                "decided_at": change_issue["created_at"] + timedelta(days=7) if decided else None,
                "decision_comment": "",
                "debited": Decimal("0.00"),
                "new_finish": None,
                "version": 1,
            },
        )
        key = (plan.method, size_tier(plan.bac, self.tier_small, self.tier_large))
        zone = self.results[key]["result"]["zone"] if key in self.results else None
        for number, (title, happened, advice, verdict, category) in enumerate(LESSONS):
            shared = plan.method is not None and number == 0
            add(
                Lesson.__table__,
                {
                    "project_id": plan.id,
                    "title": title,
                    "what_happened": happened,
                    "recommendation": advice,
                    "verdict": verdict,
                    "category": category,
                    "method": plan.method,
                    "zone": zone,
                    "raised_by_id": plan.manager,
                    "raised_at": created + timedelta(days=30 + number),
                    "in_library": shared,
                    "curated_by_id": None,
                    "curated_at": None,
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
        self._business_case(plan, gate, boundary, requested)
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

    def _business_case(self, plan, gate: dict, boundary: int, requested: datetime) -> None:
        """The business case version frozen for each gate: a SOC at the start gate, an OBC
        at the first boundary, an FBC after; two options over three years, one funding
        source (as the services would have written and frozen it)."""
        number = self.case_numbers.get(plan.id, 0) + 1
        self.case_numbers[plan.id] = number
        kind = ("soc", "obc")[boundary] if boundary < 2 else "fbc"
        budget = _money(plan.bac)
        version = self.writer.add(
            BusinessCaseVersion.__table__,
            {
                "project_id": plan.id,
                "number": number,
                "kind": kind,
                "status": "frozen",
                "strategic": "The case for change, as the board read it at this gate.",
                "economic": "Two options appraised over three years.",
                "commercial": "",
                "financial": "",
                "management": "",
                "discount_rate": Decimal("0.0350"),
                "preferred_option": 2,
                "created_at": requested - timedelta(days=30),
                "created_by_id": plan.manager,
                "frozen_at": requested,
                "frozen_by_id": plan.manager,
                "gate_review_id": gate["id"],
                "manager_justified": True,
                "version": 1,
            },
        )
        for option_number, (name, share) in enumerate(
            (("Do minimum", Decimal("0.2")), ("Preferred way", Decimal("1"))), start=1
        ):
            option = self.writer.add(
                CaseOption.__table__,
                {
                    "case_version_id": version["id"],
                    "number": option_number,
                    "name": name,
                    "description": "",
                },
            )
            for year in range(3):
                self.writer.add(
                    CaseFlow.__table__,
                    {
                        "option_id": option["id"],
                        "year": year,
                        "cost": _money(budget * share / 3),
                        "benefit": _money(budget * share * Decimal("0.6") * year),
                    },
                )
        self.writer.add(
            CaseFunding.__table__,
            {
                "case_version_id": version["id"],
                "source": "capital",
                "amount": budget,
                "confirmed": kind == "fbc",
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
        performance = Decimal(str(round(self.random.uniform(0.8, 1.05) * plan.fit, 3)))
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
                        # A method that fits its zone badly leaves work undone at the
                        # stage's planned end (FIT below 1).
                        percent = Decimal(100) * Decimal(str(min(1.0, plan.fit)))
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
    generator.proposals(plans, orgs)
    programmes_demo.generate_national(generator.writer, plans, orgs, generator.today)
    generator.writer.finish()
    # The rows went in by bulk Core inserts, past the ORM hooks: derive what is stored.
    from tracker.portfolio import summary

    ids = [plan.id for plan in plans]
    summary.backfill_finished_on(ids)
    summary.refresh(ids)
    return dict(generator.writer.counts)
