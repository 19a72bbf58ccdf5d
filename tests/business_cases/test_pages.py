"""The business case pages, tried as a manager and a board member would: versions, edits
refused on a frozen version, the changes shown without JavaScript, the gate pages, the
framework editor's setting and the exports."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook
from sqlalchemy import select

from tests.stages.helpers import plan_stages, report_data
from tracker.business_cases.models import BusinessCaseVersion
from tracker.frameworks.models import FrameworkVersion, GovernanceFramework
from tracker.stages import services as stages


def _base(project):
    return f"/projects/{project.id}/business-case"


def test_the_manager_writes_a_soc_and_it_is_frozen_at_the_gate(client, login, db, board):
    project, manager = board["project"], board["manager"]
    login(manager)
    page = client.get(_base(project)).get_data(as_text=True)
    assert "No version yet." in page
    response = client.post(f"{_base(project)}/versions", data={"kind": "soc"})
    assert response.status_code == 302
    version = db.session.scalars(
        select(BusinessCaseVersion).where(BusinessCaseVersion.project_id == project.id)
    ).one()
    url = f"{_base(project)}/versions/1"
    response = client.post(
        f"{url}/sections/strategic",
        data={"version": version.version, "text": "One booking system for <all> libraries."},
    )
    assert response.status_code == 302
    response = client.post(
        f"{url}/options/new",
        data={
            "version": db.session.get(BusinessCaseVersion, version.id).version,
            "name": "Shared service",
            "flows": "0, 100000, 0\n1, 0, 60000\n2, 0, 60000",
            "is_preferred": "y",
        },
    )
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "One booking system for &lt;all&gt; libraries." in page
    assert "£13,981.65" in page  # the net present value, computed from the figures
    assert "Shared service (preferred)" in page

    plan_stages(project, manager, count=2)
    stages.request_gate(project, report_data(), actor=manager)
    db.session.commit()
    # A frozen version: the edit form is not shown, and a post is refused with nothing saved.
    response = client.get(f"{url}/sections/strategic")
    assert response.status_code == 302
    response = client.post(
        f"{url}/sections/strategic",
        data={"version": db.session.get(BusinessCaseVersion, version.id).version, "text": "X"},
    )
    assert response.status_code == 400
    assert "was frozen on" in response.get_data(as_text=True)
    assert db.session.get(BusinessCaseVersion, version.id).strategic.startswith("One booking")


def test_a_stale_edit_says_so_and_saves_nothing(client, login, db, board):
    project, manager = board["project"], board["manager"]
    login(manager)
    client.post(f"{_base(project)}/versions", data={"kind": "soc"})
    url = f"{_base(project)}/versions/1/sections/economic"
    client.post(url, data={"version": "1", "text": "First"})
    response = client.post(url, data={"version": "1", "text": "Second"})
    assert response.status_code == 400
    assert "changed by someone else" in response.get_data(as_text=True)
    version = db.session.scalars(
        select(BusinessCaseVersion).where(BusinessCaseVersion.project_id == project.id)
    ).one()
    assert version.economic == "First"


def test_a_negative_year_is_refused_on_the_form(client, login, db, board):
    project = board["project"]
    login(board["manager"])
    client.post(f"{_base(project)}/versions", data={"kind": "soc"})
    response = client.post(
        f"{_base(project)}/versions/1/options/new",
        data={"version": "1", "name": "Build", "flows": "0, 5, 0\n-1, 5, 5"},
    )
    assert response.status_code == 400
    assert "Line 2: year -1 is negative" in response.get_data(as_text=True)
    version = db.session.scalars(
        select(BusinessCaseVersion).where(BusinessCaseVersion.project_id == project.id)
    ).one()
    assert version.options == []


def test_the_changes_and_the_gate_pages_show_what_changed(client, login, db, board):
    project, manager = board["project"], board["manager"]
    login(manager)
    client.post(f"{_base(project)}/versions", data={"kind": "soc"})
    client.post(
        f"{_base(project)}/versions/1/sections/strategic",
        data={"version": "1", "text": "We will build a portal."},
    )
    plan_stages(project, manager, count=2)
    first = stages.request_gate(project, report_data(), actor=manager)
    for role in first.roles:
        stages.decide_gate(first, role=role, decision="approve", comment="", actor=board[role])
    db.session.commit()
    client.post(f"{_base(project)}/versions", data={"kind": "obc"})
    obc = db.session.scalars(
        select(BusinessCaseVersion).where(
            BusinessCaseVersion.project_id == project.id, BusinessCaseVersion.number == 2
        )
    ).one()
    client.post(
        f"{_base(project)}/versions/2/sections/strategic",
        data={"version": obc.version, "text": "We will buy a portal."},
    )
    db.session.refresh(obc)
    response = client.post(
        f"{_base(project)}/versions/2/options/new",
        data={"version": obc.version, "name": "Buy", "flows": "0, 5000, 0"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(f"{_base(project)}/versions/2/changes").get_data(as_text=True)
    assert "<del" in page and "build" in page
    assert "<ins" in page and "buy" in page
    assert "[added: </span>buy" in page  # said in words, too

    stage = stages.stages_of(project)[0]
    stages.start_stage(stage, version=None, actor=manager)
    db.session.commit()
    gate = stages.request_gate(project, report_data(), actor=manager)
    db.session.commit()
    page = client.get(f"/projects/{project.id}/gates/{gate.id}").get_data(as_text=True)
    assert "Business case" in page
    assert "Version 2 (OBC)" in page
    assert "None required by the framework" in page  # PRINCE2 asks for no version
    assert "What changed since version 1" in page
    assert "<ins" in page and "buy" in page


def test_the_board_records_that_the_case_is_no_longer_justified(client, login, db, board):
    project, manager = board["project"], board["manager"]
    login(manager)
    client.post(f"{_base(project)}/versions", data={"kind": "soc"})
    client.post(
        f"{_base(project)}/versions/1/sections/strategic", data={"version": "1", "text": "Why"}
    )
    plan_stages(project, manager, count=2)
    gate = stages.request_gate(project, report_data(), actor=manager)
    db.session.commit()
    url = f"{_base(project)}/versions/1/judgement"
    assert client.post(url, data={"justified": "yes"}).status_code == 403
    login(board["executive"])
    response = client.post(url, data={"justified": "no", "note": ""})
    assert response.status_code == 400
    assert "Say why the business case is no longer justified" in response.get_data(as_text=True)
    response = client.post(url, data={"justified": "no", "note": "Costs doubled"})
    assert response.status_code == 302
    version = db.session.scalars(
        select(BusinessCaseVersion).where(BusinessCaseVersion.project_id == project.id)
    ).one()
    assert version.board_justified is False
    assert version.gate_review_id == gate.id


def test_the_pmo_sets_the_version_due_in_the_framework_editor(client, login, db, make_user):
    pmo = make_user("Pat PMO", global_role="pmo")
    login(pmo)
    prince2 = db.session.scalars(
        select(GovernanceFramework).where(GovernanceFramework.name == "PRINCE2 stage boundaries")
    ).one()
    response = client.post(f"/frameworks/{prince2.id}/draft", data={"version": prince2.version})
    assert response.status_code == 302
    db.session.refresh(prince2)
    draft = db.session.scalars(
        select(FrameworkVersion).where(
            FrameworkVersion.framework_id == prince2.id, FrameworkVersion.status == "draft"
        )
    ).one()
    gate = next(g for g in draft.gates if g.key == "stage")
    base = f"/frameworks/{prince2.id}/versions/{draft.id}"
    form = client.get(f"{base}/gates/{gate.id}/edit").get_data(as_text=True)
    assert "Business case version due at this gate" in form
    response = client.post(
        f"{base}/gates/{gate.id}/edit",
        data={
            "version": prince2.version,
            "name": gate.name,
            "falls_at": "stage_boundary",
            "case_due": "obc",
            "case_due_small": "bjc",
            "roles_small": ["executive"],
            "roles_medium": ["executive", "senior_user"],
            "roles_large": ["executive", "senior_user", "senior_supplier"],
        },
    )
    assert response.status_code == 302
    db.session.refresh(gate)
    assert (gate.business_case_due, gate.business_case_due_small) == ("obc", "bjc")
    db.session.refresh(prince2)
    response = client.post(f"{base}/publish", data={"version": prince2.version})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "End stage assessment: business case due is OBC (was none)." in page
    response = client.post(
        f"{base}/gates/{gate.id}/edit",
        data={
            "version": prince2.version,
            "name": gate.name,
            "falls_at": "stage_boundary",
            "case_due": "xyz",
        },
    )
    assert response.status_code == 400


def test_exports_hold_every_versions_figures(client, login, db, board):
    project = board["project"]
    login(board["manager"])
    client.post(f"{_base(project)}/versions", data={"kind": "soc"})
    client.post(
        f"{_base(project)}/versions/1/options/new",
        data={"version": "1", "name": "=HYPERLINK(1)", "flows": "0, 100, 0\n1, 0, 200"},
    )
    client.post(
        f"{_base(project)}/versions/1/funding",
        data={"version": "2", "funding": "grant, 300, yes", "discount_rate": "3.5"},
    )
    response = client.get(f"{_base(project)}/export.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:4] == ["Version", "Version label", "Status", "Row"]
    assert [r[3] for r in rows[1:]] == ["option", "option", "funding"]
    assert rows[1][5] == "'=HYPERLINK(1)"
    assert rows[3][12:] == ["Grant", "300.00", "yes"]
    response = client.get(f"{_base(project)}/export.xlsx")
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["About", "Figures"]
    assert book["Figures"]["I2"].value == 100
