"""The risk register: read, raise and change risks (threats and opportunities scored on a
5x5 grid), with each risk's history of changes. The manager (or PMO) keeps it; everyone on
the project reads it."""

from __future__ import annotations

import marshmallow as ma
from flask_login import current_user

from tracker.api.core import (
    Choice,
    Day,
    Id,
    Int,
    PageArgs,
    Schema,
    Text,
    envelope,
    for_project,
    get_or_404,
    merged,
    page_of,
    resource,
    service_call,
    values,
)
from tracker.core.pagination import paginate
from tracker.registers import access, queries, services
from tracker.registers.models import RISK_SOURCES, Risk
from tracker.registers.rules import (
    Band,
    Proximity,
    RiskCategory,
    RiskKind,
    RiskResponse,
    RiskStatus,
)

blp = resource("risks", "The project's risk register: threats and opportunities, scored 5x5.")

SCALE = {"minimum": 1, "maximum": 5}


class RiskChangeSchema(Schema):
    changed_at = ma.fields.AwareDateTime(required=True)
    changed_by_id = ma.fields.Integer(required=True, allow_none=True)
    field = ma.fields.String(required=True)
    from_value = ma.fields.String(required=True, allow_none=True)
    to_value = ma.fields.String(required=True, allow_none=True)


class RiskSchema(Schema):
    id = ma.fields.Integer(required=True)
    project_id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    kind = ma.fields.String(required=True, metadata={"enum": values(RiskKind)})
    category = ma.fields.String(required=True, metadata={"enum": values(RiskCategory)})
    cause = ma.fields.String(required=True)
    event = ma.fields.String(required=True)
    effect = ma.fields.String(required=True)
    description = ma.fields.String(required=True)
    owner_id = ma.fields.Integer(required=True)
    actionee_id = ma.fields.Integer(required=True, allow_none=True)
    likelihood = ma.fields.Integer(required=True)
    impact = ma.fields.Integer(required=True)
    score = ma.fields.Integer(required=True, metadata={"description": "likelihood x impact"})
    band = ma.fields.String(required=True, metadata={"enum": values(Band)})
    proximity = ma.fields.String(
        required=True, allow_none=True, metadata={"enum": [*values(Proximity), None]}
    )
    response = ma.fields.String(
        required=True, allow_none=True, metadata={"enum": [*values(RiskResponse), None]}
    )
    target_likelihood = ma.fields.Integer(required=True, allow_none=True)
    target_impact = ma.fields.Integer(required=True, allow_none=True)
    target_score = ma.fields.Integer(required=True, allow_none=True)
    review_on = ma.fields.Date(required=True, allow_none=True)
    status = ma.fields.String(required=True, metadata={"enum": values(RiskStatus)})
    source = ma.fields.String(required=True, metadata={"enum": values(RISK_SOURCES)})
    created_at = ma.fields.AwareDateTime(required=True)
    version = ma.fields.Integer(required=True)


class RiskDetailSchema(RiskSchema):
    history = ma.fields.List(ma.fields.Nested(RiskChangeSchema), required=True)


class RiskArgs(PageArgs):
    status = Choice(RiskStatus)


TITLE = ma.validate.Length(min=1, max=200)
TEXT = ma.validate.Length(max=5000)


class RiskCreateSchema(Schema):
    title = Text(required=True, validate=TITLE)
    kind = Choice(RiskKind, load_default=RiskKind.THREAT)
    category = Choice(RiskCategory, required=True)
    cause = Text(load_default="", validate=TEXT)
    event = Text(load_default="", validate=TEXT)
    effect = Text(load_default="", validate=TEXT)
    description = Text(load_default="", validate=TEXT)
    owner_id = Id(required=True, metadata={"description": "Someone on the project."})
    actionee_id = Id(allow_none=True, load_default=None)
    likelihood = Int(required=True, **SCALE)
    impact = Int(required=True, **SCALE)
    proximity = Choice(Proximity, allow_none=True, load_default=None)
    response = Choice(RiskResponse, allow_none=True, load_default=None)
    target_likelihood = Int(allow_none=True, load_default=None, **SCALE)
    target_impact = Int(allow_none=True, load_default=None, **SCALE)
    review_on = Day(allow_none=True, load_default=None)


class RiskUpdateSchema(Schema):
    version = Int(required=True, minimum=1)
    title = Text(validate=TITLE)
    kind = Choice(RiskKind)
    category = Choice(RiskCategory)
    cause = Text(validate=TEXT)
    event = Text(validate=TEXT)
    effect = Text(validate=TEXT)
    description = Text(validate=TEXT)
    owner_id = Id()
    actionee_id = Id(allow_none=True)
    likelihood = Int(**SCALE)
    impact = Int(**SCALE)
    proximity = Choice(Proximity, allow_none=True)
    response = Choice(RiskResponse, allow_none=True)
    target_likelihood = Int(allow_none=True, **SCALE)
    target_impact = Int(allow_none=True, **SCALE)
    review_on = Day(allow_none=True)
    status = Choice(RiskStatus)


FIELDS = (
    "title",
    "owner_id",
    "kind",
    "category",
    "cause",
    "event",
    "effect",
    "description",
    "actionee_id",
    "likelihood",
    "impact",
    "proximity",
    "response",
    "target_likelihood",
    "target_impact",
    "review_on",
    "status",
)


class _WithHistory:
    """A risk as the detail schema reads it: its own attributes and its history."""

    def __init__(self, risk: Risk):
        self._risk = risk
        self.history = queries.risk_history(risk.id)

    def __getattr__(self, name: str):
        return getattr(self._risk, name)


def _detail(risk: Risk) -> _WithHistory:
    return _WithHistory(risk)


@blp.get("/projects/<id:project_id>/risks")
@for_project()
@blp.arguments(RiskArgs, location="query")
@blp.response(200, page_of(RiskSchema))
def list_risks(args, project):
    """The register: open first, highest score first; optionally one status."""
    page = paginate(
        queries.risk_register(project.id, args.get("status")), args["page"], args["per_page"]
    )
    return envelope(page)


@blp.get("/projects/<id:project_id>/risks/<id:risk_id>")
@for_project()
@blp.response(200, RiskDetailSchema)
def get_risk(project, risk_id: int):
    """One risk with its history: every change, who made it and when, oldest first."""
    return _detail(get_or_404(Risk, risk_id, project=project))


@blp.post("/projects/<id:project_id>/risks")
@for_project(rule=access.can_keep)
@blp.arguments(RiskCreateSchema)
@blp.response(201, RiskDetailSchema)
def create_risk(data, project):
    """Raise a risk. Manager or PMO; the owner and actionee must be on the project."""
    with service_call():
        risk = services.create_risk(project, services.RiskData(**data), actor=current_user)
    return _detail(risk)


@blp.patch("/projects/<id:project_id>/risks/<id:risk_id>")
@for_project(rule=access.can_keep)
@blp.arguments(RiskUpdateSchema)
@blp.response(200, RiskDetailSchema)
def update_risk(changes, project, risk_id: int):
    """Change a risk (rescore, respond, close). ``version`` must be the one you read."""
    risk = get_or_404(Risk, risk_id, project=project)
    version = changes.pop("version")
    with service_call():
        services.update_risk(
            project,
            risk,
            services.RiskData(**merged(risk, changes, FIELDS)),
            version=version,
            actor=current_user,
        )
    return _detail(risk)
