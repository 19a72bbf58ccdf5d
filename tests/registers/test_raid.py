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
