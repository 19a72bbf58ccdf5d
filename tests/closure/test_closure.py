"""Closure through an end-project report: every section, a closing gate decided by the
board roles the framework names (never the submitter), then the project is closed."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tracker.audit.models import AuditEntry
from tracker.closure import rules
from tracker.closure import services as closure
from tracker.closure.models import ClosureDecision, EndProjectReport
from tracker.core.errors import RuleError

REPORT = {name: f"{label}: as planned." for name, label in rules.SECTIONS}


def test_a_report_with_a_section_missing_is_refused_and_not_saved(db, gds):
    data = {**REPORT, "lessons": "  "}
    with pytest.raises(RuleError, match=r"Complete every section of the report: Lessons\."):
        closure.submit_report(gds["project"], data, actor=gds["manager"])
    db.session.rollback()
    assert db.session.scalar(select(func.count(EndProjectReport.id))) == 0


def test_an_agile_project_closes_only_after_its_last_iteration(db, gds):
    with pytest.raises(RuleError, match="has run no iteration yet"):
        closure.submit_report(gds["project"], REPORT, actor=gds["manager"])


def test_the_board_closes_an_agile_project_on_its_end_project_report(db, delivered):
    gds = delivered
    report = closure.submit_report(gds["project"], REPORT, actor=gds["manager"])
    db.session.commit()
    assert report.gate_name == "Service closure or handover to live running"
    assert report.roles == ("executive", "senior_user")
    with pytest.raises(RuleError, match="Say what the report must address"):
        closure.decide_closure(
            report, role="executive", decision="reject", comment="", actor=gds["executive"]
        )
    db.session.rollback()
    closure.decide_closure(
        report,
        role="executive",
        decision="reject",
        comment="Handover unclear",
        actor=gds["executive"],
    )
    db.session.commit()
    assert report.status == "rejected" and gds["project"].status == "active"
    second = closure.submit_report(gds["project"], REPORT, actor=gds["manager"])
    db.session.commit()
    assert second.round == 2
    for role in ("executive", "senior_user"):
        closure.decide_closure(second, role=role, decision="approve", comment="", actor=gds[role])
    db.session.commit()
    db.session.refresh(gds["project"])
    assert second.status == "approved" and gds["project"].status == "closed"
    from tracker.agile.queries import lifecycle_breaches

    assert lifecycle_breaches([gds["project"]]) == []
    moved = db.session.scalars(
        select(AuditEntry).where(
            AuditEntry.project_id == gds["project"].id,
            AuditEntry.action == "project.status_changed",
        )
    ).all()[-1]
    assert "closing gate on its end-project report" in moved.summary


def test_whoever_submitted_the_report_never_decides_it(db, delivered):
    gds = delivered
    report = closure.submit_report(gds["project"], REPORT, actor=gds["executive"])
    db.session.commit()
    with pytest.raises(RuleError, match="You submitted this end-project report"):
        closure.decide_closure(
            report, role="executive", decision="approve", comment="", actor=gds["executive"]
        )
    db.session.rollback()
    assert db.session.scalar(select(func.count(ClosureDecision.id))) == 0


def test_staged_projects_close_at_their_stage_closing_gate(db, board):
    with pytest.raises(RuleError, match="closes at its closing gate"):
        closure.submit_report(board["project"], REPORT, actor=board["manager"])


def test_closure_through_the_pages_and_the_api(db, client, login, api_as, delivered):
    gds = delivered
    project = gds["project"]
    login(gds["manager"])
    response = client.post(f"/projects/{project.id}/closure", data={**REPORT, "handover": ""})
    assert response.status_code == 400
    assert "Enter handover to the people who run it" in response.get_data(as_text=True)
    assert client.post(f"/projects/{project.id}/closure", data=REPORT).status_code == 302
    report = db.session.scalars(select(EndProjectReport)).one()
    login(gds["executive"])
    response = client.post(
        f"/projects/{project.id}/closure/{report.id}/decide",
        data={"role": "executive", "decision": "approve"},
    )
    assert response.status_code == 302
    body = api_as(gds["manager"]).get(f"/projects/{project.id}/closure").get_json()
    assert body["reports"][0]["status"] == "pending"
    assert body["reports"][0]["lessons"] == REPORT["lessons"]
    refused = api_as(gds["manager"]).post(
        f"/projects/{project.id}/closure/{report.id}/decisions",
        json={"role": "senior_user", "decision": "approve"},
    )
    assert refused.status_code == 403
    closed = api_as(gds["senior_user"]).post(
        f"/projects/{project.id}/closure/{report.id}/decisions",
        json={"role": "senior_user", "decision": "approve"},
    )
    assert closed.status_code == 201 and closed.get_json()["project_status"] == "closed"
