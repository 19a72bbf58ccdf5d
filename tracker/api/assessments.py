"""Uncertainty assessments: record one and get the method recommendation back; read one;
read the history with what changed between each and the one before."""

from __future__ import annotations

import marshmallow as ma
from flask_login import current_user

from tracker.api.core import (
    Choice,
    Int,
    PageArgs,
    Schema,
    envelope,
    for_project,
    get_or_404,
    page_of,
    resource,
    service_call,
)
from tracker.core.pagination import paginate
from tracker.methods import model, queries, services
from tracker.methods.models import Assessment

blp = resource("assessments", "Uncertainty assessments and the method recommendation.")


class RecommendationSchema(Schema):
    """The result exactly as the method model computed it when the assessment was saved."""

    method = ma.fields.String(required=True, metadata={"enum": list(model.METHODS)})
    zone = ma.fields.String(required=True, metadata={"enum": list(model.ZONES)})
    confidence = ma.fields.String(required=True, metadata={"enum": ["high", "low"]})
    confidence_reasons = ma.fields.List(ma.fields.String(), required=True)
    flags = ma.fields.List(ma.fields.String(), required=True)
    scores = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Float(), required=True)
    reasons = ma.fields.List(ma.fields.String(), required=True)
    risks = ma.fields.List(
        ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String()), required=True
    )
    tailoring = ma.fields.Dict(required=True)
    model_version = ma.fields.String(required=True)


class ChangeSchema(Schema):
    kind = ma.fields.String(required=True)
    key = ma.fields.String(required=True)
    old = ma.fields.Raw(required=True, allow_none=True)
    new = ma.fields.Raw(required=True, allow_none=True)
    text = ma.fields.String(required=True)


class AssessmentSchema(Schema):
    id = ma.fields.Integer(required=True)
    project_id = ma.fields.Integer(required=True)
    sequence = ma.fields.Integer(required=True)
    assessed_at = ma.fields.AwareDateTime(required=True)
    assessed_by_id = ma.fields.Integer(required=True)
    answers = ma.fields.Dict(required=True)
    recommendation = ma.fields.Nested(RecommendationSchema, required=True)


class AssessmentView:
    """An assessment as the API shows it: its stored result under ``recommendation``."""

    def __init__(self, assessment: Assessment, changes: list | None = None):
        self._assessment = assessment
        self.recommendation = assessment.result()
        self.changes = changes or []

    def __getattr__(self, name: str):
        return getattr(self._assessment, name)


class HistoryItemSchema(AssessmentSchema):
    changes = ma.fields.List(
        ma.fields.Nested(ChangeSchema),
        required=True,
        metadata={"description": "What changed since the assessment before this one."},
    )


_ANSWER_FIELDS = {
    question.id: Int(
        required=True,
        minimum=1,
        maximum=5,
        metadata={
            "description": f"{question.text} 1: {question.labels[0]} … 5: {question.labels[-1]}"
        },
    )
    for question in model.QUESTIONS
}
_ANSWER_FIELDS[model.TEAM_SIZE_KEY] = Int(required=True, minimum=1, maximum=10000)
_ANSWER_FIELDS[model.CULTURE_KEY] = Choice(model.CULTURES, required=True)
_ANSWER_FIELDS["expected_sequence"] = Int(
    minimum=1,
    metadata={
        "description": "The number this assessment should get. If someone assessed the "
        "project meanwhile, you get 409 instead of a duplicate."
    },
)
AssessmentCreateSchema = Schema.from_dict(_ANSWER_FIELDS, name="AssessmentCreateSchema")


@blp.post("/projects/<id:project_id>/assessments")
@for_project(manage=True)
@blp.arguments(AssessmentCreateSchema)
@blp.response(201, AssessmentSchema)
def create_assessment(data, project):
    """Assess the project; the response carries the recommendation. Manager or PMO."""
    expected = data.pop("expected_sequence", None)
    with service_call():
        assessment = services.assess(
            project, data, assessed_by=current_user, expected_sequence=expected
        )
    return AssessmentView(assessment)


@blp.get("/projects/<id:project_id>/assessments")
@for_project()
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(HistoryItemSchema))
def list_assessments(args, project):
    """The assessment history, newest first, each with what changed since the one before."""
    page = paginate(queries.assessment_history(project.id), args["page"], args["per_page"])
    before = queries.assessment_before(project.id, page.items[-1].sequence) if page.items else None
    items = [
        AssessmentView(item.assessment, item.changes)
        for item in services.with_changes(page.items, before)
    ]
    return envelope(page, items)


@blp.get("/projects/<id:project_id>/assessments/<id:assessment_id>")
@for_project()
@blp.response(200, AssessmentSchema)
def get_assessment(project, assessment_id: int):
    """One assessment and its recommendation."""
    return AssessmentView(get_or_404(Assessment, assessment_id, project=project))
