"""Fixtures for work logging: a hybrid project with a manager and a team member, two dates in
the past in one week, and builders for stages and iterations."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

MONDAY = date(2026, 3, 2)  # a Monday in the past
TUESDAY = date(2026, 3, 3)


@pytest.fixture
def team(db, make_user, make_project):
    manager = make_user("Mia Manager")
    member = make_user("Tariq Team")
    outsider = make_user("Otto Outsider")
    project = make_project(manager=manager, members=[(member, "team_member")])
    other = make_project(manager=manager, members=[(member, "team_member")], code="OTHER-1")
    project.delivery_method = "hybrid"
    db.session.commit()
    return {
        "project": project,
        "other": other,
        "manager": manager,
        "member": member,
        "outsider": outsider,
    }


@pytest.fixture
def make_stage(db):
    def factory(project, status="active", sequence=1):
        from tracker.stages.models import Stage

        stage = Stage(
            project_id=project.id,
            sequence=sequence,
            name=f"Stage {sequence} work",
            planned_start=date(2026, 1, 1),
            planned_finish=date(2026, 12, 31),
            planned_budget=Decimal(1000),
            time_tolerance_days=5,
            cost_tolerance_percent=Decimal(10),
            scope_target="s",
            quality_target="q",
            risk_target="r",
            benefit_target="b",
            sustainability_target="s",
            status=status,
        )
        db.session.add(stage)
        db.session.commit()
        return stage

    return factory


@pytest.fixture
def make_iteration(db):
    def factory(project, status="active", name="Sprint 1"):
        from tracker.agile.models import Iteration

        iteration = Iteration(
            project_id=project.id,
            name=name,
            start_on=date(2026, 3, 2),
            end_on=date(2026, 3, 13),
            status=status,
        )
        db.session.add(iteration)
        db.session.commit()
        return iteration

    return factory


@pytest.fixture
def log(db):
    """Log time through the service and commit, as a page would."""

    def factory(person, project, day, hours, *, actor=None, **extra):
        from tracker.worklog import services

        entry = services.add_entry(
            services.EntryData(
                person_id=person.id,
                project_id=project.id,
                work_date=day,
                hours=Decimal(str(hours)),
                **extra,
            ),
            actor=actor or person,
        )
        db.session.commit()
        return entry

    return factory
