"""The registers feed the reports: a highlight report's risks and issues come from the
registers by themselves (top risks by score, new and closed since the last report, open
issues), kept as they stood when sent; the gate page shows open high risks and issues."""

from __future__ import annotations

import json

from sqlalchemy import select

from tests.stages.helpers import plan_stages
from tracker.registers import services
from tracker.stages.models import GateReview, HighlightReport

HIGHLIGHT = {
    "period_start": "2026-01-01",
    "period_end": "2026-01-31",
    "overall_status": "amber",
    "this_period": "Discovery interviews",
    "next_period": "Alpha",
    "issues_and_risks": "",
}


def _risk(project, owner, title, likelihood, impact):
    return services.create_risk(
        project,
        services.RiskData(title=title, owner_id=owner.id, likelihood=likelihood, impact=impact),
        actor=owner,
    )


def test_the_highlight_report_fills_its_risk_section_from_the_registers(client, login, db, board):
    project, manager = board["project"], board["manager"]
    plan_stages(project, manager)
    high = _risk(project, manager, "Supplier insolvency", 4, 4)
    low = _risk(project, manager, "Room bookings clash", 1, 2)
    services.create_issue(
        project,
        services.IssueData("concern", "Unclear data ownership", manager.id, "high", 3),
        actor=manager,
    )
    db.session.commit()
    login(manager)
    # No free text needed: the section fills itself.
    assert client.post(f"/projects/{project.id}/highlights/new", data=HIGHLIGHT).status_code == 302
    first = db.session.scalars(select(HighlightReport)).one()
    section = json.loads(first.registers)
    assert [r["title"] for r in section["top_risks"]] == [
        "Supplier insolvency",
        "Room bookings clash",
    ]
    assert {r["title"] for r in section["new_risks"]} == {
        "Supplier insolvency",
        "Room bookings clash",
    }
    assert [i["title"] for i in section["open_issues"]] == ["Unclear data ownership"]
    page = client.get(f"/projects/{project.id}/highlights/{first.id}").get_data(as_text=True)
    assert "Top risks by score" in page and "Supplier insolvency" in page
    assert f"/projects/{project.id}/risks/{high.id}" in page
    # Between reports: one risk closed, one raised.
    db.session.refresh(low)
    services.update_risk(
        project,
        low,
        services.RiskData(
            title=low.title, owner_id=manager.id, likelihood=1, impact=2, status="closed"
        ),
        version=low.version,
        actor=manager,
    )
    _risk(project, manager, "Key analyst leaves", 2, 3)
    db.session.commit()
    second = client.post(
        f"/projects/{project.id}/highlights/new",
        data={**HIGHLIGHT, "period_start": "2026-02-01", "period_end": "2026-02-28"},
    )
    assert second.status_code == 302
    latest = db.session.scalars(select(HighlightReport).order_by(HighlightReport.id.desc())).first()
    section = json.loads(latest.registers)
    assert [r["title"] for r in section["new_risks"]] == ["Key analyst leaves"]
    assert [r["title"] for r in section["closed_risks"]] == ["Room bookings clash"]
    assert "Room bookings clash" not in [r["title"] for r in section["top_risks"]]
    # The first report still says what the board read then.
    assert len(json.loads(first.registers)["new_risks"]) == 2


def test_the_gate_page_shows_open_high_risks_and_open_issues(client, login, db, board):
    project, manager = board["project"], board["manager"]
    plan_stages(project, manager)
    high = _risk(project, manager, "Supplier insolvency", 4, 4)
    _risk(project, manager, "Room bookings clash", 1, 2)
    issue = services.create_issue(
        project,
        services.IssueData("off_specification", "Forms fail WCAG", manager.id, "high", 3),
        actor=manager,
    )
    db.session.commit()
    login(manager)
    response = client.post(
        f"/projects/{project.id}/gates/new",
        data={
            "delivered_vs_plan": "Discovery done",
            "forecast": "On time",
            "lessons": "Talk to users",
            "next_stage_plan": "Alpha",
            "business_case_justified": "yes",
        },
    )
    assert response.status_code == 302
    gate = db.session.scalars(select(GateReview)).one()
    login(board["executive"])
    page = client.get(f"/projects/{project.id}/gates/{gate.id}").get_data(as_text=True)
    live = page[page.index("Open high risks") :]
    assert f"/projects/{project.id}/risks/{high.id}" in live and "Supplier insolvency" in live
    assert "Room bookings clash" not in live[: live.index("Open issues")]
    assert f"/projects/{project.id}/issues/{issue.id}" in live
    # The end-stage report keeps its own copy.
    assert "Risks and issues when the gate was requested" in page
    assert json.loads(gate.registers)["top_risks"][0]["title"] == "Supplier insolvency"
