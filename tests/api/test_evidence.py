"""The evidence through the API: the page's report, PMO only, checked arguments."""

from __future__ import annotations

from datetime import date

import pytest

from tests.evidence import helpers
from tracker.api import evidence as api_evidence

TODAY = date(2026, 6, 1)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(api_evidence, "_today", lambda: TODAY)


@pytest.fixture
def switched(db, make_project, make_user):
    return helpers.build(make_project, make_user)


def _cell(body, group, method, measure):
    (item,) = [c for c in body["cells"] if c["group"] == group and c["method"] == method]
    return item["measures"][measure]


def test_cells_carry_n_median_interval_and_method(api_as, make_user, switched):
    body = api_as(make_user("PMO", global_role="pmo")).get("/evidence?min_n=5").get_json()
    agile = _cell(body, "complex", "agile", "cpi")
    assert agile["n"] == 6 and agile["value"] == "1.13" and agile["statistic"] == "median"
    assert float(agile["interval"]["low"]) <= 1.13 <= float(agile["interval"]["high"])
    assert _cell(body, "complex", "hybrid", "cpi") == {
        "n": 0,
        "statistic": "median",
        "value": None,
        "interval": None,
        "reason": "no data",
    }
    assert "1000 resamples" in body["interval_method"]
    assert body["switched_method"] == 1 and body["method_periods"] == 12
    (stratum,) = [s for s in body["strata"] if (s["zone"], s["tier"]) == ("complex", "small")]
    assert stratum["departed"]["cpi"]["n"] == 5 and stratum["drivers"]["tradition"] == 5
    assert "not yet recorded" in body["benefits_realised"]


def test_below_the_minimum_no_value(api_as, make_user, switched):
    body = api_as(make_user("PMO", global_role="pmo")).get("/evidence?min_n=7").get_json()
    agile = _cell(body, "complex", "agile", "cpi")
    assert (agile["n"], agile["value"], agile["reason"]) == (6, None, "too few to say")


def test_bad_arguments_are_refused(api_as, make_user, switched):
    api = api_as(make_user("PMO", global_role="pmo"))
    assert api.get("/evidence?min_n=2").status_code == 422
    assert api.get("/evidence?grouping=nope").status_code == 422
    assert api.get("/evidence?organisation=999999").status_code == 422


def test_only_pmo_staff(api_as, make_user, switched):
    response = api_as(make_user("Someone")).get("/evidence")
    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"


def test_model_versions_and_the_calibration(api_as, make_user, switched):
    api = api_as(make_user("PMO", global_role="pmo"))
    versions = api.get("/method-models").get_json()["items"]
    assert [(v["version"], v["is_current"]) for v in versions] == [("2026.1", True)]
    assert versions[0]["thresholds"]["complex_from"] == 40
    body = api.get("/method-models/calibration?measure=spi&min_n=5").get_json()
    assert body["version"] == "2026.1" and body["measure"] == "spi"
    assert "1000 resamples" in body["interval_method"]
    assert body["candidate"]["can_be_adopted"] in (True, False)
    assert api.get("/method-models/calibration?measure=nope").status_code == 422
    assert api_as(make_user("Someone")).get("/method-models").status_code == 403
