"""Organisations, stage plans and gate requests through the API: the same services as the
pages (what the API creates is what the pages show), version checks (409), state conflicts
(409), validation (422), and who may call each endpoint (401 without a good token, 403
without the role)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.api.conftest import Api
from tests.stages.helpers import report_data, stage_data
from tracker.api import services as tokens
from tracker.api.models import ApiToken
from tracker.audit.models import AuditEntry
from tracker.db import utcnow
from tracker.orgs.models import Organisation
from tracker.stages import services as stages
from tracker.stages.models import GateReview, Stage

PROBLEM = "application/problem+json"


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --------------------------------------------------------------------------------------
# Organisations
# --------------------------------------------------------------------------------------


@pytest.fixture
def pmo(make_user):
    return make_user("Priya PMO", global_role="pmo")


def test_pmo_creates_an_organisation_the_pages_list(db, client, login, api_as, pmo):
    response = api_as(pmo).post(
        "/organisations", json={"name": "Northshire NHS Trust", "short_name": "NNT", "kind": "nhs"}
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert {k: body[k] for k in ("name", "short_name", "kind", "version")} == {
        "name": "Northshire NHS Trust",
        "short_name": "NNT",
        "kind": "nhs",
        "version": 1,
    }
    login(pmo)
    page = client.get("/organisations/").get_data(as_text=True)
    assert "Northshire NHS Trust" in page
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "organisation.created")
    ).one()
    assert (entry.object_id, entry.actor_id) == (body["id"], pmo.id)


def test_a_duplicate_or_blank_name_is_422_and_saves_nothing(db, api_as, pmo, make_org):
    make_org("Eastvale Council")
    before = _count(db, Organisation)
    api = api_as(pmo)
    duplicate = api.post("/organisations", json={"name": "eastvale council"})
    assert duplicate.status_code == 422 and duplicate.mimetype == PROBLEM
    assert duplicate.get_json()["errors"][0]["field"] == "name"
    assert "already exists" in duplicate.get_json()["detail"]
    blank = api.post("/organisations", json={"name": "   ", "kind": "martian"})
    assert blank.status_code == 422
    assert {e["field"] for e in blank.get_json()["errors"]} == {"name", "kind"}
    assert _count(db, Organisation) == before


def test_update_checks_the_version(db, client, login, api_as, pmo, make_org):
    org = make_org("Westshire Council")
    api = api_as(pmo)
    response = api.patch(f"/organisations/{org.id}", json={"version": 1, "short_name": "WSC"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["short_name"] == "WSC"
    assert response.get_json()["name"] == "Westshire Council"  # unchanged: not sent
    assert response.get_json()["version"] == 2
    stale = api.patch(f"/organisations/{org.id}", json={"version": 1, "name": "Renamed"})
    assert stale.status_code == 409 and stale.mimetype == PROBLEM
    db.session.expire_all()
    assert db.session.get(Organisation, org.id).name == "Westshire Council"
    login(pmo)
    assert "WSC" in client.get("/organisations/").get_data(as_text=True)
    missing = api.patch("/organisations/999999", json={"version": 1})
    assert missing.status_code == 404


def test_people_without_a_pmo_role_cannot_change_organisations(db, api_as, make_user, make_org):
    org = make_org("Eastvale Council")
    api = api_as(make_user("Manager"))
    before = _count(db, Organisation)
    assert api.post("/organisations", json={"name": "Mine"}).status_code == 403
    response = api.patch(f"/organisations/{org.id}", json={"version": 1, "name": "Mine"})
    assert response.status_code == 403 and response.mimetype == PROBLEM
    assert _count(db, Organisation) == before
    admin = api_as(make_user("Admin", global_role="admin"))
    assert admin.post("/organisations", json={"name": "Admin's"}).status_code == 201


# --------------------------------------------------------------------------------------
# Stages and gates
# --------------------------------------------------------------------------------------


@pytest.fixture
def staged(db, make_user, make_project):
    """A small stage-gated project (start-and-close gates, Executive only) with a board."""
    manager, executive = make_user("Mia Manager"), make_user("Eve Executive")
    member = make_user("Tariq Team")
    project = make_project(
        manager=manager, members=[(executive, "executive"), (member, "team_member")]
    )
    project.delivery_method = "stage_gated"
    db.session.commit()
    return {"project": project, "manager": manager, "executive": executive, "member": member}


def _stage_body(start, **overrides) -> dict:
    body = {
        "name": "Discovery",
        "planned_start": start.isoformat(),
        "planned_finish": (start + timedelta(days=60)).isoformat(),
        "planned_budget": "20000.00",
    }
    body.update(overrides)
    return body


GATE_BODY = {
    "delivered_vs_plan": "Plan agreed with the board.",
    "forecast": "On budget, on time.",
    "lessons": "Involve residents early.",
    "next_stage_plan": "Discovery, then build.",
    "business_case_justified": True,
}


def test_a_planned_stage_is_what_the_stage_page_shows(db, client, login, api_as, staged):
    project = staged["project"]
    api = api_as(staged["manager"])
    response = api.post(f"/projects/{project.id}/stages", json=_stage_body(project.planned_start))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    # Left out, tolerances take the size tier's defaults, as the form fills them in.
    defaults = stages.stage_defaults(project)
    assert body["time_tolerance_days"] == defaults["time_tolerance_days"]
    assert body["targets"]["scope"]["target"] == defaults["scope_target"]
    assert body["status"] == "planned" and body["sequence"] == 1
    login(staged["member"])
    page = client.get(f"/projects/{project.id}/stages/{body['id']}").get_data(as_text=True)
    assert "Discovery" in page and "£20,000.00" in page
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "stage.created")).one()


def test_stage_validation_is_422_naming_the_field(db, api_as, staged):
    project = staged["project"]
    api = api_as(staged["manager"])
    start = project.planned_start
    cases = [
        (
            _stage_body(start, planned_finish=(start - timedelta(days=1)).isoformat()),
            "planned_finish",
        ),
        (_stage_body(start, planned_budget="9999999.00"), "planned_budget"),
        (_stage_body(start - timedelta(days=1)), "planned_start"),
        (
            _stage_body(start, cost_tolerance_kind="percent", cost_tolerance_value="150"),
            "cost_tolerance_value",
        ),
        (_stage_body(start, scope_target="  "), "scope_target"),
    ]
    for body, field in cases:
        response = api.post(f"/projects/{project.id}/stages", json=body)
        assert response.status_code == 422, (field, response.get_json())
        assert response.mimetype == PROBLEM
        assert [e["field"] for e in response.get_json()["errors"]] == [field]
    assert _count(db, Stage) == 0


def test_stages_on_an_agile_project_are_a_conflict(db, api_as, staged):
    project = staged["project"]
    project.delivery_method = "agile"
    db.session.commit()
    response = api_as(staged["manager"]).post(
        f"/projects/{project.id}/stages", json=_stage_body(project.planned_start)
    )
    assert response.status_code == 409
    assert "stage-gated and hybrid" in response.get_json()["detail"]


def test_re_planning_checks_the_version(db, api_as, staged):
    project = staged["project"]
    api = api_as(staged["manager"])
    stage = api.post(f"/projects/{project.id}/stages", json=_stage_body(project.planned_start))
    stage = stage.get_json()
    path = f"/projects/{project.id}/stages/{stage['id']}"
    changed = api.patch(path, json={"version": stage["version"], "name": "Alpha"})
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["name"] == "Alpha"
    assert changed.get_json()["planned_budget"] == "20000.00"  # unchanged: not sent
    stale = api.patch(path, json={"version": stage["version"], "name": "Beta"})
    assert stale.status_code == 409 and stale.mimetype == PROBLEM
    db.session.expire_all()
    assert db.session.get(Stage, stage["id"]).name == "Alpha"


def test_request_decide_start_and_close_through_the_api(db, client, login, api_as, staged):
    """The whole life of a small project's stages: plan two, ask the start gate, the
    Executive approves, the manager starts and closes stage 1 (no gate at its end), starts
    stage 2 and cannot close it (its end is the closing gate)."""
    project = staged["project"]
    manager, executive = api_as(staged["manager"]), api_as(staged["executive"])
    base = f"/projects/{project.id}"
    nothing = manager.post(f"{base}/gates", json=GATE_BODY)
    assert nothing.status_code == 409
    assert "Plan at least one stage" in nothing.get_json()["detail"]
    first = manager.post(f"{base}/stages", json=_stage_body(project.planned_start)).get_json()
    second_start = project.planned_start + timedelta(days=61)
    second = manager.post(f"{base}/stages", json=_stage_body(second_start, name="Build")).get_json()

    early = manager.post(f"{base}/stages/{first['id']}/start", json={"version": first["version"]})
    assert early.status_code == 409 and early.mimetype == PROBLEM

    requested = manager.post(f"{base}/gates", json=GATE_BODY)
    assert requested.status_code == 201, requested.get_json()
    gate = requested.get_json()
    assert gate["status"] == "pending" and gate["boundary"] == 0
    assert gate["required_roles"] == ["executive"]
    assert gate["title"] == "Start gate: authorise the stage plan"
    login(staged["member"])
    page = client.get(f"{base}/gates/{gate['id']}").get_data(as_text=True)
    assert "Start gate: authorise the stage plan" in page
    assert "Involve residents early." in page
    again = manager.post(f"{base}/gates", json=GATE_BODY)
    assert again.status_code == 409 and "already waiting" in again.get_json()["detail"]

    decided = executive.post(f"{base}/gates/{gate['id']}/decisions", json={"decision": "approve"})
    assert decided.status_code == 201 and decided.get_json()["status"] == "approved"

    stage1 = manager.get(f"{base}/stages/{first['id']}").get_json()
    assert stage1["status"] == "authorised"
    stale = manager.post(f"{base}/stages/{first['id']}/start", json={"version": 1})
    assert stale.status_code == 409
    started = manager.post(
        f"{base}/stages/{first['id']}/start", json={"version": stage1["version"]}
    )
    assert started.status_code == 200 and started.get_json()["status"] == "active"
    closed = manager.post(
        f"{base}/stages/{first['id']}/close", json={"version": started.get_json()["version"]}
    )
    assert closed.status_code == 200 and closed.get_json()["status"] == "closed"
    stage2 = manager.get(f"{base}/stages/{second['id']}").get_json()
    started2 = manager.post(
        f"{base}/stages/{second['id']}/start", json={"version": stage2["version"]}
    )
    assert started2.status_code == 200
    gated_end = manager.post(
        f"{base}/stages/{second['id']}/close", json={"version": started2.get_json()["version"]}
    )
    assert gated_end.status_code == 409
    assert "request a gate decision" in gated_end.get_json()["detail"]
    page = client.get(f"{base}/stages").get_data(as_text=True)
    assert "Closed" in page and "Active" in page


def test_a_gate_request_needs_every_field(db, api_as, staged):
    project = staged["project"]
    api = api_as(staged["manager"])
    api.post(f"/projects/{project.id}/stages", json=_stage_body(project.planned_start))
    response = api.post(
        f"/projects/{project.id}/gates",
        json={**GATE_BODY, "lessons": " ", "business_case_justified": "maybe"},
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.get_json()["errors"]} == {
        "lessons",
        "business_case_justified",
    }
    assert _count(db, GateReview) == 0


def test_the_executive_closes_the_project_early_at_a_waiting_gate(db, api_as, staged):
    project = staged["project"]
    manager, executive = api_as(staged["manager"]), api_as(staged["executive"])
    base = f"/projects/{project.id}"
    manager.post(f"{base}/stages", json=_stage_body(project.planned_start))
    gate = manager.post(f"{base}/gates", json=GATE_BODY).get_json()
    path = f"{base}/gates/{gate['id']}/close-project"
    assert manager.post(path, json={"reason": "Not mine to close"}).status_code == 403
    assert executive.post(path, json={"reason": "  "}).status_code == 422
    closed = executive.post(path, json={"reason": "Funding withdrawn"})
    assert closed.status_code == 200, closed.get_json()
    assert closed.get_json()["status"] == "closed_early"
    assert "Funding withdrawn" in closed.get_json()["outcome_note"]
    assert executive.get(base).status_code == 200
    assert manager.get(base).get_json()["status"] == "closed_early"
    again = executive.post(path, json={"reason": "Again"})
    assert again.status_code == 409


# --------------------------------------------------------------------------------------
# No token, an expired or revoked token, a token without the role
# --------------------------------------------------------------------------------------

NEW_ENDPOINTS = [
    ("POST", "/organisations", {"name": "X"}),
    ("PATCH", "/organisations/{org_id}", {"version": 1, "name": "X"}),
    ("POST", "/projects/{project_id}/stages", {"name": "X"}),
    ("PATCH", "/projects/{project_id}/stages/{stage_id}", {"version": 1}),
    ("POST", "/projects/{project_id}/stages/{stage_id}/start", {"version": 1}),
    ("POST", "/projects/{project_id}/stages/{stage_id}/close", {"version": 1}),
    ("POST", "/projects/{project_id}/gates", GATE_BODY),
    ("POST", "/projects/{project_id}/gates/{gate_id}/close-project", {"reason": "X"}),
    ("GET", "/portfolio", None),
    ("GET", "/portfolio/projects", None),
]


@pytest.fixture
def ids(db, staged):
    project = staged["project"]
    stage = stages.create_stage(
        project, stage_data("Discovery", project.planned_start, 30, "1000"), actor=staged["manager"]
    )
    gate = stages.request_gate(project, report_data(), actor=staged["manager"])
    db.session.commit()
    return {
        "org_id": project.lead_organisation_id,
        "project_id": project.id,
        "stage_id": stage.id,
        "gate_id": gate.id,
    }


def _snapshot(db):
    return (_count(db, Organisation), _count(db, Stage), _count(db, GateReview))


@pytest.mark.one_engine  # access does not depend on the engine
@pytest.mark.parametrize("token", ["none", "expired", "revoked"])
@pytest.mark.parametrize(("method", "path", "body"), NEW_ENDPOINTS)
def test_without_a_good_token_every_new_endpoint_is_401(
    db, client, staged, ids, token_for, token, method, path, body
):
    secret = None
    if token != "none":
        secret = token_for(staged["manager"])
        record = db.session.scalars(select(ApiToken)).one()
        if token == "expired":
            record.created_at = utcnow() - timedelta(days=100)
            record.expires_at = utcnow() - timedelta(seconds=1)
        else:
            tokens.revoke_token(record, actor=staged["manager"])
        db.session.commit()
    before = _snapshot(db)
    response = Api(client, secret).open(method, path.format(**ids), json=body)
    assert response.status_code == 401
    assert response.mimetype == PROBLEM
    assert "WWW-Authenticate" in response.headers
    assert _snapshot(db) == before


@pytest.mark.parametrize(("method", "path", "body"), NEW_ENDPOINTS[:8])
def test_a_token_without_the_role_is_403_and_changes_nothing(
    db, api_as, staged, ids, make_user, method, path, body
):
    """The team member reads the project but may not plan, request or close; a manager of
    another project may not either."""
    for person in (staged["member"], make_user("Olga Outsider")):
        before = _snapshot(db)
        response = api_as(person).open(method, path.format(**ids), json=body)
        assert response.status_code == 403, (person.name, response.get_json())
        assert response.mimetype == PROBLEM
        assert _snapshot(db) == before
