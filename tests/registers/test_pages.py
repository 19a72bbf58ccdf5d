"""The risk and issue registers through the pages: raise, score, change (with history),
refusals that save nothing, stale edits, problems raised from a risk, and who may act."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from tests.races import saved_meanwhile
from tests.registers.conftest import risk_form
from tracker.audit.models import AuditEntry
from tracker.core.errors import STALE_MESSAGE
from tracker.registers import services
from tracker.registers.models import Issue, Risk, RiskChange


def _count(db, model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def _raise(client, project, owner, **overrides):
    return client.post(f"/projects/{project.id}/risks/new", data=risk_form(owner, **overrides))


@pytest.fixture
def risk(db, project, people):
    made = services.create_risk(
        project,
        services.RiskData(
            title="Key analyst leaves",
            owner_id=people["manager"].id,
            category="people",
            likelihood=2,
            impact=3,
        ),
        actor=people["manager"],
    )
    db.session.commit()
    return made


def test_manager_raises_a_scored_risk_and_sees_it_on_the_register(
    client, login, db, project, people
):
    login(people["manager"])
    response = _raise(client, project, people["executive"])
    assert response.status_code == 302
    risk = db.session.scalars(select(Risk)).one()
    assert (risk.kind, risk.category, risk.likelihood, risk.impact) == ("threat", "technical", 3, 4)
    assert (risk.score, risk.target_score, risk.response) == (12, 6, "reduce")
    assert risk.owner_id == people["executive"].id and risk.source == "register"
    assert str(risk.review_on) == "2027-03-31"
    register = client.get(f"/projects/{project.id}/risks").get_data(as_text=True)
    assert risk.title in register
    assert "12 high" in register
    # The heat map counts it in the likelihood 3, impact 4 cell, in words for screen readers.
    assert "risk scoring 12 (high)" in register
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "risk.created")).one()
    assert entry.project_id == project.id and json.loads(entry.changes)["Score"] == [None, "12"]


def test_an_opportunity_is_scored_and_responded_to_as_one(client, login, db, project, people):
    login(people["manager"])
    response = _raise(
        client,
        project,
        people["manager"],
        kind="opportunity",
        title="Share the platform with the neighbouring council",
        response="exploit",
    )
    assert response.status_code == 302
    assert db.session.scalars(select(Risk)).one().kind == "opportunity"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, "Enter a title for the risk"),
        ({"likelihood": "6"}, "Choose the likelihood from 1 (very low) to 5 (very high)"),
        ({"impact": "0"}, "Choose the impact from 1 (very low) to 5 (very high)"),
        ({"likelihood": ""}, "Choose the likelihood from 1 (very low) to 5 (very high)"),
        ({"target_impact": ""}, "Give both the target likelihood and the target impact"),
        ({"category": "astrological"}, "Choose the risk&#39;s category from the list"),
        ({"response": "exploit"}, "Choose a response that fits a threat"),
        ({"owner_id": "outsider"}, "Choose an owner from the people on this project"),
        ({"actionee_id": "outsider"}, "Choose an actionee from the people on this project"),
        ({"review_on": "31/02/2027"}, "Review date must be a real date"),
    ],
)
def test_bad_risks_are_refused_and_nothing_is_saved(
    client, login, db, project, people, overrides, message
):
    login(people["manager"])
    for key in ("owner_id", "actionee_id"):
        if overrides.get(key) == "outsider":
            overrides = {**overrides, key: str(people["outsider"].id)}
    response = _raise(client, project, people["manager"], **overrides)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _count(db, Risk) == 0
    assert _count(db, RiskChange) == 0


def test_the_service_refuses_an_owner_who_is_not_on_the_project(db, project, people):
    with pytest.raises(services.RuleError, match="people on this project"):
        services.create_risk(
            project,
            services.RiskData(title="X", owner_id=people["outsider"].id),
            actor=people["manager"],
        )


def test_every_change_is_kept_as_history_and_shown_on_the_risk_page(
    client, login, db, project, people, risk
):
    login(people["manager"])
    response = client.post(
        f"/projects/{project.id}/risks/{risk.id}/edit",
        data=risk_form(
            people["team"],
            title=risk.title,
            category="people",
            likelihood="4",
            impact="5",
            version=str(risk.version),
        ),
    )
    assert response.status_code == 302
    changes = {
        c.field: (c.from_value, c.to_value, c.changed_by_id)
        for c in db.session.scalars(select(RiskChange).where(RiskChange.risk_id == risk.id))
        if c.from_value is not None
    }
    assert changes["Score"] == ("6", "20", people["manager"].id)
    assert changes["Likelihood"] == ("2", "4", people["manager"].id)
    assert changes["Owner"] == ("Maria Manager", "Tom Team", people["manager"].id)
    assert "Title" not in changes  # unchanged fields are not history
    page = client.get(f"/projects/{project.id}/risks/{risk.id}").get_data(as_text=True)
    assert "History" in page and "Maria Manager" in page
    # The score's story, from its first value: 6 when raised, then 6 to 20.
    assert page.index(">6<") < page.index(">20<")
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "risk.updated")).one()
    assert json.loads(entry.changes)["Score"] == ["6", "20"]


def test_a_stale_risk_edit_is_refused_and_the_other_save_kept(
    client, login, db, project, people, risk
):
    login(people["manager"])
    seen = risk.version
    services.update_risk(
        project,
        risk,
        services.RiskData(title="Changed elsewhere", owner_id=people["manager"].id),
        version=None,
        actor=people["executive"],
    )
    db.session.commit()
    response = client.post(
        f"/projects/{project.id}/risks/{risk.id}/edit",
        data=risk_form(people["manager"], title="Mine", version=str(seen)),
    )
    assert response.status_code == 400
    assert "changed by someone else" in response.get_data(as_text=True)
    db.session.refresh(risk)
    assert risk.title == "Changed elsewhere"


def test_a_risk_edit_racing_another_save_shows_the_stale_message(
    client, login, db, project, people, risk
):
    login(people["manager"])
    risk = db.session.get(Risk, risk.id)
    seen = risk.version
    saved_meanwhile(db, risk, title="Changed elsewhere")
    response = client.post(
        f"/projects/{project.id}/risks/{risk.id}/edit",
        data=risk_form(people["manager"], title="Mine", version=str(seen)),
    )
    assert response.status_code == 400
    assert STALE_MESSAGE in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Risk, risk.id).title == "Changed elsewhere"
    assert not db.session.scalars(
        select(RiskChange).where(RiskChange.risk_id == risk.id, RiskChange.to_value == "Mine")
    ).all()


def test_a_problem_raised_from_a_risk_that_happened_keeps_the_link_and_closes_the_risk(
    client, login, db, project, people, risk
):
    login(people["manager"])
    form = client.get(f"/projects/{project.id}/issues/new?risk={risk.id}").get_data(as_text=True)
    assert "Happened: Key analyst leaves" in form
    response = client.post(
        f"/projects/{project.id}/issues/new?risk={risk.id}",
        data={
            "kind": "problem",
            "title": "Key analyst left",
            "priority": "high",
            "severity": "4",
            "owner_id": str(people["manager"].id),
            "status": "open",
        },
    )
    assert response.status_code == 302
    issue = db.session.scalars(select(Issue)).one()
    db.session.refresh(risk)
    assert (issue.kind, issue.risk_id, risk.status) == ("problem", risk.id, "closed")
    risk_page = client.get(f"/projects/{project.id}/risks/{risk.id}").get_data(as_text=True)
    assert f"Issue {issue.id}: Key analyst left" in risk_page
    issue_page = client.get(f"/projects/{project.id}/issues/{issue.id}").get_data(as_text=True)
    assert f"Risk {risk.id}: Key analyst leaves" in issue_page
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"issue.created", "risk.happened"} <= actions
    # It happened once: a second problem from the now closed risk is refused.
    again = client.post(
        f"/projects/{project.id}/issues/new?risk={risk.id}",
        data={
            "kind": "problem",
            "title": "Again",
            "priority": "high",
            "severity": "4",
            "owner_id": str(people["manager"].id),
            "status": "open",
        },
    )
    assert again.status_code == 400
    assert "already closed" in again.get_data(as_text=True)
    assert _count(db, Issue) == 1


def _issue_form(owner, **overrides):
    data = {
        "kind": "request_for_change",
        "title": "Add Welsh-language forms",
        "description": "The Senior User asks for bilingual forms before go-live.",
        "priority": "high",
        "severity": "3",
        "owner_id": str(owner.id),
        "status": "open",
        "resolution": "",
    }
    data.update(overrides)
    return data


def test_issues_are_raised_and_closed_only_with_a_resolution(client, login, db, project, people):
    login(people["manager"])
    assert (
        client.post(
            f"/projects/{project.id}/issues/new", data=_issue_form(people["manager"])
        ).status_code
        == 302
    )
    issue = db.session.scalars(select(Issue)).one()
    url = f"/projects/{project.id}/issues/{issue.id}/edit"
    refused = client.post(
        url, data=_issue_form(people["manager"], status="closed", version=str(issue.version))
    )
    assert refused.status_code == 400
    assert "Say how the issue was resolved before closing it" in refused.get_data(as_text=True)
    db.session.refresh(issue)
    assert issue.status == "open"
    closed = client.post(
        url,
        data=_issue_form(
            people["manager"],
            status="closed",
            resolution="Agreed for release 2",
            version=str(issue.version),
        ),
    )
    assert closed.status_code == 302
    db.session.refresh(issue)
    assert issue.status == "closed" and issue.closed_at is not None
    register = client.get(f"/projects/{project.id}/issues?status=closed").get_data(as_text=True)
    assert "Add Welsh-language forms" in register


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"severity": "9"}, "Choose the issue&#39;s severity from 1 to 5"),
        ({"kind": "gossip"}, "Choose the type of issue from the list"),
        ({"priority": ""}, "Choose the issue&#39;s priority"),
        ({"title": ""}, "Enter a title for the issue"),
        ({"owner_id": "outsider"}, "Choose an owner from the people on this project"),
    ],
)
def test_bad_issues_are_refused_and_nothing_is_saved(
    client, login, db, project, people, overrides, message
):
    login(people["manager"])
    if overrides.get("owner_id") == "outsider":
        overrides = {"owner_id": str(people["outsider"].id)}
    response = client.post(
        f"/projects/{project.id}/issues/new", data=_issue_form(people["manager"], **overrides)
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _count(db, Issue) == 0


@pytest.mark.parametrize("who", ["executive", "team"])
def test_the_board_and_team_read_the_registers_but_do_not_keep_them(
    client, login, db, project, people, risk, who
):
    login(people[who])
    register = client.get(f"/projects/{project.id}/risks").get_data(as_text=True)
    assert risk.title in register and "Raise a risk" not in register
    page = client.get(f"/projects/{project.id}/risks/{risk.id}").get_data(as_text=True)
    assert "Change the risk" not in page
    assert (
        client.post(f"/projects/{project.id}/risks/new", data=risk_form(people[who])).status_code
        == 403
    )
    assert _count(db, Risk) == 1


def test_a_risk_of_another_project_is_not_found(client, login, make_project, project, people, risk):
    other = make_project(manager=people["manager"])
    login(people["manager"])
    assert client.get(f"/projects/{other.id}/risks/{risk.id}").status_code == 404
    assert client.get(f"/projects/{other.id}/issues/new?risk={risk.id}").status_code == 404
    assert client.get(f"/projects/{project.id}/issues/new?risk=abc").status_code == 404
