"""Access over every route: anonymous people are sent to sign in; signed-in people without
the right role get 403. The table must name every route, so a new one cannot slip through."""

from __future__ import annotations

import pytest

from tests.budget.helpers import access_ids as budget_access_ids
from tests.budget.helpers import cost as budget_cost
from tests.stages.helpers import access_ids as stage_access_ids

# endpoint -> (method, url template, who may use it)
#   "any": every signed-in user; "admin"/"pmo": global roles; "manager": the project's manager
#   (or PMO/admin); "member": anyone on the project (or PMO/admin); "public": no sign-in;
#   "team": the manager or a team member; "feedback": the team or a customer representative;
#   "owner": the person whose time it is, or the project's manager.
ROUTES = {
    "core.index": ("GET", "/", "any"),
    "core.health": ("GET", "/health", "public"),
    "core.accessibility": ("GET", "/accessibility", "public"),
    "auth.login": ("GET", "/login", "public"),
    "auth.logout": ("POST", "/logout", "any"),
    "auth.account": ("GET", "/account", "any"),
    "auth.change_password": ("GET", "/account/password", "any"),
    "auth.list_users": ("GET", "/users", "admin"),
    "auth.create_user": ("GET", "/users/new", "admin"),
    "auth.edit_user": ("GET", "/users/{user_id}/edit", "admin"),
    "orgs.list_organisations": ("GET", "/organisations/", "any"),
    "orgs.create_organisation": ("GET", "/organisations/new", "pmo"),
    "orgs.edit_organisation": ("GET", "/organisations/{org_id}/edit", "pmo"),
    "projects.list_projects": ("GET", "/projects/", "any"),
    "projects.create_project": ("GET", "/projects/new", "any"),
    "projects.show_project": ("GET", "/projects/{project_id}", "member"),
    "projects.edit_project": ("GET", "/projects/{project_id}/edit", "manager"),
    "projects.add_member": ("POST", "/projects/{project_id}/team", "manager"),
    "projects.remove_member": (
        "POST",
        "/projects/{project_id}/team/{membership_id}/remove",
        "manager",
    ),
    "stages.list_stages": ("GET", "/projects/{project_id}/stages", "member"),
    "stages.create_stage": ("GET", "/projects/{project_id}/stages/new", "manager"),
    "stages.show_stage": ("GET", "/projects/{project_id}/stages/{stage_id}", "member"),
    "stages.edit_stage": ("GET", "/projects/{project_id}/stages/{stage_id}/edit", "manager"),
    "stages.start_stage": ("POST", "/projects/{project_id}/stages/{stage_id}/start", "manager"),
    "stages.close_stage": ("POST", "/projects/{project_id}/stages/{stage_id}/close", "manager"),
    "stages.record_forecast": (
        "GET",
        "/projects/{project_id}/stages/{stage_id}/forecast",
        "manager",
    ),
    "stages.request_gate": ("GET", "/projects/{project_id}/gates/new", "manager"),
    "stages.show_gate": ("GET", "/projects/{project_id}/gates/{gate_id}", "member"),
    "stages.decide_gate": ("POST", "/projects/{project_id}/gates/{gate_id}/decide", "approver"),
    "stages.close_project_early": (
        "POST",
        "/projects/{project_id}/gates/{gate_id}/close-project",
        "executive",
    ),
    "stages.inbox": ("GET", "/decisions", "any"),
    "stages.list_highlights": ("GET", "/projects/{project_id}/highlights", "member"),
    "stages.create_highlight": ("GET", "/projects/{project_id}/highlights/new", "manager"),
    "stages.show_highlight": (
        "GET",
        "/projects/{project_id}/highlights/{highlight_id}",
        "member",
    ),
    "stages.raise_exception": (
        "GET",
        "/projects/{project_id}/stages/{stage_id}/exceptions/new",
        "manager",
    ),
    "stages.show_exception": ("GET", "/projects/{project_id}/exceptions/{exception_id}", "member"),
    "stages.decide_exception": (
        "POST",
        "/projects/{project_id}/exceptions/{exception_id}/decide",
        "approver",
    ),
    "stages.submit_exception_plan": (
        "POST",
        "/projects/{project_id}/exceptions/{exception_id}/plan",
        "manager",
    ),
    "methods.assess": ("GET", "/projects/{project_id}/assessments/new", "manager"),
    "methods.list_assessments": ("GET", "/projects/{project_id}/assessments", "member"),
    "methods.show_assessment": (
        "GET",
        "/projects/{project_id}/assessments/{assessment_id}",
        "member",
    ),
    "methods.decide": ("GET", "/projects/{project_id}/method-decision", "manager"),
    "methods.list_decisions": ("GET", "/projects/{project_id}/method-decisions", "member"),
    "methods.list_risks": ("GET", "/projects/{project_id}/risks", "member"),
    "methods.edit_risk": ("GET", "/projects/{project_id}/risks/{risk_id}/edit", "manager"),
    "agile.close_project": ("GET", "/projects/{project_id}/close", "executive"),
    "agile.list_iterations": ("GET", "/projects/{project_id}/iterations", "member"),
    "agile.create_iteration": ("GET", "/projects/{project_id}/iterations/new", "manager"),
    "agile.show_iteration": ("GET", "/projects/{project_id}/iterations/{iteration_id}", "member"),
    "agile.edit_iteration": (
        "GET",
        "/projects/{project_id}/iterations/{iteration_id}/edit",
        "manager",
    ),
    "agile.start_iteration": (
        "POST",
        "/projects/{project_id}/iterations/{iteration_id}/start",
        "manager",
    ),
    "agile.close_iteration": (
        "GET",
        "/projects/{project_id}/iterations/{iteration_id}/close",
        "manager",
    ),
    "agile.show_backlog": ("GET", "/projects/{project_id}/backlog", "member"),
    "agile.create_item": ("GET", "/projects/{project_id}/backlog/new", "team"),
    "agile.show_item": ("GET", "/projects/{project_id}/backlog/{item_id}", "member"),
    "agile.edit_item": ("GET", "/projects/{project_id}/backlog/{item_id}/edit", "team"),
    "agile.change_status": ("POST", "/projects/{project_id}/backlog/{item_id}/status", "team"),
    "agile.create_feedback": (
        "GET",
        "/projects/{project_id}/iterations/{iteration_id}/feedback/new",
        "feedback",
    ),
    "agile.close_loop": ("GET", "/projects/{project_id}/feedback/{feedback_id}/close-loop", "team"),
    "agile.you_said_we_did": ("GET", "/projects/{project_id}/you-said-we-did", "member"),
    "worklog.my_work": ("GET", "/my-work", "any"),
    "worklog.timesheet": ("GET", "/timesheet", "any"),
    "worklog.submit_week": ("POST", "/timesheet/submit", "any"),
    "worklog.unlock_week": ("POST", "/timesheet/weeks/{week_id}/unlock", "manager"),
    "worklog.create_entry": ("GET", "/time/new", "any"),
    "worklog.edit_entry": ("GET", "/time/{entry_id}/edit", "owner"),
    "worklog.delete_entry": ("POST", "/time/{entry_id}/delete", "owner"),
    "worklog.project_log": ("GET", "/projects/{project_id}/time", "manager"),
    "worklog.export_entries": ("GET", "/time/export", "any"),
    "worklog.import_entries": ("GET", "/time/import", "any"),
    "worklog.list_rates": ("GET", "/rates", "pmo"),
    "worklog.create_rate": ("GET", "/rates/new", "pmo"),
    "worklog.edit_rate": ("GET", "/rates/{rate_id}/edit", "pmo"),
    "worklog.delete_rate": ("POST", "/rates/{rate_id}/delete", "pmo"),
    "notifications.inbox": ("GET", "/notifications", "any"),
    "notifications.mark_read": ("POST", "/notifications/{notification_id}/read", "any"),
    "notifications.mark_all_read": ("POST", "/notifications/read-all", "any"),
    "notifications.settings": ("GET", "/notifications/settings", "any"),
    "scheduler.job_log": ("GET", "/admin/jobs", "admin"),
    "portfolio.dashboard": ("GET", "/portfolio/", "any"),
    "portfolio.list_projects": ("GET", "/portfolio/projects", "any"),
    "portfolio.export_csv": ("GET", "/portfolio/projects.csv", "any"),
    "portfolio.export_xlsx": ("GET", "/portfolio/projects.xlsx", "any"),
    "budget.show": ("GET", "/projects/{project_id}/budget", "member"),
    "budget.record_cost": ("GET", "/projects/{project_id}/budget/costs/new", "manager"),
    "budget.import_costs": ("GET", "/projects/{project_id}/budget/costs/import", "manager"),
    "budget.set_baseline": ("GET", "/projects/{project_id}/budget/baseline", "manager"),
    "budget.list_baselines": ("GET", "/projects/{project_id}/budget/baselines", "member"),
    "budget.take_checkpoint": ("GET", "/projects/{project_id}/budget/checkpoints/new", "manager"),
    "budget.show_checkpoint": (
        "GET",
        "/projects/{project_id}/budget/checkpoints/{checkpoint_id}",
        "member",
    ),
    "budget.show_exception": (
        "GET",
        "/projects/{project_id}/budget/exceptions/{budget_exception_id}",
        "member",
    ),
    "budget.decide_exception": (
        "POST",
        "/projects/{project_id}/budget/exceptions/{budget_exception_id}/decide",
        "approver",
    ),
    "api.list_tokens": ("GET", "/account/tokens", "any"),
    "api.create_token": ("POST", "/account/tokens", "any"),
    "api.revoke_token": ("POST", "/account/tokens/{token_id}/revoke", "any"),
    "api.docs": ("GET", "/api/v1/docs", "public"),
    "api-docs.openapi_json": ("GET", "/api/v1/openapi.json", "public"),
    # "api": a bearer token only; a session never authenticates (tests/api checks the roles).
    **{
        endpoint: (method, "/api/v1" + path, "api")
        for endpoint, (method, path) in {
            "api_organisations.list_organisations": ("GET", "/organisations"),
            "api_organisations.get_organisation": ("GET", "/organisations/{org_id}"),
            "api_organisations.create_organisation": ("POST", "/organisations"),
            "api_organisations.update_organisation": ("PATCH", "/organisations/{org_id}"),
            "api_projects.list_projects": ("GET", "/projects"),
            "api_projects.create_project": ("POST", "/projects"),
            "api_projects.get_project": ("GET", "/projects/{project_id}"),
            "api_projects.update_project": ("PATCH", "/projects/{project_id}"),
            "api_projects.close_project": ("POST", "/projects/{project_id}/close"),
            "api_assessments.list_assessments": ("GET", "/projects/{project_id}/assessments"),
            "api_assessments.create_assessment": ("POST", "/projects/{project_id}/assessments"),
            "api_assessments.get_assessment": (
                "GET",
                "/projects/{project_id}/assessments/{assessment_id}",
            ),
            "api_method_decisions.list_method_decisions": (
                "GET",
                "/projects/{project_id}/method-decisions",
            ),
            "api_method_decisions.create_method_decision": (
                "POST",
                "/projects/{project_id}/method-decisions",
            ),
            "api_stages.list_stages": ("GET", "/projects/{project_id}/stages"),
            "api_stages.get_stage": ("GET", "/projects/{project_id}/stages/{stage_id}"),
            "api_stages.create_stage": ("POST", "/projects/{project_id}/stages"),
            "api_stages.update_stage": ("PATCH", "/projects/{project_id}/stages/{stage_id}"),
            "api_stages.start_stage": (
                "POST",
                "/projects/{project_id}/stages/{stage_id}/start",
            ),
            "api_stages.close_stage": (
                "POST",
                "/projects/{project_id}/stages/{stage_id}/close",
            ),
            "api_gates.request_gate": ("POST", "/projects/{project_id}/gates"),
            "api_gates.close_project_early": (
                "POST",
                "/projects/{project_id}/gates/{gate_id}/close-project",
            ),
            "api_gates.list_gates": ("GET", "/projects/{project_id}/gates"),
            "api_gates.get_gate": ("GET", "/projects/{project_id}/gates/{gate_id}"),
            "api_gates.decide_gate": ("POST", "/projects/{project_id}/gates/{gate_id}/decisions"),
            "api_iterations.list_iterations": ("GET", "/projects/{project_id}/iterations"),
            "api_iterations.create_iteration": ("POST", "/projects/{project_id}/iterations"),
            "api_iterations.get_iteration": (
                "GET",
                "/projects/{project_id}/iterations/{iteration_id}",
            ),
            "api_iterations.update_iteration": (
                "PATCH",
                "/projects/{project_id}/iterations/{iteration_id}",
            ),
            "api_backlog.list_backlog": ("GET", "/projects/{project_id}/backlog"),
            "api_backlog.create_backlog_item": ("POST", "/projects/{project_id}/backlog"),
            "api_backlog.get_backlog_item": ("GET", "/projects/{project_id}/backlog/{item_id}"),
            "api_backlog.update_backlog_item": (
                "PATCH",
                "/projects/{project_id}/backlog/{item_id}",
            ),
            "api_feedback.list_feedback": ("GET", "/projects/{project_id}/feedback"),
            "api_feedback.get_feedback": ("GET", "/projects/{project_id}/feedback/{feedback_id}"),
            "api_feedback.create_feedback": (
                "POST",
                "/projects/{project_id}/iterations/{iteration_id}/feedback",
            ),
            "api_feedback.close_loop": (
                "POST",
                "/projects/{project_id}/feedback/{feedback_id}/close-loop",
            ),
            "api_costs.list_costs": ("GET", "/projects/{project_id}/costs"),
            "api_costs.get_cost": ("GET", "/projects/{project_id}/costs/{cost_id}"),
            "api_costs.create_cost": ("POST", "/projects/{project_id}/costs"),
            "api_costs.create_cost_batch": ("POST", "/projects/{project_id}/costs/batch"),
            "api_time_entries.list_time_entries": ("GET", "/time-entries"),
            "api_time_entries.get_time_entry": ("GET", "/time-entries/{entry_id}"),
            "api_time_entries.create_time_entry": ("POST", "/time-entries"),
            "api_time_entries.update_time_entry": ("PATCH", "/time-entries/{entry_id}"),
            "api_time_entries.delete_time_entry": ("DELETE", "/time-entries/{entry_id}"),
            "api_checkpoints.list_checkpoints": ("GET", "/projects/{project_id}/checkpoints"),
            "api_checkpoints.get_checkpoint": (
                "GET",
                "/projects/{project_id}/checkpoints/{checkpoint_id}",
            ),
            "api_checkpoints.create_checkpoint": ("POST", "/projects/{project_id}/checkpoints"),
            "api_portfolio.portfolio": ("GET", "/portfolio"),
            "api_portfolio.portfolio_table": ("GET", "/portfolio/projects"),
        }.items()
    },
}


@pytest.fixture
def world(db, make_user, make_project):
    manager = make_user("Manager")
    member = make_user("Team member")
    outsider = make_user("Outsider")
    project = make_project(manager=manager, members=[(member, "team_member")])
    membership = next(m for m in project.memberships if m.role == "team_member")
    assessment, risk = _method_records(db, project, manager)
    ids = {
        "user_id": member.id,
        "org_id": project.lead_organisation_id,
        "project_id": project.id,
        "membership_id": membership.id,
        "assessment_id": assessment.id,
        "risk_id": risk.id,
    }
    ids.update(stage_access_ids(project, manager))
    # Hybrid: both stages and iterations belong on it.
    project.delivery_method = "hybrid"
    ids.update(_agile_records(db, project))
    ids.update(_worklog_records(db, project, member))
    ids["notification_id"] = _notification(db, member)
    budget_ids = budget_access_ids(project, manager)
    ids.update(
        checkpoint_id=budget_ids["checkpoint_id"],
        budget_exception_id=budget_ids["exception_id"],
    )
    ids["token_id"] = _token(db, member)
    ids["cost_id"] = budget_cost(project, manager).id
    # For the role matrix: a board member of this project and the manager of another one.
    from tracker.projects import services as projects

    board = make_user("Board member")
    projects.add_member(project, board, "executive")
    db.session.commit()
    other_manager = make_user("Manager elsewhere")
    make_project(manager=other_manager)
    return {
        "manager": manager,
        "member": member,
        "outsider": outsider,
        "board": board,
        "other_manager": other_manager,
        "project": project,
        "ids": ids,
    }


def _method_records(db, project, manager):
    """An assessment and a decision against it, which puts a risk on the register."""
    from tests.methods.helpers import raw
    from tracker.methods import services as methods

    assessment = methods.assess(project, raw(), assessed_by=manager)
    decision = methods.decide(
        project,
        methods.DecisionData("agile", ["tradition"], "Always done this way", None, None),
        decided_by=manager,
    )
    db.session.commit()
    return assessment, decision.risk


def _agile_records(db, project) -> dict:
    from tracker.agile.models import BacklogItem, Feedback, Iteration

    iteration = Iteration(
        project_id=project.id,
        name="Sprint 1",
        goal="Try it",
        status="active",
        start_on=project.planned_start,
        end_on=project.planned_start,
    )
    item = BacklogItem(project_id=project.id, iteration=iteration, title="Item", points=1)
    feedback = Feedback(
        project_id=project.id,
        iteration=iteration,
        source="citizen",
        rating=4,
        said="Fine",
        agreement="yes",
    )
    db.session.add_all([iteration, item, feedback])
    db.session.commit()
    return {"iteration_id": iteration.id, "item_id": item.id, "feedback_id": feedback.id}


def _worklog_records(db, project, member) -> dict:
    from datetime import date
    from decimal import Decimal

    from tracker.worklog.models import HourlyRate, TimeEntry, TimesheetWeek

    week = TimesheetWeek(person_id=member.id, week_start=date(2026, 3, 2), status="open")
    db.session.add(week)
    db.session.flush()
    entry = TimeEntry(
        person_id=member.id,
        week_id=week.id,
        project_id=project.id,
        work_date=date(2026, 3, 3),
        hours=Decimal("7.5"),
        role="team_member",
    )
    rate = HourlyRate(role="team_member", rate=Decimal(40), effective_from=date(2026, 1, 1))
    db.session.add_all([entry, rate])
    db.session.commit()
    return {"week_id": week.id, "entry_id": entry.id, "rate_id": rate.id}


def _notification(db, user) -> int:
    from tracker.notifications.models import Notification

    notification = Notification(user_id=user.id, kind="gate_requested", title="A gate")
    db.session.add(notification)
    db.session.commit()
    return notification.id


def _token(db, user) -> int:
    from tracker.api import services as tokens

    token = tokens.create_token(user, name="Reporting", expires_in_days=30).token
    db.session.commit()
    return token.id


def test_every_route_is_in_the_access_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - {"static"}
    assert endpoints == set(ROUTES)


def _call(client, endpoint, ids):
    method, template, _ = ROUTES[endpoint]
    return client.open(template.format(**ids), method=method)


@pytest.mark.parametrize("endpoint", sorted(ROUTES))
def test_anonymous_is_sent_to_sign_in(client, world, endpoint):
    response = _call(client, endpoint, world["ids"])
    if ROUTES[endpoint][2] == "public":
        assert response.status_code == 200
    elif ROUTES[endpoint][2] == "api":
        assert response.status_code == 401
        assert response.mimetype == "application/problem+json"
    else:
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize(
    "endpoint", sorted(e for e, (_, _, who) in ROUTES.items() if who not in {"public", "any"})
)
def test_signed_in_without_the_role_is_forbidden(client, login, world, endpoint):
    login(world["outsider"])
    expected = 401 if ROUTES[endpoint][2] == "api" else 403
    assert _call(client, endpoint, world["ids"]).status_code == expected


@pytest.mark.parametrize("endpoint", ["projects.edit_project", "projects.add_member"])
def test_team_member_cannot_manage_the_project(client, login, world, endpoint):
    login(world["member"])
    assert _call(client, endpoint, world["ids"]).status_code == 403


def test_team_member_can_read_the_project(client, login, world):
    login(world["member"])
    assert _call(client, "projects.show_project", world["ids"]).status_code == 200


@pytest.mark.parametrize(
    "endpoint",
    # Board decisions' pages belong to the board alone: an administrator holds no board role.
    sorted(
        e
        for e, (m, _, who) in ROUTES.items()
        if m == "GET" and who not in {"public", "api", "approver", "executive"}
    ),
)
def test_admin_reaches_every_page(client, login, world, make_user, endpoint):
    login(make_user("Admin", global_role="admin"))
    assert _call(client, endpoint, world["ids"]).status_code in {200, 302}


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
}

# What a bearer token of each person may do on each API endpoint (in the categories above).
API_WHO = {
    "api_organisations.list_organisations": "any",
    "api_organisations.get_organisation": "any",
    "api_organisations.create_organisation": "pmo",
    "api_organisations.update_organisation": "pmo",
    "api_projects.list_projects": "any",
    "api_projects.create_project": "any",
    "api_projects.get_project": "member",
    "api_projects.update_project": "manager",
    "api_projects.close_project": "executive",
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
    "api_backlog.list_backlog": "member",
    "api_backlog.create_backlog_item": "team",
    "api_backlog.get_backlog_item": "member",
    "api_backlog.update_backlog_item": "team",
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
    # Everyone signed in: PMO staff see the whole portfolio, others their own projects.
    "api_portfolio.portfolio": "any",
    "api_portfolio.portfolio_table": "any",
}

# Records that belong to one person (the team member): anyone else gets 404, not 403.
_MEMBERS_OWN = {
    "anonymous": "login",
    **{role: "ok" if role == "member" else "not_found" for role in _SIGNED_IN},
}
OVERRIDES = {
    # Signing out sends everyone to the sign-in page.
    "auth.logout": dict.fromkeys(MATRIX_ROLES, "login"),
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
