"""The frameworks through the API: read by everyone, copied and published by the PMO."""

from __future__ import annotations


def test_everyone_reads_the_frameworks_and_the_pmo_copies_and_publishes_one(
    db, api_as, make_user, pmo, shipped
):
    reader = api_as(make_user("Reader"))
    listing = reader.get("/frameworks").get_json()
    assert listing["items"][0]["name"] == "PRINCE2 stage boundaries"
    council_id = shipped["council"][0].id
    detail = reader.get(f"/frameworks/{council_id}").get_json()
    assert detail["newest"]["status"] == "published"
    gateway_2 = next(g for g in detail["newest"]["gates"] if g["key"] == "gateway-2")
    assert gateway_2["name"] == "Gateway 2: Outline business case"
    assert gateway_2["deciding_roles"]["small"] == ["executive"]
    assert reader.post("/frameworks", json={"copy_of": council_id, "name": "X"}).status_code == 403

    office = api_as(pmo)
    response = office.post("/frameworks", json={"copy_of": council_id, "name": "Ours"})
    assert response.status_code == 201
    copy = response.get_json()
    assert copy["newest"]["status"] == "draft"
    # Published versions never change; a stale version is refused.
    assert office.post(f"/frameworks/{copy['id']}/publish", json={"version": 99}).status_code == 409
    response = office.post(f"/frameworks/{copy['id']}/publish", json={"version": copy["version"]})
    assert response.status_code == 200
    published = response.get_json()["newest"]
    assert published["status"] == "published"
    assert (
        "Renamed the framework from 'Council gateways 0 to 3' to 'Ours'."
        in (published["change_summary"])
    )
    again = office.post(f"/frameworks/{copy['id']}/publish", json={"version": 1})
    assert again.status_code == 409
    assert "has no draft to publish" in again.get_json()["detail"]
    assert office.post(f"/frameworks/{copy['id']}/drafts").status_code == 201
    assert office.post(f"/frameworks/{copy['id']}/drafts").status_code == 409


def test_the_manager_reads_and_confirms_the_projects_checklist(db, api_as, board, shipped):
    from tracker.frameworks import services

    project, manager = board["project"], board["manager"]
    council = shipped["council"][1]
    services.move_project(project, council, reason="Council", actor=manager)
    db.session.commit()
    api = api_as(manager)
    body = api.get(f"/projects/{project.id}/framework").get_json()
    assert body["framework_version"]["id"] == council.id and body["confirmed_item_ids"] == []
    gate = next(g for g in body["framework_version"]["gates"] if g["key"] == "gateway-0")
    document = next(i for i in gate["items"] if i["kind"] == "document")
    path = f"/projects/{project.id}/framework/items/{document['id']}/confirm"
    refused = api.post(path, json={})
    assert refused.status_code == 422
    assert "required document" in refused.get_json()["detail"]
    assert api.post(path, json={"evidence": "DMS-4411"}).status_code == 201
    body = api.get(f"/projects/{project.id}/framework").get_json()
    assert body["confirmed_item_ids"] == [document["id"]]
