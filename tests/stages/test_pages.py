"""Stage pages as people use them: planning, requesting, deciding in the inbox, reports,
with bad input refused and nothing saved, and user text escaped."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_sqlalchemy.record_queries import get_recorded_queries
from sqlalchemy import func, select

from tests.races import saved_meanwhile
from tests.stages.helpers import plan_stages, report_data
from tracker.core.errors import STALE_MESSAGE
from tracker.extensions import db as _db
from tracker.stages import services
from tracker.stages.models import ExceptionReport, GateDecision, GateReview, HighlightReport, Stage

STAGE_FORM = {
    "name": "Discovery",
    "planned_start": "2026-01-05",
    "planned_finish": "2026-03-31",
    "planned_budget": "150,000",
    "time_tolerance_days": "15",
    "cost_tolerance_kind": "percent",
    "cost_tolerance_value": "7.5",
    "scope_target": "Must-haves delivered",
    "quality_target": "Acceptance passed",
    "risk_target": "No unowned high risk",
    "benefit_target": "Within 10%",
    "sustainability_target": "No increase",
}

GATE_FORM = {
    "delivered_vs_plan": "Discovery done",
    "forecast": "On time",
    "lessons": "Talk to users",
    "next_stage_plan": "Alpha",
    "business_case_justified": "yes",
}


def _stage_count(db):
    return db.session.scalar(select(func.count(Stage.id)))


def test_manager_plans_a_stage_with_the_tier_defaults(client, login, board, db):
    login(board["manager"])
    page = client.get(f"/projects/{board['project'].id}/stages/new").get_data(as_text=True)
    assert 'value="15"' in page  # medium tier: 15 days
    response = client.post(f"/projects/{board['project'].id}/stages/new", data=STAGE_FORM)
    assert response.status_code == 302
    stage = db.session.scalars(select(Stage)).one()
    assert (stage.sequence, stage.name, stage.status) == (1, "Discovery", "planned")
    assert str(stage.planned_budget) == "150000.00"
    project_page = client.get(f"/projects/{board['project'].id}").get_data(as_text=True)
    assert "Stage 1: Discovery" in project_page
    assert "Stages and gates" in project_page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"planned_finish": "2025-12-31"}, "Planned finish must be the same as or after"),
        ({"planned_start": "31/02/2026"}, "Planned start must be a real date"),
        ({"planned_budget": "1,000,000.01"}, "over the project budget of £1,000,000.00"),
        ({"planned_budget": "lots"}, "Enter planned budget as an amount in pounds"),
        ({"name": ""}, "Enter a stage name"),
        ({"time_tolerance_days": "ten"}, "Time tolerance must be a whole number"),
        ({"time_tolerance_days": "-1"}, "Time tolerance must be from 0 to 365 days"),
        ({"cost_tolerance_value": "120"}, "Cost tolerance must be 100% or less"),
        ({"cost_tolerance_kind": "vibes"}, "Not a valid choice"),
        ({"scope_target": ""}, "Enter the scope target"),
        ({"planned_start": "2025-06-01"}, "must not be before the project starts"),
    ],
)
def test_bad_stage_input_is_refused_and_nothing_saved(client, login, board, db, changes, message):
    login(board["manager"])
    response = client.post(
        f"/projects/{board['project'].id}/stages/new", data={**STAGE_FORM, **changes}
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page or message.replace("'", "&#39;") in page
    assert "There is a problem" in page
    assert _stage_count(db) == 0


def test_agile_projects_are_told_why_they_have_no_stages(client, login, board, db):
    board["project"].delivery_method = "agile"
    db.session.commit()
    login(board["manager"])
    response = client.post(f"/projects/{board['project'].id}/stages/new", data=STAGE_FORM)
    assert response.status_code == 400
    assert "Only stage-gated and hybrid projects have stages" in response.get_data(as_text=True)
    assert _stage_count(db) == 0
    assert "Stages and gates" not in client.get(f"/projects/{board['project'].id}").get_data(
        as_text=True
    )


def test_gate_request_decisions_in_the_inbox_and_the_stage_opens(client, login, board, db):
    project = board["project"]
    first, _ = plan_stages(project, board["manager"])
    login(board["manager"])
    form = client.get(f"/projects/{project.id}/gates/new").get_data(as_text=True)
    assert "Jane Executive" in form and "Sarah User" in form
    incomplete = client.post(f"/projects/{project.id}/gates/new", data={**GATE_FORM, "lessons": ""})
    assert incomplete.status_code == 400
    assert "Enter the lessons learned" in incomplete.get_data(as_text=True)
    assert db.session.scalar(select(func.count(GateReview.id))) == 0
    response = client.post(f"/projects/{project.id}/gates/new", data=GATE_FORM)
    assert response.status_code == 302
    gate = db.session.scalars(select(GateReview)).one()

    login(board["executive"])
    inbox = client.get("/decisions").get_data(as_text=True)
    assert project.code in inbox
    assert "Gate review" in inbox
    assert "Days waiting" in inbox
    missing_conditions = client.post(
        f"/projects/{project.id}/gates/{gate.id}/decide",
        data={"role": "executive", "decision": "approve_with_conditions", "comment": ""},
    )
    assert missing_conditions.status_code == 400
    assert "Enter the conditions of your approval" in missing_conditions.get_data(as_text=True)
    assert db.session.scalar(select(func.count(GateDecision.id))) == 0
    ok = client.post(
        f"/projects/{project.id}/gates/{gate.id}/decide",
        data={"role": "executive", "decision": "approve_with_conditions", "comment": "Budget cap"},
    )
    assert ok.status_code == 302
    assert project.code not in client.get("/decisions").get_data(as_text=True)
    again = client.post(
        f"/projects/{project.id}/gates/{gate.id}/decide",
        data={"role": "executive", "decision": "approve", "comment": ""},
    )
    assert again.status_code == 400
    assert "Executive has already decided this gate" in again.get_data(as_text=True)

    login(board["senior_user"])
    assert project.code in client.get("/decisions").get_data(as_text=True)
    client.post(
        f"/projects/{project.id}/gates/{gate.id}/decide",
        data={"role": "senior_user", "decision": "approve", "comment": ""},
    )
    page = client.get(f"/projects/{project.id}/gates/{gate.id}").get_data(as_text=True)
    assert "Approved with conditions" in page
    assert "Executive: Budget cap" in page
    _db.session.refresh(first)
    assert first.status == "authorised"
    stale = client.post(
        f"/projects/{project.id}/gates/{gate.id}/decide",
        data={"role": "senior_user", "decision": "reject", "comment": "late"},
    )
    assert stale.status_code == 400

    login(board["manager"])
    client.post(f"/projects/{project.id}/stages/{first.id}/start", data={"version": first.version})
    _db.session.refresh(first)
    assert first.status == "active"
    history = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "Started Stage 1" in history
    assert "Approved with conditions from Executive" in history


def test_a_late_forecast_raises_an_exception_the_board_decides(client, login, board, db):
    project = board["project"]
    first, _ = plan_stages(project, board["manager"], gap=30)
    gate = services.request_gate(project, report_data(), actor=board["manager"])
    for role in ("executive", "senior_user"):
        services.decide_gate(gate, role=role, decision="approve", comment="", actor=board[role])
    services.start_stage(first, version=None, actor=board["manager"])
    db.session.commit()
    login(board["manager"])
    late = (first.planned_finish + timedelta(days=20)).isoformat()
    response = client.post(
        f"/projects/{project.id}/stages/{first.id}/forecast",
        data={
            "version": first.version,
            "finish": late,
            "cost": "10000",
            **{f"{n}_status": "met" for n in services.STATED_TARGETS},
        },
    )
    assert response.status_code == 302
    _db.session.refresh(first)
    assert first.status == "in_exception"
    stage_page = client.get(f"/projects/{project.id}/stages/{first.id}").get_data(as_text=True)
    assert "Raise an exception report" in stage_page
    empty = client.post(f"/projects/{project.id}/stages/{first.id}/exceptions/new", data={})
    assert empty.status_code == 400
    assert "Enter the cause of the exception" in empty.get_data(as_text=True)
    assert db.session.scalar(select(func.count(ExceptionReport.id))) == 0
    response = client.post(
        f"/projects/{project.id}/stages/{first.id}/exceptions/new",
        data={
            "cause": "Supplier late",
            "consequences": "Go-live slips",
            "option_1_summary": "Extra team",
            "option_1_cost_effect": "+£5k",
            "option_1_time_effect": "On time",
            "option_1_risk_effect": "Low",
            "recommended_option": "1",
            "recommendation": "Take option 1",
        },
    )
    assert response.status_code == 302
    report = db.session.scalars(select(ExceptionReport)).one()

    login(board["executive"])
    assert "Exception report" in client.get("/decisions").get_data(as_text=True)
    no_option = client.post(
        f"/projects/{project.id}/exceptions/{report.id}/decide",
        data={"decision": "approve_option", "version": report.version},
    )
    assert no_option.status_code == 400
    assert "Choose the option you approve" in no_option.get_data(as_text=True)
    ok = client.post(
        f"/projects/{project.id}/exceptions/{report.id}/decide",
        data={"decision": "approve_option", "option": "1", "version": report.version},
    )
    assert ok.status_code == 302
    _db.session.refresh(first)
    assert first.status == "in_exception"  # the Senior User must approve too
    _db.session.refresh(report)
    login(board["senior_user"])
    ok = client.post(
        f"/projects/{project.id}/exceptions/{report.id}/decide",
        data={"decision": "approve_option", "option": "1", "version": report.version},
    )
    assert ok.status_code == 302
    _db.session.refresh(first)
    assert first.status == "active"
    assert "Approve an option: option 1" in client.get(
        f"/projects/{project.id}/exceptions/{report.id}"
    ).get_data(as_text=True)


def test_highlight_report_fills_tolerance_status_and_checks_dates(client, login, board, db):
    project = board["project"]
    plan_stages(project, board["manager"])
    login(board["manager"])
    bad = client.post(
        f"/projects/{project.id}/highlights/new",
        data={
            "period_start": "2026-02-01",
            "period_end": "2026-01-01",
            "overall_status": "amber",
            "this_period": "Work",
            "next_period": "More",
            "issues_and_risks": "None",
        },
    )
    assert bad.status_code == 400
    assert "Period end must be the same as or after the period start" in bad.get_data(as_text=True)
    assert db.session.scalar(select(func.count(HighlightReport.id))) == 0
    ok = client.post(
        f"/projects/{project.id}/highlights/new",
        data={
            "period_start": "2026-01-01",
            "period_end": "2026-01-31",
            "overall_status": "amber",
            "this_period": "Work",
            "next_period": "More",
            "issues_and_risks": "None",
        },
    )
    assert ok.status_code == 302
    listing = client.get(f"/projects/{project.id}/highlights").get_data(as_text=True)
    assert "Amber" in listing
    assert "every 2 months" in listing  # medium regime cadence


def test_user_text_is_escaped(client, login, board, db):
    payload = "<script>alert(1)</script>"
    project = board["project"]
    login(board["manager"])
    client.post(f"/projects/{project.id}/stages/new", data={**STAGE_FORM, "name": payload})
    client.post(f"/projects/{project.id}/gates/new", data={**GATE_FORM, "lessons": payload})
    stage = db.session.scalars(select(Stage)).one()
    gate = db.session.scalars(select(GateReview)).one()
    for url in (
        f"/projects/{project.id}/stages",
        f"/projects/{project.id}/stages/{stage.id}",
        f"/projects/{project.id}/gates/{gate.id}",
        f"/projects/{project.id}",
    ):
        page = client.get(url).get_data(as_text=True)
        assert payload not in page
        assert "&lt;script&gt;" in page


def test_inbox_query_count_does_not_grow_with_waiting_items(
    app, client, login, board, db, make_project
):
    def count_inbox_queries():
        login(board["executive"])
        # Each request starts with an empty ``g``, where the queries are recorded.
        response = client.get("/decisions")
        assert response.status_code == 200
        counted.append(response.get_data(as_text=True).count(">Gate review<"))
        return len(get_recorded_queries())

    counted = []

    plan_stages(board["project"], board["manager"])
    services.request_gate(board["project"], report_data(), actor=board["manager"])
    db.session.commit()
    one = count_inbox_queries()
    for _ in range(3):
        project = make_project(
            manager=board["manager"],
            budget_at_completion=board["project"].budget_at_completion,
            members=[(board["executive"], "executive"), (board["senior_user"], "senior_user")],
        )
        project.delivery_method = "hybrid"
        plan_stages(project, board["manager"])
        services.request_gate(project, report_data(), actor=board["manager"])
        db.session.commit()
    assert count_inbox_queries() == one
    # Six for gates, exceptions, starts and budget exceptions; one more for the service
    # assessments, release and closing gates (frameworks.decisions, one statement).
    assert one <= 7
    assert counted == [1, 4]


def test_editing_a_stage_from_an_old_page_shows_the_stale_message(client, login, board, db):
    login(board["manager"])
    (stage,) = plan_stages(board["project"], board["manager"], count=1)
    seen = stage.version
    stage.name = "Renamed by someone else"
    db.session.commit()
    response = client.post(
        f"/projects/{board['project'].id}/stages/{stage.id}/edit",
        data={**STAGE_FORM, "name": "Mine", "version": seen},
    )
    assert response.status_code == 400
    assert STALE_MESSAGE in response.get_data(as_text=True)
    db.session.expire_all()
    assert stage.name == "Renamed by someone else"


def test_a_stage_saved_meanwhile_shows_the_stale_message_not_an_error_page(
    client, login, board, db
):
    """Someone else saves after the page loaded the stage: caught at the save, not a 500."""
    login(board["manager"])
    (stage,) = plan_stages(board["project"], board["manager"], count=1)
    seen = stage.version
    saved_meanwhile(db, stage, name="Theirs")
    response = client.post(
        f"/projects/{board['project'].id}/stages/{stage.id}/edit",
        data={**STAGE_FORM, "name": "Mine", "version": seen},
    )
    assert response.status_code == 400
    assert STALE_MESSAGE in response.get_data(as_text=True)
    db.session.expire_all()
    assert stage.name == "Theirs"
