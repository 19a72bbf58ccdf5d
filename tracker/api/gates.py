"""Gate reviews (end-stage assessments): the manager requests the next one, the board reads
it with the decisions so far and decides it as a board role they hold, and the Executive
may close the project early at a waiting gate. Requesting a gate when none can be requested,
deciding a gate that is already resolved, or a role deciding twice, is a conflict (409)."""

from __future__ import annotations

import marshmallow as ma
from flask import abort
from flask_login import current_user

from tracker.api.board import ConfidenceCreateSchema
from tracker.api.core import (
    Choice,
    Day,
    Schema,
    Text,
    for_project,
    get_or_404,
    resource,
    service_call,
    values,
)
from tracker.api.problems import from_rule_error
from tracker.auth.access import forbid
from tracker.board import services as board
from tracker.core.errors import RuleError
from tracker.projects.access import has_role, refused
from tracker.projects.rules import BOARD_ROLES
from tracker.stages import access as stage_access
from tracker.stages import queries
from tracker.stages import services as stages
from tracker.stages.models import GATE_DECISIONS, GateReview
from tracker.stages.rules import GateStatus

blp = resource("gates", "Gate reviews and the board's decisions.")


class GateDecisionSchema(Schema):
    id = ma.fields.Integer(required=True)
    role = ma.fields.String(required=True, metadata={"enum": list(BOARD_ROLES)})
    decision = ma.fields.String(required=True, metadata={"enum": list(GATE_DECISIONS)})
    comment = ma.fields.String(required=True)
    decided_by_id = ma.fields.Integer(required=True)
    decided_at = ma.fields.AwareDateTime(required=True)


class GateSchema(Schema):
    id = ma.fields.Integer(required=True)
    project_id = ma.fields.Integer(required=True)
    title = ma.fields.Function(stages.gate_title, required=True, metadata={"type": "string"})
    boundary = ma.fields.Integer(required=True)
    round = ma.fields.Integer(required=True)
    status = ma.fields.String(required=True, metadata={"enum": values(GateStatus)})
    closes_stage_id = ma.fields.Integer(required=True, allow_none=True)
    authorises_stage_id = ma.fields.Integer(required=True, allow_none=True)
    requested_by_id = ma.fields.Integer(required=True)
    requested_at = ma.fields.AwareDateTime(required=True)
    required_roles = ma.fields.List(
        ma.fields.String(metadata={"enum": list(BOARD_ROLES)}), required=True, attribute="roles"
    )
    delivered_vs_plan = ma.fields.String(required=True)
    forecast = ma.fields.String(required=True)
    lessons = ma.fields.String(required=True)
    next_stage_plan = ma.fields.String(required=True)
    business_case_justified = ma.fields.Boolean(required=True)
    conditions = ma.fields.String(required=True, allow_none=True)
    outcome_note = ma.fields.String(required=True, allow_none=True)
    resolved_at = ma.fields.AwareDateTime(required=True, allow_none=True)
    decisions = ma.fields.List(ma.fields.Nested(GateDecisionSchema), required=True)
    version = ma.fields.Integer(required=True)


class GateListSchema(Schema):
    items = ma.fields.List(ma.fields.Nested(GateSchema), required=True)


LONG_TEXT = ma.validate.Length(min=1, max=5000, error="Must be 1 to 5000 characters")


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ma.ValidationError("Must not be blank")


class GateRequestSchema(Schema):
    """The end-stage report the board decides on (the gate request form's fields)."""

    delivered_vs_plan = Text(
        required=True,
        validate=[LONG_TEXT, _not_blank],
        metadata={"description": "Products delivered, dates and costs against the stage plan."},
    )
    forecast = Text(
        required=True,
        validate=[LONG_TEXT, _not_blank],
        metadata={"description": "For the rest of the project: finish, cost, stated targets."},
    )
    lessons = Text(required=True, validate=[LONG_TEXT, _not_blank])
    next_stage_plan = Text(
        required=True,
        validate=[LONG_TEXT, _not_blank],
        metadata={"description": "A summary of the next stage plan, or the closure plan."},
    )
    business_case_justified = ma.fields.Boolean(required=True, truthy={True}, falsy={False})


class CloseEarlySchema(Schema):
    reason = Text(required=True, validate=[LONG_TEXT, _not_blank])


class ConditionInputSchema(Schema):
    text = Text(required=True, validate=ma.validate.Length(min=1, max=2000))
    owner_id = ma.fields.Integer(required=True, metadata={"description": "On the team."})
    due_on = Day(required=True)


class GateDecideSchema(Schema):
    role = Choice(
        BOARD_ROLES,
        metadata={
            "description": "The board role you decide as. May be left out when you hold "
            "only one of the gate's required roles."
        },
    )
    decision = Choice(GATE_DECISIONS, required=True)
    comment = Text(
        load_default="",
        validate=ma.validate.Length(max=5000),
        metadata={
            "description": "Required for rejection, and for approval with conditions when "
            "`conditions` is not given (the comment then becomes one condition, owned by the "
            "project manager)."
        },
    )
    conditions = ma.fields.List(
        ma.fields.Nested(ConditionInputSchema),
        load_default=list,
        validate=ma.validate.Length(max=3),
        metadata={"description": "For approval with conditions: each an action (up to 3)."},
    )
    confidence = ma.fields.Nested(
        ConfidenceCreateSchema,
        load_default=None,
        allow_none=True,
        metadata={"description": "Your Delivery Confidence Assessment, with the decision."},
    )


@blp.get("/projects/<id:project_id>/gates")
@for_project()
@blp.response(200, GateListSchema)
def list_gates(project):
    """The project's gate reviews by boundary and round (few per project: not paginated)."""
    return {"items": queries.gates_of(project)}


@blp.get("/projects/<id:project_id>/gates/<id:gate_id>")
@for_project()
@blp.response(200, GateSchema)
def get_gate(project, gate_id: int):
    """One gate review with the decisions recorded so far."""
    return get_or_404(GateReview, gate_id, project=project)


@blp.post("/projects/<id:project_id>/gates")
@for_project(manage=True)
@blp.arguments(GateRequestSchema)
@blp.response(201, GateSchema)
def request_gate(data, project):
    """Request the project's next gate decision (the regime decides which boundary and which
    board roles). Manager or PMO. 409 when no gate can be requested now: no stages yet, a
    gate already waiting, the stage to close not active, a required board role unfilled."""
    with service_call():
        gate = stages.request_gate(project, stages.GateRequestData(**data), actor=current_user)
    return gate


def _executive(user, project) -> bool:
    if stage_access.can_close_early(user, project):
        return True
    refused("early closure", project=project.id)
    return False


@blp.post("/projects/<id:project_id>/gates/<id:gate_id>/close-project")
@for_project(rule=_executive)
@blp.arguments(CloseEarlySchema)
@blp.response(200, GateSchema)
def close_project_early(data, project, gate_id: int):
    """As the project's Executive, close the project early at a waiting gate: its stages
    close, and waiting gates and exceptions are closed with it. 409 if the gate is already
    decided or the project closed."""
    gate = get_or_404(GateReview, gate_id, project=project)
    with service_call():
        stages.close_project_early(project, reason=data["reason"], actor=current_user, gate=gate)
    return get_or_404(GateReview, gate_id, project=project)


def _on_the_board(user, project) -> bool:
    return has_role(user, project, *BOARD_ROLES)


@blp.post("/projects/<id:project_id>/gates/<id:gate_id>/decisions")
@for_project(rule=_on_the_board)
@blp.arguments(GateDecideSchema)
@blp.response(201, GateSchema)
def decide_gate(data, project, gate_id: int):
    """Record your decision as a required board role; the gate resolves by its rule."""
    gate = get_or_404(GateReview, gate_id, project=project)
    held = [r for r in gate.roles if r in stages.roles_held(current_user, project)]
    role = data.get("role")
    if not held or (role is not None and role not in held):
        refused("gate decision", project=project.id, gate=gate.id, role=role)
        forbid(
            f"You do not hold the {stages.role_label(role)} role on this project's board."
            if role
            else "Only the board members this gate was requested from can decide it."
        )
    if gate.requested_by_id == current_user.id:
        refused("gate decision", project=project.id, gate=gate.id, reason="requester")
        forbid(stage_access.gate_refusal(current_user, gate))
    if role is None:
        held = stages.undecided_roles(current_user, gate) or held
        if len(held) != 1:
            abort(
                from_rule_error(
                    RuleError("You hold several of this gate's board roles: say which", "role")
                )
            )
        role = held[0]
    confidence = data.get("confidence")
    with service_call():
        # The board's service: conditions become actions, a rating is recorded with it.
        gate = board.decide_gate(
            gate,
            role=role,
            decision=data["decision"],
            comment=data["comment"],
            conditions=[board.ConditionData(**c) for c in data["conditions"]],
            confidence=board.ConfidenceData(**confidence) if confidence else None,
            free_text_allowed=True,
            actor=current_user,
        )
    return gate
