"""The PMO dashboard keeps its computed figures until the portfolio changes.

Each test changes something the figures are computed from, through the real services, the
pages or the set-based jobs, and reads the dashboard again: a stale copy would show the old
figure. The cache is the app's own (SimpleCache in tests), emptied before each test.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event

from tests.performance.helpers import get_counting_queries
from tests.portfolio import helpers as h
from tests.portfolio.html import by_row
from tracker.core import stamps
from tracker.extensions import cache
from tracker.extensions import db as database
from tracker.orgs import services as orgs
from tracker.portfolio import views
from tracker.projects import services as projects

TODAY = date(2026, 6, 1)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(views, "_today", lambda: TODAY)


@pytest.fixture
def pmo(make_user):
    return make_user("Priya PMO", global_role="pmo")


@pytest.fixture
def agile_three(db, make_user, make_project, make_org):
    manager = make_user("Morgan Manager")
    lead = make_org("Eastvale Council")
    first, second, third = (make_project(manager=manager, lead=lead) for _ in range(3))
    for project in (first, second, third):
        project.delivery_method = "agile"
    database.session.commit()
    h.checkpoint(first, cpi=0.8, spi=1.0)
    h.checkpoint(second, cpi=1.0, spi=1.0)
    h.checkpoint(third, cpi=1.1, spi=1.0)
    return first, second, manager, lead


def _agile(page: str, figure: str) -> str:
    return by_row(page, "compare-methods")[figure]["Agile"].split(" n = ")[0]


def _median_cpi(page: str) -> str:
    return _agile(page, "Median CPI at the latest checkpoint")


def test_a_repeat_view_reads_the_kept_figures(db, client, login, pmo, agile_three):
    login(pmo)
    client.get("/portfolio/")  # the session's first request loads what later ones reuse
    cache.clear()
    first, first_page = get_counting_queries(db, client, "/portfolio/")
    second, second_page = get_counting_queries(db, client, "/portfolio/")
    assert second < first
    assert second <= 4, second  # the user, the organisations, the stamp, the inbox badge
    assert second_page == first_page
    assert _median_cpi(second_page) == "1.00"


def test_a_checkpoint_shows_at_once(db, client, login, pmo, agile_three):
    first, _, _, _ = agile_three
    login(pmo)
    assert _median_cpi(client.get("/portfolio/").get_data(as_text=True)) == "1.00"
    h.checkpoint(first, cpi=1.2, spi=1.0, on=date(2026, 4, 1))  # the latest now
    assert _median_cpi(client.get("/portfolio/").get_data(as_text=True)) == "1.10"


def test_a_method_change_through_the_service_shows_at_once(db, client, login, pmo, agile_three):
    first, _, _, _ = agile_three
    login(pmo)
    assert _agile(client.get("/portfolio/").get_data(as_text=True), "Projects") == "3"
    first.delivery_method = "stage_gated"
    database.session.commit()
    assert _agile(client.get("/portfolio/").get_data(as_text=True), "Projects") == "2"


def test_renaming_an_organisation_shows_at_once(db, client, login, pmo, agile_three):
    first, _, manager, lead = agile_three
    h.decision(first, manager, method="agile", recommended="agile")
    login(pmo)
    page = client.get("/portfolio/").get_data(as_text=True)
    assert "Eastvale Council" in by_row(page, "driver-shares")
    orgs.update_organisation(
        lead, name="Eastvale Unitary", short_name=None, kind=lead.kind, version=None
    )
    database.session.commit()
    rows = by_row(client.get("/portfolio/").get_data(as_text=True), "driver-shares")
    assert "Eastvale Unitary" in rows
    assert "Eastvale Council" not in rows


def test_joining_a_project_widens_a_members_view_at_once(db, client, login, make_user, agile_three):
    first, second, _, _ = agile_three
    member = make_user("Tess Team")
    projects.add_member(first, member, "team_member")
    database.session.commit()
    login(member)
    assert _agile(client.get("/portfolio/").get_data(as_text=True), "Projects") == "1"
    projects.add_member(second, member, "team_member")
    database.session.commit()
    assert _agile(client.get("/portfolio/").get_data(as_text=True), "Projects") == "2"


def test_each_filter_and_each_scope_has_its_own_copy(
    db, client, login, pmo, make_user, agile_three
):
    first, _, _, _ = agile_three
    login(pmo)
    everything = client.get("/portfolio/").get_data(as_text=True)
    assert _agile(everything, "Projects") == "3"
    filtered = client.get("/portfolio/?method=stage_gated").get_data(as_text=True)
    assert _agile(filtered, "Projects") == "0"
    member = make_user("Tess Team")
    projects.add_member(first, member, "team_member")
    database.session.commit()
    login(member)
    assert _agile(client.get("/portfolio/").get_data(as_text=True), "Projects") == "1"
    login(pmo)
    assert _agile(client.get("/portfolio/").get_data(as_text=True), "Projects") == "3"


def test_the_day_turning_computes_afresh(db, client, login, pmo, agile_three, monkeypatch):
    login(pmo)
    client.get("/portfolio/")
    kept, _ = get_counting_queries(db, client, "/portfolio/")
    monkeypatch.setattr(views, "_today", lambda: date(2026, 6, 2))
    next_day, _ = get_counting_queries(db, client, "/portfolio/")
    assert next_day > kept


def test_set_based_writers_move_the_portfolio_stamp_by_refreshing_the_facts(db, agile_three):
    """Set-based writers use Core statements the session hooks do not see; refreshing the
    stored facts moves the portfolio stamp for them."""
    first, _, _, _ = agile_three
    before = stamps.read([stamps.PORTFOLIO])[stamps.PORTFOLIO]
    from tracker.portfolio import summary

    summary.refresh([first.id])
    assert stamps.read([stamps.PORTFOLIO])[stamps.PORTFOLIO] == before  # not before commit
    database.session.commit()
    assert stamps.read([stamps.PORTFOLIO])[stamps.PORTFOLIO] == before + 1


def test_the_portfolio_stamp_does_not_move_without_a_commit(db, agile_three):
    first, _, _, _ = agile_three
    before = stamps.read([stamps.PORTFOLIO])[stamps.PORTFOLIO]
    first.delivery_method = "hybrid"
    database.session.flush()
    database.session.rollback()
    assert stamps.read([stamps.PORTFOLIO])[stamps.PORTFOLIO] == before


def test_time_logged_leaves_the_kept_figures_alone(db, client, login, pmo, agile_three):
    """Only what the figures are computed from moves the portfolio stamp: the busiest
    writes (costs, time) do not empty the dashboard's copy."""
    from tests.budget.helpers import cost

    first, _, manager, _ = agile_three
    before = stamps.read([stamps.PORTFOLIO])[stamps.PORTFOLIO]
    cost(first, manager, "250")
    assert stamps.read([stamps.PORTFOLIO])[stamps.PORTFOLIO] == before


def test_the_portfolio_stamp_is_the_last_lock_a_commit_takes(db, agile_three):
    """Every transaction that changes the figures bumps the one shared stamp: bumped after
    the project stamps and the stored facts, it is never held while waiting for another
    lock, so two such transactions cannot deadlock on it."""
    first, _, _, _ = agile_three
    writes: list[str] = []

    def note(connection, cursor, statement, parameters, *args):
        text = statement.lower()
        if text.startswith(("insert", "update", "delete")):
            shared = "portfolio" in str(parameters) and "change_stamps" in text
            writes.append("portfolio stamp" if shared else text.split()[2])

    event.listen(database.engine, "before_cursor_execute", note)
    try:
        first.delivery_method = "hybrid"
        database.session.commit()
    finally:
        event.remove(database.engine, "before_cursor_execute", note)
    assert writes[-1] == "portfolio stamp", writes
    assert writes.count("portfolio stamp") == 1, writes
    assert any("portfolio_summaries" in write for write in writes), writes
