"""Portfolio comparison figures through the API: the same figures as the PMO dashboard for
the same filters (read off the page), null with a reason where the page says too few, the
portfolio table paged, and non-PMO people limited to the projects they hold a role on."""

from __future__ import annotations

from datetime import date

import pytest

from tests.portfolio import helpers as h
from tests.portfolio.html import by_row
from tracker.api import portfolio as api_portfolio
from tracker.methods.model import DECISION_DRIVERS, ZONES
from tracker.portfolio import views
from tracker.projects.rules import DELIVERY_METHODS

TODAY = date(2026, 6, 1)
PROBLEM = "application/problem+json"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(views, "_today", lambda: TODAY)
    monkeypatch.setattr(api_portfolio, "_today", lambda: TODAY)


@pytest.fixture
def portfolio(db, make_project, make_org, make_user):
    """Five Eastvale projects (which the team member works on) and two Westshire ones."""
    east, west = make_org("Eastvale Council"), make_org("Westshire Council")
    pm = make_user("Manager")
    member = make_user("Team member")

    def project(method, lead, **overrides):
        members = [(member, "team_member")] if lead is east else []
        record = make_project(lead=lead, manager=pm, members=members, **overrides)
        record.delivery_method = method
        db.session.commit()
        return record

    a1, a2, a3 = (project("agile", east) for _ in range(3))
    a4 = project("agile", west)
    sg1 = project("stage_gated", east, status="closed")
    sg2 = project("stage_gated", east, status="closed_early")
    sg3 = project("stage_gated", west, status="closed")
    h.checkpoint(a1, cpi=5, spi=5, status="breached", on=date(2026, 1, 1))
    h.checkpoint(a1, cpi=0.9, spi=1.0, status="within")
    h.checkpoint(a2, cpi=1.1, spi=0.8, status="within")
    point = h.checkpoint(a3, cpi=0.8, spi=0.9, status="breached")
    h.checkpoint(a4, cpi=1.2, spi=1.1, status="at_risk")
    h.checkpoint(sg1, cpi=1.0, spi=1.0, status="within", ac=900)
    h.checkpoint(sg2, cpi=1.0, spi=0.9, status="within", ac=100)
    h.checkpoint(sg3, cpi=0.7, spi=0.9, status="breached", ac=1200)
    h.stage_exception(a1, pm)
    h.budget_exception(a1, point)
    h.gate(sg1, pm, requested=date(2026, 3, 1), resolved=date(2026, 3, 4))
    h.gate(sg2, pm, requested=date(2026, 3, 1), resolved=date(2026, 3, 11))
    h.gate(sg3, pm, requested=date(2026, 3, 1), resolved=date(2026, 3, 2))
    h.gate(sg3, pm, requested=date(2026, 4, 1), boundary=1)
    i1 = h.iteration(a1, name="S1", end_on=date(2026, 3, 10), closed=date(2026, 3, 12))
    h.iteration(a2, name="S1", end_on=date(2026, 3, 10), closed=date(2026, 3, 8))
    h.feedback(a1, i1, rating=5, closed=True)
    h.feedback(a1, i1, rating=4, closed=True)
    h.feedback(a1, i1, rating=3)
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
    return {
        "east": east,
        "west": west,
        "member": member,
        "pmo": make_user("Priya PMO", global_role="pmo"),
        "east_codes": sorted(p.code for p in (a1, a2, a3, sg1, sg2)),
        "a1": a1,
    }


def _cell(figure: dict, kind: str) -> str:
    """A figure as the page's cell reads: the text, and its n unless it is a count."""
    return figure["text"] if kind == "count" else f"{figure['text']} n = {figure['n']}"


def _comparison(body: dict, section: str, key: str) -> dict[str, dict[str, str]]:
    """{figure label: {group label: cell}}, as ``tests.portfolio.html.by_row`` reads it."""
    kinds = {f["key"]: (f["label"], f["kind"]) for f in body["figures"]}
    table: dict[str, dict[str, str]] = {}
    for group in body[section]:
        if key == "follows" and group["follows"] == "none":
            continue  # the page says how many have no decision in a sentence, not a column
        label = "Departed from it" if group.get("follows") == "departed" else group["label"]
        for name, figure in group["figures"].items():
            figure_label, kind = kinds[name]
            table.setdefault(figure_label, {})[label] = _cell(figure, kind)
    return table


QUERIES = [
    "",
    "method=agile",
    "status=closed",
    "zone=complex",
    "zone=none",
    "tier=small",
    "period_from=2026-06-01&period_to=2026-07-01",
    "period_to=2026-01-31",
    "organisation={west}",
]


def test_the_figures_are_what_the_dashboard_shows(client, login, api_as, portfolio):
    """Each filter on one portfolio (reads only); each failure names its query."""
    login(portfolio["pmo"])

    def check(query):
        page = client.get(f"/portfolio/?{query}")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        response = api_as(portfolio["pmo"]).get(f"/portfolio?{query}")
        assert response.status_code == 200
        body = response.get_json()
        assert body["scope"] == "all"
        assert _comparison(body, "by_method", "method") == by_row(html, "compare-methods")
        assert _comparison(body, "by_recommendation", "follows") == by_row(
            html, "compare-recommendation"
        )
        assert _comparison(body, "by_driver", "driver") == by_row(html, "compare-drivers")
        if body["decision_drivers"]:
            shares = by_row(html, "driver-shares")
            api_shares = {
                row["organisation"]: {
                    "Decisions": str(row["decisions"]),
                    **{
                        label: _cell(row["shares"][key], "share")
                        for key, label in DECISION_DRIVERS.items()
                    },
                }
                for row in body["decision_drivers"]
            }
            assert api_shares == shares
        else:
            assert "No method decisions in this selection." in html
        matrix = by_row(html, "zone-matrix")
        for cell in body["zone_method"]:
            text = matrix[ZONES[cell["zone"]].label][DELIVERY_METHODS[cell["method"]]]
            projects = cell["figures"]["projects"]["value"]
            assert text.startswith(f"{projects} project"), (cell, text)
            if projects:
                cpi = cell["figures"]["cpi"]
                assert f"CPI {cpi['text']} (n = {cpi['n']})" in text

    failures = []
    for template in QUERIES:
        query = template.format(west=portfolio["west"].id)
        try:
            check(query)
        except AssertionError as error:
            failures.append(f"{query or '(no filter)'}: {error}")
    assert failures == []


def test_too_few_values_are_null_with_the_reason(api_as, portfolio):
    body = api_as(portfolio["pmo"]).get(f"/portfolio?organisation={portfolio['west'].id}")
    figures = {g["method"]: g["figures"] for g in body.get_json()["by_method"]}
    # One agile project in Westshire: its CPI is known (n = 1) but not shown.
    assert figures["agile"]["cpi"] == {
        "value": None,
        "n": 1,
        "text": "too few projects",
        "reason": "too few projects",
    }
    assert figures["hybrid"]["cpi"] == {
        "value": None,
        "n": 0,
        "text": "no data",
        "reason": "no data",
    }
    assert figures["agile"]["projects"] == {"value": 1, "n": 1, "text": "1", "reason": None}
    everything = api_as(portfolio["pmo"]).get("/portfolio").get_json()
    agile = next(g for g in everything["by_method"] if g["method"] == "agile")["figures"]
    assert agile["cpi"] == {"value": 1.0, "n": 4, "text": "1.00", "reason": None}
    assert agile["within"]["value"] == 0.5 and agile["within"]["text"] == "50%"


def test_non_pmo_people_see_figures_over_their_own_projects_only(api_as, portfolio):
    """The team member works on every Eastvale project and nothing else: their figures are
    exactly the PMO's figures filtered to Eastvale."""
    mine = api_as(portfolio["member"]).get("/portfolio")
    assert mine.status_code == 200
    mine = mine.get_json()
    eastvale = api_as(portfolio["pmo"]).get(f"/portfolio?organisation={portfolio['east'].id}")
    eastvale = eastvale.get_json()
    assert mine["scope"] == "member_projects" and eastvale["scope"] == "all"
    for section in ("by_method", "by_recommendation", "by_driver", "zone_method"):
        assert mine[section] == eastvale[section], section
    assert [row["organisation"] for row in mine["decision_drivers"]] == ["Eastvale Council"]
    assert mine["decision_drivers"] == eastvale["decision_drivers"]
    everyone = api_as(portfolio["pmo"]).get("/portfolio").get_json()
    assert mine["by_method"] != everyone["by_method"]


def test_someone_on_no_project_sees_empty_figures(api_as, portfolio, make_user):
    body = api_as(make_user("Newcomer")).get("/portfolio").get_json()
    assert all(g["figures"]["projects"]["value"] == 0 for g in body["by_method"])
    assert body["decision_drivers"] == []
    table = api_as(make_user("Newcomer 2")).get("/portfolio/projects").get_json()
    assert table["items"] == [] and table["meta"]["total"] == 0


def test_the_table_is_scoped_paged_and_sorted_like_the_page(client, login, api_as, portfolio):
    member_rows = api_as(portfolio["member"]).get("/portfolio/projects?per_page=100").get_json()
    assert sorted(r["code"] for r in member_rows["items"]) == portfolio["east_codes"]
    assert member_rows["meta"]["total"] == 5
    pmo = api_as(portfolio["pmo"])
    first = pmo.get("/portfolio/projects?sort=cpi&direction=asc&per_page=3").get_json()
    second = pmo.get("/portfolio/projects?sort=cpi&direction=asc&per_page=3&page=2").get_json()
    assert first["meta"] == {"page": 1, "per_page": 3, "total": 7, "pages": 3}
    cpis = [r["cpi"] for r in first["items"] + second["items"]]
    assert cpis == sorted(cpis) and cpis[0] == pytest.approx(0.7)
    login(portfolio["pmo"])
    html = client.get("/portfolio/projects?sort=cpi&direction=asc").get_data(as_text=True)
    codes = [r["code"] for r in first["items"] + second["items"]]
    assert [html.index(f">{code}<") for code in codes] == sorted(
        html.index(f">{code}<") for code in codes
    )
    a1 = next(r for r in first["items"] + second["items"] if r["code"] == portfolio["a1"].code)
    assert a1["status_by_dimension"] == {
        "cost": "green",
        "schedule": "green",
        "gates": "red",  # an open exception
        "feedback": "amber",  # mean 4.0 but only two loops in three closed
    }
    assert a1["mean_rating"] == pytest.approx(4.0) and a1["feedback_n"] == 3


BAD_FILTERS = (
    ("organisation=999999", "organisation"),
    ("period_from=2027-01-01&period_to=2026-01-01", "period_to"),
    ("tier=enormous", "tier"),
    ("zone=%3Cscript%3E", "zone"),
    ("method=waterfall", "method"),
    ("period_from=2026-13-45", "period_from"),
)


@pytest.mark.parametrize("path", ["/portfolio", "/portfolio/projects"])
def test_bad_filters_are_422_naming_the_field(api_as, portfolio, path):
    """Every bad filter on one portfolio per endpoint: 422, a problem document, the field."""
    api = api_as(portfolio["pmo"])
    found = {}
    for query, _ in BAD_FILTERS:
        response = api.get(f"{path}?{query}")
        fields = [e["field"] for e in response.get_json().get("errors", [])]
        found[query] = (response.status_code, response.mimetype, fields)
    assert found == {query: (422, PROBLEM, [field]) for query, field in BAD_FILTERS}


def _grow(db, make_project, member, count):
    pm_projects = []
    for n in range(count):
        record = make_project(members=[(member, "team_member")])
        record.delivery_method = ["agile", "stage_gated", "hybrid"][n % 3]
        db.session.commit()
        h.checkpoint(record, cpi=0.9 + n / 100, spi=1.0, status="within")
        pm_projects.append(record)
    return pm_projects


@pytest.mark.parametrize("who", ["pmo", "member"])
def test_statement_count_does_not_grow_with_the_portfolio(db, api_as, make_project, make_user, who):
    """Scoping adds a condition, not a query per project: each endpoint issues the same
    statements with 3 projects and with 23 (the portfolio built once per viewer)."""
    from sqlalchemy import event

    member = make_user("Member")
    person = make_user("PMO", global_role="pmo") if who == "pmo" else member
    api = api_as(person)
    statements = []

    def count(*args):
        statements.append(1)

    def statements_for_call(path) -> int:
        statements.clear()
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert api.get(path).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    def counts() -> dict[str, int]:
        found = {}
        for path in ("/portfolio", "/portfolio/projects"):
            # The first call after the commits records the token's use and reloads what
            # they expired; the second is the one counted.
            statements_for_call(path)
            found[path] = statements_for_call(path)
        return found

    _grow(db, make_project, member, 3)
    few = counts()
    _grow(db, make_project, member, 20)
    many = counts()
    assert many == few
    assert max(few.values()) <= 12, few
