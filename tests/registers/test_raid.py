"""Assumptions and cross-project dependencies: both projects see a dependency, the other
project's manager acknowledges it, no project depends on itself or closes a loop, and a
dependency whose other project slips past the date needed shows as at risk on both."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tracker.registers import rules, services
from tracker.registers.models import Assumption, Dependency


def _count(db, model) -> int:
    return db.session.scalar(select(func.count(model.id)))


@pytest.fixture
def two(make_project, make_user, people, project):
    other_manager = make_user("Omar Other")
    other = make_project(manager=other_manager, planned_finish=date(2026, 6, 30))
    return project, other, other_manager


def _depend(client, project, other, **overrides):
    data = {
        "kind": "project",
        "on_project_code": other.code,
        "external_party": "",
        "what": "The shared address gazetteer",
        "needed_by": "2026-09-30",
    }
    data.update(overrides)
    return client.post(f"/projects/{project.id}/dependencies", data=data)


def test_a_dependency_is_seen_by_both_projects_and_acknowledged_by_the_other_manager(
    client, login, db, two, people
):
    project, other, other_manager = two
    login(people["manager"])
    assert _depend(client, project, other).status_code == 302
    dependency = db.session.scalars(select(Dependency)).one()
    mine = client.get(f"/projects/{project.id}/assumptions-and-dependencies").get_data(as_text=True)
    assert other.code in mine and "Not yet acknowledged" in mine
    ack = f"/projects/{other.id}/dependencies/{dependency.id}/acknowledge"
    # This project's manager cannot acknowledge for the other project.
    assert client.post(ack, data={"version": "1"}).status_code == 403
    login(other_manager)
    theirs = client.get(f"/projects/{other.id}/assumptions-and-dependencies").get_data(as_text=True)
    assert project.code in theirs and "The shared address gazetteer" in theirs
    assert client.post(ack, data={"version": "1"}).status_code == 302
    db.session.refresh(dependency)
    assert dependency.acknowledged_by_id == other_manager.id
    assert not dependency.is_at_risk  # needed 30 Sept, the other finishes 30 June


def test_a_dependency_on_a_project_that_slips_is_at_risk_on_both_pages(
    client, login, db, two, people
):
    project, other, other_manager = two
    login(people["manager"])
    _depend(client, project, other, needed_by="2026-07-15")
    other.planned_finish = date(2026, 8, 31)  # the other project slips past the date needed
    db.session.commit()
    for viewer, page_of in ((people["manager"], project), (other_manager, other)):
        login(viewer)
        page = client.get(f"/projects/{page_of.id}/assumptions-and-dependencies")
        assert "At risk" in page.get_data(as_text=True), page_of.code


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"on_project_code": "SELF"}, "A project cannot depend on itself"),
        ({"on_project_code": "NOPE-1"}, "No project has the code NOPE-1"),
        ({"kind": "external", "on_project_code": ""}, "Name the outside party"),
        ({"what": ""}, "Say what the project needs"),
    ],
)
def test_bad_dependencies_are_refused_and_nothing_saved(
    client, login, db, two, people, overrides, message
):
    project, other, _ = two
    if overrides.get("on_project_code") == "SELF":
        overrides = {**overrides, "on_project_code": project.code}
    login(people["manager"])
    response = _depend(client, project, other, **overrides)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _count(db, Dependency) == 0


def test_a_dependency_that_would_make_a_loop_is_refused(db, two, people, make_project):
    project, other, other_manager = two
    third = make_project(manager=other_manager)
    needed = date(2026, 9, 1)
    services.create_dependency(
        other, services.DependencyData("project", "A", needed, third.id), actor=other_manager
    )
    services.create_dependency(
        third, services.DependencyData("project", "B", needed, project.id), actor=other_manager
    )
    db.session.commit()
    with pytest.raises(services.RuleError, match="would make a loop"):
        services.create_dependency(
            project,
            services.DependencyData("project", "C", needed, other.id),
            actor=people["manager"],
        )
    assert _count(db, Dependency) == 2


def test_cycles_are_found_through_any_path():
    assert rules.would_cycle([(2, 3), (3, 4), (4, 1)], 1, 2)
    assert not rules.would_cycle([(2, 3), (3, 4)], 1, 2)
    assert rules.would_cycle([], 5, 5)


def test_an_external_dependency_and_an_assumption_with_owner_and_date(
    client, login, db, two, people
):
    project, other, _ = two
    login(people["manager"])
    assert (
        _depend(client, project, other, kind="external", external_party="Land Registry").status_code
        == 302
    )
    assert db.session.scalars(select(Dependency)).one().external_party == "Land Registry"
    url = f"/projects/{project.id}/assumptions"
    bad = client.post(
        url, data={"statement": "Partner signs", "owner_id": str(people["outsider"].id)}
    )
    assert bad.status_code == 400
    assert _count(db, Assumption) == 0
    ok = client.post(
        url,
        data={
            "statement": "The partner signs the data-sharing agreement",
            "owner_id": str(people["executive"].id),
            "confirm_by": "2026-03-31",
        },
    )
    assert ok.status_code == 302
    assumption = db.session.scalars(select(Assumption)).one()
    settled = client.post(
        f"/projects/{project.id}/assumptions/{assumption.id}/settle",
        data={"status": "false", "version": "1"},
    )
    assert settled.status_code == 302
    db.session.refresh(assumption)
    assert assumption.status == "false"


def test_assumptions_and_dependencies_through_the_api(db, api_as, two, people):
    project, other, _ = two
    api = api_as(people["manager"])
    created = api.post(
        f"/projects/{project.id}/dependencies",
        json={
            "kind": "project",
            "what": "Gazetteer",
            "needed_by": "2026-05-01",
            "on_project_id": other.id,
        },
    )
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["is_at_risk"] is True  # the other finishes 30 June
    own = api.post(
        f"/projects/{project.id}/dependencies",
        json={
            "kind": "project",
            "what": "X",
            "needed_by": "2026-05-01",
            "on_project_id": project.id,
        },
    )
    assert own.status_code == 422
    listed = api.get(f"/projects/{project.id}/dependencies").get_json()
    assert [d["what"] for d in listed["depends_on"]] == ["Gazetteer"]
    assumption = api.post(
        f"/projects/{project.id}/assumptions",
        json={
            "statement": "Funding holds",
            "owner_id": people["manager"].id,
            "confirm_by": "2026-04-01",
        },
    )
    assert assumption.status_code == 201
    assert api.get(f"/projects/{project.id}/assumptions").get_json()["items"][0]["statement"] == (
        "Funding holds"
    )


def _assumption(db, project, people):
    assumption = services.create_assumption(
        project,
        "The partner signs by March",
        people["manager"].id,
        date(2027, 3, 31),
        actor=people["manager"],
    )
    db.session.commit()
    return assumption


def _edit_assumption(client, project, assumption, **overrides):
    data = {
        "statement": "The partner signs by April",
        "owner_id": str(assumption.owner_id),
        "confirm_by": "2027-04-30",
        "status": "open",
        "version": str(assumption.version),
    }
    data.update(overrides)
    return client.post(f"/projects/{project.id}/assumptions/{assumption.id}/edit", data=data)


def test_an_assumption_is_changed_with_its_history_kept(client, login, db, project, people):
    from tracker.audit.models import AuditEntry

    assumption = _assumption(db, project, people)
    login(people["manager"])
    url = f"/projects/{project.id}/assumptions/{assumption.id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert "The partner signs by March" in page and "Change an assumption" in page
    response = _edit_assumption(
        client, project, assumption, owner_id=str(people["team"].id), status="confirmed"
    )
    assert response.status_code == 302
    db.session.refresh(assumption)
    assert assumption.statement == "The partner signs by April"
    assert (assumption.owner_id, assumption.status) == (people["team"].id, "confirmed")
    assert assumption.confirm_by == date(2027, 4, 30) and assumption.version == 2
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "assumption.updated")
    ).one()
    assert "Owner" in entry.changes and "Maria Manager" in entry.changes
    # The page tells the story, from → to, dates as people write them.
    page = client.get(url).get_data(as_text=True)
    assert "31 March 2027" in page and "30 April 2027" in page
    assert "Tom Team" in page and "Confirmed" in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"statement": ""}, "Enter the assumption"),
        ({"owner": "outsider"}, "Choose an owner from the people on this project"),
        ({"confirm_by": "2027-02-30"}, "Confirm by must be a real date"),
        ({"status": "maybe"}, "Choose the assumption&#39;s status from the list"),
        ({"version": "0"}, "This record was changed by someone else"),
    ],
)
def test_bad_assumption_edits_are_refused_and_nothing_saved(
    client, login, db, project, people, overrides, message
):
    assumption = _assumption(db, project, people)
    if overrides.pop("owner", None):
        overrides["owner_id"] = str(people["outsider"].id)
    login(people["manager"])
    response = _edit_assumption(client, project, assumption, **overrides)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    kept = db.session.get(Assumption, assumption.id)
    assert (kept.statement, kept.version) == ("The partner signs by March", 1)


def test_only_the_keepers_change_an_assumption(client, login, db, project, people):
    assumption = _assumption(db, project, people)
    for person in ("team", "executive", "outsider"):
        login(people[person])
        assert _edit_assumption(client, project, assumption).status_code == 403, person
    assert db.session.get(Assumption, assumption.id).version == 1


def test_a_changed_need_is_acknowledged_again(client, login, db, two, people):
    from tracker.audit.models import AuditEntry

    project, other, other_manager = two
    dependency = services.create_dependency(
        project,
        services.DependencyData("project", "Gazetteer", date(2026, 9, 30), other.id),
        actor=people["manager"],
    )
    db.session.commit()
    services.acknowledge_dependency(dependency, version=1, actor=other_manager)
    db.session.commit()
    url = f"/projects/{project.id}/dependencies/{dependency.id}/edit"
    login(other_manager)  # the project depended on does not rewrite the other's need
    assert client.get(url).status_code == 403
    login(people["manager"])
    form = {"what": "Gazetteer and street data", "needed_by": "2026-10-31", "version": "2"}
    stale = client.post(url, data={**form, "version": "1"})
    assert stale.status_code == 400 and "changed by someone else" in stale.get_data(as_text=True)
    assert client.post(url, data={**form, "what": ""}).status_code == 400
    assert client.post(url, data=form).status_code == 302
    db.session.refresh(dependency)
    assert dependency.what == "Gazetteer and street data"
    assert dependency.needed_by == date(2026, 10, 31)
    assert dependency.acknowledged_at is None and dependency.on_project_id == other.id
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "dependency.updated")
    ).one()
    assert "Acknowledged" in entry.changes and "Needed by" in entry.changes
    login(other_manager)
    theirs = client.get(f"/projects/{other.id}/assumptions-and-dependencies")
    assert "Acknowledge<span" in theirs.get_data(as_text=True)


def test_an_outside_partys_dependency_is_changed_and_needs_a_name(
    client, login, db, project, people
):
    dependency = services.create_dependency(
        project,
        services.DependencyData("external", "Permit", date(2027, 5, 31), external_party="Highways"),
        actor=people["manager"],
    )
    db.session.commit()
    login(people["manager"])
    url = f"/projects/{project.id}/dependencies/{dependency.id}/edit"
    form = {"what": "Permit", "needed_by": "2027-05-31", "external_party": "", "version": "1"}
    refused = client.post(url, data=form)
    assert refused.status_code == 400 and "Name the outside party" in refused.get_data(as_text=True)
    assert client.post(url, data={**form, "external_party": "National Highways"}).status_code == 302
    db.session.refresh(dependency)
    assert (dependency.external_party, dependency.version) == ("National Highways", 2)
