"""Real concurrent sessions on PostgreSQL: a project put into two programmes at the same
moment ends up in exactly one, and the other request is refused with a message."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from tests.budget.test_concurrency import _together
from tests.conftest import make_app, require_backend
from tracker.audit import services as audit
from tracker.auth import services as users
from tracker.core.unit_of_work import unit_of_work
from tracker.extensions import db
from tracker.orgs import services as orgs
from tracker.programmes import services
from tracker.programmes.models import Programme, ProgrammeProject
from tracker.projects import services as projects
from tracker.projects.models import Project

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def pg_app(tmp_path_factory):
    require_backend("postgresql")
    app = make_app("postgresql", tmp_path_factory, "programmerace")
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


def test_a_project_added_to_two_programmes_at_once_lands_in_one(pg_app):
    with pg_app.app_context():
        pmo = users.create_user(
            email="pmo.race@example.gov.uk",
            name="P",
            password="correct horse battery",
            global_role="pmo",
        )
        org = orgs.create_organisation(name="Race org", short_name=None, kind="nhs")
        project = projects.create_project(
            projects.ProjectData(
                code="RACE-1",
                name="Race",
                problem_statement="p",
                lead_organisation_id=org.id,
                partner_ids=[],
                manager_id=pmo.id,
                budget_at_completion=Decimal(1000),
                planned_start=date(2026, 1, 1),
                planned_finish=date(2026, 12, 31),
                criticality=2,
            )
        )
        portfolio = services.create_portfolio("Race portfolio", "", actor=pmo)
        ids = []
        for code in ("RACE-A", "RACE-B"):
            programme = services.create_programme(
                services.ProgrammeData(code=code, name=code, portfolio_id=portfolio.id),
                actor=pmo,
            )
            manager = users.create_user(
                email=f"{code.lower()}@example.gov.uk", name=code, password="correct horse battery"
            )
            services.grant_role(programme, manager, "programme_manager", actor=pmo)
            ids.append(programme.id)
        db.session.commit()
        project_id, pmo_id = project.id, pmo.id

    def add(programme_id):
        def work():
            with pg_app.app_context():
                try:
                    from tracker.auth.models import User

                    with unit_of_work() as done:
                        services.add_project(
                            db.session.get(Programme, programme_id),
                            db.session.get(Project, project_id),
                            actor=db.session.get(User, pmo_id),
                        )
                    return "ok" if done.ok else str(done.error)
                finally:
                    db.session.remove()

        return work

    works = [add(ids[0]), add(ids[1])]
    results = _together(2, lambda: works.pop()())
    assert sorted(r == "ok" for r in results) == [False, True], results
    refused = next(r for r in results if r != "ok")
    assert "already in programme" in refused
    with pg_app.app_context():
        current = db.session.scalar(
            select(func.count())
            .select_from(ProgrammeProject)
            .where(ProgrammeProject.project_id == project_id, ProgrammeProject.to_on.is_(None))
        )
        assert current == 1
        assert audit.verify().is_intact
