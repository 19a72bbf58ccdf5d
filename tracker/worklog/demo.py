"""Demo time: six weeks of logged hours for each open demo project's manager and team, against
the stage or iteration that was running on each day, with older weeks submitted; and hourly
rates per role plus two personal rates, so labour cost shows on every project.

Dates are relative to today. Idempotent: a project that already has time is skipped, and a
rate that already exists is not added again.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select

from tracker.agile.models import Iteration
from tracker.auth.models import User
from tracker.extensions import db
from tracker.projects.models import Project, ProjectMembership
from tracker.stages.models import Stage
from tracker.stages.services import BOOKABLE_STATUSES, CLOSED_PROJECT_STATUSES
from tracker.worklog import rules
from tracker.worklog.models import HourlyRate, TimeEntry, TimesheetWeek
from tracker.worklog.rules import WeekStatus
from tracker.worklog.services import today

WEEKS = 6
RATE_START = date(2026, 1, 1)
ROLE_RATES = {
    "project_manager": Decimal("52.00"),
    "team_member": Decimal("38.00"),
    "senior_supplier": Decimal("61.00"),
    "senior_user": Decimal("58.00"),
    "executive": Decimal("75.00"),
    "customer_rep": Decimal("30.00"),
}
# email -> (rate, from): people whose grade differs from their role's.
PERSON_RATES = {
    "lucy.brown@example.gov.uk": (Decimal("44.50"), date(2026, 4, 1)),
    "chris.evans@example.gov.uk": (Decimal("41.00"), date(2026, 1, 1)),
}
LOGGING_ROLES = ("project_manager", "team_member")
NOTES = ("", "", "", "Workshop with partners", "Board paper", "Testing", "User research", "")


def _rates(people_by_email: dict[str, User], admin: User | None) -> None:
    existing = {
        (rate.person_id, rate.role, rate.effective_from)
        for rate in db.session.scalars(select(HourlyRate))
    }
    for role, amount in ROLE_RATES.items():
        if (None, role, RATE_START) not in existing:
            db.session.add(
                HourlyRate(
                    role=role,
                    rate=amount,
                    effective_from=RATE_START,
                    created_by_id=admin.id if admin else None,
                )
            )
    for email, (amount, start) in PERSON_RATES.items():
        person = people_by_email.get(email)
        if person is not None and (person.id, None, start) not in existing:
            db.session.add(
                HourlyRate(
                    person_id=person.id,
                    rate=amount,
                    effective_from=start,
                    created_by_id=admin.id if admin else None,
                )
            )


def load(projects_by_code: dict[str, Project], people_by_email: dict[str, User]) -> int:
    """Add demo time and rates; returns the number of time entries added."""
    _rates(people_by_email, people_by_email.get("admin@example.gov.uk"))
    now = today()
    this_week = rules.week_start(now)
    first_day = this_week - timedelta(weeks=WEEKS - 1)
    days = [
        first_day + timedelta(days=n)
        for n in range((now - first_day).days + 1)
        if (first_day + timedelta(days=n)).weekday() < 5
    ]
    logged = set(db.session.scalars(select(TimeEntry.project_id).distinct()))
    weeks: dict[tuple[int, date], TimesheetWeek] = {
        (week.person_id, week.week_start): week
        for week in db.session.scalars(
            select(TimesheetWeek).where(TimesheetWeek.week_start >= first_day)
        )
    }
    day_hours: dict[tuple[int, date], Decimal] = {}
    for person_id, day, total in db.session.execute(
        select(TimeEntry.person_id, TimeEntry.work_date, db.func.sum(TimeEntry.hours))
        .where(TimeEntry.work_date >= first_day)
        .group_by(TimeEntry.person_id, TimeEntry.work_date)
    ):
        day_hours[(person_id, day)] = Decimal(str(total))
    added = 0
    for code in sorted(projects_by_code):
        project = projects_by_code[code]
        if project.id in logged or project.status in CLOSED_PROJECT_STATUSES:
            continue
        rng = random.Random(f"worklog-{code}")
        members = list(
            db.session.execute(
                select(ProjectMembership.user_id, ProjectMembership.role).where(
                    ProjectMembership.project_id == project.id,
                    ProjectMembership.role.in_(LOGGING_ROLES),
                )
            )
        )
        stage = db.session.scalars(
            select(Stage)
            .where(Stage.project_id == project.id, Stage.status.in_(BOOKABLE_STATUSES))
            .order_by(Stage.sequence)
        ).first()
        iterations = list(
            db.session.scalars(select(Iteration).where(Iteration.project_id == project.id))
        )
        for person_id, role in members:
            share = 2 if role == "project_manager" else 4  # hours a day, roughly
            for day in days:
                if rng.random() < 0.25:
                    continue
                hours = Decimal(rng.choice((1, 1.5, 2, 2.5, 3, 3.5, 4))) * share / 4
                hours = hours.quantize(Decimal("0.25")).quantize(Decimal("0.01"))
                if hours <= 0 or day_hours.get((person_id, day), Decimal(0)) + hours > 10:
                    continue
                start = rules.week_start(day)
                week = weeks.get((person_id, start))
                if week is None:
                    submitted = start < this_week - timedelta(weeks=1)
                    week = TimesheetWeek(
                        person_id=person_id,
                        week_start=start,
                        status=WeekStatus.SUBMITTED if submitted else WeekStatus.OPEN,
                        submitted_at=datetime.combine(start + timedelta(days=4), time(17), UTC)
                        if submitted
                        else None,
                    )
                    db.session.add(week)
                    db.session.flush()
                    weeks[(person_id, start)] = week
                iteration = next((it for it in iterations if it.start_on <= day <= it.end_on), None)
                db.session.add(
                    TimeEntry(
                        person_id=person_id,
                        week_id=week.id,
                        project_id=project.id,
                        stage_id=stage.id if stage and stage.planned_start <= day else None,
                        iteration_id=iteration.id if iteration else None,
                        work_date=day,
                        hours=hours,
                        role=role,
                        note=rng.choice(NOTES),
                        created_by_id=person_id,
                    )
                )
                day_hours[(person_id, day)] = day_hours.get((person_id, day), 0) + hours
                added += 1
    db.session.flush()
    return added
