"""What the API does: problem details, conflicts, pagination, and round trips through the
same services the pages use (visible on the pages and in the audit trail)."""

from __future__ import annotations

from sqlalchemy import func, select

from tracker.audit.models import AuditEntry
from tracker.projects.models import Project

PROBLEM = "application/problem+json"


def _project_body(org_id: int, **overrides) -> dict:
    body = {
        "code": "API-1",
        "name": "Pothole reporting",
        "problem_statement": "Residents cannot report potholes online.",
        "lead_organisation_id": org_id,
        "budget_at_completion": "120000.50",
        "planned_start": "2026-04-01",
        "planned_finish": "2027-03-31",
        "criticality": 2,
    }
    body.update(overrides)
    return body


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --------------------------------------------------------------------------------------
# Problem details
# --------------------------------------------------------------------------------------


def test_validation_errors_name_every_field_and_save_nothing(db, api_as, make_user, make_org):
    org = make_org()
    before = _count(db, Project)
    response = api_as(make_user()).post(
        "/projects",
        json=_project_body(
            org.id,
            code="bad code",
            budget_at_completion=120000,
            planned_start="31/12/2026",
            criticality=9,
            colour="red",
        ),
    )
    assert response.status_code == 422
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert set(body) == {"type", "title", "status", "detail", "instance", "errors"}
    assert body["title"] == "Validation failed" and body["status"] == 422
    assert body["instance"] == "/api/v1/projects"
    fields = {error["field"]: error["message"] for error in body["errors"]}
    assert set(fields) == {"code", "budget_at_completion", "planned_start", "criticality", "colour"}
    assert "capital letters" in fields["code"]
    assert "250000.00" in fields["budget_at_completion"]
    assert fields["colour"] == "Unknown field."
    assert all(error["location"] == "body" for error in body["errors"])
    assert _count(db, Project) == before


def test_domain_rule_errors_are_field_problems_too(db, api_as, make_user, make_org):
    org = make_org()
    api = api_as(make_user())
    response = api.post(
        "/projects",
        json=_project_body(org.id, planned_start="2027-01-01", planned_finish="2026-01-01"),
    )
    assert response.status_code == 422
    assert response.get_json()["errors"] == [
        {
            "field": "planned_finish",
            "location": "body",
            "message": "Planned finish must be the same as or after the planned start",
        }
    ]


def test_query_parameters_are_validated(api_as, make_user):
    response = api_as(make_user()).get("/projects?per_page=1000&method=waterfall")
    assert response.status_code == 422
    fields = {(e["location"], e["field"]) for e in response.get_json()["errors"]}
    assert fields == {("query", "per_page"), ("query", "method")}


def test_bad_json_is_a_400_problem(client, token_for, make_user):
    response = client.post(
        "/api/v1/projects",
        data="{not json",
        headers={
            "Authorization": f"Bearer {token_for(make_user())}",
            "Content-Type": "application/json",
        },
    )
    assert response.status_code == 400
    assert response.mimetype == PROBLEM


def test_unknown_addresses_and_methods_are_problems(api_as, make_user):
    api = api_as(make_user())
    missing = api.get("/projects/999999")
    assert missing.status_code == 404 and missing.mimetype == PROBLEM
    nowhere = api.get("/no-such-thing")
    assert nowhere.status_code == 404 and nowhere.mimetype == PROBLEM
    wrong = api.open("DELETE", "/projects")
    assert wrong.status_code == 405 and wrong.mimetype == PROBLEM


def test_text_the_database_cannot_store_is_refused(api_as, make_user, make_org):
    response = api_as(make_user()).post(
        "/projects", json=_project_body(make_org().id, name="Nul\u0000byte")
    )
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "name"


# --------------------------------------------------------------------------------------
# Conflicts
# --------------------------------------------------------------------------------------


def test_a_stale_version_is_409_and_changes_nothing(db, api_as, governed):
    project = governed["project"]
    api = api_as(governed["manager"])
    fresh = api.patch(f"/projects/{project.id}", json={"version": project.version, "name": "New"})
    assert fresh.status_code == 200
    stale = api.patch(f"/projects/{project.id}", json={"version": 1, "name": "Overwritten"})
    assert stale.status_code == 409
    assert stale.mimetype == PROBLEM
    assert "changed by someone else" in stale.get_json()["detail"]
    db.session.expire_all()
    assert db.session.get(Project, project.id).name == "New"


def test_deciding_a_resolved_gate_is_409(db, api_as, governed):
    gate = governed["gate"]
    path = f"/projects/{governed['project'].id}/gates/{gate.id}/decisions"
    api = api_as(governed["executive"])
    first = api.post(path, json={"decision": "approve"})
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["status"] == "approved"
    assert [d["role"] for d in first.get_json()["decisions"]] == ["executive"]
    again = api.post(path, json={"decision": "reject", "comment": "Changed my mind"})
    assert again.status_code == 409
    assert "already been decided" in again.get_json()["detail"]


def test_deciding_without_the_reason_the_rule_needs_is_422(api_as, governed):
    gate = governed["gate"]
    response = api_as(governed["executive"]).post(
        f"/projects/{governed['project'].id}/gates/{gate.id}/decisions",
        json={"decision": "reject"},
    )
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "comment"


def test_an_assessment_made_meanwhile_is_409(api_as, governed):
    from tests.methods.helpers import raw

    api = api_as(governed["manager"])
    path = f"/projects/{governed['project'].id}/assessments"
    assert api.post(path, json={**raw(), "expected_sequence": 2}).status_code == 201
    late = api.post(path, json={**raw(), "expected_sequence": 2})
    assert late.status_code == 409


def test_a_method_decision_needs_a_rationale_against_the_recommendation(api_as, governed):
    api = api_as(governed["manager"])
    path = f"/projects/{governed['project'].id}/method-decisions"
    recommended = governed["assessment"].method
    other = next(m for m in ("agile", "stage_gated", "hybrid") if m != recommended)
    refused = api.post(path, json={"method": other, "drivers": ["tradition"]})
    assert refused.status_code == 422
    assert refused.get_json()["errors"][0]["field"] == "rationale"
    made = api.post(
        path, json={"method": other, "drivers": ["tradition"], "rationale": "Members asked"}
    )
    assert made.status_code == 201
    assert made.get_json()["follows_recommendation"] is False
    assert made.get_json()["risk_id"] is not None


# --------------------------------------------------------------------------------------
# Pagination and filters
# --------------------------------------------------------------------------------------


def test_projects_are_paginated_with_totals(api_as, make_user, make_project):
    pmo = make_user("Analyst", global_role="pmo")
    for n in range(5):
        make_project(code=f"PAGE-{n}", name=f"Paged {n}")
    api = api_as(pmo)
    first = api.get("/projects?q=PAGE&per_page=2").get_json()
    assert first["meta"] == {"page": 1, "per_page": 2, "total": 5, "pages": 3}
    assert [p["code"] for p in first["items"]] == ["PAGE-0", "PAGE-1"]
    last = api.get("/projects?q=PAGE&per_page=2&page=3").get_json()
    assert [p["code"] for p in last["items"]] == ["PAGE-4"]
    beyond = api.get("/projects?q=PAGE&per_page=2&page=9").get_json()
    assert beyond["meta"]["page"] == 3  # the nearest page, as on the list page
    newest = api.get("/projects?q=PAGE&sort=code&direction=desc&per_page=1").get_json()
    assert newest["items"][0]["code"] == "PAGE-4"


def test_project_filters_match_the_list_page(api_as, make_user, make_project):
    pmo = make_user("Analyst", global_role="pmo")
    proposed = make_project(code="FLT-1", status="proposed")
    make_project(code="FLT-2", status="active")
    body = api_as(pmo).get("/projects?q=FLT&status=proposed").get_json()
    assert [p["id"] for p in body["items"]] == [proposed.id]


def test_the_project_list_takes_a_fixed_number_of_queries(app, api_as, make_user, make_project):
    from flask_sqlalchemy.record_queries import get_recorded_queries

    pmo = make_user("Analyst", global_role="pmo")
    api = api_as(pmo)
    make_project()

    def selects() -> int:
        return sum(q.statement.lstrip().startswith("SELECT") for q in get_recorded_queries())

    api.get("/projects")  # the first call also notes when the token was last used
    api.get("/projects")
    few = selects()
    for _ in range(4):
        make_project()
    api.get("/projects")
    assert selects() == few <= 5


# --------------------------------------------------------------------------------------
# Round trips: the API's changes are the pages' changes, audited
# --------------------------------------------------------------------------------------


def test_a_project_created_and_updated_by_api_is_audited_and_shown(
    db, client, login, api_as, make_user, make_org
):
    manager = make_user("Mia Manager")
    org = make_org()
    api = api_as(manager)
    created = api.post("/projects", json=_project_body(org.id))
    assert created.status_code == 201, created.get_json()
    project = created.get_json()
    assert project["manager_id"] == manager.id
    assert project["budget_at_completion"] == "120000.50"
    updated = api.patch(
        f"/projects/{project['id']}",
        json={"version": project["version"], "name": "Pothole and streetlight reporting"},
    )
    assert updated.status_code == 200
    assert updated.get_json()["version"] == project["version"] + 1

    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.project_id == project["id"]).order_by(AuditEntry.seq)
    ).all()
    assert [e.action for e in entries] == [
        "project.created",
        "project.framework_set",
        "project.updated",
    ]
    assert all(e.actor_id == manager.id for e in entries)
    assert "name" in entries[-1].changes

    login(manager)
    page = client.get(f"/projects/{project['id']}").get_data(as_text=True)
    assert "Pothole and streetlight reporting" in page
    assert "Updated name" in page


def test_agile_work_through_the_api(db, client, login, api_as, governed):
    project = governed["project"]
    team = api_as(governed["member"])
    item = team.post(f"/projects/{project.id}/backlog", json={"title": "Photo upload", "points": 5})
    assert item.status_code == 201
    moved = team.patch(
        f"/projects/{project.id}/backlog/{item.get_json()['id']}",
        json={"version": item.get_json()["version"], "status": "doing"},
    )
    assert moved.status_code == 200 and moved.get_json()["status"] == "doing"
    customer = api_as(governed["customer"])
    feedback = customer.post(
        f"/projects/{project.id}/iterations/{governed['iteration'].id}/feedback",
        json={"source": "service_user", "rating": 5, "said": "Love it", "agreement": "yes"},
    )
    assert feedback.status_code == 201
    actions = set(
        db.session.scalars(select(AuditEntry.action).where(AuditEntry.project_id == project.id))
    )
    assert {"backlog_item.created", "backlog_item.status_changed", "feedback.recorded"} <= actions
    login(governed["manager"])
    page = client.get(f"/projects/{project.id}/backlog").get_data(as_text=True)
    assert "Photo upload" in page


def test_assessing_returns_the_recommendation(api_as, governed):
    from tests.methods.helpers import raw

    response = api_as(governed["manager"]).post(
        f"/projects/{governed['project'].id}/assessments", json=raw(U1=5, U2=5, U3=5)
    )
    assert response.status_code == 201
    body = response.get_json()
    assert body["sequence"] == 2
    assert body["recommendation"]["method"] in {"agile", "hybrid", "stage_gated"}
    assert body["recommendation"]["reasons"]
    history = (
        api_as(governed["manager"])
        .get(f"/projects/{governed['project'].id}/assessments")
        .get_json()
    )
    assert [a["sequence"] for a in history["items"]] == [2, 1]
    assert any(c["key"] == "U1" for c in history["items"][0]["changes"])
    assert history["items"][1]["changes"] == []


def test_stages_show_their_tolerance_status(api_as, governed):
    body = (
        api_as(governed["executive"]).get(f"/projects/{governed['project'].id}/stages").get_json()
    )
    assert [s["sequence"] for s in body["items"]] == [1, 2]
    first = body["items"][0]
    assert first["planned_budget"] == "10000.00"
    assert {t["dimension"] for t in first["tolerance_status"]} >= {"time", "cost"}
    assert set(first["targets"]) == {"scope", "quality", "risk", "benefit", "sustainability"}
