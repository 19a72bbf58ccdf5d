"""Read models for timesheets, My work, a project's time log and exports: set-based, with a
fixed number of statements per page whatever the amount of time logged."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import Select, and_, case, distinct, func, literal, or_, select

from tracker.agile.models import BacklogItem, Iteration
from tracker.agile.rules import IterationStatus
from tracker.auth.models import User
from tracker.extensions import db
from tracker.projects.models import Project, ProjectMembership
from tracker.stages.models import Stage
from tracker.stages.services import BOOKABLE_STATUSES, CLOSED_PROJECT_STATUSES
from tracker.worklog import rules
from tracker.worklog.models import TimeEntry, TimesheetWeek
from tracker.worklog.rules import WeekStatus
from tracker.worklog.services import LineKey, _cost_by_rate, rate_in_force

ZERO = Decimal(0)


def _dec(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def _stage_label(sequence, name) -> str | None:
    return f"Stage {sequence}: {name}" if sequence is not None else None


# --------------------------------------------------------------------------------------
# The weekly grid
# --------------------------------------------------------------------------------------


@dataclass
class GridLine:
    key: LineKey
    label: str
    project_code: str
    cells: list[Decimal | None] = field(default_factory=lambda: [None] * 7)
    counts: list[int] = field(default_factory=lambda: [0] * 7)

    @property
    def total(self) -> Decimal:
        return sum((c for c in self.cells if c is not None), ZERO)


def line_label(code, stage_seq, stage_name, iteration_name, item_title) -> str:
    parts = [code]
    if stage_seq is not None:
        parts.append(_stage_label(stage_seq, stage_name))
    if iteration_name:
        parts.append(iteration_name)
    if item_title:
        parts.append(item_title)
    return " – ".join(parts)


def _entry_columns():
    return (
        select(
            TimeEntry,
            Project.code,
            Project.name,
            Stage.sequence,
            Stage.name,
            Iteration.name,
            BacklogItem.title,
        )
        .join(Project, Project.id == TimeEntry.project_id)
        .outerjoin(Stage, Stage.id == TimeEntry.stage_id)
        .outerjoin(Iteration, Iteration.id == TimeEntry.iteration_id)
        .outerjoin(BacklogItem, BacklogItem.id == TimeEntry.backlog_item_id)
    )


@dataclass
class WeekView:
    start: date
    week: TimesheetWeek | None
    lines: list[GridLine]
    entries: list  # rows of (entry, code, name, stage seq, stage name, iteration, item)

    @property
    def days(self) -> list[date]:
        return rules.week_days(self.start)

    @property
    def status(self) -> str:
        return self.week.status if self.week else WeekStatus.OPEN

    @property
    def version(self) -> int:
        return self.week.version if self.week else 0

    @property
    def day_totals(self) -> list[Decimal]:
        return [sum((line.cells[i] or ZERO for line in self.lines), ZERO) for i in range(7)]

    @property
    def total(self) -> Decimal:
        return sum(self.day_totals, ZERO)


def week_view(person_id: int, start: date, *, only_projects: Select | None = None) -> WeekView:
    """A person's week: one line per project/stage/iteration/item, hours per day (2 queries).

    ``only_projects`` (a select of project ids) keeps only those projects' rows: what a
    manager reading someone else's week may see (see ``readable_projects``).
    """
    week = db.session.scalars(
        select(TimesheetWeek).where(
            TimesheetWeek.person_id == person_id, TimesheetWeek.week_start == start
        )
    ).first()
    statement = _entry_columns().where(
        TimeEntry.person_id == person_id,
        TimeEntry.work_date >= start,
        TimeEntry.work_date < start + timedelta(days=7),
    )
    if only_projects is not None:
        statement = statement.where(TimeEntry.project_id.in_(only_projects))
    rows = list(
        db.session.execute(
            statement.order_by(
                Project.code, Stage.sequence, Iteration.name, TimeEntry.work_date, TimeEntry.id
            )
        )
    )
    lines: dict[LineKey, GridLine] = {}
    for entry, code, _name, seq, stage_name, iteration_name, item_title in rows:
        key = (entry.project_id, entry.stage_id, entry.iteration_id, entry.backlog_item_id)
        line = lines.get(key)
        if line is None:
            label = line_label(code, seq, stage_name, iteration_name, item_title)
            line = lines[key] = GridLine(key, label, code)
        offset = (entry.work_date - start).days
        line.cells[offset] = (line.cells[offset] or ZERO) + entry.hours
        line.counts[offset] += 1
    return WeekView(start, week, list(lines.values()), rows)


def readable_projects(reader, person_id: int) -> Select | None:
    """Whose rows of ``person_id``'s timesheet ``reader`` may see: all of them (None) for
    the person, PMO and administrators; otherwise only the projects ``reader`` manages, so
    a manager never learns what else a team member works on."""
    if reader.id == person_id or reader.is_pmo:
        return None
    return select(ProjectMembership.project_id).where(
        ProjectMembership.user_id == reader.id, ProjectMembership.role == "project_manager"
    )


def week_lines(person_id: int, start: date) -> list[tuple[LineKey, str]]:
    """The distinct lines a person logged in a week (for copying them to the next)."""
    return [(line.key, line.label) for line in week_view(person_id, start).lines]


def line_options(person_id: int) -> list[tuple[LineKey, str]]:
    """Lines a person may add to their timesheet: each open project they are on, and its
    bookable stages and open iterations (three queries)."""
    projects = list(
        db.session.execute(
            select(Project.id, Project.code, Project.name)
            .where(
                Project.status.not_in(CLOSED_PROJECT_STATUSES),
                # From the person's memberships (indexed by person), not a scan of projects.
                Project.id.in_(
                    select(ProjectMembership.project_id).where(
                        ProjectMembership.user_id == person_id
                    )
                ),
            )
            .order_by(Project.code)
        )
    )
    ids = [row.id for row in projects]
    stages: dict[int, list] = defaultdict(list)
    iterations: dict[int, list] = defaultdict(list)
    if ids:
        for row in db.session.execute(
            select(Stage.project_id, Stage.id, Stage.sequence, Stage.name)
            .where(Stage.project_id.in_(ids), Stage.status.in_(BOOKABLE_STATUSES))
            .order_by(Stage.sequence)
        ):
            stages[row.project_id].append(row)
        for row in db.session.execute(
            select(Iteration.project_id, Iteration.id, Iteration.name)
            .where(Iteration.project_id.in_(ids), Iteration.status != IterationStatus.CLOSED)
            .order_by(Iteration.start_on)
        ):
            iterations[row.project_id].append(row)
    options: list[tuple[LineKey, str]] = []
    for project in projects:
        options.append(((project.id, None, None, None), f"{project.code} {project.name}"))
        for stage in stages[project.id]:
            options.append(
                (
                    (project.id, stage.id, None, None),
                    f"{project.code} – {_stage_label(stage.sequence, stage.name)}",
                )
            )
        for iteration in iterations[project.id]:
            options.append(
                ((project.id, None, iteration.id, None), f"{project.code} – {iteration.name}")
            )
    return options


# --------------------------------------------------------------------------------------
# My work
# --------------------------------------------------------------------------------------


def weeks_to_submit(user_id: int, before: date) -> list[TimesheetWeek]:
    """Past weeks (starting before ``before``) in which this person logged time and that
    they have not submitted (one query)."""
    return list(
        db.session.scalars(
            select(TimesheetWeek)
            .where(
                TimesheetWeek.person_id == user_id,
                TimesheetWeek.status == WeekStatus.OPEN,
                TimesheetWeek.week_start < before,
                select(TimeEntry.id).where(TimeEntry.week_id == TimesheetWeek.id).exists(),
            )
            .order_by(TimesheetWeek.week_start)
        )
    )


def submitted_weeks_to_review(user, limit: int = 20) -> list:
    """Submitted weeks with time on projects this person manages (one query)."""
    managed = select(ProjectMembership.project_id).where(
        ProjectMembership.user_id == user.id, ProjectMembership.role == "project_manager"
    )
    return list(
        db.session.execute(
            select(TimesheetWeek, User.name, func.sum(TimeEntry.hours))
            .join(User, User.id == TimesheetWeek.person_id)
            .join(TimeEntry, TimeEntry.week_id == TimesheetWeek.id)
            .where(TimesheetWeek.status == WeekStatus.SUBMITTED, TimeEntry.project_id.in_(managed))
            .group_by(TimesheetWeek.id, User.name)
            .order_by(TimesheetWeek.week_start.desc(), User.name)
            .limit(limit)
        )
    )


# --------------------------------------------------------------------------------------
# A project's time log
# --------------------------------------------------------------------------------------


@dataclass
class LogRow:
    label: str
    hours: Decimal
    cost: Decimal
    unpriced: Decimal

    @property
    def sort_key(self) -> str:
        return self.label


@dataclass
class ProjectLog:
    by_person: list[LogRow]
    by_stage: list[LogRow]
    by_iteration: list[LogRow]
    total_hours: Decimal
    total_cost: Decimal
    unpriced: Decimal
    weeks: list  # (week, person name, hours on this project)


def _grouped(project_id: int, start: date | None, end: date | None, columns, join, label):
    """Hours and cost per group of ``columns`` (one statement: the rate per entry, then
    grouped by group and rate so the cost is exact). ``label`` names a group."""
    conditions = [TimeEntry.project_id == project_id]
    if start:
        conditions.append(TimeEntry.work_date >= start)
    if end:
        conditions.append(TimeEntry.work_date <= end)
    inner = select(
        *[column.label(f"g{i}") for i, column in enumerate(columns)],
        TimeEntry.hours.label("hours"),
        rate_in_force().label("rate"),
    ).where(*conditions)
    inner = inner.outerjoin(*join)
    sub = inner.subquery()
    group = [sub.c[f"g{i}"] for i in range(len(columns))]
    totals: dict = defaultdict(lambda: [ZERO, ZERO, ZERO])
    for *keys, rate, hours in db.session.execute(
        select(*group, sub.c.rate, func.sum(sub.c.hours)).group_by(*group, sub.c.rate)
    ):
        hours = _dec(hours)
        entry = totals[tuple(keys)]
        entry[0] += hours
        if rate is None:
            entry[2] += hours
        else:
            entry[1] += rules.cost(hours, _dec(rate))
    rows = [LogRow(label(*keys), *values) for keys, values in totals.items()]
    # Named groups first, in order; the "none" group last.
    return sorted(rows, key=lambda row: (row.label.startswith("No "), row.sort_key))


def project_log(project: Project, start: date | None = None, end: date | None = None) -> ProjectLog:
    """Hours and labour cost by person, by stage and by iteration, with totals (three
    queries, plus one for the submitted weeks)."""
    by_person = _grouped(
        project.id,
        start,
        end,
        [User.name, User.id],
        (User, User.id == TimeEntry.person_id),
        lambda name, _id: name,
    )
    by_stage = _grouped(
        project.id,
        start,
        end,
        [Stage.sequence, Stage.name],
        (Stage, Stage.id == TimeEntry.stage_id),
        lambda seq, name: _stage_label(seq, name) or "No stage",
    )
    by_iteration = _grouped(
        project.id,
        start,
        end,
        [Iteration.start_on, Iteration.name],
        (Iteration, Iteration.id == TimeEntry.iteration_id),
        lambda _start, name: name or "No iteration",
    )
    for rows in (by_stage, by_iteration):
        if all(row.label.startswith("No ") for row in rows):
            rows.clear()  # nothing logged against stages (or iterations): no table
    total_hours = sum((row.hours for row in by_person), ZERO)
    total_cost = sum((row.cost for row in by_person), ZERO)
    unpriced = sum((row.unpriced for row in by_person), ZERO)
    weeks = list(
        db.session.execute(
            select(TimesheetWeek, User.name, func.sum(TimeEntry.hours))
            .join(User, User.id == TimesheetWeek.person_id)
            .join(TimeEntry, TimeEntry.week_id == TimesheetWeek.id)
            .where(TimeEntry.project_id == project.id, TimesheetWeek.status == WeekStatus.SUBMITTED)
            .group_by(TimesheetWeek.id, User.name)
            .order_by(TimesheetWeek.week_start.desc(), User.name)
            .limit(50)
        )
    )
    return ProjectLog(by_person, by_stage, by_iteration, total_hours, total_cost, unpriced, weeks)


@dataclass(frozen=True)
class ProjectTime:
    hours: Decimal
    last_week_hours: Decimal
    people: int


def project_time(project_id: int, today: date) -> ProjectTime:
    """The project page's time section: one query."""
    last_week = rules.week_start(today) - timedelta(days=7)
    in_last_week = and_(
        TimeEntry.work_date >= last_week, TimeEntry.work_date < last_week + timedelta(days=7)
    )
    row = db.session.execute(
        select(
            func.coalesce(func.sum(TimeEntry.hours), 0),
            func.coalesce(func.sum(case((in_last_week, TimeEntry.hours), else_=0)), 0),
            func.count(distinct(TimeEntry.person_id)),
        ).where(TimeEntry.project_id == project_id)
    ).one()
    return ProjectTime(_dec(row[0]), _dec(row[1]), int(row[2]))


def labour_cost_total(project_id: int) -> tuple[Decimal, Decimal]:
    sub = (
        select(rate_in_force().label("rate"), TimeEntry.hours.label("hours"))
        .where(TimeEntry.project_id == project_id)
        .subquery()
    )
    return _cost_by_rate(select(sub.c.rate, func.sum(sub.c.hours)).group_by(sub.c.rate))


# --------------------------------------------------------------------------------------
# Exports
# --------------------------------------------------------------------------------------


def visible_entries(user):
    """Time a person may see: their own; all of a project they manage; everything for PMO."""
    if user.is_pmo:
        return literal(True)
    managed = select(ProjectMembership.project_id).where(
        ProjectMembership.user_id == user.id, ProjectMembership.role == "project_manager"
    )
    return or_(TimeEntry.person_id == user.id, TimeEntry.project_id.in_(managed))


def export_rows(
    user,
    *,
    project_id: int | None = None,
    person_id: int | None = None,
    start: date | None = None,
    end: date | None = None,
    limit: int = 100_000,
):
    """Time entries for an export, oldest first, with names resolved (one query)."""
    statement = (
        select(
            TimeEntry.work_date,
            User.name,
            User.email,
            Project.code,
            Project.name,
            Stage.sequence,
            Stage.name,
            Iteration.name,
            BacklogItem.title,
            TimeEntry.hours,
            TimeEntry.note,
            func.coalesce(TimesheetWeek.status, WeekStatus.OPEN.value),
        )
        .join(User, User.id == TimeEntry.person_id)
        .join(Project, Project.id == TimeEntry.project_id)
        .join(TimesheetWeek, TimesheetWeek.id == TimeEntry.week_id)
        .outerjoin(Stage, Stage.id == TimeEntry.stage_id)
        .outerjoin(Iteration, Iteration.id == TimeEntry.iteration_id)
        .outerjoin(BacklogItem, BacklogItem.id == TimeEntry.backlog_item_id)
        .where(visible_entries(user))
        .order_by(TimeEntry.work_date, User.name, Project.code, TimeEntry.id)
        .limit(limit)
    )
    if project_id:
        statement = statement.where(TimeEntry.project_id == project_id)
    if person_id:
        statement = statement.where(TimeEntry.person_id == person_id)
    if start:
        statement = statement.where(TimeEntry.work_date >= start)
    if end:
        statement = statement.where(TimeEntry.work_date <= end)
    return db.session.execute(statement)


def entries_for(
    user,
    *,
    project_id: int | None = None,
    person_id: int | None = None,
    start: date | None = None,
    end: date | None = None,
):
    """Time entries ``user`` may see, newest first, optionally narrowed (a statement to
    paginate)."""
    statement = select(TimeEntry).where(visible_entries(user))
    if project_id:
        statement = statement.where(TimeEntry.project_id == project_id)
    if person_id:
        statement = statement.where(TimeEntry.person_id == person_id)
    if start:
        statement = statement.where(TimeEntry.work_date >= start)
    if end:
        statement = statement.where(TimeEntry.work_date <= end)
    return statement.order_by(TimeEntry.work_date.desc(), TimeEntry.id.desc())
