"""Delivery Confidence Assessment: each board member rates when deciding a gate, the PMO may
add an independent rating at any time; ratings are shown side by side, with their trend, and
across the portfolio by method, zone and organisation."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.stages.helpers import plan_stages, report_data
from tracker.audit.models import AuditEntry
from tracker.board import queries, services
from tracker.board.models import ConfidenceAssessment
from tracker.core.errors import RuleError
from tracker.notifications.models import Notification
from tracker.stages import services as stages
from tracker.stages.models import GateDecision

WHY = "Procurement is on track; the data migration is the main risk."


def _confidence(rating, rationale=WHY):
    return services.ConfidenceData(rating=rating, rationale=rationale)


def _gate(db, board):
    plan_stages(board["project"], board["manager"])
    gate = stages.request_gate(board["project"], report_data(), actor=board["manager"])
    db.session.commit()
    return gate


def _decide(gate, board, role, rating, decision="approve"):
    return services.decide_gate(
        gate,
        role=role,
        decision=decision,
        comment="" if decision != "reject" else "Not ready",
        conditions=[],
        confidence=_confidence(rating),
        actor=board[role],
    )


def test_each_member_records_their_own_rating_with_the_decision(db, board):
    gate = _gate(db, board)
    _decide(gate, board, "executive", "green")
    _decide(gate, board, "senior_user", "amber_red")
    db.session.commit()
    ratings = db.session.execute(
        select(ConfidenceAssessment.role, ConfidenceAssessment.rating).order_by(
            ConfidenceAssessment.id
        )
    ).all()
    assert ratings == [("executive", "green"), ("senior_user", "amber_red")]
    assert gate.status == "approved"
    confidence = queries.project_confidence(board["project"].id)
    assert [r.rating for r in confidence["latest"]] == ["green", "amber_red"]
    assert confidence["divergence"] == 3
    (occasion,) = confidence["occasions"]
    assert occasion["title"].startswith("Start gate")
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert actions.count("confidence.recorded") == 2


@pytest.mark.parametrize(
    ("rating", "rationale", "message"),
    [
        (None, WHY, "Choose a delivery confidence rating"),
        ("purple", WHY, "Choose a delivery confidence rating"),
        ("green", "ok", "Give the rationale"),
    ],
)
def test_a_rating_without_a_known_value_or_a_rationale_refuses_the_decision(
    db, board, rating, rationale, message
):
    gate = _gate(db, board)
    with pytest.raises(RuleError, match=message):
        services.decide_gate(
            gate,
            role="executive",
            decision="approve",
            comment="",
            conditions=[],
            confidence=_confidence(rating, rationale),
            actor=board["executive"],
        )
    db.session.rollback()
    assert db.session.scalar(select(func.count(GateDecision.id))) == 0
    assert db.session.scalar(select(func.count(ConfidenceAssessment.id))) == 0


def test_only_the_pmo_records_an_independent_assurance_rating(db, board, make_user):
    with pytest.raises(RuleError, match="Only the PMO"):
        services.record_assurance(board["project"], _confidence("amber"), actor=board["manager"])
    pmo = make_user("PMO analyst", global_role="pmo")
    rating = services.record_assurance(board["project"], _confidence("amber"), actor=pmo)
    assert rating.role == "assurance" and rating.gate_id is None


def test_a_rating_turning_red_tells_the_board_once(db, board, make_user):
    gate = _gate(db, board)
    _decide(gate, board, "executive", "amber")
    db.session.commit()
    pmo = make_user("PMO analyst", global_role="pmo")
    services.record_assurance(board["project"], _confidence("red"), actor=pmo)
    services.record_assurance(board["project"], _confidence("red"), actor=pmo)
    db.session.commit()
    told = db.session.scalars(
        select(Notification.user_id).where(Notification.kind == "dca_red")
    ).all()
    assert sorted(told) == sorted(
        [board["executive"].id, board["senior_user"].id, board["senior_supplier"].id]
    )


def test_the_portfolio_counts_ratings_with_n_and_finds_those_worse_than_at_the_last_gate(
    db, board, make_user
):
    gate = _gate(db, board)
    _decide(gate, board, "executive", "green")
    _decide(gate, board, "senior_user", "amber_green")
    db.session.commit()
    rows = queries.confidence_portfolio()
    (row,) = [r for r in rows if r["project_id"] == board["project"].id]
    assert row["rating"] == "amber_green" and not row["worsened"]
    by_method = {g["name"]: g for g in queries.confidence_by(rows, "method")}
    assert by_method["stage_gated"]["n"] == 1 and by_method["stage_gated"]["amber_green"] == 1
    pmo = make_user("PMO analyst", global_role="pmo")
    services.record_assurance(board["project"], _confidence("amber_red"), actor=pmo)
    db.session.commit()
    (row,) = [r for r in queries.confidence_portfolio() if r["project_id"] == board["project"].id]
    assert row["rating"] == "amber_red" and row["at_gate"] == "amber_green"
    assert row["worsened"]


def test_the_pages_show_the_scale_ratings_side_by_side_and_the_pmo_view(
    client, login, db, board, make_user
):
    gate = _gate(db, board)
    login(board["executive"])
    page = client.get(f"/projects/{board['project'].id}/gates/{gate.id}/evidence").get_data(
        as_text=True
    )
    assert "Amber/Green" in page and "appears highly likely" in page
    _decide(gate, board, "executive", "green")
    _decide(gate, board, "senior_user", "amber_red")
    db.session.commit()
    pmo = make_user("PMO analyst", global_role="pmo")
    login(pmo)
    url = f"/projects/{board['project'].id}/confidence"
    refused = client.post(url, data={"rating": "amber", "rationale": ""})
    assert refused.status_code == 400 and "Give the rationale" in refused.get_data(as_text=True)
    assert client.post(url, data={"rating": "amber", "rationale": WHY}).status_code == 302
    page = client.get(url).get_data(as_text=True)
    for name in ("Jane Executive", "Sarah User", "PMO analyst"):
        assert name in page
    assert "diverge by 3 points" in page
    portfolio = client.get("/portfolio/board").get_data(as_text=True)
    assert "By delivery method" in portfolio and "By lead organisation" in portfolio
    assert "Stage-gated" in portfolio
