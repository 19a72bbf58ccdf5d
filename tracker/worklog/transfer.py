"""Time entries in and out of spreadsheets: CSV and XLSX export, and an all-or-nothing CSV
import that reports every bad row and field."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select

from tracker.agile.models import Iteration
from tracker.audit import services as audit
from tracker.auth.models import User, normalise_email
from tracker.core import exports as files
from tracker.core.errors import RuleError
from tracker.extensions import db
from tracker.projects.access import can_manage, project_roles
from tracker.projects.models import Project
from tracker.stages.models import Stage
from tracker.worklog import rules, services
from tracker.worklog.models import TimeEntry
from tracker.worklog.rules import WeekStatus

EXPORT_COLUMNS = (
    files.Column("Date", files.Kind.DATE),
    files.Column("Person"),
    files.Column("Person email"),
    files.Column("Project code"),
    files.Column("Project"),
    files.Column("Stage"),
    files.Column("Iteration"),
    files.Column("Backlog item"),
    files.Column("Hours", files.Kind.HOURS),
    files.Column("Note"),
    files.Column("Week status"),
)
EXPORT_HEADERS = [column.heading for column in EXPORT_COLUMNS]

MAX_IMPORT_ROWS = 5000


def _export_values(row) -> list:
    (day, person, email, code, project, seq, stage, iteration, item, hours, note, status) = row
    return [
        day,
        person,
        email,
        code,
        project,
        f"Stage {seq}: {stage}" if seq is not None else "",
        iteration or "",
        item or "",
        Decimal(str(hours)).quantize(Decimal("0.01")),
        note or "",
        rules.WEEK_STATUSES.get(status, status),
    ]


def write_csv(rows: Iterable) -> bytes:
    """UTF-8 with a byte-order mark so Excel reads the names right; no cell can run as a
    formula; hours as people write them (7.5, 8)."""

    def values(row) -> list:
        cells = _export_values(row)
        cells[8] = rules.format_hours(cells[8])
        return cells

    return files.csv_bytes(EXPORT_COLUMNS, (values(row) for row in rows))


def write_xlsx(rows: Iterable, about: files.About) -> bytes:
    return files.workbook(
        about, "Time entries", EXPORT_COLUMNS, (_export_values(row) for row in rows)
    )


# --------------------------------------------------------------------------------------
# Import
# --------------------------------------------------------------------------------------

# Column heading (lower case) -> field. Exported files import again.
IMPORT_COLUMNS = {
    "date": "date",
    "person email": "email",
    "email": "email",
    "project code": "project",
    "project": "project",
    "stage": "stage",
    "iteration": "iteration",
    "hours": "hours",
    "note": "note",
}
REQUIRED = {"date": "Date", "email": "Person email", "project": "Project code", "hours": "Hours"}


@dataclass(frozen=True)
class Problem:
    row: int  # the row number in the spreadsheet (the heading is row 1)
    field: str
    message: str


class ImportRefused(RuleError):
    def __init__(self, problems: list[Problem]):
        super().__init__(f"The file was not imported: {len(problems)} problems found")
        self.problems = problems


@dataclass
class ParsedRow:
    row: int
    day: date
    email: str
    project_code: str
    stage: str
    iteration: str
    hours: Decimal
    note: str


def _parse_day(text: str) -> date | None:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    return None


def parse_csv(data: bytes) -> tuple[list[ParsedRow], list[Problem]]:
    """Read and check every row: the rows that read well, and a problem for each field that
    does not. A file that cannot be read at all raises ImportRefused."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused(
            [Problem(1, "File", "Save the file as CSV UTF-8 and try again")]
        ) from None
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise ImportRefused([Problem(1, "File", "The file is empty")]) from None
    columns: dict[str, int] = {}
    for index, heading in enumerate(header):
        name = IMPORT_COLUMNS.get(heading.strip().lower())
        if name and name not in columns:
            columns[name] = index
    missing = [label for key, label in REQUIRED.items() if key not in columns]
    if missing:
        raise ImportRefused(
            [Problem(1, "Headings", f"Add a column headed {label}") for label in missing]
        )
    problems: list[Problem] = []
    parsed: list[ParsedRow] = []
    try:
        for number, values in enumerate(reader, start=2):
            if not any(value.strip() for value in values):
                continue
            if len(parsed) + len(problems) >= MAX_IMPORT_ROWS:
                raise ImportRefused(
                    [Problem(number, "File", f"Import at most {MAX_IMPORT_ROWS} rows at a time")]
                )

            def get(name: str, values=values) -> str:
                index = columns.get(name)
                return values[index].strip() if index is not None and index < len(values) else ""

            row_problems = []
            day = _parse_day(get("date"))
            if not get("date"):
                row_problems.append(Problem(number, "Date", "Enter the date"))
            elif day is None:
                row_problems.append(
                    Problem(number, "Date", f"'{get('date')}' is not a date like 2026-11-16")
                )
            email = normalise_email(get("email"))
            if not email:
                row_problems.append(Problem(number, "Person email", "Enter the person's email"))
            code = get("project").upper()
            if not code:
                row_problems.append(Problem(number, "Project code", "Enter the project code"))
            try:
                hours = rules.parse_hours(get("hours"))
            except rules.HoursError as error:
                hours = None
                row_problems.append(Problem(number, "Hours", str(error)))
            note = get("note")
            if note.startswith("'") and note[1:].startswith(rules.FORMULA_STARTS):
                note = note[1:]  # the quote our own export adds against formula injection
            if len(note) > 500:
                row_problems.append(Problem(number, "Note", "Note must be 500 characters or fewer"))
            if row_problems:
                problems.extend(row_problems)
                continue
            parsed.append(
                ParsedRow(number, day, email, code, get("stage"), get("iteration"), hours, note)
            )
    except csv.Error as error:
        problems.append(Problem(reader.line_num, "File", f"The CSV is malformed: {error}"))
    if not parsed and not problems:
        raise ImportRefused([Problem(2, "File", "The file has no time entries")])
    return parsed, problems


def _stage_lookup(project_ids: set[int]) -> dict[tuple[int, str], Stage]:
    lookup: dict[tuple[int, str], Stage] = {}
    for stage in db.session.scalars(select(Stage).where(Stage.project_id.in_(project_ids))):
        for name in (str(stage.sequence), stage.name.lower(), stage.label.lower()):
            lookup[(stage.project_id, name)] = stage
    return lookup


def _no_project(code: str) -> str:
    return (
        f"You cannot log time on a project with the code {code}: check the code, or ask the "
        "project's manager to add you to its team."
    )


def import_csv(data: bytes, *, actor: User) -> int:
    """Import time entries from CSV: all of them, or none with a report of every problem.
    Returns the number of entries added."""
    parsed, problems = parse_csv(data)
    codes = {row.project_code for row in parsed}
    emails = {row.email for row in parsed}
    projects = {
        project.code.upper(): project
        for project in db.session.scalars(
            select(Project).where(func.upper(Project.code).in_(codes))
        )
    }
    people = {
        normalise_email(person.email): person
        for person in db.session.scalars(select(User).where(func.lower(User.email).in_(emails)))
    }
    project_ids = {project.id for project in projects.values()}
    stages = _stage_lookup(project_ids)
    iterations = {
        (iteration.project_id, iteration.name.lower()): iteration
        for iteration in db.session.scalars(
            select(Iteration).where(Iteration.project_id.in_(project_ids))
        )
    }
    ready: list[tuple[ParsedRow, User, services.Target, str]] = []
    today = services.today()
    rights: dict[int, tuple[bool, bool]] = {}
    own_email = normalise_email(actor.email)
    for row in parsed:
        # The importer's rights on the project come first: until they are known, nothing is
        # said about the project (its stages, its team, its dates) or about the person, and
        # an unknown code and a project the importer may not log time on read the same.
        project = projects.get(row.project_code)
        if project is not None and project.id not in rights:
            manages = can_manage(actor, project)
            rights[project.id] = (manages, manages or bool(project_roles(actor, project.id)))
        if project is None or not rights[project.id][1]:
            problems.append(Problem(row.row, "Project code", _no_project(row.project_code)))
            continue
        if row.email != own_email and not rights[project.id][0]:
            problems.append(
                Problem(
                    row.row,
                    "Person email",
                    f"Only {project.code}'s project manager can log time on behalf of someone "
                    "else: import only your own time.",
                )
            )
            continue
        person = people.get(row.email)
        bad = False
        if person is None or not person.is_active_user:
            problems.append(
                Problem(row.row, "Person email", f"No active person has the email {row.email}")
            )
            bad = True
        stage = stages.get((project.id, row.stage.lower())) if row.stage else None
        if row.stage and stage is None:
            problems.append(Problem(row.row, "Stage", f"{project.code} has no stage {row.stage}"))
            bad = True
        iteration = iterations.get((project.id, row.iteration.lower())) if row.iteration else None
        if row.iteration and iteration is None:
            problems.append(
                Problem(row.row, "Iteration", f"{project.code} has no iteration {row.iteration}")
            )
            bad = True
        if row.day > today:
            problems.append(
                Problem(row.row, "Date", "Time can be logged only for today or earlier")
            )
            bad = True
        else:
            early = rules.before_start_message(
                project.code, project.planned_start, project.planned_finish, row.day
            )
            if early:
                problems.append(Problem(row.row, "Date", early))
                bad = True
        if bad:
            continue
        try:
            target = services.check_target(
                project, stage.id if stage else None, iteration.id if iteration else None
            )
            role = services._role_for(actor, person, project)
        except RuleError as error:
            label = {"stage_id": "Stage", "iteration_id": "Iteration", "person_id": "Person email"}
            problems.append(Problem(row.row, label.get(error.field, "Project code"), str(error)))
            continue
        ready.append((row, person, target, role))

    # Lock every week touched (in a fixed order, so two imports cannot deadlock), refuse
    # submitted weeks, and check the 24-hour day against what is already logged.
    weeks = {}
    for person_id, start in sorted({(p.id, rules.week_start(r.day)) for r, p, _, _ in ready}):
        weeks[(person_id, start)] = services.lock_week(person_id, start)[0]
    adding: dict[tuple[int, date], Decimal] = defaultdict(Decimal)
    for row, person, _, _ in ready:
        week = weeks[(person.id, rules.week_start(row.day))]
        if week.status == WeekStatus.SUBMITTED:
            problems.append(
                Problem(
                    row.row,
                    "Date",
                    f"{person.name}'s week starting {week.week_start:%d %B %Y} is submitted and "
                    "locked",
                )
            )
        adding[(person.id, row.day)] += row.hours
    existing = {}
    for person_id in {key[0] for key in adding}:
        days = [day for pid, day in adding if pid == person_id]
        for day, total in services._day_totals(person_id, days).items():
            existing[(person_id, day)] = total
    over = {key for key, hours in adding.items() if existing.get(key, 0) + hours > rules.DAY_LIMIT}
    for row, person, _, _ in ready:
        key = (person.id, row.day)
        if key in over:
            total = existing.get(key, Decimal(0)) + adding[key]
            problems.append(Problem(row.row, "Hours", rules.day_over_message(row.day, total)))
    if problems:
        raise ImportRefused(sorted(problems, key=lambda p: p.row))

    by_project: dict[int, int] = defaultdict(int)
    for row, person, target, role in ready:
        week = weeks[(person.id, rules.week_start(row.day))]
        db.session.add(
            TimeEntry(
                person_id=person.id,
                week_id=week.id,
                project_id=target.project.id,
                stage_id=target.stage.id if target.stage else None,
                iteration_id=target.iteration.id if target.iteration else None,
                work_date=row.day,
                hours=row.hours,
                role=role,
                note=row.note,
                created_by_id=actor.id,
            )
        )
        services._touch(week)
        by_project[target.project.id] += 1
    db.session.flush()
    for project_id, count in sorted(by_project.items()):
        audit.record(
            "time.imported",
            object_type="projects",
            object_id=project_id,
            project_id=project_id,
            summary=f"Imported {count} time entries from a CSV file",
            changes={"entries": [None, count]},
            actor=actor,
        )
    return len(ready)
