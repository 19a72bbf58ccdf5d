"""Stages of stage-gated and hybrid projects: plan, tolerances, forecast and where each
performance target stands against its tolerance. The manager (or PMO) plans, re-plans,
starts and closes them through the same services as the stage pages: a state that refuses
the change (a stage its gate has authorised, a stage whose end has a gate) is a 409."""

from __future__ import annotations

import marshmallow as ma
from flask_login import current_user

from tracker.api.core import (
    Choice,
    Day,
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
from tracker.core.money import ToleranceStatus
from tracker.stages import queries
from tracker.stages import services as stages
from tracker.stages.models import STATED_TARGETS, Stage
from tracker.stages.rules import StageStatus, TargetStatus

blp = resource("stages", "Management stages, their tolerances and forecasts.")


class ToleranceStatusSchema(Schema):
    dimension = ma.fields.String(required=True)
    status = ma.fields.String(required=True, metadata={"enum": values(ToleranceStatus)})
    limit = ma.fields.String(required=True)
    forecast = ma.fields.String(required=True)


class TargetSchema(Schema):
    target = ma.fields.String(required=True)
    status = ma.fields.String(required=True, metadata={"enum": values(TargetStatus)})


class StageSchema(Schema):
    id = ma.fields.Integer(required=True)
    project_id = ma.fields.Integer(required=True)
    sequence = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    status = ma.fields.String(required=True, metadata={"enum": values(StageStatus)})
    planned_start = ma.fields.Date(required=True)
    planned_finish = ma.fields.Date(required=True)
    planned_budget = Money(required=True)
    time_tolerance_days = ma.fields.Integer(required=True)
    cost_tolerance_percent = ma.fields.Decimal(
        required=True, allow_none=True, as_string=True, metadata={"type": ["string", "null"]}
    )
    cost_tolerance_amount = Money(required=True, allow_none=True)
    forecast_finish = ma.fields.Date(required=True, allow_none=True)
    forecast_cost = Money(required=True, allow_none=True)
    forecast_at = ma.fields.AwareDateTime(required=True, allow_none=True)
    targets = ma.fields.Dict(
        keys=ma.fields.String(metadata={"enum": list(STATED_TARGETS)}),
        values=ma.fields.Nested(TargetSchema),
        required=True,
    )
    tolerance_status = ma.fields.List(ma.fields.Nested(ToleranceStatusSchema), required=True)
    version = ma.fields.Integer(required=True)


class StageView:
    """A stage with its stated targets grouped and its tolerance status worked out."""

    def __init__(self, stage: Stage):
        self._stage = stage
        self.targets = {
            name: {
                "target": getattr(stage, f"{name}_target"),
                "status": getattr(stage, f"{name}_status"),
            }
            for name in STATED_TARGETS
        }
        self.tolerance_status = [
            {
                "dimension": status.dimension.value,
                "status": status.status.value,
                "limit": status.limit,
                "forecast": status.forecast,
            }
            for status in stages.tolerance_status(stage)
        ]

    def __getattr__(self, name: str):
        return getattr(self._stage, name)


class StageListSchema(Schema):
    items = ma.fields.List(ma.fields.Nested(StageSchema), required=True)


@blp.get("/projects/<id:project_id>/stages")
@for_project()
@blp.response(200, StageListSchema)
def list_stages(project):
    """The project's stages in order (a stage plan is short: not paginated)."""
    return {"items": [StageView(stage) for stage in queries.stage_summary(project).stages]}


@blp.get("/projects/<id:project_id>/stages/<id:stage_id>")
@for_project()
@blp.response(200, StageSchema)
def get_stage(project, stage_id: int):
    """One stage, with where each tolerance stands."""
    return StageView(get_or_404(Stage, stage_id, project=project))


# --------------------------------------------------------------------------------------
# Planning, starting and closing
# --------------------------------------------------------------------------------------

NAME = ma.validate.Length(min=1, max=200, error="Stage name must be 1 to 200 characters")
TARGET = ma.validate.Length(min=1, max=5000, error="A target must be 1 to 5000 characters")
COST_KINDS = {"percent": "A percentage of the stage budget", "amount": "An amount in pounds"}


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ma.ValidationError("Must not be blank")


class StageCreateSchema(Schema):
    """Tolerances and targets left out take the project size tier's defaults (as the form
    fills them in)."""

    name = Text(required=True, validate=[NAME, _not_blank])
    planned_start = Day(required=True)
    planned_finish = Day(required=True)
    planned_budget = Money(required=True)
    time_tolerance_days = Int(maximum=365)
    cost_tolerance_kind = Choice(COST_KINDS)
    cost_tolerance_value = Money(
        metadata={"description": "Percent (0 to 100) or pounds, by cost_tolerance_kind."}
    )
    scope_target = Text(validate=[TARGET, _not_blank])
    quality_target = Text(validate=[TARGET, _not_blank])
    risk_target = Text(validate=[TARGET, _not_blank])
    benefit_target = Text(validate=[TARGET, _not_blank])
    sustainability_target = Text(validate=[TARGET, _not_blank])


class StageUpdateSchema(Schema):
    """Only the fields you send change; ``version`` must be the one you read. A stage can be
    re-planned only while it is planned (its gate has not authorised it)."""

    version = Int(required=True, minimum=1)
    name = Text(validate=[NAME, _not_blank])
    planned_start = Day()
    planned_finish = Day()
    planned_budget = Money()
    time_tolerance_days = Int(maximum=365)
    cost_tolerance_kind = Choice(COST_KINDS)
    cost_tolerance_value = Money(
        metadata={"description": "Percent (0 to 100) or pounds, by cost_tolerance_kind."}
    )
    scope_target = Text(validate=[TARGET, _not_blank])
    quality_target = Text(validate=[TARGET, _not_blank])
    risk_target = Text(validate=[TARGET, _not_blank])
    benefit_target = Text(validate=[TARGET, _not_blank])
    sustainability_target = Text(validate=[TARGET, _not_blank])


class VersionSchema(Schema):
    version = Int(required=True, minimum=1, metadata={"description": "The version you read."})


def _current(stage: Stage) -> dict:
    """A stage's plan in the service's terms (what the edit form starts from)."""
    percent = stage.cost_tolerance_percent
    return {
        "name": stage.name,
        "planned_start": stage.planned_start,
        "planned_finish": stage.planned_finish,
        "planned_budget": stage.planned_budget,
        "time_tolerance_days": stage.time_tolerance_days,
        "cost_tolerance_kind": "percent" if percent is not None else "amount",
        "cost_tolerance_value": percent if percent is not None else stage.cost_tolerance_amount,
        **{f"{name}_target": getattr(stage, f"{name}_target") for name in STATED_TARGETS},
    }


@blp.post("/projects/<id:project_id>/stages")
@for_project(manage=True)
@blp.arguments(StageCreateSchema)
@blp.response(201, StageSchema)
def create_stage(data, project):
    """Plan the next stage. Manager or PMO; the project must be stage-gated or hybrid and
    open (else 409). Stages run one after another and together stay within the project's
    budget (else 422, naming the field)."""
    plan = {**stages.stage_defaults(project), **data}
    with service_call():
        stage = stages.create_stage(project, stages.StageData(**plan), actor=current_user)
    return StageView(stage)


@blp.patch("/projects/<id:project_id>/stages/<id:stage_id>")
@for_project(manage=True)
@blp.arguments(StageUpdateSchema)
@blp.response(200, StageSchema)
def update_stage(changes, project, stage_id: int):
    """Re-plan a stage that is still planned. Manager or PMO; a stale ``version`` gets 409."""
    stage = get_or_404(Stage, stage_id, project=project)
    version = changes.pop("version")
    plan = {**_current(stage), **changes}
    with service_call():
        stages.update_stage(stage, stages.StageData(**plan), version=version, actor=current_user)
    return StageView(stage)


@blp.post("/projects/<id:project_id>/stages/<id:stage_id>/start")
@for_project(manage=True)
@blp.arguments(VersionSchema)
@blp.response(200, StageSchema)
def start_stage(data, project, stage_id: int):
    """Start a stage its gate has authorised, once the stage before it has closed (else
    409)."""
    stage = get_or_404(Stage, stage_id, project=project)
    with service_call():
        stages.start_stage(stage, version=data["version"], actor=current_user)
    return StageView(stage)


@blp.post("/projects/<id:project_id>/stages/<id:stage_id>/close")
@for_project(manage=True)
@blp.arguments(VersionSchema)
@blp.response(200, StageSchema)
def close_stage(data, project, stage_id: int):
    """Close an active stage whose end has no gate (else 409: request the gate decision,
    which closes it)."""
    stage = get_or_404(Stage, stage_id, project=project)
    with service_call():
        stages.close_stage(stage, version=data["version"], actor=current_user)
    return StageView(stage)
