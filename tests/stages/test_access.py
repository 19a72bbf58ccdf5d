"""Who may do what: the manager requests, required board members decide, the team reads."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.stages.helpers import plan_stages, report_data
from tracker.stages import services
from tracker.stages.models import GateDecision

# Access does not depend on the database engine: SQLite alone (see tests/conftest.py).
pytestmark = pytest.mark.one_engine


def _gate(db, board):
    plan_stages(board["project"], board["manager"])
    gate = services.request_gate(board["project"], report_data(), actor=board["manager"])
    db.session.commit()
    return gate


def test_team_member_reads_but_cannot_plan_request_or_decide(client, login, board, db):
    gate = _gate(db, board)
    project = board["project"]
    login(board["team"])
    assert client.get(f"/projects/{project.id}/stages").status_code == 200
    assert client.get(f"/projects/{project.id}/gates/{gate.id}").status_code == 200
    assert client.get(f"/projects/{project.id}/stages/new").status_code == 403
    assert client.get(f"/projects/{project.id}/gates/new").status_code == 403
    assert client.get(f"/projects/{project.id}/highlights/new").status_code == 403
    crafted = client.post(
        f"/projects/{project.id}/gates/{gate.id}/decide",
        data={"role": "executive", "decision": "approve"},
    )
    assert crafted.status_code == 403
    assert db.session.scalar(select(func.count(GateDecision.id))) == 0
    assert "Your decision" not in client.get(f"/projects/{project.id}/gates/{gate.id}").get_data(
        as_text=True
    )


def test_board_member_whose_role_is_not_required_cannot_decide(client, login, board, db):
    gate = _gate(db, board)  # medium project: Executive and Senior User only
    login(board["senior_supplier"])
    response = client.post(
        f"/projects/{board['project'].id}/gates/{gate.id}/decide",
        data={"role": "senior_supplier", "decision": "approve"},
    )
    assert response.status_code == 403


def test_manager_cannot_decide_a_gate_or_close_the_project(client, login, board, db):
    gate = _gate(db, board)
    login(board["manager"])
    project = board["project"]
    assert (
        client.post(
            f"/projects/{project.id}/gates/{gate.id}/decide",
            data={"role": "executive", "decision": "approve"},
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"/projects/{project.id}/gates/{gate.id}/close-project", data={"reason": "x"}
        ).status_code
        == 403
    )


def test_an_approver_cannot_decide_as_a_role_they_do_not_hold(client, login, board, db):
    gate = _gate(db, board)
    login(board["senior_user"])
    response = client.post(
        f"/projects/{board['project'].id}/gates/{gate.id}/decide",
        data={"role": "executive", "decision": "approve"},
    )
    assert response.status_code == 403  # a forged role: refused, nothing recorded
    assert db.session.scalar(select(func.count(GateDecision.id))) == 0


def test_executive_closes_the_project_early_from_the_gate_page(client, login, board, db):
    gate = _gate(db, board)
    login(board["executive"])
    project = board["project"]
    page = client.get(f"/projects/{project.id}/gates/{gate.id}").get_data(as_text=True)
    assert "Close the project early" in page
    no_reason = client.post(f"/projects/{project.id}/gates/{gate.id}/close-project", data={})
    assert no_reason.status_code == 400
    assert "Enter the reason for closing early" in no_reason.get_data(as_text=True)
    response = client.post(
        f"/projects/{project.id}/gates/{gate.id}/close-project", data={"reason": "No funding"}
    )
    assert response.status_code == 302
    db.session.refresh(project)
    assert project.status == "closed_early"
    assert "Closed the project early: No funding" in client.get(f"/projects/{project.id}").get_data(
        as_text=True
    )


def test_outsider_sees_nothing_in_their_inbox(client, login, board, db):
    _gate(db, board)
    login(board["outsider"])
    page = client.get("/decisions").get_data(as_text=True)
    assert "Nothing is waiting for your decision" in page
    assert board["project"].code not in page
