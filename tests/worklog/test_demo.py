"""The demo loads several weeks of logged time and rates, once."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import distinct, func, select

from tracker.demo import data
from tracker.projects.models import Project
from tracker.worklog import rules, services
from tracker.worklog.models import HourlyRate, TimeEntry, TimesheetWeek


def test_demo_time_is_loaded_once_and_costs_money(db):
    data.load("demo password for tests")
    db.session.commit()
    entries = db.session.scalar(select(func.count(TimeEntry.id)))
    projects = db.session.scalar(select(func.count(distinct(TimeEntry.project_id))))
    weeks = db.session.scalar(select(func.count(distinct(TimeEntry.week_id))))
    assert entries > 200
    assert projects >= 8
    assert weeks >= 5
    statuses = set(db.session.scalars(select(TimesheetWeek.status)))
    assert statuses == {"open", "submitted"}
    assert db.session.scalar(select(func.count(HourlyRate.id))) >= 6
    # No one is over 24 hours on any day, and nothing is logged ahead of today.
    busiest = db.session.execute(
        select(func.sum(TimeEntry.hours)).group_by(TimeEntry.person_id, TimeEntry.work_date)
    ).scalars()
    assert max(Decimal(str(total)) for total in busiest) <= rules.DAY_LIMIT
    assert db.session.scalar(select(func.max(TimeEntry.work_date))) <= services.today()
    project = db.session.scalars(select(Project).where(Project.code == "ASC-2026-01")).one()
    cost, unpriced = services.labour_cost_detail(project.id, services.today())
    assert cost > 0 and unpriced == 0
    data.load("demo password for tests")
    db.session.commit()
    assert db.session.scalar(select(func.count(TimeEntry.id))) == entries
