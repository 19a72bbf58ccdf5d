"""Stage-gated and hybrid projects move only by the board's decisions: the start gate makes
them active, the closing gate closes them, the Executive closes them early; each move is
audited with the decision that made it. A tolerance breach puts the stage in exception,
never the project's status."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.stages.helpers import plan_stages, report_data
from tracker.agile import services as agile
from tracker.audit.models import AuditEntry
from tracker.core.errors import RuleError
from tracker.stages import services

TARGETS = {name: "met" for name in ("scope", "quality", "risk", "benefit", "sustainability")}


def _proposed(db, board, method="stage_gated"):
    project = board["project"]
    project.status, project.delivery_method = "proposed", method
    db.session.commit()
    return project


def _gate(db, board, decision="approve", comment=""):
    gate = services.request_gate(board["project"], report_data(), actor=board["manager"])
    for role in gate.roles:
        services.decide_gate(gate, role=role, decision=decision, comment=comment, actor=board[role])
        if gate.status != "pending":
            break
    db.session.commit()
    return gate


def _moves(db, project):
    entries = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.project_id == project.id, AuditEntry.action == "project.status_changed")
        .order_by(AuditEntry.seq)
    ).all()
    return [json.loads(e.changes) | {"summary": e.summary, "actor": e.actor_id} for e in entries]


def test_the_approved_start_gate_makes_the_project_active_and_says_so(db, board):
    project = _proposed(db, board)
    plan_stages(project, board["manager"])
    rejected = _gate(db, board, "reject", "Not yet")
    assert rejected.status == "rejected"
    assert project.status == "proposed"
    assert _moves(db, project) == []

    gate = _gate(db, board)
    assert project.status == "active"
    (move,) = _moves(db, project)
    assert move["status"] == ["proposed", "active"]
    assert move["moved_by"] == "start_gate" and move["gate_id"] == gate.id
    assert move["summary"].startswith("Project active: Start gate")
    assert move["actor"] == board["senior_user"].id  # the decision that resolved the gate


def test_only_the_closing_gate_closes_the_project(db, board):
    project = _proposed(db, board)
    first, second = plan_stages(project, board["manager"])
    _gate(db, board)
    services.start_stage(first, version=None, actor=board["manager"])
    _gate(db, board)  # end of stage 1: authorises stage 2, the project stays active
    assert project.status == "active"
    services.start_stage(second, version=None, actor=board["manager"])
    closing = _gate(db, board)
    assert project.status == "closed" and project.finished_on is not None
    moves = _moves(db, project)
    assert [m["moved_by"] for m in moves] == ["start_gate", "closing_gate"]
    assert moves[-1]["status"] == ["active", "closed"] and moves[-1]["gate_id"] == closing.id


def test_the_executive_closes_early_at_a_gate(db, board):
    project = _proposed(db, board)
    plan_stages(project, board["manager"])
    gate = services.request_gate(project, report_data(), actor=board["manager"])
    services.close_project_early(
        project, reason="Funding withdrawn", actor=board["executive"], gate=gate
    )
    db.session.commit()
    assert project.status == "closed_early"
    (move,) = _moves(db, project)
    assert move["status"] == ["proposed", "closed_early"]
    assert move["moved_by"] == "early_closure" and move["gate_id"] == gate.id
    assert "Funding withdrawn" in move["summary"]
    assert move["actor"] == board["executive"].id


def test_a_hybrid_project_starts_at_its_start_gate(db, board):
    project = _proposed(db, board, "hybrid")
    plan_stages(project, board["manager"])
    _gate(db, board)
    assert project.status == "active"
    assert [m["moved_by"] for m in _moves(db, project)] == ["start_gate"]


def test_a_hybrid_iteration_waits_for_the_start_gate(db, board):
    project = _proposed(db, board, "hybrid")
    plan_stages(project, board["manager"])
    start = project.planned_start
    iteration = agile.create_iteration(
        project, agile.IterationData("Spike", "Learn", start, start + timedelta(days=6))
    )
    db.session.commit()
    with pytest.raises(
        RuleError,
        match="This hybrid project is still proposed: it starts its iterations once the board "
        "has approved its start gate",
    ):
        agile.start_iteration(project, iteration, version=None)
    db.session.rollback()
    assert (project.status, iteration.status) == ("proposed", "planned")
    assert _moves(db, project) == []
    _gate(db, board)
    assert project.status == "active"
    agile.start_iteration(project, iteration, version=None)
    db.session.commit()
    assert iteration.status == "active"
    assert [m["moved_by"] for m in _moves(db, project)] == ["start_gate"]


def test_the_executive_alone_does_not_start_a_hybrid_project(db, board):
    project = _proposed(db, board, "hybrid")
    with pytest.raises(RuleError, match="starts when the board approves its start gate"):
        agile.authorise_start(project, conditions="", version=None, actor=board["executive"])
    db.session.rollback()
    assert project.status == "proposed" and project.start_authorised_at is None


def test_a_tolerance_breach_puts_the_stage_in_exception_not_the_project(db, board):
    project = _proposed(db, board)
    first, _ = plan_stages(project, board["manager"], gap=30)
    _gate(db, board)
    services.start_stage(first, version=None, actor=board["manager"])
    breaches = services.record_forecast(
        first,
        finish=first.planned_finish + timedelta(days=11),
        cost=first.planned_budget,
        targets=TARGETS,
        version=None,
        actor=board["manager"],
    )
    db.session.commit()
    assert breaches and first.status == "in_exception"
    assert project.status == "active"
    assert [m["moved_by"] for m in _moves(db, project)] == ["start_gate"]
