"""The demo portfolio shows a PMO-edited framework and a project following it, once."""

from __future__ import annotations

from sqlalchemy import func, select

from tracker.audit.models import AuditEntry
from tracker.demo import data
from tracker.frameworks.models import ChecklistConfirmation, FrameworkVersion, ProjectFramework
from tracker.projects.models import Project
from tracker.stages.models import GateReview


def test_the_demo_housing_project_follows_the_pmos_own_gateways_once(db):
    data.load("demo password long enough")
    project = db.session.scalars(select(Project).where(Project.code == "HSG-2026-06")).one()
    version = db.session.get(
        FrameworkVersion, db.session.get(ProjectFramework, project.id).framework_version_id
    )
    assert version.label == "Eastbridge council gateways, version 1"
    assert "Gateway 2: Outline business case and procurement strategy" in {
        g.name for g in version.gates
    }
    assert "added checklist item 'Social value plan agreed" in version.change_summary
    # Its Gateway 0 checklist is confirmed, so its start gate is waiting for the board.
    gate = db.session.scalars(select(GateReview).where(GateReview.project_id == project.id)).one()
    assert gate.status == "pending"
    timeline = set(
        db.session.scalars(select(AuditEntry.action).where(AuditEntry.project_id == project.id))
    )
    assert {"project.framework_set", "project.framework_moved", "gate.checklist_confirmed"} <= (
        timeline
    )
    count = db.session.scalar(select(func.count(ChecklistConfirmation.id)))
    data.load("demo password long enough")
    assert db.session.scalar(select(func.count(ChecklistConfirmation.id))) == count
    assert db.session.scalar(select(func.count(FrameworkVersion.id))) == 4
