"""The evidence page from a portfolio built to known numbers."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from tests.evidence import helpers
from tests.portfolio.html import table
from tracker.evidence import views

TODAY = date(2026, 6, 1)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(views, "_today", lambda: TODAY)


@pytest.fixture
def portfolio(db, make_project, make_user):
    return helpers.build(make_project, make_user)


def _complex(page: str) -> dict[str, list[str]]:
    """{measure label: [stage-gated, agile, hybrid cell text]} for the complex zone."""
    start = page.index('data-group="complex"')
    chunk = page[page.rindex("<table", 0, start) :]
    chunk = chunk[: chunk.index("</table>") + len("</table>")]
    rows = table(chunk.replace('data-group="complex"', 'id="complex"'), "complex")
    return {row[0]: row[1:] for row in rows[1:]}


def test_cells_by_zone_and_method_with_n_and_interval(pmo_client, portfolio):
    page = pmo_client.get("/evidence/?min_n=5").get_data(as_text=True)
    cells = _complex(page)
    stage_gated, agile, hybrid = cells["CPI at the latest checkpoint (median)"]
    # Agile: five projects plus the switched project's time as agile (CPI 1.3).
    assert agile.startswith("1.13") and agile.endswith("n = 6")
    # Stage-gated: five projects plus the switched project's time as stage-gated (CPI 0.5).
    assert stage_gated.startswith("0.78") and stage_gated.endswith("n = 6")
    assert " to " in agile  # the interval
    assert hybrid == "no data n = 0"
    assert "1 projects switched method" in page
    assert "95% percentile bootstrap: 1000 resamples" in page
    assert "not yet recorded" in page  # benefits realised: left to the benefits register


def test_below_the_minimum_n_no_number_is_shown(pmo_client, portfolio):
    page = pmo_client.get("/evidence/?min_n=7").get_data(as_text=True)
    stage_gated, agile, _ = _complex(page)["CPI at the latest checkpoint (median)"]
    assert agile == "too few to say n = 6"
    assert stage_gated == "too few to say n = 6"


def test_followed_against_departed_within_zone_and_tier(pmo_client, portfolio):
    page = pmo_client.get("/evidence/?min_n=5").get_data(as_text=True)
    start = page.index('data-stratum="complex-small"')
    chunk = page[page.rindex("<table", 0, start) :]
    chunk = chunk[: chunk.index("</table>") + 8].replace(
        'data-stratum="complex-small"', 'id="stratum"'
    )
    rows = {row[0]: row[1:] for row in table(chunk, "stratum")[1:]}
    followed, departed, observed = rows["CPI at the latest checkpoint"]
    # The switched project followed at the end (agile): six followed, five departed.
    assert followed.endswith("n = 6") and departed.endswith("n = 5")
    assert "not proof of a cause" in observed or "overlap" in observed
    assert "done”): 5" in rows["Drivers of the 5 departures"][0]
    assert "Stratified" in page


def test_bands_of_a_dimension(pmo_client, portfolio):
    response = pmo_client.get("/evidence/?grouping=band_criticality")
    assert response.status_code == 200
    assert "Criticality (C1), in bands" in response.get_data(as_text=True)


def test_a_bad_minimum_is_refused_clearly(pmo_client, portfolio):
    response = pmo_client.get("/evidence/?min_n=2")
    assert response.status_code == 400
    assert "The minimum n must be from 3 to 200" in response.get_data(as_text=True)
    response = pmo_client.get("/evidence/?min_n=abc")
    assert response.status_code == 400
    assert "must be a whole number" in response.get_data(as_text=True)


def test_only_pmo_staff_see_the_evidence(client, login, make_user, portfolio):
    login(make_user("Someone"))
    assert client.get("/evidence/").status_code == 403


def test_the_export_holds_the_rows_every_figure_is_computed_from(pmo_client, portfolio):
    response = pmo_client.get("/evidence/outcomes.csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 12  # eleven projects, one of them in two periods
    agile = sorted(
        float(r["CPI at latest checkpoint"])
        for r in rows
        if r["Method"] == "Agile" and r["Uncertainty zone"] == "Complex"
    )
    assert len(agile) == 6 and (agile[2] + agile[3]) / 2 == pytest.approx(1.125)
    switched = [r for r in rows if r["Code"] == portfolio.code]
    assert [r["Method"] for r in switched] == ["Stage-gated", "Agile"]
    assert [r["CPI at latest checkpoint"] for r in switched] == ["0.5", "1.3"]
    assert pmo_client.get("/evidence/outcomes.xlsx").status_code == 200
