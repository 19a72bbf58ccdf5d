"""Agile projects start when their Executive authorises the start (never when the manager
starts an iteration) and close by the Executive's decision (after the last iteration, or
early), from the page and the API as from the service; each move is audited with the
decision that made it."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from tracker.agile import services as agile
from tracker.audit.models import AuditEntry
from tracker.core.errors import RuleError


@pytest.fixture
def proposed(db, team):
    team["project"].status = "proposed"
    db.session.commit()
    return team["project"]


def _moves(db, project):
    return [
        json.loads(changes)
        for changes in db.session.scalars(
            select(AuditEntry.changes)
            .where(
                AuditEntry.project_id == project.id,
                AuditEntry.action == "project.status_changed",
            )
            .order_by(AuditEntry.seq)
        )
    ]


def _authorised(db, project, team):
    agile.authorise_start(project, conditions="", version=None, actor=team["reader"])
    db.session.commit()
    return project


def _delivered(db, build, project, name="Sprint 1"):
    sprint = build.start(build.iteration(name))
    build.feedback(sprint)
    agile.close_iteration(project, sprint, version=None)
    db.session.commit()
    return sprint


def test_an_iteration_is_planned_but_not_started_before_the_executive_authorises(
    db, proposed, build
):
    sprint = build.iteration()
    assert proposed.status == "proposed"
    with pytest.raises(
        RuleError,
        match="This agile project is still proposed: it starts its iterations once the "
        "Executive has authorised the start",
    ):
        agile.start_iteration(proposed, sprint, version=None)
    db.session.rollback()
    assert sprint.status == "planned" and sprint.started_at is None
    assert proposed.status == "proposed"
    assert _moves(db, proposed) == []


def test_the_executive_authorises_the_start_once(db, proposed, build, team, today):
    from tracker.notifications.models import Notification

    agile.authorise_start(
        proposed,
        conditions="  Demo within two sprints ",
        version=proposed.version,
        actor=team["reader"],
    )
    db.session.commit()
    assert proposed.status == "active"
    assert proposed.start_authorised_by_id == team["reader"].id
    assert proposed.start_authorised_at is not None
    (move,) = _moves(db, proposed)
    assert move["status"] == ["proposed", "active"]
    assert move["moved_by"] == "start_authorised"
    assert move["because"] == "the Executive authorised the start"
    assert move["conditions"] == "Demo within two sprints"
    told = db.session.scalars(
        select(Notification).where(Notification.project_id == proposed.id)
    ).all()
    assert [(n.user_id, n.kind) for n in told] == [(team["manager"].id, "gate_resolved")]
    assert "authorised the start" in told[0].title
    first = build.start(build.iteration())
    build.feedback(first)
    agile.close_iteration(proposed, first, version=None)
    db.session.commit()
    build.start(build.iteration("Sprint 2", start=today + timedelta(days=20)))
    assert len(_moves(db, proposed)) == 1  # iterations never move the status
    with pytest.raises(RuleError, match="This project is already active: it has started"):
        agile.authorise_start(proposed, conditions="", version=None, actor=team["reader"])


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("manager", "Only the project's Executive can authorise the start"),
        ("member", "Only the project's Executive can authorise the start"),
        ("customer", "Only the project's Executive can authorise the start"),
        ("outsider", "Only the project's Executive can authorise the start"),
    ],
)
def test_only_the_executive_authorises_the_start(db, proposed, team, who, message):
    with pytest.raises(RuleError, match=message):
        agile.authorise_start(proposed, conditions="", version=None, actor=team[who])
    db.session.rollback()
    assert proposed.status == "proposed" and proposed.start_authorised_at is None
    assert _moves(db, proposed) == []


def test_a_manager_who_is_also_executive_is_refused(db, proposed, team):
    """Data from before the segregation of duties: the policy still refuses."""
    from tracker.projects.models import ProjectMembership

    db.session.add(
        ProjectMembership(project_id=proposed.id, user_id=team["manager"].id, role="executive")
    )
    db.session.commit()
    with pytest.raises(RuleError, match="The project manager cannot authorise the start"):
        agile.authorise_start(proposed, conditions="", version=None, actor=team["manager"])
    db.session.rollback()
    assert proposed.status == "proposed"


@pytest.mark.parametrize(
    ("method", "message"),
    [
        ("stage_gated", "starts when the board approves its start gate"),
        ("hybrid", "starts when the board approves its start gate"),
        (None, "delivery method is not decided yet"),
    ],
)
def test_only_an_agile_project_is_started_by_the_executive(db, proposed, team, method, message):
    proposed.delivery_method = method
    db.session.commit()
    with pytest.raises(RuleError, match=message):
        agile.authorise_start(proposed, conditions="", version=None, actor=team["reader"])
    db.session.rollback()
    assert proposed.status == "proposed"


def test_a_stale_authorisation_is_refused(db, proposed, team):
    with pytest.raises(RuleError):
        agile.authorise_start(
            proposed, conditions="", version=proposed.version - 1, actor=team["reader"]
        )
    db.session.rollback()
    assert proposed.status == "proposed"


def test_the_executive_closes_after_the_last_iteration(db, proposed, build, team, today):
    _authorised(db, proposed, team)
    _delivered(db, build, proposed)
    agile.close_project(proposed, reason="Delivered", version=None, actor=team["reader"])
    db.session.commit()
    assert proposed.status == "closed" and proposed.finished_on is not None
    assert [m["moved_by"] for m in _moves(db, proposed)] == ["start_authorised", "closing_decision"]
    with pytest.raises(RuleError, match="already closed"):
        agile.close_project(proposed, reason="Again", version=None, actor=team["reader"])
    with pytest.raises(RuleError, match="This project is closed: its iterations cannot be"):
        build.iteration("Sprint 9", start=today + timedelta(days=20))


def test_closing_before_the_last_iteration_is_closing_early(db, proposed, build, team, today):
    _authorised(db, proposed, team)
    _delivered(db, build, proposed)
    second = build.iteration("Sprint 2", start=today + timedelta(days=20))
    agile.close_project(proposed, reason="Stopped", version=None, actor=team["reader"])
    db.session.commit()
    assert proposed.status == "closed_early"
    with pytest.raises(RuleError, match="This project is closed: its iterations cannot be"):
        agile.start_iteration(proposed, second, version=None)
    assert _moves(db, proposed)[-1]["status"] == ["active", "closed_early"]


def test_a_proposed_project_closed_by_the_executive_is_closed_early(db, proposed, team):
    agile.close_project(proposed, reason="Not needed", version=None, actor=team["reader"])
    db.session.commit()
    assert proposed.status == "closed_early"
    assert _moves(db, proposed)[0]["moved_by"] == "early_closure"


@pytest.mark.parametrize(
    ("who", "reason", "message"),
    [
        ("manager", "Done", "Only the project's Executive can close the project"),
        ("member", "Done", "Only the project's Executive can close the project"),
        ("reader", "   ", "Enter the reason for closing the project"),
    ],
)
def test_closure_refusals_change_nothing(db, proposed, team, who, reason, message):
    with pytest.raises(RuleError, match=message):
        agile.close_project(proposed, reason=reason, version=None, actor=team[who])
    db.session.rollback()
    assert proposed.status == "proposed"
    assert _moves(db, proposed) == []


def test_an_iteration_under_way_must_close_first(db, proposed, build, team):
    _authorised(db, proposed, team)
    build.start(build.iteration())
    with pytest.raises(RuleError, match="Sprint 1 is under way: close it first"):
        agile.close_project(proposed, reason="Stop", version=None, actor=team["reader"])
    db.session.rollback()
    assert proposed.status == "active"


def test_a_stage_gated_project_is_not_closed_here(db, proposed, team):
    proposed.delivery_method = "stage_gated"
    db.session.commit()
    with pytest.raises(RuleError, match="closes at its closing gate"):
        agile.close_project(proposed, reason="Stop", version=None, actor=team["reader"])


def test_a_stale_closure_is_refused(db, proposed, team):
    with pytest.raises(RuleError):
        agile.close_project(
            proposed, reason="Stop", version=proposed.version - 1, actor=team["reader"]
        )
    db.session.rollback()
    assert proposed.status == "proposed"


# -- the page ---------------------------------------------------------------------------


def test_the_executive_closes_the_project_from_its_page(db, client, login, proposed, team, build):
    _authorised(db, proposed, team)
    _delivered(db, build, proposed)
    login(team["reader"])
    page = client.get(f"/projects/{proposed.id}").get_data(as_text=True)
    assert f"/projects/{proposed.id}/close" in page
    form = client.get(f"/projects/{proposed.id}/close")
    assert form.status_code == 200
    assert "the project will be <strong>closed</strong>" in form.get_data(as_text=True)
    refused = client.post(
        f"/projects/{proposed.id}/close", data={"reason": "", "version": proposed.version}
    )
    assert refused.status_code == 400
    assert "Enter the reason for closing the project" in refused.get_data(as_text=True)
    assert proposed.status == "active"
    done = client.post(
        f"/projects/{proposed.id}/close",
        data={"reason": "Delivered", "version": proposed.version},
    )
    assert done.status_code == 302
    db.session.refresh(proposed)
    assert proposed.status == "closed"
    page = client.get(f"/projects/{proposed.id}").get_data(as_text=True)
    assert "Project closed: the Executive closed the project after its last iteration" in page
    assert f"/projects/{proposed.id}/close" not in page


@pytest.mark.parametrize("who", ["manager", "member", "customer"])
def test_only_the_executive_sees_and_uses_the_closure(db, client, login, proposed, team, who):
    login(team[who])
    assert f"/projects/{proposed.id}/close" not in client.get(f"/projects/{proposed.id}").get_data(
        as_text=True
    )
    response = client.post(
        f"/projects/{proposed.id}/close", data={"reason": "Mine", "version": proposed.version}
    )
    assert response.status_code == 403
    db.session.refresh(proposed)
    assert proposed.status == "proposed"


def test_a_waiting_budget_exception_is_decided_before_closing(db, proposed, team):
    from tests.portfolio import helpers
    from tracker.budget.services import decide_budget_exception

    point = helpers.checkpoint(proposed, cpi=0.5, status="breached")
    report = helpers.budget_exception(proposed, point, status="open")
    db.session.commit()
    with pytest.raises(RuleError, match="is waiting for the board: decide it first"):
        agile.close_project(proposed, reason="Stop", version=None, actor=team["reader"])
    db.session.rollback()
    assert proposed.status == "proposed"
    decide_budget_exception(
        report, decision="accept", comment="Accepted", version=None, actor=team["reader"]
    )
    agile.close_project(proposed, reason="Stop", version=None, actor=team["reader"])
    db.session.commit()
    assert proposed.status == "closed_early"


# -- authorising the start from the page ----------------------------------------------------

NOT_STARTED = (
    "This agile project is still proposed: it starts its iterations once the Executive has "
    "authorised the start."
)


def test_the_executive_authorises_the_start_from_the_project_page(
    db, client, login, proposed, team
):
    login(team["reader"])
    page = client.get(f"/projects/{proposed.id}").get_data(as_text=True)
    assert f"/projects/{proposed.id}/authorise-start" in page
    form = client.get(f"/projects/{proposed.id}/authorise-start")
    assert form.status_code == 200
    assert "Authorise the start" in form.get_data(as_text=True)
    stale = client.post(
        f"/projects/{proposed.id}/authorise-start",
        data={"conditions": "", "version": proposed.version + 3},
    )
    assert stale.status_code == 400
    assert "changed" in stale.get_data(as_text=True)
    too_long = client.post(
        f"/projects/{proposed.id}/authorise-start",
        data={"conditions": "x" * 5001, "version": proposed.version},
    )
    assert too_long.status_code == 400
    assert "Conditions must be 5000 characters or fewer" in too_long.get_data(as_text=True)
    db.session.refresh(proposed)
    assert proposed.status == "proposed"
    done = client.post(
        f"/projects/{proposed.id}/authorise-start",
        data={"conditions": "Review after two sprints", "version": proposed.version},
    )
    assert done.status_code == 302
    db.session.refresh(proposed)
    assert proposed.status == "active"
    page = client.get(f"/projects/{proposed.id}").get_data(as_text=True)
    assert "Project active: the Executive authorised the start: Review after two sprints" in page
    assert "Start authorised by Eve Executive" in page
    assert f"/projects/{proposed.id}/authorise-start" not in page
    again = client.get(f"/projects/{proposed.id}/authorise-start").get_data(as_text=True)
    assert "This project is already active: it has started." in again
    assert "<form" not in again.split("<h1")[1]


@pytest.mark.parametrize("who", ["manager", "senior_user", "member", "customer", "pmo", "admin"])
def test_no_one_but_the_executive_authorises_the_start(
    db, client, login, make_user, proposed, team, who
):
    from tracker.projects import services as projects

    if who in ("pmo", "admin"):
        person = make_user(global_role=who)
    elif who == "senior_user":
        person = make_user()
        projects.add_member(proposed, person, "senior_user")
        db.session.commit()
    else:
        person = team[who]
    login(person)
    assert f"/projects/{proposed.id}/authorise-start" not in client.get(
        f"/projects/{proposed.id}"
    ).get_data(as_text=True)
    for response in (
        client.get(f"/projects/{proposed.id}/authorise-start"),
        client.post(
            f"/projects/{proposed.id}/authorise-start",
            data={"conditions": "Mine", "version": proposed.version},
        ),
    ):
        assert response.status_code == 403
        assert "Only the project&#39;s Executive can authorise the start" in response.get_data(
            as_text=True
        )
    db.session.refresh(proposed)
    assert (proposed.status, proposed.start_authorised_at) == ("proposed", None)


def test_the_manager_plans_but_cannot_start_before_the_authorisation(
    db, client, login, proposed, team, build
):
    sprint = build.iteration()
    login(team["manager"])
    page = client.get(f"/projects/{proposed.id}").get_data(as_text=True)
    assert NOT_STARTED in page
    iteration_page = client.get(f"/projects/{proposed.id}/iterations/{sprint.id}")
    assert NOT_STARTED in iteration_page.get_data(as_text=True)
    assert f"Start {sprint.name}" not in iteration_page.get_data(as_text=True)
    forced = client.post(
        f"/projects/{proposed.id}/iterations/{sprint.id}/start",
        data={"version": sprint.version},
        follow_redirects=True,
    )
    assert NOT_STARTED in forced.get_data(as_text=True)
    db.session.refresh(sprint)
    assert sprint.status == "planned"
    _authorised(db, proposed, team)
    assert NOT_STARTED not in client.get(f"/projects/{proposed.id}").get_data(as_text=True)
    started = client.post(
        f"/projects/{proposed.id}/iterations/{sprint.id}/start", data={"version": sprint.version}
    )
    assert started.status_code == 302
    db.session.refresh(sprint)
    assert sprint.status == "active"


def test_a_start_waiting_for_authorisation_is_in_the_executives_inbox_until_given(
    db, client, login, proposed, team
):
    from tracker.core.waiting import for_person
    from tracker.stages import queries as stage_queries

    project, executive = proposed, team["reader"]
    (item,) = [i for i in stage_queries.inbox(executive) if i.project_id == project.id]
    assert (item.kind, item.role) == ("start", "executive")
    assert for_person(executive).decisions == 1
    for other in ("manager", "member", "customer", "outsider"):
        assert stage_queries.inbox(team[other]) == []
        assert for_person(team[other]).decisions == 0
    login(executive)
    page = client.get("/decisions").get_data(as_text=True)
    assert f"/projects/{project.id}/authorise-start" in page and "Authorise the start" in page
    _authorised(db, project, team)
    assert stage_queries.inbox(executive) == []
    assert for_person(executive).decisions == 0


def test_governance_check_reports_a_status_no_decision_explains(app, db, proposed, team):
    """An agile project made active by its first iteration under the old rule (or a status
    typed into the database) is reported, not altered."""
    runner = app.test_cli_runner()
    assert runner.invoke(args=["governance", "check"]).exit_code == 0
    project = proposed
    project.status = "active"  # no authorisation, no gate: nothing explains it
    db.session.commit()
    result = runner.invoke(args=["governance", "check"])
    assert result.exit_code == 1
    assert f"{project.code} {project.name}: active (agile), which no governance decision" in (
        result.output
    )
    assert "1 project statuses no governance decision explains." in result.output
    db.session.refresh(project)
    assert project.status == "active" and project.start_authorised_at is None
