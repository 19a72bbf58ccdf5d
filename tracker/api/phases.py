"""Agile phases and service assessments: members read them; the manager requests an
assessment, the Executive releases funding, the board roles the framework names record
their assessments (never the person who requested it)."""

from __future__ import annotations

import marshmallow as ma
from flask_login import current_user
from sqlalchemy import select

from tracker.api.core import (
    Choice,
    Id,
    Int,
    Money,
    Schema,
    Text,
    for_project,
    get_or_404,
    resource,
    service_call,
    values,
)
from tracker.extensions import db
from tracker.frameworks import decisions
from tracker.phases import access as phase_access
from tracker.phases import rules
from tracker.phases import services as phases
from tracker.phases.models import Phase, ServiceAssessment
from tracker.phases.rules import AssessmentStatus, PhaseKind, PhaseStatus
from tracker.projects.access import has_role
from tracker.projects.governance import BOARD_ROLES
from tracker.projects.rules import PROJECT_ROLES

blp = resource("phases", "Agile phases, their funding and their service assessments.")


class PhaseSchema(Schema):
    id = ma.fields.Integer(required=True)
    kind = ma.fields.String(required=True, metadata={"enum": values(PhaseKind)})
    sequence = ma.fields.Integer(required=True)
    status = ma.fields.String(required=True, metadata={"enum": values(PhaseStatus)})
    released_budget = Money(required=True)
    started_on = ma.fields.Date(required=True, allow_none=True)
    version = ma.fields.Integer(required=True)


class PhaseListSchema(Schema):
    items = ma.fields.List(ma.fields.Nested(PhaseSchema), required=True)


class PointResultSchema(Schema):
    point = Text(required=True, validate=ma.validate.Length(min=1, max=300))
    met = ma.fields.Boolean(required=True)
    note = Text(load_default="", validate=ma.validate.Length(max=2000))


class AssessmentDecisionSchema(Schema):
    role = ma.fields.String(required=True)
    decided_by_id = ma.fields.Integer(required=True)
    passed = ma.fields.Boolean(required=True)
    comment = ma.fields.String(required=True)
    results = ma.fields.List(ma.fields.Nested(PointResultSchema), required=True)


class ServiceAssessmentSchema(Schema):
    id = ma.fields.Integer(required=True)
    phase_id = ma.fields.Integer(required=True)
    round = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    points = ma.fields.List(ma.fields.String(), required=True, attribute="point_list")
    roles = ma.fields.List(ma.fields.String(), required=True)
    status = ma.fields.String(required=True, metadata={"enum": values(AssessmentStatus)})
    summary = ma.fields.String(required=True)
    requested_by_id = ma.fields.Integer(required=True)
    decisions = ma.fields.List(ma.fields.Nested(AssessmentDecisionSchema), required=True)


class ServiceAssessmentListSchema(Schema):
    items = ma.fields.List(ma.fields.Nested(ServiceAssessmentSchema), required=True)


class AssessmentRequestSchema(Schema):
    phase_id = Id(required=True)
    summary = Text(required=True, validate=ma.validate.Length(min=1, max=5000))


class AssessmentDecideSchema(Schema):
    role = Choice({r: PROJECT_ROLES[r] for r in BOARD_ROLES}, required=True)
    results = ma.fields.List(ma.fields.Nested(PointResultSchema), required=True)
    comment = Text(load_default="", validate=ma.validate.Length(max=5000))


class FundingSchema(Schema):
    amount = Money(required=True)
    version = Int(required=True, minimum=1)


@blp.get("/projects/<id:project_id>/phases")
@for_project()
@blp.response(200, PhaseListSchema)
def list_phases(project):
    """The project's phases in order, with the funding released to each."""
    return {"items": phases.phases_of(project)}


@blp.post("/projects/<id:project_id>/phases/<id:phase_id>/funding")
@for_project(rule=lambda user, project: phase_access.is_executive(user, project))
@blp.arguments(FundingSchema)
@blp.response(200, PhaseSchema)
def release_funding(data, project, phase_id: int):
    """The Executive releases funding to a phase, within the project's remaining budget
    (422 above it); a stale ``version`` gets 409."""
    phase = get_or_404(Phase, phase_id, project=project)
    with service_call():
        phases.release_funding(phase, data["amount"], version=data["version"], actor=current_user)
    return phase


@blp.get("/projects/<id:project_id>/service-assessments")
@for_project()
@blp.response(200, ServiceAssessmentListSchema)
def list_service_assessments(project):
    """Every service assessment of the project, with each assessor's point results."""
    items = db.session.scalars(
        select(ServiceAssessment)
        .where(ServiceAssessment.project_id == project.id)
        .order_by(ServiceAssessment.id)
    )
    return {"items": list(items)}


@blp.post("/projects/<id:project_id>/service-assessments")
@for_project(manage=True)
@blp.arguments(AssessmentRequestSchema)
@blp.response(201, ServiceAssessmentSchema)
def request_service_assessment(data, project):
    """Request the assessment at the end of a phase under way (a failed one is re-run the
    same way, as its next round)."""
    phase = get_or_404(Phase, data["phase_id"], project=project)
    with service_call():
        assessment = phases.request_assessment(phase, summary=data["summary"], actor=current_user)
    return assessment


@blp.post("/projects/<id:project_id>/service-assessments/<id:assessment_id>/decisions")
@for_project(rule=lambda user, project: has_role(user, project, *BOARD_ROLES))
@blp.arguments(AssessmentDecideSchema)
@blp.response(201, ServiceAssessmentSchema)
def decide_service_assessment(data, project, assessment_id: int):
    """Record your assessment as one of its required board roles: every point met or not
    met (with a note). The requester never decides (403)."""
    assessment = get_or_404(ServiceAssessment, assessment_id, project=project)
    decisions.forbid_unless_decider(
        current_user,
        assessment,
        requested_by_id=assessment.requested_by_id,
        why=phase_access.decision_refusal(current_user, assessment),
        what="assessment decision",
        role=data["role"],
        otherwise=f"You cannot assess as the {PROJECT_ROLES[data['role']]}.",
        assessment=assessment.id,
    )
    results = [rules.PointResult(r["point"], r["met"], r["note"]) for r in data["results"]]
    with service_call():
        phases.decide_assessment(
            assessment,
            role=data["role"],
            results=results,
            comment=data["comment"],
            actor=current_user,
        )
    return assessment
