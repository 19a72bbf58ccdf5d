"""What the board decides from and follows up: the evidence assembled for a gate, the
conditions of approvals (list, read, mark met with evidence or waive), and Delivery
Confidence Assessments (list; the PMO records an independent one). The same access rules
and services as the pages: a condition marked met without evidence, or waived by someone
not on the board, is refused (422, naming the field); a stale version is a conflict (409)."""

from __future__ import annotations

import marshmallow as ma
from flask import abort, request
from flask_login import current_user

from tracker.api.checkpoints import Ratio
from tracker.api.core import (
    Choice,
    Day,
    Money,
    Schema,
    Text,
    for_project,
    get_or_404,
    resource,
    service_call,
    values,
)
from tracker.board import access as board_access
from tracker.board import packs, queries
from tracker.board import services as board
from tracker.board.models import DOCUMENT_SUBJECTS, Document, GateCondition
from tracker.board.rules import ConditionStatus, DcaRating
from tracker.board.views import document_response, pack_filename, pdf_response
from tracker.changes.models import ChangeRequest
from tracker.db import utcnow
from tracker.extensions import db
from tracker.projects.access import refused
from tracker.projects.rules import BOARD_ROLES
from tracker.stages.models import GateReview
from tracker.stages.rules import Rag

blp = resource(
    "board",
    "The board: evidence at a gate, conditions of approvals, delivery confidence assessments.",
)

LONG_TEXT = ma.validate.Length(min=1, max=5000, error="Must be 1 to 5000 characters")


class ConditionSchema(Schema):
    id = ma.fields.Integer(required=True)
    project_id = ma.fields.Integer(required=True)
    gate_id = ma.fields.Integer(required=True)
    set_by_role = ma.fields.String(required=True, metadata={"enum": list(BOARD_ROLES)})
    set_by_id = ma.fields.Integer(required=True)
    text = ma.fields.String(required=True)
    owner_id = ma.fields.Integer(required=True)
    due_on = Day(required=True)
    status = ma.fields.String(required=True, metadata={"enum": values(ConditionStatus)})
    explanation = ma.fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "The evidence (met) or the board's reason (waived)."},
    )
    resolved_by_id = ma.fields.Integer(required=True, allow_none=True)
    resolved_at = ma.fields.AwareDateTime(required=True, allow_none=True)
    version = ma.fields.Integer(required=True)


class ConditionListSchema(Schema):
    items = ma.fields.List(ma.fields.Nested(ConditionSchema), required=True)


class ConditionUpdateSchema(Schema):
    status = Choice(
        (ConditionStatus.MET, ConditionStatus.WAIVED),
        required=True,
        metadata={"description": "met (owner, manager or board) or waived (board only)."},
    )
    explanation = Text(
        required=True,
        validate=LONG_TEXT,
        metadata={"description": "The evidence it is met, or the board's reason to waive it."},
    )
    version = ma.fields.Integer(required=True, metadata={"description": "The version you read."})


class ConfidenceSchema(Schema):
    id = ma.fields.Integer(required=True)
    project_id = ma.fields.Integer(required=True)
    gate_id = ma.fields.Integer(
        required=True, allow_none=True, metadata={"description": "None for assurance ratings."}
    )
    role = ma.fields.String(required=True, metadata={"enum": [*BOARD_ROLES, "assurance"]})
    rating = ma.fields.String(required=True, metadata={"enum": values(DcaRating)})
    rationale = ma.fields.String(required=True)
    assessed_by_id = ma.fields.Integer(required=True)
    assessed_at = ma.fields.AwareDateTime(required=True)


class ConfidenceListSchema(Schema):
    items = ma.fields.List(ma.fields.Nested(ConfidenceSchema), required=True)


class ConfidenceCreateSchema(Schema):
    rating = Choice(DcaRating, required=True)
    rationale = Text(required=True, validate=LONG_TEXT)


class ToleranceSchema(Schema):
    dimension = ma.fields.String(required=True)
    status = ma.fields.String(required=True)
    limit = ma.fields.String(required=True)
    forecast = ma.fields.String(required=True)


class BudgetEvidenceSchema(Schema):
    checkpoint_id = ma.fields.Integer(required=True)
    taken_on = Day(required=True)
    bac = Money(required=True)
    ac = Money(required=True)
    eac = Money(required=True, allow_none=True)
    cpi = Ratio(required=True)
    spi = Ratio(required=True)
    status = ma.fields.String(required=True, allow_none=True)
    cpi_trend = ma.fields.String(required=True)
    spi_trend = ma.fields.String(required=True)


class RiskEvidenceSchema(Schema):
    id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    owner_id = ma.fields.Integer(required=True)
    created_at = ma.fields.AwareDateTime(required=True)


class SectionSchema(Schema):
    title = ma.fields.String(required=True)
    lines = ma.fields.List(ma.fields.String(), required=True)


class FeedbackEvidenceSchema(Schema):
    entries = ma.fields.Integer(required=True)
    loops_closed = ma.fields.Integer(required=True)
    loops_open = ma.fields.Integer(required=True)
    mean_rating = ma.fields.Float(required=True, allow_none=True)
    latest_at = ma.fields.AwareDateTime(required=True, allow_none=True)


class HighlightEvidenceSchema(Schema):
    id = ma.fields.Integer(required=True)
    period_start = Day(required=True)
    period_end = Day(required=True)
    overall_status = ma.fields.String(required=True, metadata={"enum": values(Rag)})
    reported_at = ma.fields.AwareDateTime(required=True)


class EvidenceSchema(Schema):
    gate_id = ma.fields.Integer(required=True)
    taken_at = ma.fields.AwareDateTime(required=True)
    since = ma.fields.AwareDateTime(
        required=True,
        allow_none=True,
        metadata={"description": "When the last gate was decided (None: the first gate)."},
    )
    stage_id = ma.fields.Integer(required=True, allow_none=True)
    tolerances = ma.fields.List(ma.fields.Nested(ToleranceSchema), required=True)
    tolerances_at = ma.fields.AwareDateTime(required=True, allow_none=True)
    budget = ma.fields.Nested(BudgetEvidenceSchema, required=True, allow_none=True)
    risks = ma.fields.List(ma.fields.Nested(RiskEvidenceSchema), required=True)
    sections = ma.fields.List(ma.fields.Nested(SectionSchema), required=True)
    feedback = ma.fields.Nested(FeedbackEvidenceSchema, required=True)
    highlights = ma.fields.List(ma.fields.Nested(HighlightEvidenceSchema), required=True)
    open_conditions = ma.fields.List(ma.fields.Nested(ConditionSchema), required=True)
    conditions = ma.fields.List(ma.fields.Nested(ConditionSchema), required=True)


def _evidence_document(gate: GateReview, project) -> dict:
    stage = gate.closes_stage or gate.authorises_stage
    found = queries.evidence(
        project,
        stage=stage,
        requested_at=gate.requested_at,
        this_gate_id=gate.id,
        now=utcnow(),
    )
    latest = found.latest_checkpoint
    return {
        "gate_id": gate.id,
        "taken_at": found.taken_at,
        "since": found.since,
        "stage_id": stage.id if stage else None,
        "tolerances": [
            {
                "dimension": t.dimension.value,
                "status": t.status.value,
                "limit": t.limit,
                "forecast": t.forecast,
            }
            for t in found.tolerances
        ],
        "tolerances_at": found.tolerances_at,
        "budget": None
        if latest is None
        else {
            "checkpoint_id": latest.id,
            "taken_on": latest.taken_on,
            "bac": latest.bac,
            "ac": latest.ac,
            "eac": latest.eac,
            "cpi": latest.cpi,
            "spi": latest.spi,
            "status": latest.status,
            "cpi_trend": found.trend["cpi"],
            "spi_trend": found.trend["spi"],
        },
        "risks": found.risks,
        "sections": [
            {"title": s["title"], "lines": [str(line) for line in s.get("lines") or []]}
            for s in found.sections
        ],
        "feedback": found.feedback,
        "highlights": found.highlights,
        "open_conditions": found.conditions,
        "conditions": found.this_gate,
    }


@blp.get("/projects/<id:project_id>/gates/<id:gate_id>/evidence")
@for_project()
@blp.response(200, EvidenceSchema)
def get_gate_evidence(project, gate_id: int):
    """Everything the board reads before deciding the gate, as on its evidence page: the
    seven targets, the latest budget checkpoint and its trend, open risks (and the risk and
    issue registers' sections), feedback and highlight reports since the last gate, open
    conditions of earlier gates and this gate's conditions, with when each was taken."""
    return _evidence_document(get_or_404(GateReview, gate_id, project=project), project)


@blp.get("/projects/<id:project_id>/conditions")
@for_project()
@blp.response(200, ConditionListSchema)
def list_conditions(project):
    """The conditions of the project's approved gates: open first, then by due date."""
    return {"items": [condition for condition, _ in queries.project_conditions(project.id)]}


@blp.get("/projects/<id:project_id>/conditions/<id:condition_id>")
@for_project()
@blp.response(200, ConditionSchema)
def get_condition(project, condition_id: int):
    return get_or_404(GateCondition, condition_id, project=project)


def _may_settle(user, project) -> bool:
    """Checked before the body is read: the condition's owner, the manager or the board."""
    condition = get_or_404(GateCondition, request.view_args["condition_id"], project=project)
    if board_access.can_settle(user, condition, project):
        return True
    refused("condition", project=project.id, condition=condition.id)
    return False


@blp.patch("/projects/<id:project_id>/conditions/<id:condition_id>")
@for_project(rule=_may_settle)
@blp.arguments(ConditionUpdateSchema)
@blp.response(200, ConditionSchema)
def update_condition(data, project, condition_id: int):
    """Mark a condition met with the evidence (its owner, the project manager or PMO, or a
    board member) or waive it with the board's reason (a board member only). 422 when it
    is already settled, the evidence or reason is missing or too short, or a waiver does not
    come from the board; 409 when the version is stale."""
    condition = get_or_404(GateCondition, condition_id, project=project)
    with service_call():
        board.settle_condition(
            condition,
            status=data["status"],
            explanation=data["explanation"],
            version=data["version"],
            actor=current_user,
        )
    return get_or_404(GateCondition, condition_id, project=project)


@blp.get("/projects/<id:project_id>/confidence-assessments")
@for_project()
@blp.response(200, ConfidenceListSchema)
def list_confidence_assessments(project):
    """Every Delivery Confidence Assessment on the project, oldest first: each board
    member's at each gate and the PMO's independent ones (never averaged)."""
    confidence = queries.project_confidence(project.id)
    rows = [r for occasion in confidence["occasions"] for r in occasion["ratings"]]
    return {"items": sorted(rows, key=lambda r: (r.assessed_at, r.id))}


def _pmo(user, project) -> bool:
    if user.is_pmo:
        return True
    refused("assurance rating", project=project.id)
    return False


@blp.post("/projects/<id:project_id>/confidence-assessments")
@for_project(rule=_pmo)
@blp.arguments(ConfidenceCreateSchema)
@blp.response(201, ConfidenceSchema)
def create_confidence_assessment(data, project):
    """Record the PMO's independent assurance rating (PMO only). Board members rate with
    their decision: ``confidence`` on ``POST .../gates/{gate_id}/decisions``."""
    with service_call():
        rating = board.record_assurance(
            project,
            board.ConfidenceData(rating=data["rating"], rationale=data["rationale"]),
            actor=current_user,
        )
    return rating


# --------------------------------------------------------------------------------------
# Documents
# --------------------------------------------------------------------------------------


class DocumentSchema(Schema):
    id = ma.fields.Integer(required=True)
    project_id = ma.fields.Integer(required=True)
    subject = ma.fields.String(required=True, metadata={"enum": list(DOCUMENT_SUBJECTS)})
    gate_id = ma.fields.Integer(required=True, allow_none=True)
    exception_id = ma.fields.Integer(required=True, allow_none=True)
    change_id = ma.fields.Integer(required=True, allow_none=True)
    title = ma.fields.String(required=True)
    version = ma.fields.Integer(required=True)
    filename = ma.fields.String(required=True)
    content_type = ma.fields.String(required=True)
    size_bytes = ma.fields.Integer(required=True)
    sha256 = ma.fields.String(required=True)
    uploaded_by_id = ma.fields.Integer(required=True)
    uploaded_at = ma.fields.AwareDateTime(required=True)


class DocumentListSchema(Schema):
    items = ma.fields.List(ma.fields.Nested(DocumentSchema), required=True)


class DocumentUploadSchema(Schema):
    title = Text(required=True, validate=ma.validate.Length(min=1, max=200))
    subject = Choice(DOCUMENT_SUBJECTS, load_default="project")
    record_id = ma.fields.Integer(
        load_default=None,
        allow_none=True,
        metadata={
            "description": "The gate's, exception report's or change request's id, for those "
            "subjects."
        },
    )


class DocumentFileSchema(Schema):
    file = ma.fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


@blp.get("/projects/<id:project_id>/documents")
@for_project()
@blp.response(200, DocumentListSchema)
def list_documents(project):
    """The project's documents not deleted (its own, its gates' and exceptions'), every
    version."""
    return {"items": [d for d in queries.project_documents(project.id) if d.deleted_at is None]}


@blp.post("/projects/<id:project_id>/documents")
@for_project(manage=True)
@blp.arguments(DocumentUploadSchema, location="form")
@blp.arguments(DocumentFileSchema, location="files")
@blp.response(201, DocumentSchema)
def upload_document(data, files, project):
    """Attach a file (multipart form: ``title``, ``subject``, ``record_id``, ``file``).
    Manager or PMO. The type is checked by content against the allowed list and the size
    limit; a refused file is a 422 naming why."""
    upload = files["file"]
    change = None
    if data["subject"] == "change" and data["record_id"] is not None:
        change = db.session.get(ChangeRequest, data["record_id"])
    with service_call():
        document = board.attach_document(
            project,
            subject=data["subject"],
            record_id=data["record_id"],
            change=change,
            title=data["title"],
            filename=getattr(upload, "filename", "") or "",
            content=upload.read() if hasattr(upload, "read") else b"",
            actor=current_user,
        )
    return document


@blp.get("/projects/<id:project_id>/documents/<id:document_id>")
@for_project()
@blp.response(
    200,
    content_type="application/octet-stream",
    description="The file, as an attachment (never rendered inline).",
)
def download_document(project, document_id: int):
    document = get_or_404(Document, document_id, project=project)
    if document.deleted_at is not None:
        abort(404)
    return document_response(document)


class PackSchema(Schema):
    id = ma.fields.Integer(required=True)
    gate_id = ma.fields.Integer(required=True)
    moment = ma.fields.String(
        required=True, metadata={"enum": ["requested", "resolved", "on_demand"]}
    )
    sha256 = ma.fields.String(
        required=True, metadata={"description": "Also written to the audit trail."}
    )
    size_bytes = ma.fields.Integer(required=True)
    created_at = ma.fields.DateTime(required=True)


@blp.get("/projects/<id:project_id>/gates/<id:gate_id>/pack")
@for_project()
@blp.response(
    200,
    content_type="application/pdf",
    description="The board pack rendered now (not stored), as an attachment.",
)
def download_pack(project, gate_id: int):
    """The gate's board pack as it is now: the request, the evidence, the conditions, the
    documents' list and the decisions so far, as a tagged PDF. 503 if it fails to render."""
    gate = get_or_404(GateReview, gate_id, project=project)
    try:
        content = packs.render_pack(gate)
    except Exception:
        abort(503, "The board pack could not be rendered; the gate is unchanged.")
    return pdf_response(content, pack_filename(project, gate, "now"))


@blp.post("/projects/<id:project_id>/gates/<id:gate_id>/pack")
@for_project()
@blp.response(201, PackSchema)
def build_pack(project, gate_id: int):
    """Render and freeze the gate's board pack now: stored, its SHA-256 in the audit trail
    (packs are also frozen when the gate is requested and when it resolves). 503 if it
    fails to render (nothing is recorded)."""
    gate = get_or_404(GateReview, gate_id, project=project)
    with service_call():
        frozen = packs.freeze_quietly(gate, moment="on_demand", actor=current_user)
    if frozen is None:
        abort(503, "The board pack could not be rendered; the gate is unchanged.")
    return frozen
