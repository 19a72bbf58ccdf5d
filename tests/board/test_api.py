"""The board's API: the evidence for a gate, conditions (list, read, met with evidence or
waived by the board), delivery confidence (each member's with the decision, the PMO's)."""

from __future__ import annotations

from datetime import timedelta

from tests.board.helpers import approved_with_conditions
from tests.stages.helpers import plan_stages, report_data
from tracker.board import queries
from tracker.core.dates import uk_today
from tracker.stages import services as stages

EVIDENCE = "Two workshops held; the notes are in the stage file."
WHY = "Procurement is on track; the data migration is the main risk."


def test_the_evidence_of_a_gate_says_what_and_when(db, board, api_as):
    gate, _, _ = approved_with_conditions(board, "Run a workshop")
    body = api_as(board["executive"]).get(
        f"/projects/{board['project'].id}/gates/{gate.id}/evidence"
    )
    assert body.status_code == 200
    data = body.get_json()
    assert [t["dimension"] for t in data["tolerances"]] == [
        "time",
        "cost",
        "scope",
        "quality",
        "risk",
        "benefit",
        "sustainability",
    ]
    assert data["taken_at"] and data["since"] is None
    assert data["budget"] is None
    assert [c["text"] for c in data["conditions"]] == ["Run a workshop"]
    assert data["open_conditions"] == []
    assert set(data["feedback"]) == {
        "entries",
        "loops_closed",
        "loops_open",
        "mean_rating",
        "latest_at",
    }


def test_a_condition_is_met_with_evidence_and_a_waiver_needs_the_board(db, board, api_as):
    gate, _, _ = approved_with_conditions(board, "Run a workshop")
    project = board["project"]
    (condition,) = queries.gate_conditions(gate.id)
    manager = api_as(board["manager"])
    listed = manager.get(f"/projects/{project.id}/conditions").get_json()["items"]
    assert [c["id"] for c in listed] == [condition.id]
    url = f"/projects/{project.id}/conditions/{condition.id}"
    waived = manager.patch(url, json={"status": "waived", "explanation": EVIDENCE, "version": 1})
    assert waived.status_code == 422
    assert "member of the project board" in waived.get_json()["detail"]
    short = manager.patch(url, json={"status": "met", "explanation": "ok", "version": 1})
    assert short.status_code == 422 and "evidence" in short.get_json()["detail"]
    empty = manager.patch(url, json={"status": "met", "explanation": "", "version": 1})
    assert empty.status_code == 422
    met = manager.patch(url, json={"status": "met", "explanation": EVIDENCE, "version": 1})
    assert met.status_code == 200 and met.get_json()["status"] == "met"
    stale = manager.patch(url, json={"status": "met", "explanation": EVIDENCE, "version": 1})
    assert stale.status_code == 409
    again = manager.patch(url, json={"status": "met", "explanation": EVIDENCE, "version": 2})
    assert again.status_code == 422 and "already met" in again.get_json()["detail"]


def test_deciding_through_the_api_sets_conditions_and_a_rating(db, board, api_as):
    project = board["project"]
    plan_stages(project, board["manager"])
    gate = stages.request_gate(project, report_data(), actor=board["manager"])
    db.session.commit()
    due = (uk_today() + timedelta(days=10)).isoformat()
    response = api_as(board["executive"]).post(
        f"/projects/{project.id}/gates/{gate.id}/decisions",
        json={
            "role": "executive",
            "decision": "approve_with_conditions",
            "conditions": [
                {"text": "Publish the plan", "owner_id": board["team"].id, "due_on": due}
            ],
            "confidence": {"rating": "amber_green", "rationale": WHY},
        },
    )
    assert response.status_code == 201, response.get_json()
    response = api_as(board["senior_user"]).post(
        f"/projects/{project.id}/gates/{gate.id}/decisions",
        json={
            "role": "senior_user",
            "decision": "approve_with_conditions",
            "comment": "Cap spend at the stage budget",
        },
    )
    assert response.status_code == 201
    conditions = {c.text: c for c in queries.gate_conditions(gate.id)}
    assert conditions["Publish the plan"].owner_id == board["team"].id
    assert conditions["Cap spend at the stage budget"].owner_id == board["manager"].id
    ratings = api_as(board["manager"]).get(f"/projects/{project.id}/confidence-assessments")
    (rating,) = ratings.get_json()["items"]
    assert rating["rating"] == "amber_green" and rating["role"] == "executive"


def test_the_pmo_records_an_assurance_rating(db, board, api_as, make_user):
    project = board["project"]
    pmo = make_user("PMO analyst", global_role="pmo")
    url = f"/projects/{project.id}/confidence-assessments"
    assert (
        api_as(board["executive"]).post(url, json={"rating": "red", "rationale": WHY}).status_code
        == 403
    )
    bad = api_as(pmo).post(url, json={"rating": "purple", "rationale": WHY})
    assert bad.status_code == 422
    made = api_as(pmo).post(url, json={"rating": "amber", "rationale": WHY})
    assert made.status_code == 201
    assert made.get_json()["role"] == "assurance" and made.get_json()["gate_id"] is None


def test_documents_through_the_api(db, board, api_as):
    import io

    project = board["project"]
    manager = api_as(board["manager"])
    url = f"/projects/{project.id}/documents"
    refused = manager.post(
        url,
        data={"title": "Tool", "file": (io.BytesIO(b"MZ\x90"), "tool.exe")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422 and "cannot be attached" in refused.get_json()["detail"]
    made = manager.post(
        url,
        data={"title": "Business case", "file": (io.BytesIO(b"%PDF-1.4\n"), "case.pdf")},
        content_type="multipart/form-data",
    )
    assert made.status_code == 201, made.get_json()
    document = made.get_json()
    assert document["version"] == 1 and document["content_type"] == "application/pdf"
    listed = api_as(board["team"]).get(url).get_json()["items"]
    assert [d["id"] for d in listed] == [document["id"]]
    download = api_as(board["team"]).get(f"{url}/{document['id']}")
    assert download.status_code == 200 and download.data == b"%PDF-1.4\n"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert api_as(board["outsider"]).get(f"{url}/{document['id']}").status_code == 403
