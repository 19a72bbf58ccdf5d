"""Operations on logged time and rates: each checks the rules, writes its audit entry and
flushes; the caller commits.

Every change to a person's time takes the row lock of that person's week first
(``lock_week``), so two saves at once are serialised and the 24-hours-a-day rule and the
submitted-week lock are checked against what is really there.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import delete, func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError, InvalidRequestError
from sqlalchemy.orm.exc import StaleDataError

from tracker.agile.models import BacklogItem, Iteration
from tracker.agile.rules import IterationStatus
from tracker.audit import services as audit
from tracker.audit.rules import diff
from tracker.auth.models import User
from tracker.core.dates import uk_today as today
from tracker.core.errors import RuleError, StaleEdit, check_version
from tracker.db import utcnow
from tracker.extensions import db
from tracker.projects.access import can_manage, team
from tracker.projects.models import Project
from tracker.projects.rules import PROJECT_ROLES
from tracker.stages.models import Stage
from tracker.stages.services import CLOSED_PROJECT_STATUSES, check_booking
from tracker.worklog import rules
from tracker.worklog.access import can_unlock
from tracker.worklog.models import HourlyRate, TimeEntry, TimesheetWeek
from tracker.worklog.rules import WeekStatus

# --------------------------------------------------------------------------------------
# Who may log what
# --------------------------------------------------------------------------------------


def roles_on(person_id: int, project_id: int) -> set[str]:
    return set(team(project_id).roles_of(person_id))


def can_log_for(actor: User, person: User, project: Project) -> bool:
    """People log their own time; the project's manager (or PMO, or an admin) may log and
    correct it on someone's behalf."""
    return actor.id == person.id or can_manage(actor, project)


def is_project_manager(user: User, project_id: int) -> bool:
    return "project_manager" in roles_on(user.id, project_id)


# --------------------------------------------------------------------------------------
# Weeks
# --------------------------------------------------------------------------------------


def find_week(person_id: int, start: date) -> TimesheetWeek | None:
    return db.session.scalars(
        select(TimesheetWeek).where(
            TimesheetWeek.person_id == person_id, TimesheetWeek.week_start == start
        )
    ).first()


def lock_week(person_id: int, day: date) -> tuple[TimesheetWeek, bool]:
    """The person's week holding ``day``, created if missing, under a row lock held to the
    end of the transaction. Returns (week, created)."""
    start = rules.week_start(day)
    table = TimesheetWeek.__table__
    dialect = db.session.get_bind().dialect.name
    values = {
        "person_id": person_id,
        "week_start": start,
        "status": WeekStatus.OPEN,
        "version": 1,
        "updated_at": utcnow(),
    }
    if dialect == "postgresql":
        statement = pg_insert(table).values(**values).on_conflict_do_nothing()
    elif dialect == "sqlite":
        statement = sqlite_insert(table).values(**values).on_conflict_do_nothing()
    else:  # pragma: no cover - the app runs on SQLite and PostgreSQL only
        statement = table.insert().values(**values)
    # RETURNING says whether this call inserted the row (rowcount is not reliable here).
    created = db.session.execute(statement.returning(table.c.id)).first() is not None
    week = db.session.scalars(
        select(TimesheetWeek)
        .where(TimesheetWeek.person_id == person_id, TimesheetWeek.week_start == start)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    return week, created


def _require_open(week: TimesheetWeek, field: str | None = None) -> None:
    if week.status == WeekStatus.SUBMITTED:
        raise RuleError(
            f"The week starting {_day(week.week_start)} is submitted and locked: ask the "
            "project manager to unlock it before changing its time.",
            field,
        )


def _touch(week: TimesheetWeek) -> None:
    """Any change to the week's time bumps its version, so an open timesheet goes stale."""
    week.updated_at = utcnow()


def _day(day: date) -> str:
    return f"{rules.DAY_NAMES[day.weekday()]} {day.day} {day:%B %Y}"


def _day_totals(person_id: int, days: list[date], exclude_ids=()) -> dict[date, Decimal]:
    statement = (
        select(TimeEntry.work_date, func.sum(TimeEntry.hours))
        .where(TimeEntry.person_id == person_id, TimeEntry.work_date.in_(days))
        .group_by(TimeEntry.work_date)
    )
    if exclude_ids:
        statement = statement.where(TimeEntry.id.not_in(list(exclude_ids)))
    return {
        day: Decimal(str(total)).quantize(Decimal("0.01"))
        for day, total in db.session.execute(statement)
    }


def _check_day_limit(person_id: int, adding: dict[date, Decimal], exclude_ids=(), field=None):
    existing = _day_totals(person_id, list(adding), exclude_ids)
    for day in rules.over_limit(existing, adding):
        total = existing.get(day, Decimal(0)) + adding[day]
        raise RuleError(rules.day_over_message(day, total), field)


# --------------------------------------------------------------------------------------
# What time may be logged against
# --------------------------------------------------------------------------------------


@dataclass
class Target:
    project: Project
    stage: Stage | None = None
    iteration: Iteration | None = None
    item: BacklogItem | None = None


def check_target(
    project: Project | None,
    stage_id: int | None = None,
    iteration_id: int | None = None,
    item_id: int | None = None,
) -> Target:
    """Refuse a closed project, a stage its gate has not authorised (or that has closed), a
    closed iteration, and anything that belongs to another project, saying why."""
    if project is None:
        raise RuleError("Choose a project from the list", "project_id")
    if project.status in CLOSED_PROJECT_STATUSES:
        raise RuleError(
            f"{project.code} is closed: time can no longer be logged against it.", "project_id"
        )
    target = Target(project)
    if stage_id is not None:
        stage = db.session.get(Stage, stage_id)
        if stage is None or stage.project_id != project.id:
            raise RuleError(f"Choose a stage of {project.code}", "stage_id")
        check_booking(stage)
        target.stage = stage
    if iteration_id is not None:
        iteration = db.session.get(Iteration, iteration_id)
        if iteration is None or iteration.project_id != project.id:
            raise RuleError(f"Choose an iteration of {project.code}", "iteration_id")
        if iteration.status == IterationStatus.CLOSED:
            raise RuleError(
                f"{iteration.name} is closed: time can no longer be logged against it. "
                "Log it against the current iteration.",
                "iteration_id",
            )
        target.iteration = iteration
    if item_id is not None:
        item = db.session.get(BacklogItem, item_id)
        if item is None or item.project_id != project.id:
            raise RuleError(f"Choose a backlog item of {project.code}", "backlog_item_id")
        if iteration_id is not None and item.iteration_id not in (None, iteration_id):
            raise RuleError(
                "That backlog item belongs to another iteration: choose its iteration or none",
                "backlog_item_id",
            )
        target.item = item
    return target


def _role_for(actor: User, person: User, project: Project) -> str:
    role = rules.primary_role(roles_on(person.id, project.id))
    if role is None:
        raise RuleError(
            f"{person.name} is not on the {project.code} team: add them to the project before "
            "logging their time.",
            "person_id",
        )
    if not can_log_for(actor, person, project):
        raise RuleError(
            f"Only {project.code}'s project manager can log time on behalf of {person.name}.",
            "person_id",
        )
    return role


def check_started(project: Project, day: date, field: str = "work_date") -> None:
    """Refuse time before the project's start date, naming the project's dates."""
    message = rules.before_start_message(
        project.code, project.planned_start, project.planned_finish, day
    )
    if message:
        raise RuleError(message, field)


def _check_day(day: date | None, field: str = "work_date") -> date:
    if day is None:
        raise RuleError("Enter the date the work was done", field)
    if day > today():
        raise RuleError("Time can be logged only for today or earlier days", field)
    return day


# --------------------------------------------------------------------------------------
# Single entries
# --------------------------------------------------------------------------------------


@dataclass
class EntryData:
    person_id: int
    project_id: int
    work_date: date
    hours: Decimal
    stage_id: int | None = None
    iteration_id: int | None = None
    backlog_item_id: int | None = None
    note: str = ""


def _snapshot(entry: TimeEntry) -> dict:
    return {
        "person": entry.person_id,
        "project": entry.project_id,
        "stage": entry.stage_id,
        "iteration": entry.iteration_id,
        "backlog_item": entry.backlog_item_id,
        "date": entry.work_date,
        "hours": entry.hours,
        "note": entry.note,
    }


def _check_hours(hours: Decimal | None) -> Decimal:
    if hours is None:
        raise RuleError("Enter the hours worked", "hours")
    if hours <= 0:
        raise RuleError("Hours must be more than 0", "hours")
    if hours > rules.DAY_LIMIT:
        raise RuleError("Hours must be 24 or fewer", "hours")
    return hours.quantize(Decimal("0.01"))


def add_entry(data: EntryData, *, actor: User) -> TimeEntry:
    person = db.session.get(User, data.person_id)
    if person is None or not person.is_active_user:
        raise RuleError("Choose an active person", "person_id")
    project = db.session.get(Project, data.project_id)
    target = check_target(project, data.stage_id, data.iteration_id, data.backlog_item_id)
    role = _role_for(actor, person, target.project)
    day = _check_day(data.work_date)
    check_started(target.project, day)
    hours = _check_hours(data.hours)
    week, _ = lock_week(person.id, day)
    _require_open(week, "work_date")
    _check_day_limit(person.id, {day: hours}, field="hours")
    entry = TimeEntry(
        person_id=person.id,
        week_id=week.id,
        project_id=target.project.id,
        stage_id=data.stage_id,
        iteration_id=data.iteration_id,
        backlog_item_id=data.backlog_item_id,
        work_date=day,
        hours=hours,
        role=role,
        note=(data.note or "").strip(),
        created_by_id=actor.id,
    )
    db.session.add(entry)
    _touch(week)
    db.session.flush()
    audit.record(
        "time.logged",
        entry,
        project_id=target.project.id,
        summary=f"Logged {rules.format_hours(hours)} hours for {person.name} on {_day(day)}",
        changes={key: [None, value] for key, value in _snapshot(entry).items()},
        actor=actor,
    )
    return entry


def _reread(entry: TimeEntry, version: int | None) -> None:
    """Re-read an entry under its week's lock: another save may have changed or removed it."""
    try:
        db.session.refresh(entry)
    except InvalidRequestError:
        raise StaleEdit() from None
    check_version(entry, version)


def update_entry(entry: TimeEntry, data: EntryData, *, version: int | None, actor: User):
    """Change an entry; moving it to another day moves it to that day's week (both locked,
    earlier week first, so two such moves cannot deadlock)."""
    check_version(entry, version)
    person = db.session.get(User, entry.person_id)
    old_project = db.session.get(Project, entry.project_id)
    if not can_log_for(actor, person, old_project):
        raise RuleError("You can change only your own time")
    check_target(old_project)
    project = db.session.get(Project, data.project_id)
    target = check_target(project, data.stage_id, data.iteration_id, data.backlog_item_id)
    role = _role_for(actor, person, target.project)
    day = _check_day(data.work_date)
    check_started(target.project, day)
    hours = _check_hours(data.hours)
    for start in sorted({rules.week_start(entry.work_date), rules.week_start(day)}):
        week, _ = lock_week(person.id, start)
        _require_open(week, "work_date")
        _touch(week)
    _reread(entry, version)
    old_week = db.session.get(TimesheetWeek, entry.week_id)
    _require_open(old_week, "work_date")
    _check_day_limit(person.id, {day: hours}, exclude_ids=[entry.id], field="hours")
    before = _snapshot(entry)
    new_week, _ = lock_week(person.id, day)
    entry.week_id = new_week.id
    entry.project_id = target.project.id
    entry.stage_id = data.stage_id
    entry.iteration_id = data.iteration_id
    entry.backlog_item_id = data.backlog_item_id
    entry.work_date = day
    entry.hours = hours
    entry.role = role
    entry.note = (data.note or "").strip()
    changes = diff(before, _snapshot(entry))
    if changes:
        db.session.flush()
        audit.record(
            "time.updated",
            entry,
            project_id=target.project.id,
            summary=f"Changed {person.name}'s time on {_day(day)}",
            changes=changes,
            actor=actor,
        )
    return entry


def delete_entry(entry: TimeEntry, *, version: int | None, actor: User) -> None:
    check_version(entry, version)
    person = db.session.get(User, entry.person_id)
    project = db.session.get(Project, entry.project_id)
    if not can_log_for(actor, person, project):
        raise RuleError("You can delete only your own time")
    check_target(project)
    week, _ = lock_week(entry.person_id, entry.work_date)
    _reread(entry, version)
    _require_open(week)
    snapshot = _snapshot(entry)
    entry_id = entry.id
    db.session.delete(entry)
    _touch(week)
    db.session.flush()
    audit.record(
        "time.deleted",
        object_type="time_entries",
        object_id=entry_id,
        project_id=project.id,
        summary=f"Deleted {rules.format_hours(snapshot['hours'])} hours of {person.name}'s "
        f"time on {_day(snapshot['date'])}",
        changes={key: [value, None] for key, value in snapshot.items()},
        actor=actor,
    )


# --------------------------------------------------------------------------------------
# The weekly timesheet: many cells saved in one go
# --------------------------------------------------------------------------------------

LineKey = tuple[int, int | None, int | None, int | None]  # project, stage, iteration, item


def line_key(text: str) -> LineKey | None:
    """``"12:3::"`` → (12, 3, None, None); None for anything malformed."""
    parts = (text or "").split(":")
    if len(parts) != 4:
        return None
    try:
        values = [int(part) if part else None for part in parts]
    except ValueError:
        return None
    if values[0] is None:
        return None
    return values[0], values[1], values[2], values[3]


def line_text(key: LineKey) -> str:
    return ":".join("" if part is None else str(part) for part in key)


@dataclass
class CellProblem:
    row: int
    day: int  # 0 = Monday; -1 = the row's line
    message: str


class TimesheetError(RuleError):
    """Several cells refused at once; each problem names its row and day."""

    def __init__(self, problems: list[CellProblem]):
        super().__init__(problems[0].message)
        self.problems = problems


@dataclass
class WeekResult:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    projects: set[int] = field(default_factory=set)

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.deleted


def save_week(
    person: User,
    start: date,
    rows: list[tuple[LineKey, list[Decimal | None]]],
    *,
    version: int | None,
    actor: User,
) -> WeekResult:
    """Save a whole week's grid: a cell with hours creates or changes that line's entry for
    the day, an emptied cell removes it. Cells holding several entries are left alone (they
    are changed one entry at a time). All or nothing: any refused cell saves none."""
    start = rules.week_start(start)
    days = rules.week_days(start)
    week, created = lock_week(person.id, start)
    if not created and version is not None and version != week.version:
        raise StaleEdit()
    if created and version not in (None, 0):
        raise StaleEdit()
    existing = list(
        db.session.scalars(
            select(TimeEntry).where(TimeEntry.week_id == week.id).order_by(TimeEntry.id)
        )
    )
    by_cell: dict[tuple[LineKey, date], list[TimeEntry]] = defaultdict(list)
    for entry in existing:
        key = (entry.project_id, entry.stage_id, entry.iteration_id, entry.backlog_item_id)
        by_cell[(key, entry.work_date)].append(entry)

    problems: list[CellProblem] = []
    plan: list[tuple[str, LineKey, date, Decimal | None, TimeEntry | None]] = []
    targets: dict[LineKey, Target | RuleError] = {}
    roles: dict[int, str | RuleError] = {}
    seen: set[LineKey] = set()
    for row_index, (key, values) in enumerate(rows):
        if key in seen:
            problems.append(
                CellProblem(row_index, -1, "This line is already on the timesheet: use one row")
            )
            continue
        seen.add(key)
        for offset, value in enumerate(values):
            day = days[offset]
            if value is not None and value == 0:
                value = None  # 0 hours is no time: the cell is empty
            cell = by_cell.get((key, day), [])
            if len(cell) > 1:
                continue
            current = cell[0] if cell else None
            if current is None and value is None:
                continue
            if current is not None and value is not None and current.hours == value:
                continue
            action = "create" if current is None else ("delete" if value is None else "update")
            plan.append((action, key, day, value, current))
            if key not in targets:
                try:
                    project = db.session.get(Project, key[0])
                    targets[key] = check_target(project, *key[1:])
                except RuleError as error:
                    targets[key] = error
            target = targets[key]
            if isinstance(target, RuleError):
                problems.append(CellProblem(row_index, offset, str(target)))
                continue
            if key[0] not in roles:
                try:
                    roles[key[0]] = _role_for(actor, person, target.project)
                except RuleError as error:
                    roles[key[0]] = error
            if isinstance(roles[key[0]], RuleError):
                problems.append(CellProblem(row_index, offset, str(roles[key[0]])))
                continue
            if value is not None and day > today():
                problems.append(
                    CellProblem(
                        row_index,
                        offset,
                        f"{_day(day)} has not happened yet: log time only for today or earlier",
                    )
                )
            elif value is not None:
                project = target.project
                early = rules.before_start_message(
                    project.code, project.planned_start, project.planned_finish, day
                )
                if early:
                    problems.append(CellProblem(row_index, offset, early))
    if plan and week.status == WeekStatus.SUBMITTED:
        raise TimesheetError(
            [
                CellProblem(
                    0,
                    -1,
                    f"The week starting {_day(start)} is submitted and locked: ask the project "
                    "manager to unlock it before changing its time.",
                )
            ]
        )
    # Day totals after the change, from what stays plus what is typed.
    totals: dict[date, Decimal] = defaultdict(Decimal)
    changing = {id(current) for _, _, _, _, current in plan if current is not None}
    for entry in existing:
        if id(entry) not in changing:
            totals[entry.work_date] += entry.hours
    for action, _, day, value, _ in plan:
        if action != "delete":
            totals[day] += value
    for offset, day in enumerate(days):
        if totals.get(day, Decimal(0)) > rules.DAY_LIMIT:
            row_index = next((i for i, (k, vals) in enumerate(rows) if vals[offset] is not None), 0)
            problems.append(
                CellProblem(row_index, offset, rules.day_over_message(day, totals[day]))
            )
    if problems:
        raise TimesheetError(problems)

    result = WeekResult()
    for action, key, day, value, current in plan:
        result.projects.add(key[0])
        if action == "create":
            db.session.add(
                TimeEntry(
                    person_id=person.id,
                    week_id=week.id,
                    project_id=key[0],
                    stage_id=key[1],
                    iteration_id=key[2],
                    backlog_item_id=key[3],
                    work_date=day,
                    hours=value,
                    role=roles[key[0]],
                    created_by_id=actor.id,
                )
            )
            result.created += 1
        elif action == "update":
            current.hours = value
            result.updated += 1
        else:
            db.session.delete(current)
            result.deleted += 1
    if not plan:
        return result
    _touch(week)
    db.session.flush()
    for project_id in sorted(result.projects):
        changed = [
            {"date": day, "hours": value, "action": action}
            for action, key, day, value, _ in plan
            if key[0] == project_id
        ]
        audit.record(
            "time.week_saved",
            week,
            project_id=project_id,
            summary=f"Saved {person.name}'s timesheet for the week starting {_day(start)}",
            changes={"cells": [None, changed]},
            actor=actor,
        )
    return result


def submit_week(person: User, start: date, *, version: int | None, actor: User) -> TimesheetWeek:
    if actor.id != person.id and not actor.is_admin:
        raise RuleError("Only the person whose week it is can submit it")
    week, created = lock_week(person.id, start)
    if not created and version is not None and version != week.version:
        raise StaleEdit()
    if week.status == WeekStatus.SUBMITTED:
        raise RuleError(f"The week starting {_day(week.week_start)} is already submitted")
    count = db.session.scalar(select(func.count(TimeEntry.id)).where(TimeEntry.week_id == week.id))
    if not count:
        raise RuleError("Log some time in this week before submitting it")
    week.status = WeekStatus.SUBMITTED
    week.submitted_at = utcnow()
    db.session.flush()
    audit.record(
        "timesheet.submitted",
        week,
        summary=f"{person.name} submitted the week starting {_day(week.week_start)}",
        changes={"status": [WeekStatus.OPEN, WeekStatus.SUBMITTED]},
        actor=actor,
    )
    return week


def unlock_week(
    week: TimesheetWeek,
    *,
    reason: str,
    version: int | None,
    actor: User,
    project_id: int | None = None,
) -> TimesheetWeek:
    if not can_unlock(actor, week):
        raise RuleError(
            "Only the project manager of this week's work or an administrator can unlock it"
        )
    reason = (reason or "").strip()
    if not reason:
        raise RuleError("Enter why the week is being unlocked", "reason")
    week, _ = lock_week(week.person_id, week.week_start)
    check_version(week, version)
    if week.status != WeekStatus.SUBMITTED:
        raise RuleError(f"The week starting {_day(week.week_start)} is not locked")
    week.status = WeekStatus.OPEN
    week.submitted_at = None
    db.session.flush()
    person = db.session.get(User, week.person_id)
    audit.record(
        "timesheet.unlocked",
        week,
        project_id=project_id,
        summary=f"Unlocked {person.name}'s week starting {_day(week.week_start)}: {reason}",
        changes={"status": [WeekStatus.SUBMITTED, WeekStatus.OPEN], "reason": [None, reason]},
        actor=actor,
    )
    return week


# --------------------------------------------------------------------------------------
# Rates and labour cost
# --------------------------------------------------------------------------------------


@dataclass
class RateData:
    rate: Decimal
    effective_from: date
    person_id: int | None = None
    role: str | None = None


def add_rate(data: RateData, *, actor: User) -> HourlyRate:
    if not actor.is_pmo:
        raise RuleError("Only PMO staff or an administrator can set rates")
    if (data.person_id is None) == (data.role is None):
        raise RuleError("Choose either a person or a role", "person_id")
    if data.role is not None and data.role not in PROJECT_ROLES:
        raise RuleError("Choose a role from the list", "role")
    who = PROJECT_ROLES.get(data.role or "", "")
    if data.person_id is not None:
        person = db.session.get(User, data.person_id)
        if person is None:
            raise RuleError("Choose a person from the list", "person_id")
        who = person.name
    if data.rate is None or data.rate <= 0:
        raise RuleError("Hourly rate must be more than £0", "rate")
    rate = HourlyRate(
        person_id=data.person_id,
        role=data.role,
        rate=data.rate,
        effective_from=data.effective_from,
        created_by_id=actor.id,
    )
    db.session.add(rate)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise RuleError(
            f"{who} already has a rate from {_day(data.effective_from)}: delete it first",
            "effective_from",
        ) from None
    audit.record(
        "rate.set",
        rate,
        summary=f"Set the hourly rate for {who} to £{data.rate} from {_day(data.effective_from)}",
        changes={
            "person": [None, data.person_id],
            "role": [None, data.role],
            "rate": [None, data.rate],
            "effective_from": [None, data.effective_from],
        },
        actor=actor,
    )
    return rate


def update_rate(
    rate: HourlyRate,
    *,
    amount: Decimal,
    effective_from: date,
    version: int | None,
    actor: User,
) -> HourlyRate:
    """Change a rate's amount or the day it is in force from. Refused when the rate was
    changed by someone else since the form was opened (``version``)."""
    if not actor.is_pmo:
        raise RuleError("Only PMO staff or an administrator can change rates")
    check_version(rate, version)
    if amount is None or amount <= 0:
        raise RuleError("Hourly rate must be more than £0", "rate")
    who = rate.person.name if rate.person else PROJECT_ROLES[rate.role]
    before = {"rate": rate.rate, "effective_from": rate.effective_from}
    rate.rate, rate.effective_from = amount, effective_from
    changes = diff(before, {"rate": rate.rate, "effective_from": rate.effective_from})
    if not changes:
        return rate
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise RuleError(
            f"{who} already has a rate from {_day(effective_from)}: change or delete that one",
            "effective_from",
        ) from None
    except StaleDataError:
        # Saved by someone else between this request's read and its write.
        raise StaleEdit() from None
    audit.record(
        "rate.updated",
        rate,
        summary=f"Changed the hourly rate for {who}: £{rate.rate} from {_day(effective_from)}",
        changes=changes,
        actor=actor,
    )
    return rate


def delete_rate(rate: HourlyRate, *, actor: User) -> None:
    if not actor.is_pmo:
        raise RuleError("Only PMO staff or an administrator can change rates")
    who = rate.person.name if rate.person else PROJECT_ROLES[rate.role]
    rate_id, snapshot = rate.id, (rate.rate, rate.effective_from)
    db.session.execute(delete(HourlyRate).where(HourlyRate.id == rate_id))
    audit.record(
        "rate.deleted",
        object_type="hourly_rates",
        object_id=rate_id,
        summary=f"Deleted the hourly rate for {who} from {_day(snapshot[1])}",
        changes={"rate": [snapshot[0], None], "effective_from": [snapshot[1], None]},
        actor=actor,
    )


def rate_in_force():
    """SQL for the hourly rate that applies to each time entry: the person's own rate in force
    on the day, else the rate for their role on the project, else NULL."""
    own = (
        select(HourlyRate.rate)
        .where(
            HourlyRate.person_id == TimeEntry.person_id,
            HourlyRate.effective_from <= TimeEntry.work_date,
        )
        .order_by(HourlyRate.effective_from.desc())
        .limit(1)
        .correlate(TimeEntry)
        .scalar_subquery()
    )
    by_role = (
        select(HourlyRate.rate)
        .where(HourlyRate.role == TimeEntry.role, HourlyRate.effective_from <= TimeEntry.work_date)
        .order_by(HourlyRate.effective_from.desc())
        .limit(1)
        .correlate(TimeEntry)
        .scalar_subquery()
    )
    return func.coalesce(own, by_role)


def _cost_by_rate(statement) -> tuple[Decimal, Decimal]:
    """(cost, hours without a rate) from (rate, hours) groups, in exact decimals."""
    total, unpriced = Decimal(0), Decimal(0)
    for rate, hours in db.session.execute(statement):
        hours = Decimal(str(hours)).quantize(Decimal("0.01"))
        if rate is None:
            unpriced += hours
        else:
            total += rules.cost(hours, Decimal(str(rate)).quantize(Decimal("0.01")))
    return total.quantize(Decimal("0.01")), unpriced


def labour_cost(project_id: int, up_to: date, *, stage_id: int | None = None) -> Decimal:
    """The project's labour cost to date: for every hour logged on or before ``up_to``,
    hours times the rate in force on that day (the person's own rate, else their role's).
    With ``stage_id``: only time booked to that stage or to an iteration inside it.
    Time without any rate costs nothing (``unpriced_hours`` tells how much there is).
    One query; never commits."""
    return labour_cost_detail(project_id, up_to, stage_id=stage_id)[0]


def labour_cost_detail(
    project_id: int, up_to: date, *, stage_id: int | None = None
) -> tuple[Decimal, Decimal]:
    """(labour cost, hours with no rate in force) for a project up to a day."""
    conditions = [TimeEntry.project_id == project_id, TimeEntry.work_date <= up_to]
    if stage_id is not None:
        inside = select(Iteration.id).where(Iteration.stage_id == stage_id)
        conditions.append(or_(TimeEntry.stage_id == stage_id, TimeEntry.iteration_id.in_(inside)))
    priced = (
        select(rate_in_force().label("rate"), TimeEntry.hours.label("hours"))
        .where(*conditions)
        .subquery()
    )
    return _cost_by_rate(select(priced.c.rate, func.sum(priced.c.hours)).group_by(priced.c.rate))


def unpriced_hours(project_id: int, up_to: date) -> Decimal:
    return labour_cost_detail(project_id, up_to)[1]


def week_bounds(day: date) -> tuple[date, date]:
    start = rules.week_start(day)
    return start, start + timedelta(days=6)
