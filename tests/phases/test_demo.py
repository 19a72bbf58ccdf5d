"""The demo portfolio shows agile services at different phases, once."""

from __future__ import annotations

from sqlalchemy import func, select

from tracker.demo import data
from tracker.phases.models import Phase, ServiceAssessment
from tracker.projects.models import Project
from tracker.releases.models import Release


def _active_phase(db, code):
    return db.session.scalar(
        select(Phase.kind)
        .join(Project, Project.id == Phase.project_id)
        .where(Project.code == code, Phase.status == "active")
    )


def test_demo_agile_services_sit_at_different_phases_and_one_reran_its_alpha(db):
    data.load("demo password long enough")
    assert _active_phase(db, "DIG-2026-04") == "discovery"
    assert _active_phase(db, "HOM-2026-02") == "alpha"
    assert _active_phase(db, "CS-2026-09") == "private_beta"
    assert _active_phase(db, "SAF-2026-05") == "live"
    rounds = db.session.execute(
        select(ServiceAssessment.round, ServiceAssessment.status)
        .join(Project, Project.id == ServiceAssessment.project_id)
        .where(Project.code == "CS-2026-09", ServiceAssessment.name.like("Alpha%"))
        .order_by(ServiceAssessment.round)
    ).all()
    assert [tuple(r) for r in rounds] == [(1, "failed"), (2, "passed")]
    release = db.session.scalars(
        select(Release)
        .join(Project, Project.id == Release.project_id)
        .where(Project.code == "CS-2026-09")
    ).one()
    assert release.status == "live" and release.iterations
    count = db.session.scalar(select(func.count(Phase.id)))
    data.load("demo password long enough")
    assert db.session.scalar(select(func.count(Phase.id))) == count
