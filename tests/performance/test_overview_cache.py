"""The project page keeps its rendered sections until the project changes.

Each test changes something through the real services (or the pages) and reads the page
again: a stale copy would show the old value. The cache is the app's own (SimpleCache in
the test config), emptied before each test so that tests cannot see each other's copies.
"""

from __future__ import annotations

import dataclasses
import time

import pytest
import time_machine

from tests.budget.helpers import cost
from tests.methods.conftest import form_data
from tests.performance.helpers import get_counting_queries
from tests.stages.helpers import plan_stages
from tracker.core import stamps
from tracker.extensions import cache
from tracker.extensions import db as database
from tracker.orgs import services as orgs
from tracker.projects import services as projects


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


def test_second_view_reuses_the_sections_with_fewer_queries_and_the_same_page(
    db, client, login, team
):
    project, manager, _ = team
    login(manager)
    url = f"/projects/{project.id}"
    client.get(url)  # the session's first request loads what later ones reuse
    cache.clear()
    first, first_page = get_counting_queries(db, client, url)
    second, second_page = get_counting_queries(db, client, url)
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


# --- everything below the heading is kept: team, partners, history -------------------------


def _form_token(page: str, action: str) -> str:
    """The CSRF token of the form posting to ``action`` on ``page``."""
    start = page.index(f'action="{action}"')
    tail = page[start:]
    marker = 'name="csrf_token" value="'
    at = tail.index(marker) + len(marker)
    return tail[at : tail.index('"', at)]


def test_the_history_shows_a_change_at_once(db, client, login, team):
    project, manager, _ = team
    login(manager)
    url = f"/projects/{project.id}"
    assert "Renamed for the history" not in client.get(url).get_data(as_text=True)
    data = _project_data(project, name="Renamed for the history")
    projects.update_project(project, data, version=project.version)
    database.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert "Renamed for the history" in page
    history = page[page.index('id="history"') :]
    assert "Updated name" in history


def test_team_changes_through_the_page_show_at_once(db, client, login, team, make_user):
    project, manager, _ = team
    newcomer = make_user("Nadia Newcomer")
    login(manager)
    url = f"/projects/{project.id}"
    assert "Nadia Newcomer" not in _team_list(client.get(url).get_data(as_text=True))
    response = client.post(f"{url}/team", data={"email": newcomer.email, "role": "senior_user"})
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Nadia Newcomer" in _team_list(page)
    assert "Added Nadia Newcomer as senior user" in page[page.index('id="history"') :]
    membership = next(m for m in project.memberships if m.user_id == newcomer.id)
    response = client.post(f"{url}/team/{membership.id}/remove")
    assert response.status_code == 302
    assert "Nadia Newcomer" not in _team_list(client.get(url).get_data(as_text=True))


def _team_list(page: str) -> str:
    start = page.index('id="team"')
    return page[start : page.index("</ul>", start)]


def test_a_partner_added_alone_shows_at_once(db, client, login, team, make_org):
    """Partners are a collection: adding one changes no column of the project's row."""
    project, manager, _ = team
    partner = make_org("Northbridge Health Partnership")
    login(manager)
    url = f"/projects/{project.id}"
    assert "Northbridge Health Partnership" not in client.get(url).get_data(as_text=True)
    project.partners.append(partner)
    database.session.commit()
    assert "Northbridge Health Partnership" in client.get(url).get_data(as_text=True)


def test_renaming_the_lead_organisation_shows_at_once(db, client, login, team):
    project, manager, _ = team
    login(manager)
    url = f"/projects/{project.id}"
    lead = project.lead_organisation
    assert lead.name in client.get(url).get_data(as_text=True)
    orgs.update_organisation(
        lead, name="Renamed Borough Council", short_name=None, kind=lead.kind, version=None
    )
    database.session.commit()
    assert "Renamed Borough Council" in client.get(url).get_data(as_text=True)


def test_each_session_gets_its_own_csrf_token_in_the_kept_page(app, db, team):
    """The kept copy holds a slot, not a token: each request fills in its own session's,
    and a form posted with it is accepted (with CSRF protection on, as in production)."""
    project, manager, member = team
    url = f"/projects/{project.id}"
    membership = next(m for m in project.memberships if m.user_id == member.id)
    action = f"{url}/team/{membership.id}/remove"
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        first, second = app.test_client(), app.test_client()
        for browser in (first, second):
            with browser.session_transaction() as session:
                session["_user_id"] = manager.get_id()
                session["_fresh"] = True
        first_page = first.get(url).get_data(as_text=True)
        second_page = second.get(url).get_data(as_text=True)  # from the kept copy
        assert "csrf-token" not in second_page
        first_token = _form_token(first_page, action)
        second_token = _form_token(second_page, action)
        assert first_token != second_token
        refused = second.post(action, data={"csrf_token": first_token})
        assert refused.status_code == 400
        accepted = second.post(action, data={"csrf_token": second_token})
        assert accepted.status_code == 302
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert all(m.user_id != member.id for m in project.memberships)


def test_a_page_asked_for_with_other_parameters_is_not_kept(db, client, login, team):
    """The history's page links repeat the query string, so only plain requests are kept."""
    project, manager, _ = team
    login(manager)
    url = f"/projects/{project.id}?page=1&utm_source=newsletter"
    client.get(url)
    first, _ = get_counting_queries(db, client, url)
    second, _ = get_counting_queries(db, client, url)
    assert second == first
    plain = f"/projects/{project.id}"
    client.get(plain)
    kept, _ = get_counting_queries(db, client, plain)
    assert kept < second


def _project_data(project, **changes):
    data = projects.ProjectData(
        code=project.code,
        name=project.name,
        problem_statement=project.problem_statement,
        lead_organisation_id=project.lead_organisation_id,
        partner_ids=[org.id for org in project.partners],
        manager_id=projects.manager_of(project).id,
        budget_at_completion=project.budget_at_completion,
        planned_start=project.planned_start,
        planned_finish=project.planned_finish,
        criticality=project.criticality,
    )
    return dataclasses.replace(data, **changes)


def test_pages_compare_equal_across_a_second_boundary_but_not_across_content(
    db, client, login, team
):
    """The comparison above must not depend on the clock: two views a second apart carry
    differently timed CSRF tokens, and still compare equal once masked."""
    project, manager, _ = team
    login(manager)
    url = f"/projects/{project.id}"
    with time_machine.travel(time.time(), tick=False) as clock:
        _, first_page = get_counting_queries(db, client, url)
        raw_first = client.get(url).get_data(as_text=True)
        clock.shift(5)
        _, second_page = get_counting_queries(db, client, url)
        raw_second = client.get(url).get_data(as_text=True)
    assert raw_first != raw_second  # the tokens carry the time
    assert second_page == first_page
    assert 'name="csrf_token"' in first_page
