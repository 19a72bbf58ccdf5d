"""The business case through the API: read by members, written by the manager, a frozen
version refused, stale writes refused, figures as data."""

from __future__ import annotations

from sqlalchemy import select

from tests.stages.helpers import plan_stages, report_data
from tracker.business_cases.models import BusinessCaseVersion
from tracker.stages import services as stages


def _path(project):
    return f"/projects/{project.id}/business-cases"


def test_the_manager_starts_and_writes_a_version_and_members_read_it(api_as, db, board):
    project = board["project"]
    manager = api_as(board["manager"])
    response = manager.post(_path(project), json={"kind": "soc"})
    assert response.status_code == 201
    draft = response.get_json()["versions"][0]
    assert (draft["number"], draft["kind"], draft["status"]) == (1, "soc", "draft")
    response = manager.patch(
        f"{_path(project)}/draft",
        json={
            "version": draft["version"],
            "sections": {"strategic": "One booking system."},
            "options": [
                {
                    "name": "Shared service",
                    "flows": [
                        {"year": 0, "cost": "100000.00", "benefit": "0.00"},
                        {"year": 1, "cost": "0.00", "benefit": "60000.00"},
                        {"year": 2, "cost": "0.00", "benefit": "60000.00"},
                    ],
                }
            ],
            "preferred_option": 1,
            "funding": [{"source": "grant", "amount": "100000.00", "confirmed": True}],
        },
    )
    assert response.status_code == 200, response.get_json()
    version = response.get_json()["versions"][0]
    assert version["sections"]["strategic"] == "One booking system."
    assert version["options"][0]["npv"] == "13981.65"
    assert version["preferred_option"] == 1
    assert version["funding"] == [{"source": "grant", "amount": "100000.00", "confirmed": True}]

    read = api_as(board["team"]).get(_path(project))
    assert read.status_code == 200
    assert read.get_json()["versions"][0]["options"][0]["name"] == "Shared service"
    assert api_as(board["team"]).post(_path(project), json={"kind": "obc"}).status_code == 403

    # Stale: the version read before the write.
    response = manager.patch(
        f"{_path(project)}/draft",
        json={"version": draft["version"], "sections": {"economic": "Late"}},
    )
    assert response.status_code == 409
    saved = db.session.scalars(
        select(BusinessCaseVersion).where(BusinessCaseVersion.project_id == project.id)
    ).one()
    db.session.refresh(saved)
    assert saved.economic == ""


def test_bad_figures_and_a_frozen_version_are_refused(api_as, db, board):
    project = board["project"]
    manager = api_as(board["manager"])
    version = manager.post(_path(project), json={"kind": "fbc"}).get_json()["versions"][0]
    response = manager.patch(
        f"{_path(project)}/draft",
        json={
            "version": version["version"],
            "options": [{"name": "A", "flows": [{"year": -1, "cost": "1.00", "benefit": "0.00"}]}],
        },
    )
    assert response.status_code == 422
    response = manager.patch(
        f"{_path(project)}/draft", json={"version": version["version"], "preferred_option": 3}
    )
    assert response.status_code in (409, 422)
    assert "not one of the options" in response.get_json()["detail"]

    manager.patch(
        f"{_path(project)}/draft",
        json={"version": version["version"], "sections": {"strategic": "Why"}},
    )
    plan_stages(project, board["manager"], count=2)
    # An FBC with no preferred option and no funding cannot go to a gate.
    api_gate = manager.post(f"/projects/{project.id}/gates", json={**vars(report_data())})
    assert api_gate.status_code in (409, 422)
    assert "no preferred option" in api_gate.get_json()["detail"]

    body = manager.get(_path(project)).get_json()["versions"][0]
    manager.patch(
        f"{_path(project)}/draft",
        json={
            "version": body["version"],
            "options": [{"name": "A", "flows": []}],
            "preferred_option": 1,
            "funding": [{"source": "capital", "amount": "5.00"}],
        },
    )
    stages.request_gate(project, report_data(), actor=board["manager"])
    db.session.commit()
    body = manager.get(_path(project)).get_json()["versions"][0]
    assert body["status"] == "frozen"
    response = manager.patch(
        f"{_path(project)}/draft", json={"version": body["version"], "sections": {"strategic": "X"}}
    )
    assert response.status_code == 409
    assert "no draft" in response.get_json()["detail"]


def test_the_framework_api_says_which_version_each_gate_needs(api_as, db, board):
    from tracker.frameworks.models import GovernanceFramework

    council = db.session.scalars(
        select(GovernanceFramework).where(GovernanceFramework.name == "Council gateways 0 to 3")
    ).one()
    detail = api_as(board["team"]).get(f"/frameworks/{council.id}").get_json()
    due = {
        g["key"]: (g["business_case_due"], g["business_case_due_small"])
        for g in detail["newest"]["gates"]
    }
    assert due["gateway-1"] == ("soc", "bjc")
    assert due["gateway-2"] == ("obc", None)
    assert due["gateway-3"] == ("fbc", None)
    assert due["gateway-0"] == (None, None)
