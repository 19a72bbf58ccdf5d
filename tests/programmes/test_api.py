"""The programme API: the same roll-up and the same access rule as the pages."""

from __future__ import annotations

from datetime import date

from tests.programmes.helpers import checkpoint
from tracker.programmes import services


def test_the_programme_roll_up_over_the_api(db, make_project, people, programme, api_as):
    counted, silent = make_project(), make_project(name="Not yet")
    for project in (counted, silent):
        services.add_project(programme, project, actor=people["pmo"], today=date(2026, 1, 1))
    checkpoint(counted, on=date(2026, 3, 31), bac=100_000, pv=40_000, ev=30_000, ac=40_000)
    db.session.commit()

    api = api_as(people["board"])
    body = api.get(f"/programmes/{programme.id}?on=2026-06-30").get_json()
    rollup = body["rollup"]
    assert (rollup["projects"], rollup["covered"]) == (2, 1)
    assert (rollup["ev"], rollup["cpi"], rollup["spi"]) == ("30000.00", "0.75", "0.75")
    assert [m["name"] for m in rollup["without_checkpoint"]] == ["Not yet"]
    assert {r["role"] for r in body["roles"]} == {"programme_manager", "sro", "board_member"}
    projects = api.get(f"/programmes/{programme.id}/projects?on=2026-06-30").get_json()
    assert projects["meta"]["total"] == 2
    shares = {p["code"]: p["ev_share_percent"] for p in projects["items"]}
    assert shares[counted.code] == "100.0" and shares[silent.code] is None
    assert [p["code"] for p in api.get("/programmes").get_json()["items"]] == ["PRG-1"]

    outsider = api_as(people["outsider"])
    assert outsider.get(f"/programmes/{programme.id}").status_code == 403
    assert outsider.get("/programmes").get_json()["items"] == []
    assert outsider.get("/portfolios").get_json()["items"] == []
