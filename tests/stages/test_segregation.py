"""The segregation of duties, walked across every route and API endpoint that can grant a
role or decide anything, as each kind of person, on both engines.

The cast, on one medium project (Executive and Senior User decide): the project manager;
a PMO analyst who also holds Senior User and asked for the decision (the requester: raised
the exception, submitted its plan); the Executive (a board member); a team member; a PMO
analyst and an administrator with no role on the project. Every refusal is 403 or 422,
changes nothing, and leaves a refused-attempt log line.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.api.conftest import Api
from tests.stages.helpers import plan_stages, report_data
from tracker.api import services as tokens
from tracker.audit.models import AuditEntry
from tracker.core.errors import RuleError
from tracker.projects import services as projects
from tracker.projects.models import ProjectMembership
from tracker.stages import services
from tracker.stages.models import ExceptionDecision, GateDecision

PERSONS = ("manager", "requester", "board", "team", "pmo", "admin")
TARGETS = ("scope", "quality", "risk", "benefit", "sustainability")


@pytest.fixture
def cast(db, make_user, make_project):
    people = {
        "manager": make_user("Maria Manager"),
        "requester": make_user("Rita Requester", global_role="pmo"),
        "board": make_user("Jane Executive"),
        "senior_user": make_user("Sarah User"),
        "team": make_user("Terry Team"),
        "pmo": make_user("Priya PMO", global_role="pmo"),
        "admin": make_user("Alex Admin", global_role="admin"),
    }
    project = make_project(
        manager=people["manager"],
        budget_at_completion=Decimal("1000000.00"),
        criticality=2,
        members=[
            (people["board"], "executive"),
            (people["senior_user"], "senior_user"),
            (people["requester"], "senior_user"),
            (people["team"], "team_member"),
        ],
    )
    project.delivery_method = "stage_gated"
    db.session.commit()
    return {"project": project, **people}


def _gate(db, cast):
    plan_stages(cast["project"], cast["manager"], gap=30)
    gate = services.request_gate(cast["project"], report_data(), actor=cast["requester"])
    db.session.commit()
    return gate


def _exception(db, cast, *, plan: bool = False):
    """A stage in exception whose report the requester raised (and, with ``plan``, whose
    exception plan the requester submitted after the board asked for one)."""
    first, _ = plan_stages(cast["project"], cast["manager"], gap=30)
    gate = services.request_gate(cast["project"], report_data(), actor=cast["manager"])
    for role, who in (("executive", "board"), ("senior_user", "senior_user")):
        services.decide_gate(gate, role=role, decision="approve", comment="", actor=cast[who])
    services.start_stage(first, version=None, actor=cast["manager"])
    services.record_forecast(
        first,
        finish=first.planned_finish + timedelta(days=30),
        cost=first.planned_budget,
        targets=dict.fromkeys(TARGETS, "met"),
        version=None,
        actor=cast["manager"],
    )
    report = services.raise_exception(
        first,
        services.ExceptionData(
            cause="Supplier late",
            consequences="Launch slips",
            options=[services.OptionData("Add a team", "+£5,000", "On time", "Low")],
            recommended_option=1,
            recommendation="Add a team",
        ),
        actor=cast["requester"],
    )
    if plan:
        services.decide_exception(
            report,
            decision="request_exception_plan",
            option=None,
            comment="Re-plan",
            version=None,
            actor=cast["board"],
        )
        services.submit_exception_plan(
            report,
            finish=first.planned_finish + timedelta(days=20),
            budget=first.planned_budget,
            summary="Three more weeks",
            version=None,
            actor=cast["requester"],
        )
    db.session.commit()
    return report


def _api(client, db, user) -> Api:
    secret = tokens.create_token(user, name="Policy test", expires_in_days=90).secret
    db.session.commit()
    return Api(client, secret)


def _counts(db):
    return (
        db.session.scalar(select(func.count(ProjectMembership.id))),
        db.session.scalar(select(func.count(GateDecision.id))),
        db.session.scalar(select(func.count(ExceptionDecision.id))),
        db.session.scalar(select(func.count(AuditEntry.id))),
    )


def _refused_or_done(response, expected, db, before, caplog):
    assert response.status_code == expected, response.get_data(as_text=True)[:400]
    if expected in (403, 422):
        db.session.expire_all()
        assert _counts(db) == before, "a refused attempt changed something"
    if expected == 403:
        assert any("refused" in r.getMessage() for r in caplog.records), "no refused log line"


# --------------------------------------------------------------------------------------
# Granting roles: nobody can put the project manager on the board
# --------------------------------------------------------------------------------------

GRANT_PAGE = {"manager": 422, "requester": 422, "board": 403, "team": 403, "pmo": 422}
GRANT_PAGE["admin"] = 422


@pytest.mark.parametrize("person", PERSONS)
def test_team_form_never_makes_the_manager_a_board_member(client, login, db, cast, person, caplog):
    caplog.set_level(logging.WARNING, logger="tracker.policy")
    project = cast["project"]
    before = _counts(db)
    login(cast[person])
    response = client.post(
        f"/projects/{project.id}/team",
        data={"email": cast["manager"].email, "role": "executive"},
    )
    _refused_or_done(response, GRANT_PAGE[person], db, before, caplog)
    if response.status_code == 422:
        page = response.get_data(as_text=True)
        assert "the board directs and the project manager manages" in page
        assert any("refused grant" in r.getMessage() for r in caplog.records)


GRANT_API = {"manager": 422, "requester": 422, "board": 403, "team": 403, "pmo": 422}
GRANT_API["admin"] = 422


@pytest.mark.parametrize("person", PERSONS)
def test_api_never_makes_a_board_member_the_manager(client, db, cast, person, caplog):
    caplog.set_level(logging.WARNING, logger="tracker.policy")
    project = cast["project"]
    before = _counts(db)
    response = _api(client, db, cast[person]).patch(
        f"/projects/{project.id}",
        json={"manager_id": cast["board"].id, "version": project.version},
    )
    before = (before[0], before[1], before[2], _counts(db)[3])  # the token's own entry
    _refused_or_done(response, GRANT_API[person], db, before, caplog)
    if response.status_code == 422:
        assert "the board directs" in response.get_json()["detail"]


def test_board_roles_combine_only_where_the_tailoring_allows(db, cast, make_project, make_user):
    medium = cast["project"]
    with pytest.raises(RuleError, match="each board role is held by a different person"):
        projects.add_member(medium, cast["board"], "senior_user")
    with pytest.raises(RuleError, match="cannot also manage the project"):
        projects.update_project(
            medium,
            projects.ProjectData(
                code=medium.code,
                name=medium.name,
                problem_statement=medium.problem_statement,
                lead_organisation_id=medium.lead_organisation_id,
                partner_ids=[],
                manager_id=cast["board"].id,
                budget_at_completion=medium.budget_at_completion,
                planned_start=medium.planned_start,
                planned_finish=medium.planned_finish,
                criticality=medium.criticality,
            ),
            version=None,
        )
    small = make_project(budget_at_completion=Decimal("50000"), criticality=1)
    chair = make_user("Small Chair")
    projects.add_member(small, chair, "executive")
    projects.add_member(small, chair, "senior_user")  # small, low criticality: allowed
    with pytest.raises(RuleError, match="only Executive and Senior user may be combined"):
        projects.add_member(small, chair, "senior_supplier")


def test_a_combined_chair_decides_once_for_both_roles_where_the_tailoring_says_so(
    client, login, db, make_project, make_user
):
    manager, chair = make_user("Small Manager"), make_user("Small Chair")
    project = make_project(
        manager=manager,
        budget_at_completion=Decimal("50000"),
        criticality=1,
        members=[(chair, "executive"), (chair, "senior_user")],
    )
    project.delivery_method = "stage_gated"
    db.session.commit()
    plan_stages(project, manager, count=1, budget="5000")
    gate = services.request_gate(project, report_data(), actor=manager)
    db.session.commit()
    login(chair)
    page = client.get(f"/projects/{project.id}/gates/{gate.id}").get_data(as_text=True)
    assert "Small Chair holds Executive and Senior user" in page
    assert "tailoring allows it" in page
    project_page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "Small Chair holds Executive and Senior user on this board" in project_page


# --------------------------------------------------------------------------------------
# Deciding: gates, exceptions, exception plans, early closure
# --------------------------------------------------------------------------------------

DECIDE_GATE = {p: 403 for p in PERSONS} | {"board": 302}


@pytest.mark.parametrize("person", PERSONS)
def test_gate_decisions_on_the_page(client, login, db, cast, person, caplog):
    caplog.set_level(logging.WARNING, logger="tracker.policy")
    gate = _gate(db, cast)
    project = cast["project"]
    before = _counts(db)
    login(cast[person])
    role = "senior_user" if person == "requester" else "executive"
    response = client.post(
        f"/projects/{project.id}/gates/{gate.id}/decide",
        data={"role": role, "decision": "approve", "comment": ""},
    )
    _refused_or_done(response, DECIDE_GATE[person], db, before, caplog)
    page = client.get(f"/projects/{project.id}/gates/{gate.id}").get_data(as_text=True)
    if person == "requester":
        assert "You requested this gate, so you cannot decide it" in page
        assert "Your decision" not in page


DECIDE_GATE_API = {p: 403 for p in PERSONS} | {"board": 201}


@pytest.mark.parametrize("person", PERSONS)
def test_gate_decisions_through_the_api(client, db, cast, person, caplog):
    caplog.set_level(logging.WARNING, logger="tracker.policy")
    gate = _gate(db, cast)
    api = _api(client, db, cast[person])
    before = _counts(db)
    role = "senior_user" if person == "requester" else "executive"
    response = api.post(
        f"/projects/{cast['project'].id}/gates/{gate.id}/decisions",
        json={"role": role, "decision": "approve", "comment": ""},
    )
    _refused_or_done(response, DECIDE_GATE_API[person], db, before, caplog)
    if person == "requester":
        assert "You requested this gate" in response.get_json()["detail"]


DECIDE_EXCEPTION = {p: 403 for p in PERSONS} | {"board": 302}


@pytest.mark.parametrize("plan", [False, True], ids=["options", "plan"])
@pytest.mark.parametrize("person", PERSONS)
def test_exception_and_plan_decisions_on_the_page(client, login, db, cast, person, plan, caplog):
    caplog.set_level(logging.WARNING, logger="tracker.policy")
    report = _exception(db, cast, plan=plan)
    project = cast["project"]
    before = _counts(db)
    login(cast[person])
    decision = "approve_exception_plan" if plan else "approve_option"
    response = client.post(
        f"/projects/{project.id}/exceptions/{report.id}/decide",
        data={"decision": decision, "option": "1", "version": report.version},
    )
    _refused_or_done(response, DECIDE_EXCEPTION[person], db, before, caplog)
    page = client.get(f"/projects/{project.id}/exceptions/{report.id}").get_data(as_text=True)
    if person == "requester":
        assert "so you cannot decide it" in page
    if person == "board":
        # The Senior User still has to decide: the report stays with the board.
        assert "Waiting for: Senior user" in page


def test_a_forged_early_closure_in_an_exception_decision_is_refused(
    client, login, db, cast, caplog
):
    caplog.set_level(logging.WARNING, logger="tracker.policy")
    report = _exception(db, cast)
    before = _counts(db)
    login(cast["senior_user"])
    response = client.post(
        f"/projects/{cast['project'].id}/exceptions/{report.id}/decide",
        data={"decision": "close_project", "comment": "Stop", "version": report.version},
    )
    _refused_or_done(response, 403, db, before, caplog)
    assert cast["project"].status != "closed_early"


CLOSE_EARLY = {p: 403 for p in PERSONS} | {"board": 302}
CLOSE_EARLY_API = {p: 403 for p in PERSONS} | {"board": 200}


@pytest.mark.parametrize("person", PERSONS)
def test_early_closure_on_the_page_and_the_api(client, login, db, cast, person, caplog):
    caplog.set_level(logging.WARNING, logger="tracker.policy")
    gate = _gate(db, cast)
    project = cast["project"]
    before = _counts(db)
    login(cast[person])
    response = client.post(
        f"/projects/{project.id}/gates/{gate.id}/close-project", data={"reason": "No funding"}
    )
    _refused_or_done(response, CLOSE_EARLY[person], db, before, caplog)
    if person != "board":
        api_response = _api(client, db, cast[person]).post(
            f"/projects/{project.id}/gates/{gate.id}/close-project", json={"reason": "No funding"}
        )
        assert api_response.status_code == CLOSE_EARLY_API[person]
        db.session.expire_all()
        assert project.status != "closed_early"


# --------------------------------------------------------------------------------------
# After a decision resolves: "not needed", never "waiting"
# --------------------------------------------------------------------------------------


def test_a_rejected_gate_shows_the_other_roles_as_not_needed(client, login, db, cast):
    gate = _gate(db, cast)
    services.decide_gate(
        gate, role="executive", decision="reject", comment="No", actor=cast["board"]
    )
    db.session.commit()
    login(cast["senior_user"])
    page = client.get(f"/projects/{cast['project'].id}/gates/{gate.id}").get_data(as_text=True)
    assert "Not needed: resolved by the Executive’s rejection" in page
    assert "Waiting" not in page
    assert cast["project"].code not in client.get("/decisions").get_data(as_text=True)


def test_an_exception_settled_by_one_request_shows_the_others_as_not_needed(
    client, login, db, cast
):
    report = _exception(db, cast)
    login(cast["senior_user"])
    assert "Exception report" in client.get("/decisions").get_data(as_text=True)
    login(cast["board"])
    response = client.post(
        f"/projects/{cast['project'].id}/exceptions/{report.id}/decide",
        data={
            "decision": "request_exception_plan",
            "comment": "Re-plan",
            "version": report.version,
        },
    )
    assert response.status_code == 302
    login(cast["senior_user"])
    page = client.get(f"/projects/{cast['project'].id}/exceptions/{report.id}").get_data(
        as_text=True
    )
    assert "Not needed: resolved by the board asking for an exception plan" in page
    assert "Waiting" not in page
    assert "Exception report" not in client.get("/decisions").get_data(as_text=True)


def test_the_requester_never_sees_their_own_gate_in_the_inbox(client, login, db, cast):
    _gate(db, cast)
    login(cast["requester"])
    assert cast["project"].code not in client.get("/decisions").get_data(as_text=True)
    login(cast["senior_user"])
    assert cast["project"].code in client.get("/decisions").get_data(as_text=True)


# --------------------------------------------------------------------------------------
# flask governance check
# --------------------------------------------------------------------------------------


def test_governance_check_reports_data_that_breaks_the_policy(app, db, cast, make_user):
    # Not started yet, so its status is one the lifecycle explains (the fixture's "active"
    # is set directly, which the check would rightly report).
    cast["project"].status = "proposed"
    db.session.commit()
    runner = app.test_cli_runner()
    clean = runner.invoke(args=["governance", "check"])
    assert clean.exit_code == 0, clean.output
    assert "No breaches of the segregation of duties or of the project lifecycle." in clean.output

    # Today's data, written before the policy: the manager on their own board, two board
    # roles in one person on a medium project, and a gate decided by whoever requested it.
    project = cast["project"]
    gate = _gate(db, cast)
    for user, role in ((cast["manager"], "executive"), (cast["board"], "senior_supplier")):
        db.session.add(ProjectMembership(project_id=project.id, user_id=user.id, role=role))
    db.session.add(
        GateDecision(
            gate_id=gate.id,
            role="senior_user",
            decided_by_id=cast["requester"].id,
            decision="approve",
        )
    )
    db.session.commit()
    before = _counts(db)
    broken = runner.invoke(args=["governance", "check"])
    assert broken.exit_code == 1
    lines = broken.output.splitlines()
    prefix = f"{project.code} {project.name}: "
    assert (
        f"{prefix}Maria Manager <{cast['manager'].email}> is the project manager and also Executive"
        in lines
    )
    assert (
        f"{prefix}Jane Executive <{cast['board'].email}> holds Executive and Senior supplier, "
        "which medium governance does not allow one person to combine"
    ) in lines
    assert f"{prefix}gate review {gate.id} was decided by Rita Requester, who requested it" in lines
    assert "3 breaches of the segregation of duties." in broken.output
    db.session.expire_all()
    assert _counts(db) == before  # reported, not altered


def test_the_reminder_job_never_asks_the_requester_to_decide(db, cast):
    from tracker.stages.tasks import waiting_decisions

    gate = _gate(db, cast)
    later = gate.requested_at.date() + timedelta(days=10)
    waiting = waiting_decisions(later, 3)
    assert cast["requester"].id not in waiting
    assert {cast["board"].id, cast["senior_user"].id} <= set(waiting)
    services.decide_gate(
        gate, role="executive", decision="approve", comment="", actor=cast["board"]
    )
    db.session.commit()
    assert cast["board"].id not in waiting_decisions(later, 3)
