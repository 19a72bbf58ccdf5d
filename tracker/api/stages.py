"""Stages of stage-gated and hybrid projects: plan, tolerances, forecast and where each
performance target stands against its tolerance."""

from __future__ import annotations

import marshmallow as ma

from tracker.api.core import Money, Schema, for_project, get_or_404, resource
from tracker.stages import queries
from tracker.stages import services as stages
from tracker.stages.models import STAGE_STATUSES, STATED_TARGETS, TARGET_STATUSES, Stage

blp = resource("stages", "Management stages, their tolerances and forecasts.")


class ToleranceStatusSchema(Schema):
    dimension = ma.fields.String(required=True)
    status = ma.fields.String(required=True, metadata={"enum": ["within", "at_risk", "breached"]})
    limit = ma.fields.String(required=True)
    forecast = ma.fields.String(required=True)


class TargetSchema(Schema):
    target = ma.fields.String(required=True)
    status = ma.fields.String(required=True, metadata={"enum": list(TARGET_STATUSES)})


class StageSchema(Schema):
    id = ma.fields.Integer(required=True)
    project_id = ma.fields.Integer(required=True)
    sequence = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    status = ma.fields.String(required=True, metadata={"enum": list(STAGE_STATUSES)})
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
