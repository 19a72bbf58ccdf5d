"""The dashboard's figures from a portfolio built to known numbers, and its filters."""

from __future__ import annotations

from datetime import date

import pytest

from tests.portfolio import helpers as h
from tests.portfolio.html import by_row
from tracker.portfolio import views

TODAY = date(2026, 6, 1)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(views, "_today", lambda: TODAY)


def _figures(page, table_id):
    """{figure: {column: value text without the n}} and {figure: {column: n}}."""
    rows = by_row(page, table_id)
    values = {
        f: {c: cell.split(" n = ")[0] for c, cell in cols.items()} for f, cols in rows.items()
    }
    ns = {
        f: {c: int(cell.split(" n = ")[1]) for c, cell in cols.items() if " n = " in cell}
        for f, cols in rows.items()
    }
    return values, ns


@pytest.fixture
def portfolio(db, project, make_org, make_user):
    """Four agile and three stage-gated projects with every figure chosen in advance."""
    east, west = make_org("Eastvale Council"), make_org("Westshire Council")
    pm = make_user("Manager")
    a1, a2, a3 = (project("agile", lead=east, manager=pm) for _ in range(3))
    a4 = project("agile", lead=west, manager=pm)
    sg1 = project("stage_gated", lead=east, manager=pm, status="closed")
    sg2 = project("stage_gated", lead=east, manager=pm, status="closed_early")
    sg3 = project("stage_gated", lead=west, manager=pm, status="closed")

    # Latest checkpoints (an older one on a1 must be ignored).
    h.checkpoint(a1, cpi=5, spi=5, status="breached", on=date(2026, 1, 1))
    h.checkpoint(a1, cpi=0.9, spi=1.0, status="within")
    h.checkpoint(a2, cpi=1.1, spi=0.8, status="within")
    point = h.checkpoint(a3, cpi=0.8, spi=0.9, status="breached")
    h.checkpoint(a4, cpi=1.2, spi=1.1, status="at_risk")
    h.checkpoint(sg1, cpi=1.0, spi=1.0, status="within", ac=900)
    h.checkpoint(sg2, cpi=1.0, spi=0.9, status="within", ac=100)
    h.checkpoint(sg3, cpi=0.7, spi=0.9, status="breached", ac=1200)

    # Exceptions: 3 on agile projects, none on stage-gated ones.
    h.stage_exception(a1, pm)
    h.budget_exception(a1, point)
    h.budget_exception(a2, h.checkpoint(a2, cpi=1.1, spi=0.8, on=date(2026, 2, 1)))

    # Reviews: gate waits 3, 10, 1 days (median 3); iteration waits 2, 0, 10 (median 2).
    h.gate(sg1, pm, requested=date(2026, 3, 1), resolved=date(2026, 3, 4))
    h.gate(sg2, pm, requested=date(2026, 3, 1), resolved=date(2026, 3, 11))
    h.gate(sg3, pm, requested=date(2026, 3, 1), resolved=date(2026, 3, 2))
    h.gate(sg3, pm, requested=date(2026, 4, 1), boundary=1)  # still pending: not counted
    i1 = h.iteration(a1, name="S1", end_on=date(2026, 3, 10), closed=date(2026, 3, 12))
    h.iteration(a2, name="S1", end_on=date(2026, 3, 10), closed=date(2026, 3, 8))
    h.iteration(a3, name="S1", end_on=date(2026, 3, 10), closed=date(2026, 3, 20))

    # Feedback on agile work: ratings 5, 4, 3 (mean 4.0); two loops of three closed.
    h.feedback(a1, i1, rating=5, closed=True)
    h.feedback(a1, i1, rating=4, closed=True)
    h.feedback(a1, i1, rating=3)

    # Method decisions: followed on a1, a2, sg1; departed on a3, a4, sg3 (tradition).
    h.decision(a1, pm, method="agile", recommended="agile", zone="complex")
    h.decision(a2, pm, method="agile", recommended="agile", zone="complex")
    h.decision(sg1, pm, method="stage_gated", recommended="stage_gated", zone="clear")
    h.decision(
        a3, pm, method="agile", recommended="stage_gated", drivers=["tradition"], zone="clear"
    )
    h.decision(
        a4,
        pm,
        method="agile",
        recommended="hybrid",
        drivers=["tradition", "manager_preference"],
        zone="complicated",
    )
    h.decision(
        sg3, pm, method="stage_gated", recommended="agile", drivers=["tradition"], zone="complex"
    )
    return {"east": east, "west": west, "a1": a1, "a4": a4, "sg1": sg1}


def test_comparison_by_method(pmo_client, portfolio):
    page = pmo_client.get("/portfolio/").get_data(as_text=True)
    values, ns = _figures(page, "compare-methods")
    agile = {f: cols["Agile"] for f, cols in values.items()}
    assert agile == {
        "Projects": "4",
        "Median CPI at the latest checkpoint": "1.00",  # 0.8 0.9 | 1.1 1.2
        "Median SPI at the latest checkpoint": "0.95",  # 0.8 0.9 | 1.0 1.1
        "Within cost tolerance": "50%",
        "Exceptions per project": "0.8",  # 3 / 4 = 0.75
        "Median days a review waited for its decision": "2.0",
        "Mean customer-feedback rating (1 to 5)": "4.0",
        "Feedback loops closed": "67%",
        "Finished on time and within budget": "no data",
    }
    gated = {f: cols["Stage-gated"] for f, cols in values.items()}
    assert gated["Median CPI at the latest checkpoint"] == "1.00"  # 0.7 1.0 1.0
    assert gated["Median days a review waited for its decision"] == "3.0"
    # sg1 closed on time and within budget; sg2 closed early; sg3 over budget.
    assert gated["Finished on time and within budget"] == "33%"
    assert gated["Exceptions per project"] == "0.0"
    assert ns["Median CPI at the latest checkpoint"] == {"Stage-gated": 3, "Agile": 4, "Hybrid": 0}
    assert ns["Median days a review waited for its decision"]["Stage-gated"] == 3
    assert ns["Mean customer-feedback rating (1 to 5)"]["Agile"] == 3
    assert values["Projects"]["Hybrid"] == "0"


def test_followed_against_departed(pmo_client, portfolio):
    page = pmo_client.get("/portfolio/").get_data(as_text=True)
    values, ns = _figures(page, "compare-recommendation")
    cpi = values["Median CPI at the latest checkpoint"]
    assert cpi == {"Followed the recommendation": "1.00", "Departed from it": "0.80"}
    assert ns["Median CPI at the latest checkpoint"] == {
        "Followed the recommendation": 3,
        "Departed from it": 3,
    }
    assert values["Projects"] == {"Followed the recommendation": "3", "Departed from it": "3"}
    assert values["Within cost tolerance"]["Followed the recommendation"] == "100%"
    assert values["Within cost tolerance"]["Departed from it"] == "0%"
    assert "1 project in this selection has no method decision yet" in " ".join(page.split())


def test_how_methods_are_chosen_by_organisation(pmo_client, portfolio):
    page = pmo_client.get("/portfolio/").get_data(as_text=True)
    rows = by_row(page, "driver-shares")
    east = rows["Eastvale Council"]
    assert east["Decisions"] == "4"
    assert east["Project needs"] == "75% n = 4"
    tradition = next(k for k in east if k.startswith("Tradition"))
    assert east[tradition] == "25% n = 4"
    west = rows["Westshire Council"]
    assert west["Decisions"] == "2"
    assert west[tradition] == "too few projects n = 2"
    total = rows["All organisations"]
    assert total["Decisions"] == "6"
    assert total[tradition] == "50% n = 6"
    assert total["Manager preference"] == "17% n = 6"


def test_outcomes_by_driver(pmo_client, portfolio):
    page = pmo_client.get("/portfolio/").get_data(as_text=True)
    values, _ = _figures(page, "compare-drivers")
    tradition = next(k for k in values["Projects"] if k.startswith("Tradition"))
    assert values["Projects"][tradition] == "3"
    assert values["Median CPI at the latest checkpoint"][tradition] == "0.80"  # 0.7 0.8 1.2
    assert values["Median CPI at the latest checkpoint"]["Project needs"] == "1.00"


def test_uncertainty_matrix(pmo_client, portfolio):
    page = pmo_client.get("/portfolio/").get_data(as_text=True)
    rows = by_row(page, "zone-matrix")
    assert rows["Complex"]["Agile"].startswith("2 projects")
    assert rows["Complex"]["Stage-gated"].startswith("1 project")
    assert rows["Clear"]["Agile"].startswith("1 project")
    assert rows["Chaotic"]["Hybrid"] == "0 projects"


def test_scatter_marks_every_project_with_both_indices(pmo_client, portfolio):
    page = pmo_client.get("/portfolio/").get_data(as_text=True)
    assert page.count("data-project=") == 7
    assert '<circle class="app-chart__series--2"' in page  # agile: circles, series 2
    assert '<rect class="app-chart__series--1"' in page  # stage-gated: squares
    assert 'data-chart-table="scatter"' in page
    assert f">{portfolio['a4'].code}</th>" in page
    # Both axes are named, and the image has a title and a description for screen readers.
    assert ">CPI: cost performance" in page and ">SPI: schedule performance" in page
    assert 'aria-labelledby="scatter-title scatter-desc"' in page
    assert '<desc id="scatter-desc">7 projects.' in page


def test_a_long_scatter_says_how_many_it_leaves_out(pmo_client, portfolio, project, monkeypatch):
    """The chart shows the first projects by code; the total counts every project with a
    method and both indices (not one without a method, nor one without an SPI)."""
    from tracker.portfolio import queries

    undecided = project(None)
    h.checkpoint(undecided, cpi=1.0, spi=1.0)
    h.checkpoint(project("agile"), cpi=1.0, spi=None)
    monkeypatch.setattr(queries, "SCATTER_LIMIT", 3)
    page = pmo_client.get("/portfolio/").get_data(as_text=True)
    assert page.count("data-project=") == 3
    assert "The chart shows the first 3 of 7 projects by code" in page


def test_filter_by_organisation(pmo_client, portfolio):
    west = portfolio["west"]
    page = pmo_client.get(f"/portfolio/?organisation={west.id}").get_data(as_text=True)
    values, _ = _figures(page, "compare-methods")
    assert values["Projects"] == {"Stage-gated": "1", "Agile": "1", "Hybrid": "0"}
    assert list(by_row(page, "driver-shares")) == ["Westshire Council"]


FILTER_CASES = (
    # query, agile projects, stage-gated projects
    ("method=agile", "4", "0"),
    ("status=closed", "0", "2"),
    ("zone=complex", "2", "1"),
    ("zone=none", "0", "1"),
    ("tier=small", "4", "3"),
    ("tier=large", "0", "0"),
    ("period_from=2027-01-01", "0", "0"),
    ("period_from=2026-06-01&period_to=2026-07-01", "4", "3"),
)


def test_filters(pmo_client, portfolio):
    """Each filter on one portfolio (reads only); each failure names its query."""
    found = {}
    for query, _, _ in FILTER_CASES:
        response = pmo_client.get(f"/portfolio/?{query}")
        assert response.status_code == 200, query
        values, _ = _figures(response.get_data(as_text=True), "compare-methods")
        found[query] = (values["Projects"]["Agile"], values["Projects"]["Stage-gated"])
    assert found == {query: (agile, gated) for query, agile, gated in FILTER_CASES}


def test_period_end_takes_the_latest_checkpoint_before_it(pmo_client, portfolio):
    # Up to the end of January only a1's old checkpoint (CPI 5) exists.
    page = pmo_client.get("/portfolio/projects?period_to=2026-01-31").get_data(as_text=True)
    assert "5.00" in page


def test_portfolio_table_shows_status_per_dimension(pmo_client, portfolio):
    response = pmo_client.get("/portfolio/projects?sort=cpi&direction=asc")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Showing 1 to 7 of 7 projects" in page
    # Worst CPI first: sg3 (0.70) before a3 (0.80).
    assert page.index(">0.70<") < page.index(">0.80<")
    assert "Red" in page and "Green" in page


def test_portfolio_table_is_paginated(pmo_client, project, app):
    for _ in range(app.config["PAGE_SIZE"] + 2):
        project("hybrid")
    page = pmo_client.get("/portfolio/projects?page=2").get_data(as_text=True)
    assert f"Showing {app.config['PAGE_SIZE'] + 1} to" in page


HOSTILE_QUERIES = (
    "organisation=abc",
    "organisation=999999",
    "tier=enormous",
    "zone=%3Cscript%3E",
    "status=' OR 1=1 --",
    "method=waterfall",
    "period_from=yesterday",
    "period_from=2026-13-45",
    "period_from=2027-01-01&period_to=2026-01-01",
    "sort=password&direction=sideways",
    "page=-1",
    "page=999999999999999999999",
    "sort=code;DROP TABLE projects",
)


@pytest.mark.parametrize("path", ["/portfolio/", "/portfolio/projects", "/portfolio/projects.csv"])
def test_hostile_parameters_never_break_the_page(pmo_client, portfolio, path):
    """Every hostile query on one portfolio (built once per page): 200 or a 400 that says
    what is wrong, and nothing of the input echoed as markup. Each failure names its query."""
    problems = []
    for query in HOSTILE_QUERIES:
        response = pmo_client.get(f"{path}?{query}")
        page = response.get_data(as_text=True)
        if response.status_code not in {200, 400}:
            problems.append(f"{query}: HTTP {response.status_code}")
        elif response.status_code == 400 and "There is a problem" not in page:
            problems.append(f"{query}: a 400 without the error summary")
        if "<script>" in page:
            problems.append(f"{query}: <script> in the page")
    assert problems == []


def test_bad_filters_say_which_field(pmo_client, portfolio):
    response = pmo_client.get("/portfolio/?period_from=2027-01-01&period_to=2026-01-01&tier=huge")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Running to must be on or after running from" in page
    assert "Choose size from the list" in page


def test_an_empty_portfolio_says_so(pmo_client):
    page = pmo_client.get("/portfolio/").get_data(as_text=True)
    assert "No method decisions in this selection." in page
    assert "No project in this selection has a checkpoint" in page
