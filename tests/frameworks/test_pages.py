"""The framework pages, tried as the PMO and a project manager would."""

from __future__ import annotations

from sqlalchemy import select

from tests.stages.helpers import plan_stages
from tracker.frameworks.models import FrameworkVersion, GovernanceFramework, ProjectFramework


def _draft(db, name):
    framework = db.session.scalars(
        select(GovernanceFramework).where(GovernanceFramework.name == name)
    ).one()
    version = db.session.scalars(
        select(FrameworkVersion).where(FrameworkVersion.framework_id == framework.id)
    ).one()
    return framework, version


def _gate_id(version, key):
    return next(g.id for g in version.gates if g.key == key)


def test_the_pmo_copies_the_council_framework_renames_gateway_2_adds_an_item_and_publishes(
    client, login, db, pmo, shipped, board
):
    council, _council_v1 = shipped["council"]
    login(pmo)
    listing = client.get("/frameworks/").get_data(as_text=True)
    for name in ("PRINCE2 stage boundaries", "GDS service phases", "Council gateways 0 to 3"):
        assert name in listing
    response = client.post(f"/frameworks/{council.id}/copy", data={"name": "Northshire gateways"})
    assert response.status_code == 302
    framework, draft = _draft(db, "Northshire gateways")
    base = f"/frameworks/{framework.id}/versions/{draft.id}"
    gate_id = _gate_id(draft, "gateway-2")
    response = client.post(
        f"{base}/gates/{gate_id}/edit",
        data={
            "version": framework.version,
            "name": "Gateway 2: Outline business case and procurement",
            "falls_at": "stage_boundary",
            "roles_small": ["executive"],
            "roles_medium": ["executive", "senior_user"],
            "roles_large": ["executive", "senior_user", "senior_supplier"],
        },
    )
    assert response.status_code == 302
    db.session.refresh(framework)
    response = client.post(
        f"{base}/gates/{gate_id}/items/new",
        data={
            "version": framework.version,
            "text": "Social value plan agreed",
            "kind": "checklist",
            "evidence_required": "y",
        },
    )
    assert response.status_code == 302
    db.session.refresh(framework)
    response = client.post(f"{base}/publish", data={"version": framework.version})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Published Northshire gateways, version 1." in page
    assert "Renamed gate &#39;Gateway 2: Outline business case&#39;" in page
    assert "Social value plan agreed (evidence required)" in page

    # A project moves onto it at a boundary, and its manager sees the renamed gate.
    project, manager = board["project"], board["manager"]
    login(manager)
    response = client.post(
        f"/projects/{project.id}/framework/move",
        data={"version_id": str(draft.id), "reason": "A council capital project"},
    )
    assert response.status_code == 302
    assert db.session.get(ProjectFramework, project.id).framework_version_id == draft.id
    page = client.get(f"/projects/{project.id}/framework").get_data(as_text=True)
    assert "Gateway 2: Outline business case and procurement" in page
    assert "Social value plan agreed" in page
    plan_stages(project, manager)
    stages_page = client.get(f"/projects/{project.id}/stages").get_data(as_text=True)
    assert "Next gate: Gateway 0: Strategic assessment" in stages_page


def test_a_published_version_is_not_changed_from_its_pages(client, login, db, pmo, shipped):
    council, version = shipped["council"]
    gate_id = _gate_id(version, "gateway-2")
    login(pmo)
    response = client.post(
        f"/frameworks/{council.id}/versions/{version.id}/gates/{gate_id}/edit",
        data={
            "version": council.version,
            "name": "Renamed in place",
            "falls_at": "stage_boundary",
            "roles_small": ["executive"],
            "roles_medium": ["executive"],
            "roles_large": ["executive"],
        },
    )
    assert response.status_code == 400
    assert "is published, so it cannot be changed in place" in response.get_data(as_text=True)
    db.session.expire_all()
    assert _gate_name(db, gate_id) == "Gateway 2: Outline business case"


def _gate_name(db, gate_id):
    from tracker.frameworks.models import GateTemplate

    return db.session.get(GateTemplate, gate_id).name


def test_a_gate_without_a_deciding_role_gets_a_clear_message(client, login, db, pmo, shipped):
    council, _version = shipped["council"]
    login(pmo)
    client.post(f"/frameworks/{council.id}/copy", data={"name": "Roleless"})
    framework, draft = _draft(db, "Roleless")
    response = client.post(
        f"/frameworks/{framework.id}/versions/{draft.id}/gates/new",
        data={"version": framework.version, "name": "Gateway 4", "falls_at": "stage_boundary"},
    )
    assert response.status_code == 400
    assert "Gateway 4 has no deciding role" in response.get_data(as_text=True)
    db.session.expire_all()
    assert all(g.name != "Gateway 4" for g in db.session.get(FrameworkVersion, draft.id).gates)


def test_the_manager_confirms_a_checklist_item_with_evidence(client, login, db, board, shipped):
    project, manager = board["project"], board["manager"]
    council_v1 = shipped["council"][1]
    login(manager)
    client.post(
        f"/projects/{project.id}/framework/move",
        data={"version_id": str(council_v1.id), "reason": "Council project"},
    )
    gate = next(g for g in council_v1.gates if g.key == "gateway-0")
    fit = next(i for i in gate.items if i.evidence_required)
    response = client.post(
        f"/projects/{project.id}/framework/items/{fit.id}/confirm",
        data={f"item{fit.id}-evidence": ""},
        follow_redirects=True,
    )
    assert "needs evidence" in response.get_data(as_text=True)
    response = client.post(
        f"/projects/{project.id}/framework/items/{fit.id}/confirm",
        data={f"item{fit.id}-evidence": "Cabinet minute 12"},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "Cabinet minute 12" in page
    assert f"Confirmed &#39;{fit.text}&#39;." in page
