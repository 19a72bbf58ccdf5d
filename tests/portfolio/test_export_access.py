"""Export to CSV and Excel, who may see the portfolio, and its query count."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from flask_sqlalchemy.record_queries import get_recorded_queries
from openpyxl import load_workbook
from sqlalchemy import select

from tests.portfolio import helpers as h
from tracker.portfolio import views
from tracker.portfolio.exports import HEADERS


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(views, "_today", lambda: date(2026, 6, 1))


@pytest.fixture
def two(project, make_org, make_user):
    east, west = make_org("Eastvale"), make_org("Westshire")
    good = project("agile", lead=east, name='=HYPERLINK("http://evil","Click")')
    bad = project("stage_gated", lead=west, name="Bridge repairs")
    h.checkpoint(good, cpi=1.05, spi=0.97, status="within")
    h.checkpoint(bad, cpi=0.8, spi=0.7, status="breached")
    return {"good": good, "bad": bad, "east": east, "west": west}


def test_excel_export_has_every_project_and_neutralises_formulas(pmo_client, two):
    response = pmo_client.get("/portfolio/projects.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert re.search(
        r"portfolio-\d{4}-\d\d-\d\d-\d{4}\.xlsx", response.headers["Content-Disposition"]
    )
    sheet = load_workbook(io.BytesIO(response.data))["Portfolio"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == HEADERS
    by_code = {row[0]: dict(zip(HEADERS, row, strict=True)) for row in rows[1:]}
    good = by_code[two["good"].code]
    assert good["Name"] == '\'=HYPERLINK("http://evil","Click")'
    assert good["CPI"] == 1.05 and good["SPI"] == 0.97
    assert good["Method"] == "Agile"
    assert good["Cost"] == "Green" and good["Schedule"] == "Green"
    bad = by_code[two["bad"].code]
    assert (bad["Cost"], bad["Schedule"], bad["Exceptions"]) == ("Red", "Red", 0)
    # No cell anywhere is a formula.
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_export_follows_the_filters(pmo_client, two):
    sheet = load_workbook(
        io.BytesIO(pmo_client.get(f"/portfolio/projects.xlsx?organisation={two['west'].id}").data)
    )["Portfolio"]
    codes = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert codes == [two["bad"].code]


def test_excel_export_says_what_it_is_and_formats_money_and_dates(pmo_client, two):
    """The first sheet says what, when, by whom and with which filters; the budget is a
    number in pounds and the planned finish a date."""
    query = f"organisation={two['west'].id}&sort=cpi&direction=desc"
    book = load_workbook(io.BytesIO(pmo_client.get(f"/portfolio/projects.xlsx?{query}").data))
    assert book.sheetnames == ["About", "Portfolio"]
    about = [row for row in book["About"].iter_rows(values_only=True)]
    labels = dict(about)
    assert labels["What"].startswith("Portfolio table")
    assert "@" in labels["Made by"]
    filters = [value for label, value in about if label in ("Filters", None)]
    assert filters == ["Organisation: Westshire", "Sort by: CPI", "Order: Descending"]
    sheet = book["Portfolio"]
    assert sheet.freeze_panes == "A2"
    headings = [cell.value for cell in sheet[1]]
    budget = sheet.cell(row=2, column=headings.index("Budget at completion") + 1)
    finish = sheet.cell(row=2, column=headings.index("Planned finish") + 1)
    assert budget.data_type == "n" and budget.value == float(two["bad"].budget_at_completion)
    assert budget.number_format.startswith('"£"#,##0.00')
    assert finish.is_date and finish.value.date() == two["bad"].planned_finish
    cpi = sheet.cell(row=2, column=headings.index("CPI") + 1)
    assert cpi.number_format == "0.00"
    assert all(sheet.column_dimensions[c].width >= 8 for c in "ABCDEFGHIJ")


def test_csv_export(pmo_client, two):
    response = pmo_client.get("/portfolio/projects.csv?sort=cpi&direction=desc")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert tuple(rows[0]) == HEADERS
    assert [r[0] for r in rows[1:]] == [two["good"].code, two["bad"].code]
    assert rows[1][1].startswith("'=")


def test_an_export_with_bad_filters_shows_the_problem(pmo_client, two):
    response = pmo_client.get("/portfolio/projects.xlsx?tier=huge")
    assert response.status_code == 400
    assert "Choose size from the list" in response.get_data(as_text=True)


PAGES = [
    "/portfolio/",
    "/portfolio/projects",
    "/portfolio/projects.csv",
    "/portfolio/projects.xlsx",
]


@pytest.mark.parametrize("path", PAGES)
def test_everyone_signed_in_may_open_it(client, login, make_user, path):
    login(make_user("Someone"))
    assert client.get(path).status_code == 200


@pytest.mark.parametrize("role", ["pmo", "admin"])
@pytest.mark.parametrize("path", PAGES)
def test_pmo_and_admin_may_use_it(client, login, make_user, role, path):
    login(make_user(global_role=role))
    response = client.get(path)
    assert response.status_code == 200
    if path in ("/portfolio/", "/portfolio/projects"):
        assert "limited to the projects you are a member of" not in response.get_data(True)


def test_navigation_shows_portfolio_to_everyone(client, login, make_user):
    login(make_user("Someone"))
    assert 'href="/portfolio/"' in client.get("/projects/").get_data(as_text=True)
    login(make_user("Analyst", global_role="pmo"))
    assert 'href="/portfolio/"' in client.get("/projects/").get_data(as_text=True)


def _grow(project, make_user, count):
    """``count`` projects; every tenth with a fact of each kind (the rest have none), to keep
    200 projects quick to build."""
    pm = make_user()
    for n in range(count):
        record = project(["agile", "stage_gated", "hybrid"][n % 3], manager=pm)
        if n % 10:
            continue
        point = h.checkpoint(record, cpi=0.9 + n / 100, spi=1.0, status="within")
        h.decision(record, pm, method=record.delivery_method, recommended="agile")
        h.gate(record, pm, requested=date(2026, 3, 1), resolved=date(2026, 3, 5))
        it = h.iteration(record, name="S1", end_on=date(2026, 3, 1), closed=date(2026, 3, 3))
        h.feedback(record, it, rating=4, closed=True)
        h.budget_exception(record, point)


PORTFOLIO_PAGES = ("/portfolio/", "/portfolio/projects", "/portfolio/projects.xlsx")


@pytest.mark.parametrize("who", ["pmo", "member"])
def test_query_count_does_not_grow_with_the_portfolio(client, login, pmo, project, make_user, who):
    """10 projects, then 200: the same number of queries on each portfolio page, for the PMO
    and for a member (who is on every project here, so their view grows too). The portfolio
    is built once per viewer and every page is counted at both sizes."""
    viewer = pmo if who == "pmo" else make_user("Member")

    def grow(count):
        _grow(project, make_user, count)
        if who == "member":
            from tracker.projects import services as projects
            from tracker.projects.models import Project, ProjectMembership

            mine = set(
                h.db.session.scalars(
                    select(ProjectMembership.project_id).where(
                        ProjectMembership.user_id == viewer.id
                    )
                )
            )
            for record in h.db.session.scalars(select(Project)):
                if record.id not in mine:
                    projects.add_member(record, viewer, "team_member")
            h.db.session.commit()

    def queries_for(path) -> int:
        assert client.get(path).status_code == 200
        return len(get_recorded_queries())

    def counts() -> dict[str, int]:
        found = {}
        for path in PORTFOLIO_PAGES:
            queries_for(path)  # the first view after the commits reloads the signed-in user
            found[path] = queries_for(path)
        return found

    login(viewer)
    grow(10)
    few = counts()
    grow(190)
    many = counts()
    assert many == few
    assert max(few.values()) <= 12, few
