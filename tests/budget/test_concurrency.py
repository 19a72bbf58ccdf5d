"""Real concurrent sessions on PostgreSQL: the monthly job run twice at once takes one
checkpoint per project, and a cost form submitted twice at once records one cost."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from tests.conftest import make_app, require_backend
from tests.stages.helpers import stage_data
from tracker.audit import services as audit
from tracker.auth import services as users
from tracker.budget import services
from tracker.budget.models import Checkpoint, CostEntry
from tracker.extensions import db
from tracker.orgs import services as orgs
from tracker.projects import services as projects
from tracker.stages import services as stages

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def pg_app(tmp_path_factory):
    require_backend("postgresql")
    app = make_app("postgresql", tmp_path_factory, "budgetrace")
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


def _setup(app, label: str) -> int:
    """A committed, active stage-gated project with a baseline."""
    with app.app_context():
        manager = users.create_user(
            email=f"manager.{label}@example.gov.uk", name="M", password="correct horse battery"
        )
        org = orgs.create_organisation(name=f"Org {label}", short_name=None, kind="nhs")
        project = projects.create_project(
            projects.ProjectData(
                code=f"BUD-{label}",
                name="Race",
                problem_statement="p",
                lead_organisation_id=org.id,
                partner_ids=[],
                manager_id=manager.id,
                budget_at_completion=Decimal(100000),
                planned_start=date(2026, 1, 1),
                planned_finish=date(2026, 12, 31),
                criticality=2,
            )
        )
        # Direct set-up, as fixtures may: in the tracker only governance moves a status.
        project.status, project.delivery_method = "active", "stage_gated"
        stages.create_stage(project, stage_data(), actor=manager)
        services.set_baseline(project, services.BaselineData(""), actor=manager)
        db.session.commit()
        return project.id


def _together(count: int, work) -> list:
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = work()
        except Exception as error:  # reported by the assertions
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_the_monthly_job_run_twice_at_once_takes_one_checkpoint(pg_app):
    from tracker.budget.tasks import run_monthly_checkpoints

    project_id = _setup(pg_app, "monthly")

    def job():
        with pg_app.app_context():
            try:
                return run_monthly_checkpoints(date(2026, 3, 31))
            finally:
                db.session.remove()

    results = _together(3, job)
    assert sum(results) == 1, results
    with pg_app.app_context():
        count = db.session.scalar(
            select(func.count(Checkpoint.id)).where(Checkpoint.project_id == project_id)
        )
        assert count == 1
        assert audit.verify().is_intact


def test_a_cost_form_sent_twice_at_once_records_one_cost(pg_app):
    project_id = _setup(pg_app, "double")

    def submit():
        from tracker.projects.models import Project

        with pg_app.app_context():
            try:
                project = db.session.get(Project, project_id)
                _, created = services.record_cost(
                    project,
                    services.CostData(
                        spent_on=date(2026, 2, 1),
                        amount=Decimal("99.99"),
                        category="staff",
                        supplier="",
                        description="Agency cover",
                    ),
                    token="double-click-token",
                    actor=None,
                    today=date(2026, 12, 31),
                )
                db.session.commit()
                return created
            finally:
                db.session.remove()

    results = _together(2, submit)
    assert sorted(results) == [False, True], results
    with pg_app.app_context():
        count = db.session.scalar(
            select(func.count(CostEntry.id)).where(CostEntry.project_id == project_id)
        )
        assert count == 1
