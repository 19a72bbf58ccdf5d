"""The board's follow-through: conditions of an approval recorded as actions, met with
evidence or waived by the board; the reminders for overdue ones.

Services flush, never commit (the unit of work does). Lock order, as everywhere: the
project, then the record changed.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import event, func, select
from sqlalchemy.exc import IntegrityError

from tracker.audit import services as audit
from tracker.auth.models import User
from tracker.board import documents, rules
from tracker.board.models import (
    DOCUMENT_SUBJECTS,
    ConfidenceAssessment,
    Document,
    GateCondition,
)
from tracker.board.rules import (
    ASSURANCE,
    CONDITION_STATUSES,
    DCA_LABELS,
    ConditionStatus,
    DcaRating,
)
from tracker.core.dates import uk_today
from tracker.core.errors import RuleError, check_version
from tracker.db import utcnow
from tracker.extensions import db
from tracker.notifications.services import notify_all, path_for
from tracker.projects import access
from tracker.projects.models import Project
from tracker.projects.rules import BOARD_ROLES
from tracker.stages import services as stages
from tracker.stages.models import ExceptionReport, GateReview
from tracker.stages.rules import GateDecision

MAX_CONDITIONS = 3


@dataclass(frozen=True)
class ConfidenceData:
    rating: str | None
    rationale: str


@dataclass(frozen=True)
class ConditionData:
    text: str
    owner_id: int | None
    due_on: date | None


def _lock(model, record_id: int):
    return db.session.scalars(
        select(model)
        .where(model.id == record_id)
        .with_for_update(of=model)
        .execution_options(populate_existing=True)
    ).one()


def on_board(user: User, project: Project) -> bool:
    """Whether the person holds a board role on the project (Executive, Senior User,
    Senior Supplier)."""
    return bool(access.project_roles(user, project.id) & set(BOARD_ROLES))


def _check_condition(project: Project, data: ConditionData, number: int) -> None:
    text = (data.text or "").strip()
    if not text:
        raise RuleError(f"Condition {number + 1}: enter what the condition asks for", "conditions")
    if len(text) > 2000:
        raise RuleError(
            f"Condition {number + 1}: a condition is at most 2000 characters", "conditions"
        )
    if data.owner_id is None or not access.team(project.id).roles_of(data.owner_id):
        raise RuleError(
            f"Condition {number + 1}: choose an owner from the project's team", "conditions"
        )
    if data.due_on is None:
        raise RuleError(
            f"Condition {number + 1}: enter the date the condition is due", "conditions"
        )
    if data.due_on < uk_today():
        raise RuleError(f"Condition {number + 1}: the due date cannot be in the past", "conditions")


def decide_gate(
    gate: GateReview,
    *,
    role: str,
    decision: str,
    comment: str,
    conditions: list[ConditionData],
    actor: User,
    confidence: ConfidenceData | None = None,
    free_text_allowed: bool = False,
) -> GateReview:
    """Record a board member's decision and, for an approval with conditions, each
    condition as an action with an owner and a due date (in the same transaction: a
    refused decision keeps no condition, a refused condition keeps no decision). With
    ``free_text_allowed`` (the API), an approval with conditions given only as a comment
    becomes one action owned by the project manager. With ``confidence``, the member's
    Delivery Confidence Assessment is recorded with the decision."""
    if confidence is not None:
        _check_confidence(confidence)
    conditions = [c for c in conditions if (c.text or "").strip()]
    if decision == GateDecision.APPROVE_WITH_CONDITIONS and free_text_allowed and not conditions:
        if confidence is not None:
            _record_confidence(gate.project, confidence, role=role, gate=gate, actor=actor)
        gate = stages.decide_gate(gate, role=role, decision=decision, comment=comment, actor=actor)
        condition_from_free_text(gate, role=role, text=comment, actor=actor)
        return gate
    if decision == GateDecision.APPROVE_WITH_CONDITIONS:
        if not conditions:
            raise RuleError("Add at least one condition, with its owner and due date", "conditions")
        if len(conditions) > MAX_CONDITIONS:
            raise RuleError(f"At most {MAX_CONDITIONS} conditions per decision", "conditions")
        for number, condition in enumerate(conditions):
            _check_condition(gate.project, condition, number)
        listed = "; ".join(c.text.strip() for c in conditions)
        comment = f"{comment.strip()}\n{listed}".strip() if comment.strip() else listed
    elif conditions:
        raise RuleError("Conditions go with “approve with conditions” only", "decision")
    # Written before the decision, so that the gate's resolution (inside decide_gate) finds
    # them and does not turn the same conditions into actions a second time.
    for c in conditions:
        condition = GateCondition(
            project_id=gate.project_id,
            gate_id=gate.id,
            set_by_role=role,
            set_by_id=actor.id,
            text=c.text.strip(),
            owner_id=c.owner_id,
            due_on=c.due_on,
            status=ConditionStatus.OPEN,
        )
        db.session.add(condition)
        db.session.flush()
        audit.record(
            "condition.set",
            condition,
            project_id=gate.project_id,
            summary=f"{stages.role_label(role)} set a condition on {stages.gate_title(gate)}: "
            f"{condition.text[:80]}",
            changes={
                "gate_id": gate.id,
                "owner_id": condition.owner_id,
                "due_on": condition.due_on.isoformat(),
            },
            actor=actor,
        )
    # The rating is taken with the decision, before the gate resolves: "the rating at the
    # last gate" is then the latest one up to its resolution. A refused decision keeps none.
    if confidence is not None:
        _record_confidence(gate.project, confidence, role=role, gate=gate, actor=actor)
    return stages.decide_gate(gate, role=role, decision=decision, comment=comment, actor=actor)


def condition_from_free_text(
    gate: GateReview, *, role: str, text: str, actor: User
) -> GateCondition | None:
    """An approval with conditions given as free text (the gate page, the API without
    structured conditions) becomes one action, owned by the project manager and due
    ``CONDITION_DUE_DAYS`` later; the owner or the board may change nothing but its status,
    so a board wanting another owner or date sets the conditions on the evidence page."""
    text = (text or "").strip()
    managers = access.team(gate.project_id).holders(["project_manager"])
    if not text or not managers:
        return None
    due_on = uk_today() + timedelta(days=current_app.config["CONDITION_DUE_DAYS"])
    condition = GateCondition(
        project_id=gate.project_id,
        gate_id=gate.id,
        set_by_role=role,
        set_by_id=actor.id,
        text=text,
        owner_id=managers[0].id,
        due_on=due_on,
        status=ConditionStatus.OPEN,
    )
    db.session.add(condition)
    db.session.flush()
    audit.record(
        "condition.set",
        condition,
        project_id=gate.project_id,
        summary=f"{stages.role_label(role)}'s condition on {stages.gate_title(gate)} recorded "
        f"as an action for {managers[0].name}, due {due_on.isoformat()}",
        changes={"gate_id": gate.id, "owner_id": managers[0].id, "due_on": due_on.isoformat()},
        actor=actor,
    )
    return condition


def settle_condition(
    condition: GateCondition,
    *,
    status: str,
    explanation: str,
    version: int | None,
    actor: User,
) -> GateCondition:
    """Mark a condition met (with evidence) or waived (by the board, with a reason)."""
    project = _lock(Project, condition.project_id)
    condition = _lock(GateCondition, condition.id)
    check_version(condition, version)
    is_owner_or_manager = condition.owner_id == actor.id or access.can_manage(actor, project)
    refusal = rules.resolution_refusal(
        condition.status,
        status,
        explanation=explanation or "",
        on_board=on_board(actor, project),
        is_owner_or_manager=is_owner_or_manager,
    )
    if refusal is not None:
        message, field = refusal
        raise RuleError(message, field)
    before = condition.status
    condition.status = ConditionStatus(status)
    condition.explanation = explanation.strip()
    condition.resolved_by_id = actor.id
    condition.resolved_at = utcnow()
    db.session.flush()
    audit.record(
        f"condition.{status}",
        condition,
        project_id=project.id,
        summary=f"Condition {CONDITION_STATUSES[condition.status].lower()}: {condition.text[:80]}",
        changes={"status": [before, condition.status], "explanation": condition.explanation},
        actor=actor,
    )
    return condition


def open_conditions_blocking(project: Project) -> str | None:
    """Why the next gate cannot be requested: conditions of approved gates still open."""
    rows = db.session.execute(
        select(GateCondition.id, GateReview)
        .join(GateReview, GateReview.id == GateCondition.gate_id)
        .where(
            GateCondition.project_id == project.id,
            GateCondition.status == ConditionStatus.OPEN,
            GateReview.status.in_(stages.APPROVED_GATE_STATUSES),
        )
        .order_by(GateReview.requested_at.desc())
    ).all()
    if not rows:
        return None
    return rules.blocking_message(len(rows), stages.gate_title(rows[0][1]))


# --------------------------------------------------------------------------------------
# Delivery Confidence Assessment
# --------------------------------------------------------------------------------------


def _check_confidence(data: ConfidenceData) -> None:
    if data.rating not in tuple(DcaRating):
        raise RuleError("Choose a delivery confidence rating", "rating")
    rationale = (data.rationale or "").strip()
    if len(rationale) < rules.MIN_EXPLANATION:
        raise RuleError("Give the rationale for your rating (at least 10 characters)", "rationale")
    if len(rationale) > 5000:
        raise RuleError("The rationale is at most 5000 characters", "rationale")


def _previous_rating(project_id: int, *, role: str, assessed_by_id: int) -> str | None:
    """The last rating this person gave on the project (or the PMO's last assurance one)."""
    query = select(ConfidenceAssessment.rating).where(ConfidenceAssessment.project_id == project_id)
    if role == ASSURANCE:
        query = query.where(ConfidenceAssessment.role == ASSURANCE)
    else:
        query = query.where(
            ConfidenceAssessment.assessed_by_id == assessed_by_id,
            ConfidenceAssessment.role != ASSURANCE,
        )
    return db.session.scalar(
        query.order_by(ConfidenceAssessment.assessed_at.desc(), ConfidenceAssessment.id.desc())
    )


def _record_confidence(
    project: Project, data: ConfidenceData, *, role: str, gate: GateReview | None, actor: User
) -> ConfidenceAssessment:
    before = _previous_rating(project.id, role=role, assessed_by_id=actor.id)
    assessment = ConfidenceAssessment(
        project_id=project.id,
        gate_id=gate.id if gate is not None else None,
        role=role,
        rating=DcaRating(data.rating),
        rationale=data.rationale.strip(),
        assessed_by_id=actor.id,
        assessed_at=utcnow(),
    )
    db.session.add(assessment)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise RuleError("You have already rated your confidence at this gate.") from None
    where = stages.gate_title(gate) if gate is not None else "independent assurance"
    audit.record(
        "confidence.recorded",
        assessment,
        project_id=project.id,
        summary=f"Delivery confidence {DCA_LABELS[assessment.rating]} ({where}), "
        f"by {actor.name} as {_role_label(role)}",
        changes={
            "rating": [before, assessment.rating],
            "role": role,
            "gate_id": assessment.gate_id,
        },
        actor=actor,
    )
    if rules.turned_red(before, assessment.rating):
        _tell_board_of_red(project, assessment, actor)
    return assessment


def _role_label(role: str) -> str:
    return "independent assurance (PMO)" if role == ASSURANCE else stages.role_label(role)


def _tell_board_of_red(project: Project, assessment: ConfidenceAssessment, actor: User) -> None:
    """A rating turning Red reaches the board once: when it is recorded."""
    people = [p for p in access.team(project.id).holders(BOARD_ROLES) if p.id != actor.id]
    notify_all(
        people,
        "dca_red",
        f"{project.code}: delivery confidence turned Red",
        f"{actor.name}, as {_role_label(assessment.role)}, rated delivery confidence in "
        f"{project.code} {project.name} Red: {assessment.rationale[:300]}",
        link=path_for("board.show_confidence", project_id=project.id),
        project_id=project.id,
    )


def record_assurance(
    project: Project, data: ConfidenceData, *, actor: User
) -> ConfidenceAssessment:
    """The PMO's independent Delivery Confidence Assessment, at any time."""
    if not actor.is_pmo:
        raise RuleError("Only the PMO records an independent assurance rating.")
    _check_confidence(data)
    _lock(Project, project.id)
    return _record_confidence(project, data, role=ASSURANCE, gate=None, actor=actor)


# --------------------------------------------------------------------------------------
# Documents
# --------------------------------------------------------------------------------------


def documents_folder() -> Path:
    configured = current_app.config.get("DOCUMENTS_PATH")
    folder = Path(configured) if configured else Path(current_app.instance_path) / "documents"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def document_path(document: Document) -> Path:
    return documents_folder() / document.storage_key


def attach_document(
    project: Project,
    *,
    subject: str,
    record_id: int | None,
    title: str,
    filename: str,
    content: bytes,
    actor: User,
    change=None,
) -> Document:
    """Check the file by its content, store it, and record it as the next version of the
    title on its subject. The file is written before the row; if the transaction then fails,
    an orphan file is left, never a row without its file.

    A change request (``tracker.changes``, a domain above this one) is passed in loaded, as
    ``change``, by the change's own page; it must be this project's."""
    title = (title or "").strip()
    if not title:
        raise RuleError("Enter a title, such as “Business case”", "title")
    if len(title) > 200:
        raise RuleError("The title is at most 200 characters", "title")
    if subject not in DOCUMENT_SUBJECTS:
        raise RuleError("Choose what the document is for", "subject")
    checked = documents.check(filename, content, current_app.config["DOCUMENT_MAX_BYTES"])
    if isinstance(checked, str):
        raise RuleError(checked, "file")
    gate_id = exception_id = change_id = None
    if subject == "change":
        if change is None or change.project_id != project.id:
            raise RuleError("Choose one of this project's change requests", "subject")
        change_id = change.id
    elif subject == "gate":
        gate = db.session.get(GateReview, record_id) if record_id else None
        if gate is None or gate.project_id != project.id:
            raise RuleError("Choose one of this project's gates", "subject")
        gate_id = gate.id
    elif subject == "exception":
        report = db.session.get(ExceptionReport, record_id) if record_id else None
        if report is None or report.project_id != project.id:
            raise RuleError("Choose one of this project's exception reports", "subject")
        exception_id = report.id
    _lock(Project, project.id)  # versions of one title are numbered one at a time
    latest = db.session.scalar(
        select(func.max(Document.version)).where(
            Document.project_id == project.id,
            Document.subject == subject,
            Document.gate_id.is_(None) if gate_id is None else Document.gate_id == gate_id,
            Document.exception_id.is_(None)
            if exception_id is None
            else Document.exception_id == exception_id,
            Document.change_id.is_(None) if change_id is None else Document.change_id == change_id,
            func.lower(Document.title) == title.lower(),
        )
    )
    digest = hashlib.sha256(content).hexdigest()
    key = f"{uuid.uuid4().hex}.{checked.extension}"
    (documents_folder() / key).write_bytes(content)
    safe_name = Path(filename or "").name.replace('"', "")[:200] or f"document.{checked.extension}"
    document = Document(
        project_id=project.id,
        subject=subject,
        gate_id=gate_id,
        exception_id=exception_id,
        change_id=change_id,
        title=title,
        version=(latest or 0) + 1,
        filename=safe_name,
        content_type=checked.content_type,
        size_bytes=len(content),
        sha256=digest,
        storage_key=key,
        uploaded_by_id=actor.id,
        uploaded_at=utcnow(),
    )
    db.session.add(document)
    db.session.flush()
    audit.record(
        "document.attached",
        document,
        project_id=project.id,
        summary=f"Attached “{title}” version {document.version} ({safe_name})",
        changes={
            "subject": subject,
            "gate_id": gate_id,
            "exception_id": exception_id,
            "change_id": change_id,
            "sha256": digest,
            "size_bytes": len(content),
            "content_type": checked.content_type,
        },
        actor=actor,
    )
    return document


def delete_document(document: Document, *, actor: User) -> Document:
    """Remove the file; keep the row, marked deleted, so the audit trail still names it."""
    _lock(Project, document.project_id)
    document = _lock(Document, document.id)
    if document.deleted_at is not None:
        raise RuleError("This document has already been deleted.")
    document.deleted_at = utcnow()
    document.deleted_by_id = actor.id
    db.session.flush()
    audit.record(
        "document.deleted",
        document,
        project_id=document.project_id,
        summary=f"Deleted “{document.title}” version {document.version}",
        changes={"sha256": document.sha256},
        actor=actor,
    )
    path = document_path(document)
    # Only once the deletion is committed: a rolled-back deletion keeps its file.
    event.listen(
        db.session(), "after_commit", lambda _session: path.unlink(missing_ok=True), once=True
    )
    return document
