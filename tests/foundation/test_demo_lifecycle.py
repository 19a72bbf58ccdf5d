"""The demo's project statuses are reached through governance, as a user's would be: each
one is explained by an approved gate, a started iteration or the Executive's closure, and
the history says which decision moved it."""

from __future__ import annotations

import json

from sqlalchemy import select

from tests.lifecycle import status_problems
from tracker.audit.models import AuditEntry
from tracker.demo import data
from tracker.projects.models import Project
from tracker.proposals import demo as proposals_demo


def test_demo_statuses_come_from_governance(db):
    data.load("demo password long enough")
    db.session.commit()
    projects = {p.code: p for p in db.session.scalars(select(Project))}
    # The demo pipeline approves one proposal into a proposed project.
    assert {code: projects[code].status for code in projects} == {
        **{spec.code: spec.status for spec in data.PROJECTS},
        proposals_demo.APPROVED_CODE: "proposed",
    }
    assert {p.status for p in projects.values()} == {
        "proposed",
        "active",
        "closed",
        "closed_early",
    }
    assert status_problems() == []
    moves: dict[int, list[str]] = {}
    for project_id, changes in db.session.execute(
        select(AuditEntry.project_id, AuditEntry.changes)
        .where(AuditEntry.action == "project.status_changed")
        .order_by(AuditEntry.seq)
    ):
        moves.setdefault(project_id, []).append(json.loads(changes)["status"][1])
    for project in projects.values():
        expected = {
            "proposed": [],
            "active": ["active"],
            "closed": ["active", "closed"],
            "closed_early": ["closed_early"],
        }[project.status]
        assert moves.get(project.id, []) == expected, project.code


def test_loading_the_demo_again_moves_nothing(db):
    data.load("demo password long enough")
    db.session.commit()
    before = db.session.scalars(
        select(AuditEntry.id).where(AuditEntry.action == "project.status_changed")
    ).all()
    data.load("demo password long enough")
    db.session.commit()
    after = db.session.scalars(
        select(AuditEntry.id).where(AuditEntry.action == "project.status_changed")
    ).all()
    assert after == before
