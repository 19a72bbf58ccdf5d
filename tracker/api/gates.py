"""Gate reviews (end-stage assessments): read them with the board's decisions so far, and
decide one as a board role you hold. Deciding a gate that is already resolved, or a role
deciding twice, is a conflict (409)."""

from __future__ import annotations

import marshmallow as ma
from flask import abort
from flask_login import current_user

from tracker.api.core import Choice, Schema, Text, for_project, get_or_404, resource, service_call
from tracker.api.problems import from_rule_error
from tracker.auth.access import forbid
from tracker.core.errors import RuleError
from tracker.projects.access import has_role
from tracker.projects.rules import BOARD_ROLES
from tracker.stages import queries
from tracker.stages import services as stages
from tracker.stages.models import GATE_DECISIONS, GATE_STATUSES, GateReview

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
    status = ma.fields.String(required=True, metadata={"enum": list(GATE_STATUSES)})
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
        metadata={"description": "Required for approval with conditions and for rejection."},
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


def _on_the_board(user, project) -> bool:
    return has_role(user, project, *BOARD_ROLES)


@blp.post("/projects/<id:project_id>/gates/<id:gate_id>/decisions")
@for_project(rule=_on_the_board)
@blp.arguments(GateDecideSchema)
@blp.response(201, GateSchema)
def decide_gate(data, project, gate_id: int):
    """Record your decision as a required board role; the gate resolves by its rule."""
    gate = get_or_404(GateReview, gate_id, project=project)
    if not stages.can_decide_gate(current_user, gate):
        forbid()
    role = data.get("role")
    if role is None:
        held = [r for r in gate.roles if r in stages.roles_held(current_user, project)]
        if len(held) != 1:
            abort(
                from_rule_error(
                    RuleError("You hold several of this gate's board roles: say which", "role")
                )
            )
        role = held[0]
    with service_call():
        gate = stages.decide_gate(
            gate,
            role=role,
            decision=data["decision"],
            comment=data["comment"],
            actor=current_user,
        )
    return gate
