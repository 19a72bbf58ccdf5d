"""Change control pages: load, check access through the change policy, act."""

from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker.auth.access import forbid
from tracker.board import queries as board_queries
from tracker.board import services as board
from tracker.board.documents import ALLOWED_LABEL
from tracker.board.forms import RecordDocumentForm
from tracker.changes import access, bp, exports, services
from tracker.changes.forms import BudgetForm, ChangeForm, DecideForm
from tracker.changes.models import ChangeRequest
from tracker.core import exports as files
from tracker.core.pagination import paginate
from tracker.core.unit_of_work import form_work
from tracker.db import utcnow
from tracker.extensions import db
from tracker.projects.access import load_project, refused
from tracker.registers.models import Issue
from tracker.stages.models import Stage
from tracker.stages.rules import StageStatus


def _status(form) -> int:
    return 400 if form.errors or form.form_errors else 200


def _planned_stages(project) -> list[Stage]:
    return list(
        db.session.scalars(
            select(Stage)
            .where(Stage.project_id == project.id, Stage.status == StageStatus.PLANNED)
            .order_by(Stage.sequence)
        )
    )


def _ordered(project_id: int):
    """Waiting first, newest first: the page's order."""
    return (
        select(ChangeRequest)
        .where(ChangeRequest.project_id == project_id)
        .order_by(ChangeRequest.status.desc(), ChangeRequest.id.desc())
    )


def _list_page(project, budget_form, status=200):
    authority = services.authority_of(project)
    if budget_form is None:
        budget_form = BudgetForm()
        if authority is not None:
            budget_form.change_budget.data = authority.change_budget
            budget_form.version.data = str(authority.version)
    return render_template(
        "changes/list.html",
        project=project,
        page=paginate(_ordered(project.id), request.args.get("page")),
        authority=authority,
        budget_form=budget_form,
        can_set_budget=access.can_set_budget(current_user, project),
    ), status


@bp.get("/<int:project_id>/change-requests")
def list_changes(project_id: int):
    return _list_page(load_project(project_id), None)


@bp.get("/<int:project_id>/change-requests.<any(csv, xlsx):fmt>")
def export_changes(project_id: int, fmt: str):
    """Every change request, in the page's order, as CSV or Excel."""
    project = load_project(project_id)
    changes = db.session.scalars(
        _ordered(project.id).options(joinedload(ChangeRequest.stage))
    ).unique()
    about = files.About(
        title=f"The change requests of {project.code} {project.name}, in the page's order",
        made_at=utcnow(),
        made_by=f"{current_user.name} ({current_user.email})",
    )
    made = files.download(
        about,
        f"{project.code}-change-requests",
        "Change requests",
        fmt,
        exports.COLUMNS,
        exports.rows(changes),
    )
    return Response(made.body, mimetype=made.mimetype, headers=made.headers)


@bp.post("/<int:project_id>/change-budget")
def set_budget(project_id: int):
    project = load_project(project_id)
    if not access.can_set_budget(current_user, project):
        forbid("Only the project's Executive sets the change budget.")
    form = BudgetForm()
    if form.validate_on_submit():
        with form_work(form) as work:
            services.set_change_budget(
                project,
                form.change_budget.data,
                version=form.version_number(),
                actor=current_user,
            )
        if work.ok:
            flash("Set the change budget.", "success")
            return redirect(url_for("changes.list_changes", project_id=project.id))
    return _list_page(project, form, _status(form))


@bp.route("/<int:project_id>/issues/<int:issue_id>/change-requests/new", methods=["GET", "POST"])
def create_change(project_id: int, issue_id: int):
    """A change request from an issue."""
    project = load_project(project_id)
    if not access.can_request(current_user, project):
        forbid()
    issue = db.session.get(Issue, issue_id)
    if issue is None or issue.project_id != project.id:
        abort(404)
    form = ChangeForm(stages=_planned_stages(project))
    if request.method == "GET":
        form.title.data = issue.title
    if form.validate_on_submit():
        with form_work(form) as work:
            change = services.request_change(
                project,
                issue,
                services.ChangeData(
                    title=form.title.data,
                    time_impact_days=form.time_impact_days.data,
                    cost_impact=form.cost_impact.data,
                    scope_impact=form.scope_impact.data,
                    quality_impact=form.quality_impact.data,
                    risk_impact=form.risk_impact.data,
                    benefit_impact=form.benefit_impact.data,
                    sustainability_impact=form.sustainability_impact.data,
                    stage_id=form.stage_id.data,
                ),
                actor=current_user,
            )
        if work.ok:
            flash("Sent the change request for a decision.", "success")
            return redirect(
                url_for("changes.show_change", project_id=project.id, change_id=change.id)
            )
    return render_template("changes/form.html", project=project, issue=issue, form=form), _status(
        form
    )


def _change(project, change_id: int) -> ChangeRequest:
    change = db.session.get(ChangeRequest, change_id)
    if change is None or change.project_id != project.id:
        abort(404)
    return change


def _change_page(project, change, form, status=200, document_form=None):
    return render_template(
        "changes/show.html",
        project=project,
        change=change,
        form=form,
        documents=board_queries.change_documents(project.id, change.id),
        document_form=document_form or RecordDocumentForm(),
        can_attach=access.can_attach(current_user, project),
        allowed=ALLOWED_LABEL,
        max_mb=current_app.config["DOCUMENT_MAX_BYTES"] // (1024 * 1024),
        refusal=access.decide_refusal(current_user, change),
    ), status


@bp.get("/<int:project_id>/change-requests/<int:change_id>")
def show_change(project_id: int, change_id: int):
    project = load_project(project_id)
    change = _change(project, change_id)
    form = DecideForm()
    form.version.data = str(change.version)
    return _change_page(project, change, form)


@bp.post("/<int:project_id>/change-requests/<int:change_id>/decide")
def decide_change(project_id: int, change_id: int):
    project = load_project(project_id)
    change = _change(project, change_id)
    refusal = access.decide_refusal(current_user, change)
    if refusal:
        forbid(refusal)
    form = DecideForm()
    if form.validate_on_submit():
        with form_work(form) as work:
            services.decide_change(
                project,
                change,
                approve=form.decision.data == "approve",
                comment=form.comment.data or "",
                version=form.version_number(),
                actor=current_user,
            )
        if work.ok:
            flash("Recorded the decision.", "success")
            return redirect(
                url_for("changes.show_change", project_id=project.id, change_id=change.id)
            )
    return _change_page(project, change, form, _status(form))


@bp.post("/<int:project_id>/change-requests/<int:change_id>/documents")
def attach_document(project_id: int, change_id: int):
    """A document for the change (an impact assessment, a quote), kept with the project's
    documents: checked by content, stored outside the web root, versions kept."""
    project = load_project(project_id)
    change = _change(project, change_id)
    if not access.can_attach(current_user, project):
        refused("change document", project=project.id, change=change.id)
        forbid()
    document_form = RecordDocumentForm()
    if document_form.validate_on_submit():
        upload = document_form.file.data
        with form_work(document_form) as work:
            document = board.attach_document(
                project,
                subject="change",
                record_id=change.id,
                change=change,
                title=document_form.title.data,
                filename=upload.filename or "",
                content=upload.read(),
                actor=current_user,
            )
        if work.ok:
            flash(f"Attached “{document.title}” (version {document.version}).", "success")
            return redirect(
                url_for("changes.show_change", project_id=project.id, change_id=change.id)
                + "#documents"
            )
    form = DecideForm()
    form.version.data = str(change.version)
    return _change_page(project, change, form, 400, document_form=document_form)
