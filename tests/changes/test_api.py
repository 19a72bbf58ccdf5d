"""Change requests through the API: raised from an issue, with who decides them."""

from __future__ import annotations

from decimal import Decimal

from tests.changes.test_pages import IMPACTS, _setup
from tracker.changes import services as changes
from tracker.changes.models import ChangeAuthority, ChangeRequest
from tracker.stages.models import Stage


def test_a_change_request_is_raised_through_the_api_and_names_its_decider(db, api_as, board):
    project, _manager, stage_list, issue = _setup(db, board)
    api = api_as(board["team"])
    body = {
        "issue_id": issue.id,
        "title": "Welsh forms",
        "stage_id": stage_list[1].id,
        "time_impact_days": 3,
        "cost_impact": "500.00",
        **IMPACTS,
    }
    created = api.post(f"/projects/{project.id}/change-requests", json=body)
    assert created.status_code == 201, created.get_json()
    # No change budget delegated yet: the board decides.
    assert created.get_json()["authority"] == "board"
    assert "change budget" in created.get_json()["authority_reason"]
    bad = api.post(f"/projects/{project.id}/change-requests", json={**body, "risk_impact": ""})
    assert bad.status_code == 422
    listed = api.get(f"/projects/{project.id}/change-requests").get_json()
    assert [item["title"] for item in listed["items"]] == ["Welsh forms"]


def test_a_change_request_is_decided_through_the_api_by_its_authority_only(db, api_as, board):
    """The same delegated authority and segregation of duties as the page: the requester
    never decides, the manager not above the delegation, and a stale version is a 409."""
    project, manager, stage_list, issue = _setup(db, board)
    later = stage_list[1]
    finish = later.planned_finish
    body = {
        "issue_id": issue.id,
        "title": "Welsh forms",
        "stage_id": later.id,
        "time_impact_days": 4,
        "cost_impact": "500.00",
        **IMPACTS,
    }
    created = api_as(manager).post(f"/projects/{project.id}/change-requests", json=body)
    change = created.get_json()
    assert change["authority"] == "board"
    url = f"/projects/{project.id}/change-requests/{change['id']}/decision"
    approve = {"decision": "approve", "version": change["version"]}
    # The manager requested it: refused before anything is read or changed.
    mine = api_as(manager).post(url, json=approve)
    assert mine.status_code == 403
    assert "segregation of duties" in mine.get_json()["detail"]
    # A team member holds no deciding role at all.
    assert api_as(board["team"]).post(url, json=approve).status_code == 403
    executive = api_as(board["executive"])
    stale = executive.post(url, json={**approve, "version": change["version"] + 1})
    assert stale.status_code == 409
    no_reason = executive.post(url, json={"decision": "reject", "version": change["version"]})
    assert no_reason.status_code == 422
    assert no_reason.get_json()["errors"][0]["field"] == "comment"
    decided = executive.post(url, json=approve)
    assert decided.status_code == 200, decided.get_json()
    assert decided.get_json()["status"] == "approved"
    assert decided.get_json()["decided_by_id"] == board["executive"].id
    db.session.expire_all()
    assert (db.session.get(Stage, later.id).planned_finish - finish).days == 4
    again = executive.post(url, json={**approve, "version": decided.get_json()["version"]})
    assert again.status_code == 409 and "already been decided" in again.get_json()["detail"]


def test_the_manager_decides_through_the_api_within_the_delegation_only(db, api_as, board):
    project, manager, stage_list, issue = _setup(db, board)
    changes.set_change_budget(project, Decimal("1000"), version=None, actor=board["executive"])
    db.session.commit()
    team = api_as(board["team"])
    ids = []
    for title in ("Small", "Big"):
        created = team.post(
            f"/projects/{project.id}/change-requests",
            json={
                "issue_id": issue.id,
                "title": title,
                "stage_id": stage_list[1].id,
                "time_impact_days": 1,
                "cost_impact": "600.00",
                **IMPACTS,
            },
        ).get_json()
        assert created["authority"] == "manager"
        ids.append(created["id"])
    api = api_as(manager)

    def decide(change_id):
        return api.post(
            f"/projects/{project.id}/change-requests/{change_id}/decision",
            json={"decision": "approve", "version": 1},
        )

    assert decide(ids[0]).status_code == 200
    # £400 left: the second £600 now needs the board, and nothing changes.
    refused = decide(ids[1])
    assert refused.status_code == 409 and "now needs the board" in refused.get_json()["detail"]
    db.session.expire_all()
    assert db.session.get(ChangeAuthority, project.id).debited == Decimal("600.00")
    assert db.session.get(ChangeRequest, ids[1]).status == "submitted"
