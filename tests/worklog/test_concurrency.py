"""Two saves at the same moment, on PostgreSQL with real concurrent sessions: the week's row
lock serialises them, so a person's day never passes 24 hours."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from tests.conftest import make_app, require_backend
from tracker.auth import services as users
from tracker.core.errors import RuleError
from tracker.extensions import db
from tracker.orgs import services as orgs
from tracker.projects import services as projects
from tracker.worklog import services
from tracker.worklog.models import TimeEntry, TimesheetWeek

pytestmark = pytest.mark.postgres

DAY = date(2026, 3, 4)


@pytest.fixture(scope="module")
def pg_app(tmp_path_factory):
    require_backend("postgresql")
    app = make_app("postgresql", tmp_path_factory, "worklograce")
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


def _setup(app, label: str) -> dict:
    with app.app_context():
        manager = users.create_user(
            email=f"m.{label}@example.gov.uk", name="M", password="correct horse battery"
        )
        member = users.create_user(
            email=f"t.{label}@example.gov.uk", name="T", password="correct horse battery"
        )
        org = orgs.create_organisation(name=f"Org {label}", short_name=None, kind="nhs")
        ids = {"person": member.id}
        for n in (1, 2):
            project = projects.create_project(
                projects.ProjectData(
                    code=f"WL-{label}-{n}",
                    name="Race",
                    problem_statement="p",
                    lead_organisation_id=org.id,
                    partner_ids=[],
                    manager_id=manager.id,
                    budget_at_completion=Decimal(1000),
                    planned_start=date(2026, 1, 1),
                    planned_finish=date(2026, 12, 31),
                    criticality=2,
                )
            )
            projects.add_member(project, member, "team_member")
            ids[f"project{n}"] = project.id
        # The week already exists (an hour the day before), so only the row lock, not the
        # insert of the week, can keep the two saves apart.
        services.add_entry(
            services.EntryData(member.id, ids["project1"], DAY - timedelta(days=1), Decimal(1)),
            actor=member,
        )
        db.session.commit()
        return ids


def _together(app, person_id: int, jobs) -> list[str]:
    """Run each job(person) in its own thread and session, released at the same moment."""
    barrier = threading.Barrier(len(jobs))
    results = [""] * len(jobs)

    def run(index, job):
        from tracker.auth.models import User

        with app.app_context():
            try:
                person = db.session.get(User, person_id)
                barrier.wait(timeout=10)
                job(person)
                db.session.commit()
                results[index] = "ok"
            except RuleError as error:
                db.session.rollback()
                results[index] = str(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def _entry(project_id, hours):
    def job(person):
        services.add_entry(
            services.EntryData(person.id, project_id, DAY, Decimal(hours)), actor=person
        )

    return job


def _totals(app, person_id):
    with app.app_context():
        total = db.session.scalar(
            select(func.sum(TimeEntry.hours)).where(
                TimeEntry.person_id == person_id, TimeEntry.work_date == DAY
            )
        )
        weeks = db.session.scalar(
            select(func.count(TimesheetWeek.id)).where(TimesheetWeek.person_id == person_id)
        )
        db.session.remove()
        return total, weeks


def test_two_entries_at_once_cannot_pass_24_hours(pg_app):
    ids = _setup(pg_app, "entries")
    results = _together(
        pg_app, ids["person"], [_entry(ids["project1"], 14), _entry(ids["project2"], 14)]
    )
    assert sorted(r == "ok" for r in results) == [False, True]
    refused = next(r for r in results if r != "ok")
    assert "at most 24 hours in total" in refused
    total, weeks = _totals(pg_app, ids["person"])
    assert total == Decimal("14.00")
    assert weeks == 1  # both created the week at once: one row


def test_two_timesheet_saves_at_once_cannot_pass_24_hours(pg_app):
    ids = _setup(pg_app, "grids")
    offset = DAY.weekday()

    def grid(project_id):
        def job(person):
            values = [None] * 7
            values[offset] = Decimal(13)
            services.save_week(
                person,
                DAY,
                [((project_id, None, None, None), values)],
                version=None,
                actor=person,
            )

        return job

    results = _together(pg_app, ids["person"], [grid(ids["project1"]), grid(ids["project2"])])
    assert results.count("ok") == 1
    total, _ = _totals(pg_app, ids["person"])
    assert total == Decimal("13.00")


def test_a_save_racing_a_submission_never_lands_in_a_locked_week(pg_app):
    ids = _setup(pg_app, "submit")

    def submit(person):
        services.submit_week(person, DAY, version=None, actor=person)

    results = _together(pg_app, ids["person"], [submit, _entry(ids["project2"], 2)])
    with pg_app.app_context():
        week = db.session.scalars(
            select(TimesheetWeek).where(TimesheetWeek.person_id == ids["person"])
        ).one()
        late = db.session.scalars(
            select(TimeEntry).where(
                TimeEntry.person_id == ids["person"],
                TimeEntry.project_id == ids["project2"],
            )
        ).all()
        db.session.remove()
    assert results[0] == "ok" and week.status == "submitted"
    # Either the entry got in before the week was submitted, or it was refused.
    if results[1] != "ok":
        assert "submitted and locked" in results[1]
        assert late == []
    else:
        assert week.submitted_at >= late[0].created_at
