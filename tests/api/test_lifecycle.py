"""A project's status is not for the asking: the API refuses a status on create and update
(422, naming the field and why, with a refused-attempt log line, and nothing changed); the
page's form has no status field, so a forged one changes nothing; a new project is always
proposed; the Executive closes a project without stages through the API."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select

from tests.api.test_resources import _project_body
from tracker.audit.models import AuditEntry
from tracker.projects.models import Project


def _projects(db) -> int:
    return db.session.scalar(select(func.count(Project.id)))


@pytest.mark.parametrize("status", ["active", "closed", "proposed", "nonsense", None])
@pytest.mark.parametrize("pmo", [False, True])
def test_a_status_on_create_is_refused(db, api_as, make_user, make_org, caplog, status, pmo):
    person = make_user(global_role="pmo" if pmo else None)
    api, body = api_as(person), _project_body(make_org().id, status=status)
    before, entries = _projects(db), db.session.scalar(select(func.count(AuditEntry.id)))
    with caplog.at_level(logging.WARNING):
        response = api.post("/projects", json=body)
    assert response.status_code == 422
    body = response.get_json()
    assert response.mimetype == "application/problem+json"
    (error,) = body["errors"]
    assert error["field"] == "status"
    assert "moves only through governance" in error["message"]
    assert "status: A project's status cannot be set" in body["detail"]
    assert _projects(db) == before
    assert db.session.scalar(select(func.count(AuditEntry.id))) == entries
    assert any(
        "refused status" in r.getMessage() and f"by user {person.id}" in r.getMessage()
        for r in caplog.records
    )


@pytest.mark.parametrize("pmo", [False, True])
def test_a_project_created_by_the_api_is_proposed(db, api_as, make_user, make_org, pmo):
    person = make_user(global_role="pmo" if pmo else None)
    created = api_as(person).post("/projects", json=_project_body(make_org().id))
    assert created.status_code == 201
    assert created.get_json()["status"] == "proposed"


@pytest.mark.parametrize("status", ["closed", "active"])
def test_a_status_on_update_is_refused_and_nothing_changes(
    db, api_as, make_user, make_project, caplog, status
):
    manager = make_user()
    project = make_project(manager=manager, status="proposed", name="Before")
    version = project.version
    with caplog.at_level(logging.WARNING):
        response = api_as(manager).patch(
            f"/projects/{project.id}",
            json={"version": version, "name": "After", "status": status},
        )
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "status"
    db.session.refresh(project)
    assert (project.status, project.name, project.version) == ("proposed", "Before", version)
    assert any("refused status" in r.getMessage() for r in caplog.records)


def test_status_is_still_read_and_filtered(db, api_as, make_user, make_project):
    pmo = make_user(global_role="pmo")
    closed = make_project(code="LCY-1", status="closed")
    make_project(code="LCY-2", status="active")
    api = api_as(pmo)
    assert api.get(f"/projects/{closed.id}").get_json()["status"] == "closed"
    rows = api.get("/projects?q=LCY&status=closed").get_json()["items"]
    assert [row["code"] for row in rows] == ["LCY-1"]


# -- the page's form ------------------------------------------------------------------------


def _form(org, manager, **overrides):
    data = {
        "code": "FRM-1",
        "name": "Forms",
        "problem_statement": "Paper forms.",
        "lead_organisation_id": org.id,
        "manager_id": manager.id,
        "budget_at_completion": "1000",
        "planned_start": "2026-04-01",
        "planned_finish": "2027-03-31",
        "criticality": "2",
    }
    data.update(overrides)
    return data


def test_a_forged_status_on_the_create_form_is_refused_and_creates_nothing(
    db, client, login, make_user, make_org, caplog
):
    manager = make_user()
    login(manager)
    page = client.get("/projects/new").get_data(as_text=True)
    assert 'name="status"' not in page
    before = _projects(db)
    with caplog.at_level(logging.WARNING, logger="tracker.policy"):
        response = client.post("/projects/new", data=_form(make_org(), manager, status="active"))
    assert response.status_code == 422
    assert "moves only through governance" in response.get_data(as_text=True)
    assert _projects(db) == before
    assert db.session.scalars(select(Project).where(Project.code == "FRM-1")).first() is None
    assert any(
        "refused status" in r.getMessage() and f"by user {manager.id}" in r.getMessage()
        for r in caplog.records
    )
    # The same form without the forged field creates a proposed project.
    response = client.post("/projects/new", data=_form(make_org(), manager))
    assert response.status_code == 302
    project = db.session.scalars(select(Project).where(Project.code == "FRM-1")).one()
    assert project.status == "proposed"


@pytest.mark.parametrize("forged", ["closed", "active", "closed_early"])
def test_a_forged_status_on_the_edit_form_is_refused_and_changes_nothing(
    db, client, login, make_user, make_project, caplog, forged
):
    manager = make_user()
    project = make_project(manager=manager, status="proposed")
    version = project.version
    login(manager)
    page = client.get(f"/projects/{project.id}/edit").get_data(as_text=True)
    assert 'name="status"' not in page
    assert "The status changes only when the board decides" in page
    with caplog.at_level(logging.WARNING, logger="tracker.policy"):
        response = client.post(
            f"/projects/{project.id}/edit",
            data=_form(
                project.lead_organisation,
                manager,
                code=project.code,
                name="Renamed",
                status=forged,
                version=project.version,
            ),
        )
    assert response.status_code == 422
    assert "moves only through governance" in response.get_data(as_text=True)
    db.session.refresh(project)
    assert (project.name, project.status, project.version) == (project.name, "proposed", version)
    assert project.name != "Renamed" and project.finished_on is None
    assert any(f"refused status by user {manager.id}" in r.getMessage() for r in caplog.records)


# -- closing a project without stages -------------------------------------------------------


@pytest.fixture
def agile_project(db, make_user, make_project):
    people = {"manager": make_user(), "executive": make_user(), "member": make_user()}
    project = make_project(
        manager=people["manager"],
        status="proposed",
        members=[(people["executive"], "executive"), (people["member"], "team_member")],
    )
    project.delivery_method = "agile"
    db.session.commit()
    return project, people


def test_the_executive_closes_a_project_through_the_api(db, api_as, agile_project):
    project, people = agile_project
    for who in ("manager", "member"):
        refused = api_as(people[who]).post(
            f"/projects/{project.id}/close", json={"reason": "x", "version": project.version}
        )
        assert refused.status_code == 403
    response = api_as(people["executive"]).post(
        f"/projects/{project.id}/close", json={"reason": "Not needed", "version": project.version}
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "closed_early"
    again = api_as(people["executive"]).post(
        f"/projects/{project.id}/close",
        json={"reason": "Again", "version": response.get_json()["version"]},
    )
    assert again.status_code == 409
    assert "already closed" in again.get_json()["detail"]


def test_a_stage_gated_project_is_not_closed_through_this_endpoint(db, api_as, agile_project):
    project, people = agile_project
    project.delivery_method = "stage_gated"
    db.session.commit()
    response = api_as(people["executive"]).post(
        f"/projects/{project.id}/close", json={"reason": "Stop", "version": project.version}
    )
    assert response.status_code == 409
    assert "closes at its closing gate" in response.get_json()["detail"]
    db.session.refresh(project)
    assert project.status == "proposed"


# -- authorising an agile project's start ---------------------------------------------------

NOT_EXECUTIVE = (
    "Only the project's Executive can authorise the start: the board directs the project, "
    "the manager manages it."
)


@pytest.fixture
def start_people(db, make_user, agile_project):
    project, people = agile_project
    from tracker.projects import services as projects

    people = {
        **people,
        "senior_user": make_user(),
        "customer": make_user(),
        "pmo": make_user(global_role="pmo"),
        "admin": make_user(global_role="admin"),
    }
    projects.add_member(project, people["senior_user"], "senior_user")
    projects.add_member(project, people["customer"], "customer_rep")
    db.session.commit()
    return project, people


@pytest.mark.parametrize("who", ["manager", "senior_user", "member", "customer", "pmo", "admin"])
def test_only_the_executive_authorises_the_start_through_the_api(db, api_as, start_people, who):
    project, people = start_people
    response = api_as(people[who]).post(
        f"/projects/{project.id}/start", json={"version": project.version}
    )
    assert response.status_code == 403
    assert response.get_json()["detail"] == NOT_EXECUTIVE
    db.session.refresh(project)
    assert (project.status, project.start_authorised_at) == ("proposed", None)


def test_the_executive_authorises_the_start_through_the_api(db, api_as, start_people):
    project, people = start_people
    api = api_as(people["executive"])
    bad = api.post(f"/projects/{project.id}/start", json={"conditions": "x" * 5001, "version": 1})
    assert bad.status_code == 422
    stale = api.post(f"/projects/{project.id}/start", json={"version": project.version + 5})
    assert stale.status_code == 409
    db.session.refresh(project)
    assert project.status == "proposed"
    response = api.post(
        f"/projects/{project.id}/start",
        json={"conditions": "Show customers a version by March", "version": project.version},
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "active"
    db.session.refresh(project)
    assert project.start_authorised_by_id == people["executive"].id
    entry = db.session.scalars(
        select(AuditEntry).where(
            AuditEntry.project_id == project.id, AuditEntry.action == "project.status_changed"
        )
    ).one()
    assert entry.summary == (
        "Project active: the Executive authorised the start: Show customers a version by March"
    )
    again = api.post(
        f"/projects/{project.id}/start", json={"version": response.get_json()["version"]}
    )
    assert again.status_code == 409
    assert again.get_json()["detail"] == "This project is already active: it has started."


@pytest.mark.parametrize("method", ["stage_gated", "hybrid"])
def test_a_staged_project_is_not_started_through_this_endpoint(db, api_as, agile_project, method):
    project, people = agile_project
    project.delivery_method = method
    db.session.commit()
    response = api_as(people["executive"]).post(
        f"/projects/{project.id}/start", json={"version": project.version}
    )
    assert response.status_code == 409
    assert "starts when the board approves its start gate" in response.get_json()["detail"]
    db.session.refresh(project)
    assert project.status == "proposed"
