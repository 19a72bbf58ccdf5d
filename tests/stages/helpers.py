"""Builders for stage tests: staged projects with a board, and stages planned through the
services (so the rules apply) or written directly (for access tables)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from tracker.extensions import db
from tracker.stages import services
from tracker.stages.models import ExceptionReport, GateReview, HighlightReport, Stage


def stage_data(
    name="Stage",
    start=date(2026, 1, 1),
    days=60,
    budget="10000",
    time_days=10,
    cost_kind="percent",
    cost_value="10",
) -> services.StageData:
    return services.StageData(
        name=name,
        planned_start=start,
        planned_finish=start + timedelta(days=days),
        planned_budget=Decimal(budget),
        time_tolerance_days=time_days,
        cost_tolerance_kind=cost_kind,
        cost_tolerance_value=Decimal(cost_value),
        scope_target="All must-haves",
        quality_target="Passes acceptance",
        risk_target="No unowned high risk",
        benefit_target="Within 10%",
        sustainability_target="No increase",
    )


def plan_stages(project, manager, count=2, budget="10000", gap=1):
    stages = []
    start = project.planned_start
    for number in range(1, count + 1):
        stages.append(
            services.create_stage(
                project, stage_data(f"Stage {number}", start, 60, budget), actor=manager
            )
        )
        start = start + timedelta(days=60 + gap)
    db.session.commit()
    return stages


def report_data(**overrides) -> services.GateRequestData:
    data = {
        "delivered_vs_plan": "All products delivered on time.",
        "forecast": "On budget.",
        "lessons": "Involve users earlier.",
        "next_stage_plan": "Build and test.",
        "business_case_justified": True,
    }
    data.update(overrides)
    return services.GateRequestData(**data)


def access_ids(project, manager) -> dict:
    """A stage, a waiting gate, a highlight report and an exception report on ``project``,
    written directly, for the access table in the foundation tests."""
    project.delivery_method = "stage_gated"
    stage = Stage(
        project_id=project.id,
        sequence=1,
        name="Discovery",
        planned_start=project.planned_start,
        planned_finish=project.planned_start + timedelta(days=30),
        planned_budget=Decimal(1000),
        time_tolerance_days=10,
        cost_tolerance_percent=Decimal(10),
        scope_target="s",
        quality_target="q",
        risk_target="r",
        benefit_target="b",
        sustainability_target="s",
        status="planned",
    )
    db.session.add(stage)
    db.session.flush()
    gate = GateReview(
        project_id=project.id,
        boundary=0,
        authorises_stage_id=stage.id,
        requested_by_id=manager.id,
        delivered_vs_plan="d",
        forecast="f",
        lessons="l",
        next_stage_plan="n",
        business_case_justified=True,
        required_roles="executive",
    )
    highlight = HighlightReport(
        project_id=project.id,
        period_start=project.planned_start,
        period_end=project.planned_start,
        overall_status="green",
        this_period="t",
        next_period="n",
        issues_and_risks="i",
        reported_by_id=manager.id,
    )
    exception = ExceptionReport(
        project_id=project.id,
        stage_id=stage.id,
        raised_by_id=manager.id,
        breaches="b",
        cause="c",
        consequences="c",
        recommendation="r",
        required_roles="executive",
        status="plan_requested",
    )
    db.session.add_all([gate, highlight, exception])
    db.session.commit()
    return {
        "stage_id": stage.id,
        "gate_id": gate.id,
        "highlight_id": highlight.id,
        "exception_id": exception.id,
    }


def committed_waiting_start_gate(label: str, code_prefix: str = "RACE"):
    """A committed medium stage-gated project with a manager, an Executive and a Senior User,
    one planned stage and its start gate waiting: the setup the concurrency tests race on,
    each thread then working in its own session. Call inside an app context.

    Returns (people by role, stage, gate, project)."""
    from tracker.auth import services as users
    from tracker.orgs import services as orgs
    from tracker.projects import services as projects

    people = {
        role: users.create_user(
            email=f"{role}.{label}@example.gov.uk",
            name=f"{role} {label}",
            password="correct horse battery",
        )
        for role in ("manager", "executive", "senior_user")
    }
    org = orgs.create_organisation(name=f"Org {label}", short_name=None, kind="nhs")
    project = projects.create_project(
        projects.ProjectData(
            code=f"{code_prefix}-{label}",
            name="Race",
            problem_statement="p",
            lead_organisation_id=org.id,
            partner_ids=[],
            manager_id=people["manager"].id,
            budget_at_completion=Decimal(1000000),
            planned_start=date(2026, 1, 1),
            planned_finish=date(2026, 12, 31),
            criticality=2,
        )
    )
    for role in ("executive", "senior_user"):
        projects.add_member(project, people[role], role)
    project.delivery_method = "stage_gated"
    stage = services.create_stage(project, stage_data(), actor=people["manager"])
    gate = services.request_gate(project, report_data(), actor=people["manager"])
    db.session.commit()
    return people, stage, gate, project
