"""Demo closure: a small agile service (parking permits online) that ran its iterations and
closed through its end-project report, approved by its Executive at the closing gate.
Through the services, so it leaves the same history as real use; loaded once."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from tracker.agile import services as agile
from tracker.auth.models import User
from tracker.closure import services as closure
from tracker.extensions import db
from tracker.projects import services as projects
from tracker.projects.models import Project

CODE = "PRK-2026-15"
REPORT = {
    "delivered_vs_business_case": "Residents apply for and renew parking permits online; the "
    "business case's saving of £38,000 a year in processing is on track.",
    "time_performance": "Delivered in two iterations, a week early.",
    "cost_performance": "£96,400 of the £120,000 budget.",
    "scope_performance": "All must-haves; visitor permits moved to the follow-on backlog.",
    "quality_performance": "Accessibility audit passed; 4.6 of 5 from residents in testing.",
    "risk_performance": "No risk above amber at close.",
    "benefit_performance": "Online take-up 71% in the first month (target 60%).",
    "sustainability_performance": "Paper permits withdrawn: 14,000 fewer posted a year.",
    "lessons": "Testing with residents every iteration caught the renewal confusion early.",
    "handover": "Parking services run it; the digital team supports it for three months.",
    "follow_on_actions": "Visitor permits (backlog); review the renewal reminder wording.",
    "benefits_to_review": "Processing saving and take-up, reviewed at 6 and 12 months.",
}


def load(projects_by_code: dict[str, Project], people_by_email: dict[str, User]) -> int:
    if CODE in projects_by_code or db.session.scalar(
        select(Project.id).where(Project.code == CODE)
    ):
        return 0
    lead = projects_by_code.get("DIG-2026-04")
    if lead is None:
        return 0
    manager = people_by_email["tom.hughes@example.gov.uk"]
    executive = people_by_email["robert.ellis@example.gov.uk"]
    project = projects.create_project(
        projects.ProjectData(
            code=CODE,
            name="Parking permits online",
            problem_statement="Residents queue or post forms to get a parking permit; "
            "renewals are missed and fines follow.",
            lead_organisation_id=lead.lead_organisation_id,
            partner_ids=[],
            manager_id=manager.id,
            budget_at_completion=Decimal("120000"),
            planned_start=date(2026, 2, 2),
            planned_finish=date(2026, 5, 29),
            criticality=1,
        )
    )
    projects.add_member(project, executive, "executive")
    # The method decision belongs to another part of the demo; this one is agile.
    project.delivery_method = "agile"
    agile.authorise_start(project, conditions="", version=None, actor=executive)
    for number, (start, end) in enumerate(
        ((date(2026, 2, 2), date(2026, 2, 13)), (date(2026, 2, 16), date(2026, 2, 27))),
        start=1,
    ):
        iteration = agile.create_iteration(
            project, agile.IterationData(f"Sprint {number}", "Apply and renew online", start, end)
        )
        agile.start_iteration(project, iteration, version=None)
        agile.add_feedback(
            project,
            iteration,
            agile.FeedbackData("citizen", "A resident", 5, "Took two minutes", "yes"),
        )
        agile.close_iteration(project, iteration, version=None)
    report = closure.submit_report(project, dict(REPORT), actor=manager)
    for role in report.roles:
        closure.decide_closure(report, role=role, decision="approve", comment="", actor=executive)
    db.session.flush()
    return 1
