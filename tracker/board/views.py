"""The evidence the board reads at a gate or exception, its decision with conditions, and
the conditions followed to done: load, check access, call a service, render."""

from __future__ import annotations

import io

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from sqlalchemy import and_, select
from sqlalchemy.orm import joinedload

from tracker.auth.access import forbid
from tracker.board import access as board_access
from tracker.board import bp, packs, queries
from tracker.board import services as board
from tracker.board.documents import ALLOWED_LABEL
from tracker.board.forms import (
    AssuranceForm,
    BoardDecisionForm,
    DocumentForm,
    SettleConditionForm,
)
from tracker.board.models import BoardPack, Document, GateCondition, PackRequest
from tracker.board.rules import CONDITION_STATUSES, DCA_DEFINITIONS, DCA_LABELS
from tracker.core.dates import uk_today
from tracker.core.fields import record_id
from tracker.core.pdf import pdf_response
from tracker.core.unit_of_work import form_work
from tracker.db import utcnow
from tracker.extensions import db
from tracker.methods.model import ZONES
from tracker.projects.access import can_manage, load_project, refused, team
from tracker.projects.rules import DELIVERY_METHODS
from tracker.stages import access as stage_access
from tracker.stages import services as stages
from tracker.stages.models import GATE_DECISIONS, ExceptionReport, GateReview
from tracker.stages.rules import GateStatus

DCA_COLOURS = {
    "green": "green",
    "amber_green": "teal",
    "amber": "yellow",
    "amber_red": "orange",
    "red": "red",
}
CONDITION_COLOURS = {"open": "yellow", "met": "green", "waived": "grey"}
TREND_COLOURS = {"improving": "green", "worsening": "red", "unchanged": "grey"}


@bp.app_context_processor
def board_vocabulary():
    return {
        "CONDITION_STATUSES": CONDITION_STATUSES,
        "CONDITION_COLOURS": CONDITION_COLOURS,
        "TREND_COLOURS": TREND_COLOURS,
        "DCA_LABELS": DCA_LABELS,
        "DCA_DEFINITIONS": DCA_DEFINITIONS,
        "DCA_COLOURS": DCA_COLOURS,
    }


def _record(model, project, record_id: int):
    record = db.session.get(model, record_id)
    if record is None or record.project_id != project.id:
        abort(404)
    return record


def _gate(project, gate_id: int) -> GateReview:
    """The gate with the stages it closes and authorises, in one query (its title and the
    evidence need both)."""
    gate = db.session.scalars(
        select(GateReview)
        .where(GateReview.id == gate_id)
        .options(joinedload(GateReview.closes_stage), joinedload(GateReview.authorises_stage))
    ).first()
    if gate is None or gate.project_id != project.id:
        abort(404)
    return gate


def _gate_and_packs(project, gate_id: int) -> tuple[GateReview, list, list]:
    """The gate as ``_gate`` loads it, with its frozen packs and the packs asked for and not
    built, in the same one query (the evidence page is at its query budget; both lists are
    a handful of rows, so their product is small)."""
    rows = db.session.execute(
        select(GateReview, BoardPack, PackRequest)
        .outerjoin(BoardPack, BoardPack.gate_id == GateReview.id)
        .outerjoin(
            PackRequest,
            and_(PackRequest.gate_id == GateReview.id, PackRequest.status != "built"),
        )
        .where(GateReview.id == gate_id)
        .options(joinedload(GateReview.closes_stage), joinedload(GateReview.authorises_stage))
        .order_by(BoardPack.id, PackRequest.id)
    ).all()
    if not rows or rows[0][0].project_id != project.id:
        abort(404)
    frozen = {pack.id: pack for _, pack, _ in rows if pack is not None}
    asked = {request.id: request for _, _, request in rows if request is not None}
    return (
        rows[0][0],
        sorted(frozen.values(), key=lambda p: p.id),
        sorted(asked.values(), key=lambda r: r.id),
    )


def _team_choices(project) -> list[tuple[int, str]]:
    people = team(project.id).people
    return [
        (user.id, user.name)
        for user in sorted(people.values(), key=lambda u: (u.name, u.id))
        if user.is_active_user
    ]


def _decision_form(project, gate, undecided) -> BoardDecisionForm:
    return BoardDecisionForm(
        roles=[(r, stages.role_label(r)) for r in undecided], team=_team_choices(project)
    )


def _gate_evidence_page(project, gate, form=None, status=200, packs_frozen=None, packs_asked=None):
    undecided = (
        stages.undecided_roles(current_user, gate) if gate.status == GateStatus.PENDING else []
    )
    refusal = (
        stage_access.gate_refusal(current_user, gate) if gate.status == GateStatus.PENDING else None
    )
    if refusal is not None:
        undecided = []
    return render_template(
        "board/gate_evidence.html",
        project=project,
        gate=gate,
        stage=gate.closes_stage or gate.authorises_stage,
        evidence=queries.evidence(
            project,
            stage=gate.closes_stage or gate.authorises_stage,
            requested_at=gate.requested_at,
            this_gate_id=gate.id,
            now=utcnow(),
        ),
        undecided=undecided,
        packs=packs.packs_of(gate) if packs_frozen is None else packs_frozen,
        pack_requests=packs.unfinished_requests(gate) if packs_asked is None else packs_asked,
        form=form or _decision_form(project, gate, undecided),
        today=uk_today(),
    ), status


@bp.get("/projects/<int:project_id>/gates/<int:gate_id>/evidence")
def show_gate_evidence(project_id: int, gate_id: int):
    project = load_project(project_id)
    gate, frozen, asked = _gate_and_packs(project, gate_id)
    return _gate_evidence_page(project, gate, packs_frozen=frozen, packs_asked=asked)


@bp.post("/projects/<int:project_id>/gates/<int:gate_id>/evidence/decide")
def decide_gate(project_id: int, gate_id: int):
    project = load_project(project_id)
    gate = _gate(project, gate_id)
    held = [r for r in gate.roles if r in stages.roles_held(current_user, project)]
    forged = request.form.get("role") and request.form.get("role") not in held
    if not held or forged or gate.requested_by_id == current_user.id:
        refused("gate decision", project=project.id, gate=gate.id, role=request.form.get("role"))
        forbid()
    form = _decision_form(project, gate, held)
    if form.validate_on_submit():
        conditions = [
            board.ConditionData(text=text.data or "", owner_id=owner.data, due_on=due.data)
            for text, owner, due in form.slots()
        ]
        with form_work(form) as work:
            board.decide_gate(
                gate,
                role=form.role.data,
                decision=form.decision.data,
                comment=form.comment.data or "",
                conditions=conditions,
                confidence=board.ConfidenceData(
                    rating=form.rating.data, rationale=form.rationale.data or ""
                ),
                actor=current_user,
            )
        if work.ok:
            flash(
                f"Recorded your decision: {GATE_DECISIONS[form.decision.data].lower()}.", "success"
            )
            return redirect(
                url_for("board.show_gate_evidence", project_id=project.id, gate_id=gate.id)
            )
    return _gate_evidence_page(project, gate, form=form, status=400)


@bp.get("/projects/<int:project_id>/exceptions/<int:report_id>/evidence")
def show_exception_evidence(project_id: int, report_id: int):
    project = load_project(project_id)
    report = _record(ExceptionReport, project, report_id)
    return render_template(
        "board/exception_evidence.html",
        project=project,
        report=report,
        evidence=queries.evidence(
            project,
            stage=report.stage,
            requested_at=report.raised_at,
            this_exception_id=report.id,
            now=utcnow(),
        ),
        packs=packs.packs_of(report),
        pack_requests=packs.unfinished_requests(report),
        today=uk_today(),
    )


@bp.get("/projects/<int:project_id>/conditions")
def list_conditions(project_id: int):
    project = load_project(project_id)
    return render_template(
        "board/conditions.html",
        project=project,
        rows=queries.project_conditions(project.id),
        today=uk_today(),
    )


def _condition_page(project, condition, form=None, status=200):
    if form is None:
        form = SettleConditionForm()
        form.version.data = str(condition.version)
    return render_template(
        "board/condition.html",
        project=project,
        condition=condition,
        form=form,
        can_settle=board_access.can_settle(current_user, condition, project),
        on_board=board_access.on_board(current_user, project),
        today=uk_today(),
    ), status


@bp.get("/projects/<int:project_id>/conditions/<int:condition_id>")
def show_condition(project_id: int, condition_id: int):
    project = load_project(project_id)
    return _condition_page(project, _record(GateCondition, project, condition_id))


@bp.post("/projects/<int:project_id>/conditions/<int:condition_id>/settle")
def settle_condition(project_id: int, condition_id: int):
    project = load_project(project_id)
    condition = _record(GateCondition, project, condition_id)
    if not board_access.can_settle(current_user, condition, project):
        refused("condition", project=project.id, condition=condition.id)
        forbid()
    form = SettleConditionForm()
    if form.validate_on_submit():
        with form_work(form) as work:
            board.settle_condition(
                condition,
                status=form.status.data,
                explanation=form.explanation.data,
                version=form.version_number(),
                actor=current_user,
            )
        if work.ok:
            flash(f"Recorded: condition {CONDITION_STATUSES[form.status.data].lower()}.", "success")
            return redirect(
                url_for("board.show_condition", project_id=project.id, condition_id=condition.id)
            )
    return _condition_page(project, condition, form=form, status=400)


# --------------------------------------------------------------------------------------
# Delivery confidence
# --------------------------------------------------------------------------------------


def _confidence_page(project, form=None, status=200):
    return render_template(
        "board/confidence.html",
        project=project,
        confidence=queries.project_confidence(project.id),
        form=form or AssuranceForm(),
        can_assure=current_user.is_pmo,
    ), status


@bp.get("/projects/<int:project_id>/confidence")
def show_confidence(project_id: int):
    return _confidence_page(load_project(project_id))


@bp.post("/projects/<int:project_id>/confidence")
def record_assurance(project_id: int):
    project = load_project(project_id)
    if not current_user.is_pmo:
        refused("assurance rating", project=project.id)
        forbid()
    form = AssuranceForm()
    if form.validate_on_submit():
        with form_work(form) as work:
            board.record_assurance(
                project,
                board.ConfidenceData(rating=form.rating.data, rationale=form.rationale.data),
                actor=current_user,
            )
        if work.ok:
            flash(f"Recorded the assurance rating: {DCA_LABELS[form.rating.data]}.", "success")
            return redirect(url_for("board.show_confidence", project_id=project.id))
    return _confidence_page(project, form=form, status=400)


@bp.get("/portfolio/board")
def portfolio():
    """The PMO's view of the boards' follow-through across the portfolio."""
    if not current_user.is_pmo:
        forbid()
    rows = queries.confidence_portfolio()
    return render_template(
        "board/portfolio.html",
        conditions=queries.conditions_by_method(uk_today()),
        by_method=queries.confidence_by(rows, "method"),
        by_zone=queries.confidence_by(rows, "zone"),
        by_organisation=queries.confidence_by(rows, "organisation"),
        worsened=[row for row in rows if row["worsened"]],
        methods=DELIVERY_METHODS,
        zones={**{key: zone.label for key, zone in ZONES.items()}, "none": "Not assessed"},
        today=uk_today(),
    )


# --------------------------------------------------------------------------------------
# Documents
# --------------------------------------------------------------------------------------


def _subjects(project) -> list[tuple[str, str]]:
    gates = db.session.scalars(
        select(GateReview)
        .where(GateReview.project_id == project.id)
        .options(joinedload(GateReview.closes_stage), joinedload(GateReview.authorises_stage))
        .order_by(GateReview.requested_at)
    ).all()
    reports = db.session.scalars(
        select(ExceptionReport)
        .where(ExceptionReport.project_id == project.id)
        .options(joinedload(ExceptionReport.stage))
        .order_by(ExceptionReport.raised_at)
    ).all()
    return [
        ("project", "The project"),
        *((f"gate:{g.id}", stages.gate_title(g)) for g in gates),
        *((f"exception:{r.id}", f"Exception report: {r.stage.label}") for r in reports),
    ]


def _documents_page(project, form=None, status=200):
    manage = can_manage(current_user, project)
    if form is None:
        form = DocumentForm()
    form.subject.choices = _subjects(project) if manage else []
    return render_template(
        "board/documents.html",
        project=project,
        documents=queries.project_documents(project.id),
        form=form,
        can_attach=manage,
        allowed=ALLOWED_LABEL,
        max_mb=current_app.config["DOCUMENT_MAX_BYTES"] // (1024 * 1024),
    ), status


@bp.get("/projects/<int:project_id>/documents")
def list_documents(project_id: int):
    return _documents_page(load_project(project_id))


@bp.post("/projects/<int:project_id>/documents")
def attach_document(project_id: int):
    project = load_project(project_id, manage=True)
    form = DocumentForm()
    form.subject.choices = _subjects(project)
    if form.validate_on_submit():
        kind, _, raw_id = form.subject.data.partition(":")
        upload = form.file.data
        with form_work(form) as work:
            document = board.attach_document(
                project,
                subject=kind,
                record_id=record_id(raw_id),
                title=form.title.data,
                filename=upload.filename or "",
                content=upload.read(),
                actor=current_user,
            )
        if work.ok:
            flash(f"Attached “{document.title}” (version {document.version}).", "success")
            return redirect(url_for("board.list_documents", project_id=project.id))
    return _documents_page(project, form=form, status=400)


def _document(project, document_id: int) -> Document:
    document = _record(Document, project, document_id)
    if document.deleted_at is not None:
        abort(404)
    return document


@bp.get("/projects/<int:project_id>/documents/<int:document_id>/download")
def download_document(project_id: int, document_id: int):
    project = load_project(project_id)
    document = _document(project, document_id)
    return document_response(document)


def document_response(document: Document):
    """The file as a download, never shown inline: a browser must not run or render it."""
    path = board.document_path(document)
    if not path.is_file():
        abort(404)
    # Read whole (files are at most DOCUMENT_MAX_BYTES): no file handle outlives the request.
    response = send_file(
        io.BytesIO(path.read_bytes()),
        mimetype=document.content_type,
        as_attachment=True,
        download_name=document.filename,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/projects/<int:project_id>/documents/<int:document_id>/delete")
def delete_document(project_id: int, document_id: int):
    project = load_project(project_id, manage=True)
    document = _document(project, document_id)
    with form_work() as work:
        board.delete_document(document, actor=current_user)
    if work.ok:
        flash(f"Deleted “{document.title}” version {document.version}.", "success")
    return redirect(url_for("board.list_documents", project_id=project.id))


# --------------------------------------------------------------------------------------
# Board packs: whoever may see the gate may build and download its pack.
# --------------------------------------------------------------------------------------


def pack_filename(project, gate, suffix: str) -> str:
    return f"{project.code}-gate-{gate.id}-pack-{suffix}.pdf"


def _said_of_freezing(work, frozen, what: str) -> None:
    if not work.ok:
        return
    if isinstance(frozen, PackRequest):
        flash(
            "The board pack is being prepared. It is listed under Board packs, with its "
            "SHA-256, once it is ready (usually within a minute): refresh this page.",
            "success",
        )
    elif frozen is not None:
        flash(f"Board pack frozen, SHA-256 {frozen.sha256}.", "success")
    else:
        flash(f"The board pack could not be rendered. The {what} is unchanged; try again.", "error")


@bp.get("/projects/<int:project_id>/gates/<int:gate_id>/pack")
def download_fresh_pack(project_id: int, gate_id: int):
    """A pack rendered now and not stored (nothing frozen, nothing audited)."""
    project = load_project(project_id)
    gate = _gate(project, gate_id)
    try:
        content = packs.render_pack(gate)
    except Exception:
        current_app.logger.exception("Board pack for gate %s failed to render", gate.id)
        flash("The board pack could not be rendered. The gate is unchanged; try again.", "error")
        return redirect(url_for("board.show_gate_evidence", project_id=project.id, gate_id=gate.id))
    return pdf_response(content, pack_filename(project, gate, "now"))


@bp.post("/projects/<int:project_id>/gates/<int:gate_id>/pack")
def build_pack(project_id: int, gate_id: int):
    """Render and freeze a pack on demand: stored, its SHA-256 in the audit trail."""
    project = load_project(project_id)
    gate = _gate(project, gate_id)
    frozen = None
    with form_work() as work:
        frozen = packs.freeze_at(gate, moment="on_demand", actor=current_user)
    _said_of_freezing(work, frozen, "gate")
    return redirect(
        url_for("board.show_gate_evidence", project_id=project.id, gate_id=gate.id) + "#packs"
    )


@bp.get("/projects/<int:project_id>/gates/<int:gate_id>/packs/<int:pack_id>")
def download_pack(project_id: int, gate_id: int, pack_id: int):
    project = load_project(project_id)
    gate = _gate(project, gate_id)
    pack = db.session.get(BoardPack, pack_id)
    if pack is None or pack.gate_id != gate.id:
        abort(404)
    path = packs.pack_path(pack)
    if not path.is_file():
        abort(404)
    return pdf_response(path.read_bytes(), pack_filename(project, gate, f"{pack.moment}-{pack.id}"))


# The same for an exception report going to the board.


def exception_pack_filename(project, report, suffix: str) -> str:
    return f"{project.code}-exception-{report.id}-pack-{suffix}.pdf"


@bp.get("/projects/<int:project_id>/exceptions/<int:report_id>/pack")
def download_fresh_exception_pack(project_id: int, report_id: int):
    """An exception's pack rendered now and not stored."""
    project = load_project(project_id)
    report = _record(ExceptionReport, project, report_id)
    try:
        content = packs.render_pack(report)
    except Exception:
        current_app.logger.exception("Board pack for exception %s failed to render", report.id)
        flash("The board pack could not be rendered. The report is unchanged; try again.", "error")
        return redirect(
            url_for("board.show_exception_evidence", project_id=project.id, report_id=report.id)
        )
    return pdf_response(content, exception_pack_filename(project, report, "now"))


@bp.post("/projects/<int:project_id>/exceptions/<int:report_id>/pack")
def build_exception_pack(project_id: int, report_id: int):
    """Render and freeze an exception's pack on demand: stored, its SHA-256 audited."""
    project = load_project(project_id)
    report = _record(ExceptionReport, project, report_id)
    frozen = None
    with form_work() as work:
        frozen = packs.freeze_at(report, moment="on_demand", actor=current_user)
    _said_of_freezing(work, frozen, "report")
    return redirect(
        url_for("board.show_exception_evidence", project_id=project.id, report_id=report.id)
        + "#packs"
    )


@bp.get("/projects/<int:project_id>/exceptions/<int:report_id>/packs/<int:pack_id>")
def download_exception_pack(project_id: int, report_id: int, pack_id: int):
    project = load_project(project_id)
    report = _record(ExceptionReport, project, report_id)
    pack = db.session.get(BoardPack, pack_id)
    if pack is None or pack.exception_id != report.id:
        abort(404)
    path = packs.pack_path(pack)
    if not path.is_file():
        abort(404)
    return pdf_response(
        path.read_bytes(), exception_pack_filename(project, report, f"{pack.moment}-{pack.id}")
    )
