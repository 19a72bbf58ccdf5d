"""Access over every route: anonymous people are sent to sign in; signed-in people without
the right role get 403. The table must name every route, so a new one cannot slip through.

Access does not depend on the database engine, so this module runs on SQLite alone; the
engine-specific tests (locking, concurrency, SQL aggregates, migrations) run on both.
"""

from __future__ import annotations

import pytest

from tests.routes import ROUTES

pytestmark = pytest.mark.one_engine


def test_every_route_is_in_the_access_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - {"static"}
    assert endpoints == set(ROUTES)


def _call(client, endpoint, ids):
    method, template, _ = ROUTES[endpoint]
    return client.open(template.format(**ids), method=method)


@pytest.mark.parametrize("endpoint", ["projects.edit_project", "projects.add_member"])
def test_team_member_cannot_manage_the_project(client, login, world, endpoint):
    login(world["member"])
    assert _call(client, endpoint, world["ids"]).status_code == 403


def test_team_member_can_read_the_project(client, login, world):
    login(world["member"])
    assert _call(client, "projects.show_project", world["ids"]).status_code == 200


@pytest.mark.parametrize("endpoint", sorted(e for e, (_, _, who) in ROUTES.items() if who == "api"))
def test_a_session_alone_never_authenticates_the_api(client, login, world, make_user, endpoint):
    login(make_user("Admin", global_role="admin"))
    response = _call(client, endpoint, world["ids"])
    assert response.status_code == 401
    assert response.get_json()["status"] == 401


def test_json_clients_get_403_not_a_page(client, login, world):
    login(world["outsider"])
    response = client.get(
        f"/projects/{world['project'].id}", headers={"Accept": "application/json"}
    )
    assert response.status_code == 403
    assert response.is_json


def test_project_list_shows_only_my_projects_unless_pmo(
    client, login, world, make_project, make_user
):
    other = make_project(name="Another team project")
    login(world["member"])
    page = client.get("/projects/").get_data(as_text=True)
    assert world["project"].name in page
    assert other.name not in page
    login(make_user("Analyst", global_role="pmo"))
    page = client.get("/projects/").get_data(as_text=True)
    assert other.name in page


# The role matrix (issue 13): every page and API endpoint, for every kind of person, with the
# outcome each should get. "ok" means the request got past access control (a page, a redirect
# after the action, or a 400/422 for the empty form); "login": sent to sign in; "forbidden":
# 403; "unauthorised": 401 (the API without a token); "not_found": 404 (someone else's record,
# whose existence is not confirmed).
MATRIX_ROLES = ("anonymous", "member", "board", "manager", "other_manager", "pmo", "admin")
_SIGNED_IN = MATRIX_ROLES[1:]


def _only(*allowed: str) -> dict[str, str]:
    return {
        "anonymous": "login",
        **{role: "ok" if role in allowed else "forbidden" for role in _SIGNED_IN},
    }


EXPECTED = {
    "public": dict.fromkeys(MATRIX_ROLES, "ok"),
    "any": _only(*_SIGNED_IN),
    "admin": _only("admin"),
    "pmo": _only("pmo", "admin"),
    "manager": _only("manager", "pmo", "admin"),
    "member": _only("member", "board", "manager", "pmo", "admin"),
    "team": _only("member", "manager", "pmo", "admin"),
    "feedback": _only("member", "manager", "pmo", "admin"),
    # Decisions belong to the board alone: not even an administrator decides for it.
    "approver": _only("board"),
    "executive": _only("board"),
    "owner": _only("member", "manager", "pmo", "admin"),
    # Only the project's own manager acknowledges what other projects need from it.
    "own_manager": _only("manager"),
    # A proposal: its proposer (the team member here), PMO staff, the prioritisation board.
    "proposal": _only("member", "board", "pmo", "admin"),
    # A draft: its proposer alone.
    "proposer": _only("member"),
    # The pipeline: PMO staff and the prioritisation board (the board member here).
    "pipeline": _only("board", "pmo", "admin"),
    # Programmes (tracker.programmes.access): the world's project manager manages the
    # programme and its board member sits on the programme board.
    "programme": _only("board", "manager", "pmo", "admin"),
    "programme_manager": _only("manager", "pmo", "admin"),
    "programme_board": _only("board"),
}

# What a bearer token of each person may do on each API endpoint (in the categories above).
API_WHO = {
    "api_organisations.list_organisations": "any",
    "api_organisations.get_organisation": "any",
    "api_organisations.create_organisation": "pmo",
    "api_organisations.update_organisation": "pmo",
    "api_frameworks.list_frameworks": "any",
    "api_frameworks.get_framework": "any",
    "api_frameworks.create_framework": "pmo",
    "api_frameworks.start_draft": "pmo",
    "api_frameworks.publish": "pmo",
    "api_frameworks.get_project_framework": "member",
    "api_business_cases.list_business_cases": "member",
    "api_business_cases.start_business_case": "manager",
    "api_business_cases.save_business_case_draft": "manager",
    "api_frameworks.confirm_item": "manager",
    "api_phases.list_phases": "member",
    "api_phases.release_funding": "executive",
    "api_phases.list_service_assessments": "member",
    "api_phases.request_service_assessment": "manager",
    "api_phases.decide_service_assessment": "approver",
    "api_releases.list_releases": "member",
    "api_releases.request_release": "manager",
    "api_releases.decide_release": "approver",
    "api_releases.go_live": "manager",
    "api_closure.get_closure": "member",
    "api_closure.submit_report": "manager",
    "api_closure.decide_closure": "approver",
    "api_projects.list_projects": "any",
    "api_projects.create_project": "any",
    "api_projects.get_project": "member",
    "api_projects.update_project": "manager",
    "api_projects.close_project": "executive",
    "api_projects.authorise_start": "executive",
    "api_assessments.list_assessments": "member",
    "api_assessments.create_assessment": "manager",
    "api_assessments.get_assessment": "member",
    "api_method_decisions.list_method_decisions": "member",
    "api_method_decisions.create_method_decision": "manager",
    "api_stages.list_stages": "member",
    "api_stages.get_stage": "member",
    "api_stages.create_stage": "manager",
    "api_stages.update_stage": "manager",
    "api_stages.start_stage": "manager",
    "api_stages.close_stage": "manager",
    "api_gates.list_gates": "member",
    "api_gates.get_gate": "member",
    "api_gates.decide_gate": "approver",
    "api_gates.request_gate": "manager",
    "api_gates.close_project_early": "executive",
    "api_iterations.list_iterations": "member",
    "api_iterations.create_iteration": "manager",
    "api_iterations.get_iteration": "member",
    "api_iterations.update_iteration": "manager",
    "api_change_requests.list_change_requests": "member",
    "api_change_requests.create_change_request": "team",
    # The manager requested it: only the board's Executive decides it.
    "api_change_requests.decide_change_request": "executive",
    "api_lessons.list_lessons": "member",
    "api_lessons.create_lesson": "team",
    "api_lessons.list_library": "any",
    "api_assumptions.list_assumptions": "member",
    "api_assumptions.create_assumption": "manager",
    "api_dependencies.list_dependencies": "member",
    "api_dependencies.create_dependency": "manager",
    "api_risks.list_risks": "member",
    "api_risks.get_risk": "member",
    "api_risks.create_risk": "manager",
    "api_risks.update_risk": "manager",
    "api_issues.list_issues": "member",
    "api_issues.get_issue": "member",
    "api_issues.create_issue": "manager",
    "api_issues.update_issue": "manager",
    "api_benefits.list_benefits": "member",
    "api_benefits.get_benefit": "member",
    "api_benefits.create_benefit": "manager",
    "api_benefits.update_benefit": "manager",
    "api_benefits.list_measurements": "member",
    # The benefit's owner (the manager here), the manager, PMO, admin.
    "api_benefits.create_measurement": "manager",
    "api_benefits.create_review": "manager",
    "api_backlog.list_backlog": "member",
    "api_backlog.create_backlog_item": "team",
    "api_backlog.get_backlog_item": "member",
    "api_backlog.update_backlog_item": "team",
    "api_backlog.move_backlog_item": "manager",
    "api_feedback.list_feedback": "member",
    "api_feedback.get_feedback": "member",
    "api_feedback.create_feedback": "feedback",
    "api_feedback.close_loop": "team",
    "api_costs.list_costs": "member",
    "api_costs.get_cost": "member",
    "api_costs.create_cost": "manager",
    "api_costs.create_cost_batch": "manager",
    "api_checkpoints.list_checkpoints": "member",
    "api_checkpoints.get_checkpoint": "member",
    "api_checkpoints.create_checkpoint": "manager",
    "api_time_entries.list_time_entries": "any",
    "api_time_entries.create_time_entry": "any",
    "api_time_entries.get_time_entry": "owner",
    "api_time_entries.update_time_entry": "owner",
    "api_time_entries.delete_time_entry": "owner",
    "api_board.get_gate_evidence": "member",
    "api_board.list_conditions": "member",
    "api_board.get_condition": "member",
    # The condition's owner (the team member here), the manager, the board, PMO, admin.
    "api_board.update_condition": "member",
    "api_board.list_confidence_assessments": "member",
    "api_board.create_confidence_assessment": "pmo",
    "api_board.list_documents": "member",
    "api_board.upload_document": "manager",
    "api_board.download_document": "member",
    "api_board.download_pack": "member",
    "api_board.build_pack": "member",
    # Everyone signed in: PMO staff see the whole portfolio, others their own projects.
    "api_proposals.list_proposals": "any",
    "api_proposals.create_proposal": "any",
    "api_proposals.get_proposal": "proposal",
    "api_portfolio.portfolio": "any",
    "api_portfolio.portfolio_table": "any",
    # The evidence compares every project: PMO staff and administrators only.
    "api_evidence.evidence": "pmo",
    "api_method_models.list_method_models": "pmo",
    "api_method_models.calibration": "pmo",
    "api_programmes.list_portfolios": "any",
    "api_programmes.list_programmes": "any",
    "api_programmes.get_programme": "programme",
    "api_programmes.list_programme_projects": "programme",
    "api_programmes.add_programme_project": "programme_manager",
}

# Records that belong to one person (the team member): anyone else gets 404, not 403.
_MEMBERS_OWN = {
    "anonymous": "login",
    **{role: "ok" if role == "member" else "not_found" for role in _SIGNED_IN},
}
OVERRIDES = {
    # Signing out sends everyone to the sign-in page.
    "auth.logout": dict.fromkeys(MATRIX_ROLES, "login"),
    # Reached without signing in (not sent to sign in): no such provider, or nothing to end.
    "auth.sso_start": dict.fromkeys(MATRIX_ROLES, "not_found"),
    "auth.sso_callback": dict.fromkeys(MATRIX_ROLES, "not_found"),
    "auth.sso_logout": dict.fromkeys(MATRIX_ROLES, "login"),
    "api.revoke_token": _MEMBERS_OWN,
    "notifications.mark_read": _MEMBERS_OWN,
    # Reopening a submitted week: the manager of a project it has time on, or an administrator.
    "worklog.unlock_week": _only("manager", "admin"),
}


def expected_outcomes(endpoint: str) -> dict[str, str]:
    who = ROUTES[endpoint][2]
    if who == "api":
        by_token = EXPECTED[API_WHO[endpoint]]
        return {
            role: "unauthorised"
            if role == "anonymous"
            else by_token[role].replace("login", "unauthorised")
            for role in MATRIX_ROLES
        }
    return OVERRIDES.get(endpoint, EXPECTED[who])


def _outcome(response) -> str:
    status = response.status_code
    if status == 302 and response.headers["Location"].startswith("/login"):
        return "login"
    if status == 401 and response.mimetype != "application/problem+json":
        return "HTTP 401 without a problem document"
    return {401: "unauthorised", 403: "forbidden", 404: "not_found"}.get(
        status, "ok" if status in {200, 201, 302, 400, 409, 422} else f"HTTP {status}"
    )


def _matrix_cases():
    """Reads take every role in one test; a web action that changes state takes one test
    per role, so one person's action never changes what the next one sees."""
    for endpoint in sorted(ROUTES):
        method, _, who = ROUTES[endpoint]
        if method == "GET" or who == "api":
            yield pytest.param(endpoint, MATRIX_ROLES, id=endpoint)
        else:
            for role in MATRIX_ROLES:
                yield pytest.param(endpoint, (role,), id=f"{endpoint}-{role}")


def test_every_api_endpoint_has_a_role_expectation():
    assert set(API_WHO) == {e for e, (_, _, who) in ROUTES.items() if who == "api"}
    assert {who for _, _, who in ROUTES.values()} - {"api"} <= set(EXPECTED)


@pytest.mark.parametrize(("endpoint", "roles"), list(_matrix_cases()))
def test_role_matrix(app, client, db, world, make_user, endpoint, roles):
    from tracker.api import services as tokens

    people = {
        "member": world["member"],
        "board": world["board"],
        "manager": world["manager"],
        "other_manager": world["other_manager"],
        "pmo": make_user("PMO analyst", global_role="pmo"),
        "admin": make_user("Administrator", global_role="admin"),
    }
    method, template, who = ROUTES[endpoint]
    url = template.format(**world["ids"])
    expected = expected_outcomes(endpoint)
    actual = {}
    for role in roles:
        role_client = app.test_client()
        headers = {}
        if role != "anonymous" and who == "api":
            secret = tokens.create_token(people[role], name="Matrix", expires_in_days=30).secret
            db.session.commit()
            headers["Authorization"] = f"Bearer {secret}"
        elif role != "anonymous":
            with role_client.session_transaction() as session:
                session["_user_id"] = people[role].get_id()
                session["_fresh"] = True
        body = {"json": {}} if who == "api" and method != "GET" else {}
        actual[role] = _outcome(role_client.open(url, method=method, headers=headers, **body))
    assert actual == {role: expected[role] for role in roles}
