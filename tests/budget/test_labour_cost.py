"""Actual cost is cost entries plus the labour cost of logged time."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tests.budget.helpers import cost
from tracker.budget import services as budget
from tracker.worklog.models import HourlyRate, TimeEntry, TimesheetWeek


def _log(db, person, project, day, hours, role="team_member"):
    week = TimesheetWeek(person_id=person.id, week_start=date(2026, 3, 2), status="open")
    db.session.add(week)
    db.session.flush()
    db.session.add(
        TimeEntry(
            person_id=person.id,
            week_id=week.id,
            project_id=project.id,
            work_date=day,
            hours=Decimal(hours),
            role=role,
        )
    )
    db.session.flush()


def test_actual_cost_adds_labour_at_the_rate_in_force(db, make_project, make_user):
    manager, member = make_user(), make_user()
    project = make_project(manager=manager, members=[(member, "team_member")])
    cost(project, manager, "1000.00", on=date(2026, 2, 1))
    db.session.add_all(
        [
            HourlyRate(role="team_member", rate=Decimal("40.00"), effective_from=date(2026, 1, 1)),
            HourlyRate(role="team_member", rate=Decimal("50.00"), effective_from=date(2026, 3, 4)),
        ]
    )
    _log(db, member, project, date(2026, 3, 3), "7.5")  # 7.5 h at £40 = £300
    day_after = date(2026, 3, 4)
    assert budget.actual_cost(project.id, date(2026, 3, 2)) == Decimal("1000.00")
    assert budget.actual_cost(project.id, day_after) == Decimal("1300.00")
    assert budget.cost_entries_total(project.id, day_after) == Decimal("1000.00")
