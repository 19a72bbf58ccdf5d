"""A token acts with exactly its user's permissions: the same access rules as the pages,
answered with a 403 problem."""

from __future__ import annotations

import pytest

from tests.api.conftest import build_governed
from tests.conftest import build_for_module
from tests.routes import ROUTES

# Access does not depend on the database engine: SQLite alone (see tests/conftest.py).
pytestmark = pytest.mark.one_engine

API_ROUTES = {e: (m, path) for e, (m, path, who) in ROUTES.items() if who == "api"}

# Who, besides PMO staff, may use each project endpoint.
READ = {"manager", "executive", "member", "customer"}
MANAGE = {"manager"}
TEAM = {"manager", "member"}
WHO = {
    "api_projects.update_project": MANAGE,
    "api_assessments.create_assessment": MANAGE,
    "api_method_decisions.create_method_decision": MANAGE,
    "api_iterations.create_iteration": MANAGE,
    "api_iterations.update_iteration": MANAGE,
    "api_backlog.create_backlog_item": TEAM,
    "api_backlog.update_backlog_item": TEAM,
    "api_backlog.move_backlog_item": MANAGE,
    "api_feedback.close_loop": TEAM,
    "api_feedback.create_feedback": {"manager", "member", "customer"},
    "api_gates.decide_gate": {"executive"},
    "api_gates.request_gate": MANAGE,
    "api_gates.close_project_early": {"executive"},
    "api_projects.close_project": {"executive"},
    "api_projects.authorise_start": {"executive"},
    "api_stages.create_stage": MANAGE,
    "api_stages.update_stage": MANAGE,
    "api_stages.start_stage": MANAGE,
    "api_stages.close_stage": MANAGE,
    "api_costs.create_cost": MANAGE,
    "api_costs.create_cost_batch": MANAGE,
    "api_checkpoints.create_checkpoint": MANAGE,
    # The condition's owner (the team member), the manager and the board; not a customer.
    "api_board.update_condition": {"manager", "member", "executive"},
    # The PMO's independent assurance rating: PMO staff only.
    "api_board.create_confidence_assessment": set(),
    "api_board.upload_document": MANAGE,
    "api_change_requests.create_change_request": TEAM,
    # The fixture's request costs more than the (unset) change budget: the Executive decides.
    "api_change_requests.decide_change_request": {"executive"},
    "api_lessons.create_lesson": TEAM,
    "api_assumptions.create_assumption": MANAGE,
    "api_dependencies.create_dependency": MANAGE,
    "api_risks.create_risk": MANAGE,
    "api_benefits.create_benefit": MANAGE,
    "api_benefits.update_benefit": MANAGE,
    # The benefit's owner (here the manager), the manager, PMO.
    "api_benefits.create_measurement": MANAGE,
    "api_benefits.create_review": MANAGE,
    "api_risks.update_risk": MANAGE,
    "api_issues.create_issue": MANAGE,
    "api_issues.update_issue": MANAGE,
    "api_frameworks.confirm_item": MANAGE,
    "api_phases.release_funding": {"executive"},
    "api_phases.request_service_assessment": MANAGE,
    "api_phases.decide_service_assessment": {"executive"},
    "api_releases.request_release": MANAGE,
    "api_releases.decide_release": {"executive"},
    "api_releases.go_live": MANAGE,
    "api_closure.submit_report": MANAGE,
    "api_closure.decide_closure": {"executive"},
    "api_business_cases.start_business_case": MANAGE,
    "api_business_cases.save_business_case_draft": MANAGE,
}
# Board decisions belong to the board alone: PMO staff hold no board role.
BOARD_ONLY = {
    "api_gates.decide_gate",
    "api_gates.close_project_early",
    "api_projects.close_project",
    "api_projects.authorise_start",
    "api_phases.release_funding",
    "api_phases.decide_service_assessment",
    "api_releases.decide_release",
    "api_closure.decide_closure",
    # Change requests too: the delegation is to the manager, and above it to the board.
    "api_change_requests.decide_change_request",
}
PROJECT_ENDPOINTS = sorted(e for e, (_, path) in API_ROUTES.items() if "{project_id}" in path)


def _call(api, endpoint, ids, project_id):
    method, path = API_ROUTES[endpoint]
    return api.open(
        method, path.removeprefix("/api/v1").format(**{**ids, "project_id": project_id}), json={}
    )


@pytest.fixture(scope="module")
def governed(shared_db):
    """The governed project, built once for the module: each test runs in a savepoint of the
    module's transaction, rolled back afterwards (tests/conftest.py)."""
    return build_for_module(build_governed)


PEOPLE = ("outsider", "other_manager", "manager", "member", "customer", "executive", "pmo")


@pytest.mark.parametrize("endpoint", PROJECT_ENDPOINTS)
def test_each_project_endpoint_allows_exactly_the_right_people(api_as, governed, endpoint):
    """Bodies are empty: access is decided before the body is read, and nothing changes."""
    for person in PEOPLE:
        allowed = person == "pmo" and endpoint not in BOARD_ONLY
        allowed = allowed or person in WHO.get(endpoint, READ)
        api = api_as(governed[person])
        response = _call(api, endpoint, governed["ids"], governed["project"].id)
        if allowed:
            # An empty body is enough to take a checkpoint (201).
            assert response.status_code in {200, 201, 422}, (person, response.get_json())
        else:
            assert response.status_code == 403, (person, response.get_json())
            assert response.mimetype == "application/problem+json"
            assert response.get_json()["title"] == "Forbidden"


def test_another_projects_manager_is_forbidden(api_as, governed):
    api = api_as(governed["other_manager"])
    project = governed["project"]
    response = api.patch(f"/projects/{project.id}", json={"version": project.version, "name": "X"})
    assert response.status_code == 403
    assert response.get_json() == {
        "type": "about:blank",
        "title": "Forbidden",
        "status": 403,
        "detail": "Your account does not have permission to do this.",
        "instance": f"/api/v1/projects/{project.id}",
    }


def test_records_of_another_project_are_not_found_through_mine(api_as, governed, make_project):
    """An id from another project, under a project I manage, is a 404: no peeking."""
    other = governed["other"]
    api = api_as(governed["other_manager"])
    for path in (
        "assessments/{assessment_id}",
        "stages/{stage_id}",
        "gates/{gate_id}",
        "iterations/{iteration_id}",
        "backlog/{item_id}",
        "feedback/{feedback_id}",
    ):
        response = api.get(f"/projects/{other.id}/" + path.format(**governed["ids"]))
        assert response.status_code == 404, path
        assert response.mimetype == "application/problem+json"


def test_non_pmo_cannot_create_a_project_for_someone_else(api_as, governed):
    response = api_as(governed["member"]).post(
        "/projects",
        json={
            "code": "NOPE-1",
            "name": "Someone else's",
            "problem_statement": "x",
            "lead_organisation_id": governed["ids"]["org_id"],
            "manager_id": governed["manager"].id,
            "budget_at_completion": "10.00",
            "planned_start": "2026-01-01",
            "planned_finish": "2026-01-02",
            "criticality": 1,
        },
    )
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "manager_id"
