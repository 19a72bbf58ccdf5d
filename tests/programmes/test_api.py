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


def test_moving_a_project_over_the_api_refuses_clearly_and_saves_nothing(
    db, make_project, portfolio, people, programme, api_as
):
    from tests.programmes.conftest import make_programme
    from tracker.programmes.models import ProgrammeProject

    other = make_programme(db, portfolio, people, "PRG-2", manager=people["other_manager"])
    project = make_project()
    api = api_as(people["manager"])
    url = f"/programmes/{programme.id}/projects"
    created = api.post(url, json={"project_id": project.id})
    assert created.status_code == 201 and created.get_json()["agreed_by_id"] == people["manager"].id
    receiving = api_as(people["other_manager"])
    refused = receiving.post(f"/programmes/{other.id}/projects", json={"project_id": project.id})
    assert refused.status_code == 422
    assert "already in programme PRG-1" in refused.get_json()["detail"]
    # The sending manager cannot push it into someone else's programme at all.
    assert (
        api.post(
            f"/programmes/{other.id}/projects", json={"project_id": project.id, "move": True}
        ).status_code
        == 403
    )
    moved = receiving.post(
        f"/programmes/{other.id}/projects", json={"project_id": project.id, "move": True}
    )
    assert moved.status_code == 201
    assert db.session.query(ProgrammeProject).filter_by(project_id=project.id).count() == 2
