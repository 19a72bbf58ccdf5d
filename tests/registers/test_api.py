"""The registers through the JSON API: the same rules and refusals as the pages."""

from __future__ import annotations

from sqlalchemy import func, select

from tracker.registers.models import Issue, Risk, RiskChange


def _count(db, model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def _body(owner_id, **overrides):
    body = {
        "title": "Council elections change the sponsor",
        "kind": "threat",
        "category": "political",
        "cause": "Elections in May",
        "event": "A new cabinet member reprioritises",
        "effect": "Funding for phase 2 is withdrawn",
        "owner_id": owner_id,
        "likelihood": 4,
        "impact": 5,
        "response": "reduce",
        "target_likelihood": 2,
        "target_impact": 5,
        "review_on": "2027-04-30",
    }
    body.update(overrides)
    return body


def test_raise_rescore_and_read_a_risk_with_its_history(db, api_as, project, people):
    api = api_as(people["manager"])
    created = api.post(f"/projects/{project.id}/risks", json=_body(people["executive"].id))
    assert created.status_code == 201, created.get_json()
    risk = created.get_json()
    assert (risk["score"], risk["band"], risk["target_score"]) == (20, "very_high", 10)
    assert risk["source"] == "register" and risk["history"][0]["field"] == "Likelihood"
    changed = api.patch(
        f"/projects/{project.id}/risks/{risk['id']}",
        json={"version": risk["version"], "likelihood": 2},
    )
    assert changed.status_code == 200, changed.get_json()
    history = changed.get_json()["history"]
    assert {"field": "Score", "from_value": "20", "to_value": "10"}.items() <= next(
        h for h in history if h["field"] == "Score" and h["from_value"] is not None
    ).items()
    listed = api.get(f"/projects/{project.id}/risks?status=open").get_json()
    assert [item["id"] for item in listed["items"]] == [risk["id"]]
    stale = api.patch(
        f"/projects/{project.id}/risks/{risk['id']}",
        json={"version": risk["version"], "impact": 1},
    )
    assert stale.status_code == 409


def test_bad_risks_are_refused_with_the_field_named_and_nothing_saved(db, api_as, project, people):
    api = api_as(people["manager"])
    cases = [
        ({"likelihood": 6}, "likelihood"),
        ({"impact": 0}, "impact"),
        ({"owner_id": people["outsider"].id}, "owner_id"),
        ({"response": "exploit"}, "response"),
        ({"target_impact": None}, "target_impact"),
    ]
    failures = []
    for overrides, field in cases:
        body = {**_body(people["manager"].id), **overrides}
        response = api.post(f"/projects/{project.id}/risks", json=body)
        fields = [e["field"] for e in (response.get_json() or {}).get("errors", [])]
        if response.status_code != 422 or field not in fields:
            failures.append((overrides, response.status_code, response.get_json()))
    assert failures == []
    assert _count(db, Risk) == 0 and _count(db, RiskChange) == 0


def test_a_problem_raised_from_a_risk_through_the_api_closes_it(db, api_as, project, people):
    api = api_as(people["manager"])
    risk = api.post(f"/projects/{project.id}/risks", json=_body(people["manager"].id)).get_json()
    response = api.post(
        f"/projects/{project.id}/issues",
        json={
            "kind": "concern",
            "title": "Sponsor changed",
            "priority": "high",
            "severity": 4,
            "owner_id": people["manager"].id,
            "risk_id": risk["id"],
        },
    )
    assert response.status_code == 201, response.get_json()
    issue = response.get_json()
    assert (issue["kind"], issue["risk_id"]) == ("problem", risk["id"])
    assert api.get(f"/projects/{project.id}/risks/{risk['id']}").get_json()["status"] == "closed"
    refused = api.patch(
        f"/projects/{project.id}/issues/{issue['id']}",
        json={"version": issue["version"], "status": "closed"},
    )
    assert refused.status_code == 422
    assert refused.get_json()["errors"][0]["field"] == "resolution"
    closed = api.patch(
        f"/projects/{project.id}/issues/{issue['id']}",
        json={"version": issue["version"], "status": "closed", "resolution": "Re-briefed"},
    )
    assert closed.status_code == 200 and closed.get_json()["closed_at"] is not None
    assert _count(db, Issue) == 1


def test_the_registers_are_in_the_openapi_description(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in (
        "/api/v1/projects/{project_id}/risks",
        "/api/v1/projects/{project_id}/risks/{risk_id}",
        "/api/v1/projects/{project_id}/issues",
        "/api/v1/projects/{project_id}/issues/{issue_id}",
    ):
        assert path in paths, path
