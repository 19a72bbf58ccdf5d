"""Closure through an end-project report: members read it; the manager submits the report;
the board roles the framework's closure template names decide the closing gate (never the
person who submitted it). Approval closes the project."""

from __future__ import annotations

import marshmallow as ma
from flask_login import current_user
from sqlalchemy import select

from tracker.api.core import (
    Choice,
    Schema,
    Text,
    for_project,
    get_or_404,
    resource,
    service_call,
    values,
)
from tracker.closure import rules
from tracker.closure import services as closure
from tracker.closure.models import EndProjectReport
from tracker.closure.rules import CLOSURE_VOTES, ClosureStatus
from tracker.extensions import db
from tracker.frameworks import decisions
from tracker.projects.access import has_role
from tracker.projects.governance import BOARD_ROLES
from tracker.projects.rules import PROJECT_ROLES

blp = resource("closure", "Closure through an end-project report and the board's closing gate.")


class ClosureDecisionSchema(Schema):
    role = ma.fields.String(required=True)
    decision = ma.fields.String(required=True)
    comment = ma.fields.String(required=True)
    decided_by_id = ma.fields.Integer(required=True)


class EndProjectReportSchema(Schema):
    id = ma.fields.Integer(required=True)
    round = ma.fields.Integer(required=True)
    gate_name = ma.fields.String(required=True)
    roles = ma.fields.List(ma.fields.String(), required=True)
    status = ma.fields.String(required=True, metadata={"enum": values(ClosureStatus)})
    submitted_by_id = ma.fields.Integer(required=True)
    decisions = ma.fields.List(ma.fields.Nested(ClosureDecisionSchema), required=True)


for _name, _label in rules.SECTIONS:
    EndProjectReportSchema._declared_fields[_name] = ma.fields.String(
        required=True, metadata={"description": _label}
    )


class ClosureSchema(Schema):
    project_id = ma.fields.Integer(required=True)
    project_status = ma.fields.String(required=True)
    reports = ma.fields.List(ma.fields.Nested(EndProjectReportSchema), required=True)


class ReportSubmitSchema(Schema):
    """Submitting the report takes no fields: the report as drafted is what is submitted."""


for _name, _label in rules.SECTIONS:
    ReportSubmitSchema._declared_fields[_name] = Text(
        required=True,
        validate=ma.validate.Length(min=1, max=10000),
        metadata={"description": _label},
    )


class ClosureDecideSchema(Schema):
    role = Choice({r: PROJECT_ROLES[r] for r in BOARD_ROLES}, required=True)
    decision = Choice(CLOSURE_VOTES, required=True)
    comment = Text(load_default="", validate=ma.validate.Length(max=5000))


def _closure(project) -> dict:
    reports = db.session.scalars(
        select(EndProjectReport)
        .where(EndProjectReport.project_id == project.id)
        .order_by(EndProjectReport.round.desc())
    )
    return {"project_id": project.id, "project_status": project.status, "reports": list(reports)}


@blp.get("/projects/<id:project_id>/closure")
@for_project()
@blp.response(200, ClosureSchema)
def get_closure(project):
    """The project's end-project reports, newest first, with the board's decisions."""
    return _closure(project)


@blp.post("/projects/<id:project_id>/closure")
@for_project(manage=True)
@blp.arguments(ReportSubmitSchema)
@blp.response(201, ClosureSchema)
def submit_report(data, project):
    """Submit the end-project report (every section) for the board's closing gate."""
    with service_call():
        closure.submit_report(project, data, actor=current_user)
    return _closure(project)


@blp.post("/projects/<id:project_id>/closure/<id:report_id>/decisions")
@for_project(rule=lambda user, project: has_role(user, project, *BOARD_ROLES))
@blp.arguments(ClosureDecideSchema)
@blp.response(201, ClosureSchema)
def decide_closure(data, project, report_id: int):
    """Approve or reject closure as one of the closing gate's board roles; approval by all
    closes the project. The person who submitted the report gets 403."""
    report = get_or_404(EndProjectReport, report_id, project=project)
    decisions.forbid_unless_decider(
        current_user,
        report,
        requested_by_id=report.submitted_by_id,
        why=closure.decision_refusal(current_user, report),
        what="closure decision",
        role=data["role"],
        otherwise=f"You cannot decide as the {PROJECT_ROLES[data['role']]}.",
        report=report.id,
    )
    with service_call():
        closure.decide_closure(
            report,
            role=data["role"],
            decision=data["decision"],
            comment=data["comment"],
            actor=current_user,
        )
    return _closure(project)
