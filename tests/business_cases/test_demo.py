"""The demo portfolio gains a business case through three gateways, once."""

from __future__ import annotations

from sqlalchemy import func, select

from tracker.business_cases import queries, services
from tracker.business_cases.models import BusinessCaseVersion
from tracker.demo import data
from tracker.projects.models import Project
from tracker.stages.models import GateReview


def test_the_demo_case_has_soc_obc_and_fbc_frozen_at_their_gates(db):
    data.load("demo password long enough")
    project = db.session.scalars(select(Project).where(Project.code == "ASC-2026-01")).one()
    versions = services.versions_of(project.id)
    assert [(v.kind, v.status) for v in versions] == [
        ("soc", "frozen"),
        ("obc", "frozen"),
        ("fbc", "frozen"),
    ]
    gates = list(
        db.session.scalars(
            select(GateReview)
            .where(GateReview.project_id == project.id)
            .order_by(GateReview.boundary, GateReview.round)
        )
    )
    assert [v.gate_review_id for v in versions] == [g.id for g in gates[:3]]
    assert gates[2].status == "pending"  # the board can judge the FBC now
    found = queries.changes(versions[1], versions[2])
    assert {c.section.value for c in found.changed_sections} == {"economic", "commercial"}
    assert any("Shared regional system" in line for line in found.figures)
    before = db.session.scalar(select(func.count(BusinessCaseVersion.id)))
    data.load("demo password long enough")
    assert db.session.scalar(select(func.count(BusinessCaseVersion.id))) == before
