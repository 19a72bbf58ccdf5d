"""The board's pages: a board member reads the evidence for a gate on one page and decides
with conditions; the owner sees the condition in My work and meets it with evidence; the
next gate waits for it."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from tests.board.helpers import approved_with_conditions
from tests.stages.helpers import plan_stages, report_data
from tracker.board import queries
from tracker.board.models import GateCondition
from tracker.core import events
from tracker.core.dates import uk_today
from tracker.stages import services as stages

EVIDENCE = "Two workshops held; the notes are in the stage file."
DCA = {"rating": "amber_green", "rationale": "Procurement is on track; data risks remain."}


def _pending_gate(db, board):
    project = board["project"]
    first, _ = plan_stages(project, board["manager"])
    gate = stages.request_gate(project, report_data(), actor=board["manager"])
    db.session.commit()
    return project, gate, first


def test_the_evidence_page_has_every_section_with_its_source_and_when(client, login, board, db):
    project, gate, first = _pending_gate(db, board)
    login(board["executive"])
    page = client.get(f"/projects/{project.id}/gates/{gate.id}/evidence").get_data(as_text=True)
    for heading in (
        "Tolerances: the seven targets",
        "Budget: the latest checkpoint",
        "Risks and issues",
        "Customer feedback since the project began",
        "Highlight reports since the project began",
        "Open conditions from earlier gates",
        "Conditions of this gate",
    ):
        assert heading in page, heading
    assert "Evidence assembled" in page
    assert "no forecast recorded yet" in page
    assert f"/projects/{project.id}/stages/{first.id}" in page
    assert f"/projects/{project.id}/budget" in page
    assert f"/projects/{project.id}/risks" in page
    for target in ("Time", "Cost", "Scope", "Quality", "Risk", "Benefit", "Sustainability"):
        assert f">{target}</th>" in page, target
    assert "Your decision" in page
    # The gate page points the board to it.
    gate_page = client.get(f"/projects/{project.id}/gates/{gate.id}").get_data(as_text=True)
    assert f"/projects/{project.id}/gates/{gate.id}/evidence" in gate_page


def test_the_evidence_shows_highlights_since_the_last_gate_and_answers_from_above(
    client, login, board, db
):
    gate, first, _ = approved_with_conditions(board, "Run a workshop")
    project = board["project"]
    stages.start_stage(first, version=None, actor=board["manager"])
    stages.create_highlight(
        project,
        stages.HighlightData(
            period_start=date(2026, 1, 5),
            period_end=date(2026, 1, 30),
            overall_status="amber",
            this_period="Suppliers shortlisted",
            next_period="Tender",
            issues_and_risks="One supplier withdrew",
        ),
        actor=board["manager"],
    )
    db.session.commit()

    def registers(stage):
        return [{"title": "Risk register", "lines": ["Supplier failure: high"], "empty": ""}]

    login(board["executive"])
    with events.subscribed(events.gate_evidence, registers, order=90):
        page = client.get(f"/projects/{project.id}/gates/{gate.id}/evidence").get_data(as_text=True)
    assert "Risk register" in page and "Supplier failure: high" in page
    assert f"/projects/{project.id}/highlights/" in page and ">5 January 2026 to" in page
    # The start gate's own evidence page lists its condition under "Conditions of this gate".
    assert "Run a workshop" in page


def test_a_board_member_decides_with_a_condition_the_owner_meets_it_and_the_next_gate_follows(
    client, login, board, db
):
    project, gate, first = _pending_gate(db, board)
    due = (uk_today() + timedelta(days=20)).isoformat()
    login(board["executive"])
    refused = client.post(
        f"/projects/{project.id}/gates/{gate.id}/evidence/decide",
        data={"role": "executive", "decision": "approve_with_conditions", "comment": "", **DCA},
    )
    assert refused.status_code == 400
    assert "Add at least one condition" in refused.get_data(as_text=True)
    response = client.post(
        f"/projects/{project.id}/gates/{gate.id}/evidence/decide",
        data={
            "role": "executive",
            "decision": "approve_with_conditions",
            "condition_1": "Bring the revised data migration plan",
            "owner_1": str(board["team"].id),
            "due_1": due,
            **DCA,
        },
    )
    assert response.status_code == 302
    login(board["senior_user"])
    client.post(
        f"/projects/{project.id}/gates/{gate.id}/evidence/decide",
        data={"role": "senior_user", "decision": "approve", **DCA},
    )
    (condition,) = queries.gate_conditions(gate.id)
    assert condition.owner_id == board["team"].id

    login(board["team"])
    my_work = client.get("/my-work").get_data(as_text=True)
    assert "Conditions I own" in my_work and "Bring the revised data migration plan" in my_work

    login(board["manager"])
    client.post(f"/projects/{project.id}/stages/{first.id}/start", data={"version": first.version})
    blocked = client.get(f"/projects/{project.id}/gates/new", follow_redirects=True)
    assert "is still open" in blocked.get_data(as_text=True)

    login(board["team"])
    url = f"/projects/{project.id}/conditions/{condition.id}/settle"
    empty = client.post(url, data={"status": "met", "explanation": "", "version": 1})
    assert empty.status_code == 400
    assert "Give the evidence" in empty.get_data(as_text=True)
    waive = client.post(url, data={"status": "waived", "explanation": EVIDENCE, "version": 1})
    assert waive.status_code == 400
    assert "Only a member of the project board may waive" in waive.get_data(as_text=True)
    met = client.post(url, data={"status": "met", "explanation": EVIDENCE, "version": 1})
    assert met.status_code == 302
    db.session.refresh(condition)
    assert condition.status == "met" and condition.explanation == EVIDENCE
    assert "Conditions I own" not in client.get("/my-work").get_data(as_text=True)

    login(board["manager"])
    assert client.get(f"/projects/{project.id}/gates/new").status_code == 200


def test_only_the_owner_the_manager_or_the_board_may_settle_a_condition(
    client, login, board, db, make_user
):
    gate, _, _ = approved_with_conditions(board, "Run a workshop")
    project = board["project"]
    (condition,) = queries.gate_conditions(gate.id)
    url = f"/projects/{project.id}/conditions/{condition.id}/settle"
    login(board["team"])  # on the team, but not the owner (the manager is)
    assert client.post(url, data={"status": "met", "explanation": EVIDENCE}).status_code == 403
    page = client.get(f"/projects/{project.id}/conditions/{condition.id}").get_data(as_text=True)
    assert "Record what happened" not in page
    login(board["executive"])
    response = client.post(
        url, data={"status": "waived", "explanation": "The forum replaced it.", "version": 1}
    )
    assert response.status_code == 302
    assert db.session.get(GateCondition, condition.id).status == "waived"


def test_conditions_written_on_the_gate_page_become_an_action_for_the_manager(
    client, login, board, db
):
    project, gate, _ = _pending_gate(db, board)
    login(board["executive"])
    client.post(
        f"/projects/{project.id}/gates/{gate.id}/decide",
        data={
            "role": "executive",
            "decision": "approve_with_conditions",
            "comment": "Cap spend at the stage budget",
        },
    )
    (condition,) = db.session.scalars(
        select(GateCondition).where(GateCondition.gate_id == gate.id)
    ).all()
    assert condition.text == "Cap spend at the stage budget"
    assert condition.owner_id == board["manager"].id
    assert condition.due_on == uk_today() + timedelta(days=30)
    listing = client.get(f"/projects/{project.id}/conditions").get_data(as_text=True)
    # The gate is still waiting for the Senior User: a condition binds once it is approved.
    assert "Cap spend" not in listing


def test_the_exception_evidence_page(client, login, board, db):
    from tests.stages.helpers import access_ids

    ids = access_ids(board["project"], board["manager"])
    db.session.commit()
    login(board["senior_user"])
    response = client.get(
        f"/projects/{board['project'].id}/exceptions/{ids['exception_id']}/evidence"
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Evidence for the exception report" in page
    assert "Tolerances: the seven targets" in page


def test_user_text_is_escaped_on_the_evidence_page(client, login, board, db):
    payload = "<script>alert(1)</script>"
    gate, _, _ = approved_with_conditions(board, payload)
    login(board["executive"])
    page = client.get(f"/projects/{board['project'].id}/gates/{gate.id}/evidence").get_data(
        as_text=True
    )
    assert payload not in page
    assert "&lt;script&gt;" in page
