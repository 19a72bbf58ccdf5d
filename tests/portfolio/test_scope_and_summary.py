"""Who sees which projects, the stored facts against a fresh computation, and the day a
project finished."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from tests.portfolio import helpers as h
from tracker.portfolio import summary, views
from tracker.stages import services as stages

TODAY = date(2026, 6, 1)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(views, "_today", lambda: TODAY)


@pytest.fixture
def scoped(project, make_org, make_user):
    east, west = make_org("Eastvale"), make_org("Westshire")
    member, other = make_user("Member"), make_user("Other manager")
    mine_east = project("agile", lead=east, members=[(member, "team_member")])
    mine_west = project("stage_gated", lead=west, manager=member)
    theirs_east = project("agile", lead=east, manager=other)
    theirs_west = project("hybrid", lead=west, manager=other)
    for record, cpi in ((mine_east, 1.1), (mine_west, 0.9), (theirs_east, 0.5), (theirs_west, 2)):
        h.checkpoint(record, cpi=cpi, spi=1.0)
    return {
        "member": member,
        "east": east,
        "west": west,
        "mine": {mine_east.code, mine_west.code},
        "theirs": {theirs_east.code, theirs_west.code},
        "mine_east": mine_east.code,
        "mine_west": mine_west.code,
    }


def _codes_in(text: str, codes) -> set[str]:
    return {code for code in codes if code in text}


def test_a_member_sees_only_their_projects(client, login, scoped):
    login(scoped["member"])
    everything = scoped["mine"] | scoped["theirs"]
    page = client.get("/portfolio/").get_data(as_text=True)
    assert "limited to the projects you are a member of" in page
    assert _codes_in(page, everything) == scoped["mine"]  # the scatter names projects
    table = client.get("/portfolio/projects").get_data(as_text=True)
    assert "Showing 1 to 2 of 2 projects" in table
    assert _codes_in(table, everything) == scoped["mine"]
    rows = list(csv.reader(io.StringIO(client.get("/portfolio/projects.csv").get_data(True))))
    assert {r[0] for r in rows[1:]} == scoped["mine"]
    sheet = load_workbook(io.BytesIO(client.get("/portfolio/projects.xlsx").data))["Portfolio"]
    assert {r[0] for r in sheet.iter_rows(min_row=2, values_only=True)} == scoped["mine"]


def test_a_member_counts_only_their_projects(client, login, scoped):
    from tests.portfolio.test_pages import _figures

    login(scoped["member"])
    values, _ = _figures(client.get("/portfolio/").get_data(as_text=True), "compare-methods")
    assert values["Projects"] == {"Stage-gated": "1", "Agile": "1", "Hybrid": "0"}


@pytest.mark.parametrize("org", ["east", "west"])
def test_filters_never_widen_a_members_view(client, login, scoped, org):
    login(scoped["member"])
    everything = scoped["mine"] | scoped["theirs"]
    query = f"organisation={scoped[org].id}"
    expected = {scoped[f"mine_{org}"]}
    table = client.get(f"/portfolio/projects?{query}").get_data(as_text=True)
    assert _codes_in(table, everything) == expected
    rows = list(
        csv.reader(io.StringIO(client.get(f"/portfolio/projects.csv?{query}").get_data(True)))
    )
    assert {r[0] for r in rows[1:]} == expected
    sheet = load_workbook(io.BytesIO(client.get(f"/portfolio/projects.xlsx?{query}").data))[
        "Portfolio"
    ]
    assert {r[0] for r in sheet.iter_rows(min_row=2, values_only=True)} == expected
    dashboard = client.get(f"/portfolio/?{query}&method=hybrid").get_data(as_text=True)
    assert _codes_in(dashboard, everything) == set()


def test_the_pmo_sees_everything(client, login, pmo, scoped):
    login(pmo)
    rows = list(csv.reader(io.StringIO(client.get("/portfolio/projects.csv").get_data(True))))
    assert {r[0] for r in rows[1:]} == scoped["mine"] | scoped["theirs"]


# --- the stored facts cannot drift -----------------------------------------------------------


def test_stored_facts_equal_a_fresh_computation_after_real_changes(db, make_user):
    """The demo portfolio is built through the services of every domain (method decisions,
    gates, iterations, feedback, checkpoints, exceptions); then more changes go through
    services. After each commit the stored rows equal what the history tables say."""
    from tracker.demo import data

    data.load("correct horse battery staple")
    db.session.commit()
    assert summary.differences() == []

    from tracker.projects.models import Project

    active = (
        db.session.query(Project)
        .filter_by(status="active", delivery_method="stage_gated")
        .order_by(Project.id)
        .first()
    )
    executive = next(m.user for m in active.memberships if m.role == "executive")
    stages.close_project_early(active, reason="The board stopped it.", actor=executive)
    db.session.commit()
    assert active.finished_on is not None
    point = h.checkpoint(active, cpi=0.5, spi=0.5, status="breached", on=date(2030, 1, 1))
    h.budget_exception(active, point, status="open")
    assert summary.differences() == []

    # Rows written past the ORM (bulk jobs) are caught up by an explicit refresh.
    from tracker.portfolio.models import PortfolioSummary

    db.session.query(PortfolioSummary).filter_by(project_id=active.id).update({"cpi": 9})
    db.session.flush()
    assert [d["project_id"] for d in summary.differences()] == [active.id]
    summary.refresh([active.id])
    assert summary.differences() == []


def test_bulk_orm_inserts_are_refreshed_at_commit(db, project, make_user):
    from sqlalchemy import insert

    from tracker.agile.models import Feedback, Iteration

    record = project("agile")
    sprint = h.iteration(record, name="S1", end_on=date(2026, 3, 1), closed=date(2026, 3, 4))
    db.session.execute(
        insert(Feedback),
        [
            {
                "project_id": record.id,
                "iteration_id": sprint.id,
                "source": "citizen",
                "rating": rating,
                "said": "x",
                "agreement": "yes",
                "loop_closed": False,
            }
            for rating in (2, 4)
        ],
    )
    db.session.commit()
    assert summary.differences() == []
    assert Iteration  # the iteration's wait (3 days) is stored too


# --- the day a project finished ----------------------------------------------------------------


def test_closing_a_project_records_the_day_and_reopening_clears_it(db, project):
    record = project("agile")
    assert record.finished_on is None
    record.status = "closed"
    db.session.commit()
    finished = record.finished_on
    assert finished is not None
    record.status = "closed_early"
    db.session.commit()
    assert record.finished_on == finished
    record.status = "active"
    db.session.commit()
    assert record.finished_on is None


def test_on_time_uses_the_day_it_finished(pmo_client, db, project):
    from tests.portfolio.test_pages import _figures

    late = project("stage_gated", status="closed", planned_finish=date(2026, 3, 31))
    early = project("stage_gated", status="closed", planned_finish=date(2026, 3, 31))
    also = project("stage_gated", status="closed", planned_finish=date(2026, 3, 31))
    late.finished_on, early.finished_on = date(2026, 4, 15), date(2026, 3, 30)
    also.finished_on = date(2026, 3, 31)
    db.session.commit()
    for record in (late, early, also):
        h.checkpoint(record, cpi=1.0, spi=1.0, ac=500)
    values, ns = _figures(pmo_client.get("/portfolio/").get_data(as_text=True), "compare-methods")
    assert values["Finished on time and within budget"]["Stage-gated"] == "67%"
    assert ns["Finished on time and within budget"]["Stage-gated"] == 3
    page = pmo_client.get(f"/projects/{late.id}").get_data(as_text=True)
    assert "after the planned finish" in page


def test_refresh_and_check_commands(app, db, project):
    from tracker.portfolio.models import PortfolioSummary

    record = project("agile")
    h.checkpoint(record, cpi=1.2, spi=1.0)
    db.session.query(PortfolioSummary).filter_by(project_id=record.id).update({"cpi": 3})
    db.session.commit()  # a bulk UPDATE of an untracked table: nothing refreshes it
    runner = app.test_cli_runner()
    result = runner.invoke(args=["portfolio", "check"])
    assert result.exit_code == 1
    assert "1 differences" in result.output
    result = runner.invoke(args=["portfolio", "refresh"])
    assert result.exit_code == 0 and "Refreshed the portfolio facts of" in result.output
    assert runner.invoke(args=["portfolio", "check"]).exit_code == 0
    stored = db.session.get(PortfolioSummary, record.id)
    db.session.refresh(stored)
    assert float(stored.cpi) == 1.2
