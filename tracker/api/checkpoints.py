"""Budget checkpoints: earned value at a date (PV from the baseline, EV from progress, AC
from costs and logged time). Read them, and take one as the project's manager or PMO
through the same service as the checkpoint page. Without a baseline there is nothing to
compare with: that is a conflict (409)."""

from __future__ import annotations

import hashlib
from decimal import Decimal

import marshmallow as ma
from flask import abort
from flask_login import current_user

from tracker.api.core import (
    Day,
    Id,
    Money,
    Schema,
    Text,
    for_project,
    get_or_404,
    resource,
    service_call,
)
from tracker.api.costs import REPLAYED, IdempotencyHeaders
from tracker.api.problems import from_rule_error, problem
from tracker.budget import queries
from tracker.budget import services as budget
from tracker.budget.models import TRIGGERS, Checkpoint
from tracker.core.errors import RuleError

blp = resource("checkpoints", "Budget checkpoints (earned value): list, read, take one.")


def Ratio(**kwargs) -> ma.fields.Decimal:
    return ma.fields.Decimal(
        as_string=True, allow_none=True, metadata={"type": ["string", "null"]}, **kwargs
    )


class CheckpointStageSchema(Schema):
    stage_id = ma.fields.Integer(required=True)
    budget = Money(required=True)
    percent_complete = ma.fields.Decimal(required=True, as_string=True, metadata={"type": "string"})
    ev = Money(required=True)


class CheckpointSchema(Schema):
    id = ma.fields.Integer(required=True)
    project_id = ma.fields.Integer(required=True)
    baseline_id = ma.fields.Integer(required=True)
    taken_on = Day(required=True)
    trigger = ma.fields.String(required=True, metadata={"enum": list(TRIGGERS)})
    bac = Money(required=True)
    pv = Money(required=True)
    ev = Money(required=True)
    ac = Money(required=True)
    cv = Money(required=True, metadata={"pattern": r"^-?\d+\.\d{2}$"})
    sv = Money(required=True, metadata={"pattern": r"^-?\d+\.\d{2}$"})
    cpi = Ratio(required=True)
    spi = Ratio(required=True)
    eac = Money(required=True, allow_none=True)
    etc = Money(required=True, allow_none=True, metadata={"pattern": r"^-?\d+\.\d{2}$"})
    vac = Money(required=True, allow_none=True, metadata={"pattern": r"^-?\d+\.\d{2}$"})
    tcpi = Ratio(required=True)
    percent_complete = Ratio(required=True)
    percent_spent = Ratio(required=True)
    completed_points = ma.fields.Integer(required=True, allow_none=True)
    planned_points = ma.fields.Integer(required=True, allow_none=True)
    status = ma.fields.String(required=True, allow_none=True)
    rag = ma.fields.String(required=True, allow_none=True)
    note = ma.fields.String(required=True)
    progress = ma.fields.List(ma.fields.Nested(CheckpointStageSchema), required=True)
    taken_by_id = ma.fields.Integer(required=True, allow_none=True)
    created_at = ma.fields.AwareDateTime(required=True)


class CheckpointListSchema(Schema):
    items = ma.fields.List(ma.fields.Nested(CheckpointSchema), required=True)


class StageProgressSchema(Schema):
    stage_id = Id(required=True)
    percent_complete = ma.fields.Decimal(
        required=True,
        places=1,
        validate=ma.validate.Range(0, 100),
        metadata={"type": "number", "minimum": 0, "maximum": 100},
    )


class CheckpointCreateSchema(Schema):
    taken_on = Day(metadata={"description": "Today or earlier; defaults to today."})
    progress = ma.fields.List(
        ma.fields.Nested(StageProgressSchema),
        load_default=list,
        validate=ma.validate.Length(max=100),
        metadata={
            "description": "Percent complete of the baseline's stages. Stages left out keep "
            "their last figure (a closed stage counts as done)."
        },
    )
    note = Text(load_default="", validate=ma.validate.Length(max=2000))


@blp.get("/projects/<id:project_id>/checkpoints")
@for_project()
@blp.response(200, CheckpointListSchema)
def list_checkpoints(project):
    """The project's checkpoints, oldest first (one a month or so: not paginated)."""
    return {"items": queries.checkpoints(project.id)}


@blp.get("/projects/<id:project_id>/checkpoints/<id:checkpoint_id>")
@for_project()
@blp.response(200, CheckpointSchema)
def get_checkpoint(project, checkpoint_id: int):
    return get_or_404(Checkpoint, checkpoint_id, project=project)


@blp.post("/projects/<id:project_id>/checkpoints")
@for_project(manage=True)
@blp.arguments(IdempotencyHeaders, location="headers")
@blp.arguments(CheckpointCreateSchema)
@blp.response(201, CheckpointSchema)
@blp.alt_response(200, schema=CheckpointSchema, description=REPLAYED)
def create_checkpoint(headers, data, project):
    """Take a checkpoint now (or at an earlier date). Needs the manager role or PMO; 409
    without a budget baseline."""
    key = headers.get("idempotency_key")
    token = (
        hashlib.sha256(f"api:{current_user.id}:{project.id}:{key}".encode()).hexdigest()
        if key
        else None
    )
    earlier = budget.checkpoint_by_token(token)
    if earlier is not None:
        if earlier.project_id != project.id:  # pragma: no cover - tokens are per project
            abort(problem(409, "This Idempotency-Key was already used for another project."))
        return earlier, 200
    seen: set[int] = set()
    progress: dict[int, Decimal | None] = {}
    for row in data["progress"]:
        if row["stage_id"] in seen:
            abort(from_rule_error(RuleError("Give each stage once", "progress")))
        seen.add(row["stage_id"])
        progress[row["stage_id"]] = row["percent_complete"]
    checkpoint_data = budget.CheckpointData(
        taken_on=data.get("taken_on") or budget.uk_today(),
        progress=progress,
        note=data["note"],
    )
    with service_call():
        try:
            checkpoint = budget.take_checkpoint(
                project, checkpoint_data, trigger="manual", actor=current_user, token=token
            )
        except RuleError as error:
            if error.field and error.field.startswith("percent_"):
                # The page names one field per stage; here they are the progress list.
                raise RuleError(str(error), "progress") from None
            raise
    return checkpoint
