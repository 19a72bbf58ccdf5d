"""Change requests through the API: raised from an issue, with who decides them."""

from __future__ import annotations

from tests.changes.test_pages import IMPACTS, _setup


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
