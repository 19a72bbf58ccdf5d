"""Phases and service assessments through the API."""

from __future__ import annotations

from tracker.phases import services as phases


def test_phases_funding_and_a_failed_then_passed_assessment_through_the_api(db, api_as, gds):
    project = gds["project"]
    listed = phases.set_up(project, actor=gds["manager"])
    db.session.commit()
    discovery = listed[0]
    executive = api_as(gds["executive"])
    manager = api_as(gds["manager"])
    base = f"/projects/{project.id}"
    too_much = executive.post(
        f"{base}/phases/{discovery.id}/funding", json={"amount": "1000000.01", "version": 1}
    )
    assert too_much.status_code == 422
    assert "remaining budget" in too_much.get_json()["detail"]
    assert (
        manager.post(
            f"{base}/phases/{discovery.id}/funding", json={"amount": "1.00", "version": 1}
        ).status_code
        == 403
    )
    funded = executive.post(
        f"{base}/phases/{discovery.id}/funding", json={"amount": "60000.00", "version": 1}
    )
    assert funded.status_code == 200 and funded.get_json()["released_budget"] == "60000.00"
    phases.start_phase(discovery, version=None, actor=gds["manager"])
    db.session.commit()
    body = manager.get(f"{base}/phases").get_json()
    assert [p["status"] for p in body["items"]][:2] == ["active", "planned"]

    requested = manager.post(
        f"{base}/service-assessments", json={"phase_id": discovery.id, "summary": "Findings"}
    )
    assert requested.status_code == 201
    assessment = requested.get_json()
    points = assessment["points"]
    not_met = [
        {"point": p, "met": i != 0, "note": "Too few users" if i == 0 else ""}
        for i, p in enumerate(points)
    ]
    path = f"{base}/service-assessments/{assessment['id']}/decisions"
    assert manager.post(path, json={"role": "executive", "results": not_met}).status_code == 403
    failed = executive.post(path, json={"role": "executive", "results": not_met})
    assert failed.status_code == 201 and failed.get_json()["status"] == "failed"
    again = manager.post(
        f"{base}/service-assessments", json={"phase_id": discovery.id, "summary": "More users"}
    ).get_json()
    assert again["round"] == 2
    met = [{"point": p, "met": True} for p in points]
    path = f"{base}/service-assessments/{again['id']}/decisions"
    executive.post(path, json={"role": "executive", "results": met})
    passed = api_as(gds["senior_user"]).post(path, json={"role": "senior_user", "results": met})
    assert passed.get_json()["status"] == "passed"
    listed = manager.get(f"{base}/service-assessments").get_json()["items"]
    assert [a["status"] for a in listed] == ["failed", "passed"]
    assert listed[0]["decisions"][0]["results"][0] == {
        "point": points[0],
        "met": False,
        "note": "Too few users",
    }
