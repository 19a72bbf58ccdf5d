"""The project page keeps its rendered sections until the project changes.

Each test changes something through the real services (or the pages) and reads the page
again: a stale copy would show the old value. The cache is the app's own (SimpleCache in
the test config), emptied before each test so that tests cannot see each other's copies.
"""

from __future__ import annotations

import pytest
from sqlalchemy import event

from tests.budget.helpers import cost
from tests.methods.conftest import form_data
from tests.stages.helpers import plan_stages
from tracker.core import stamps
from tracker.extensions import cache
from tracker.extensions import db as database


@pytest.fixture(autouse=True)
def empty_cache(app):
    with app.app_context():
        cache.clear()
    yield


@pytest.fixture
def team(make_user, make_project):
    manager = make_user("Morgan Manager")
    member = make_user("Tess Team")
    project = make_project(manager=manager, members=[(member, "team_member")])
    return project, manager, member


def _queries(db, client, url) -> tuple[int, str]:
    statements: list[str] = []

    def count(connection, cursor, statement, *args):
        if statement != "BEGIN":
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = client.get(url)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return len(statements), response.get_data(as_text=True)


def test_second_view_reuses_the_sections_with_fewer_queries_and_the_same_page(
    db, client, login, team
):
    project, manager, _ = team
    login(manager)
    url = f"/projects/{project.id}"
    client.get(url)  # the session's first request loads what later ones reuse
    cache.clear()
    first, first_page = _queries(db, client, url)
    second, second_page = _queries(db, client, url)
    assert second < first
    assert second_page == first_page
    assert 'id="budget"' in second_page and 'id="method"' in second_page


def test_a_cost_recorded_through_the_service_shows_at_once(db, client, login, team):
    project, manager, _ = team
    login(manager)
    url = f"/projects/{project.id}"
    assert "£0.00" in client.get(url).get_data(as_text=True)
    cost(project, manager, "1234.56")
    assert "£1,234.56" in client.get(url).get_data(as_text=True)


def test_an_assessment_through_the_page_shows_at_once(db, client, login, team):
    project, manager, _ = team
    login(manager)
    url = f"/projects/{project.id}"
    assert "Not assessed yet" in client.get(url).get_data(as_text=True)
    response = client.post(f"/projects/{project.id}/assessments/new", data=form_data())
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Not assessed yet" not in page
    assert "by Morgan Manager" in page


def test_renaming_a_person_refreshes_every_copy_that_shows_their_name(db, client, login, team):
    project, manager, _ = team
    login(manager)
    client.post(f"/projects/{project.id}/assessments/new", data=form_data())
    url = f"/projects/{project.id}"
    assert "by Morgan Manager" in client.get(url).get_data(as_text=True)
    manager.name = "Morgan Renamed"
    database.session.commit()
    # The history keeps the name as it was when they acted; the sections show the new one.
    assert "by Morgan Renamed" in client.get(url).get_data(as_text=True)


def test_stages_planned_show_at_once(db, client, login, team):
    project, manager, _ = team
    project.delivery_method = "stage_gated"
    database.session.commit()
    login(manager)
    url = f"/projects/{project.id}"
    assert "No stages planned yet" in client.get(url).get_data(as_text=True)
    plan_stages(project, manager, count=2)
    page = client.get(url).get_data(as_text=True)
    assert "No stages planned yet" not in page
    assert "Stage 2" in page


def test_each_kind_of_viewer_gets_their_own_copy(db, client, login, team):
    project, manager, member = team
    url = f"/projects/{project.id}"
    login(manager)
    assert "Assess the project" in client.get(url).get_data(as_text=True)
    login(member)
    page = client.get(url).get_data(as_text=True)
    assert "Assess the project" not in page
    assert 'id="time"' not in page  # time logged is for the project's managers
    login(manager)
    assert "Assess the project" in client.get(url).get_data(as_text=True)


def test_the_stamp_moves_with_the_commit_and_not_without_it(db, team):
    project, manager, _ = team
    scope = stamps.project_scope(project.id)
    before = stamps.read([scope])[scope]
    project.name = "Renamed, then rolled back"
    database.session.flush()
    database.session.rollback()
    assert stamps.read([scope])[scope] == before
    cost(project, manager, "10")
    assert stamps.read([scope])[scope] > before


def test_bulk_writers_move_stamps_themselves(db, team):
    project, _, _ = team
    scopes = [stamps.project_scope(project.id), stamps.project_scope(10**9)]
    before = stamps.read(scopes)
    stamps.bump(scopes)
    stamps.bump(scopes[:1])
    database.session.commit()
    after = stamps.read(scopes)
    assert after[scopes[0]] == before[scopes[0]] + 2
    assert after[scopes[1]] == before[scopes[1]] + 1


def test_a_savepoint_does_not_move_the_stamp_before_the_commit(db, team):
    """Releasing a savepoint fires the before-commit hook too. Bumping then would take the
    stamps' row locks before the audit trail's head (which the transaction may lock next),
    the reverse of every other transaction's order: under load, two such transactions
    deadlock (the load test saw it). The stamp moves once, with the real commit."""
    project, _, _ = team
    scope = stamps.project_scope(project.id)
    before = stamps.read([scope])[scope]
    with database.session.begin_nested():
        project.name = "Renamed inside a savepoint"
    assert stamps.read([scope])[scope] == before
    database.session.commit()
    assert stamps.read([scope])[scope] == before + 1
