"""The budget page, cost entry and import, baselines, checkpoints and budget exceptions."""

from __future__ import annotations

from decimal import Decimal

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.agile.models import Iteration
from tracker.auth.access import forbid
from tracker.budget import access, bp, queries, rules
from tracker.budget import services as budget
from tracker.budget.forms import (
    CostForm,
    ExceptionDecisionForm,
    ImportForm,
    baseline_form,
    checkpoint_form,
)
from tracker.budget.models import (
    BASELINE_KINDS,
    CATEGORY_LABELS,
    CHECKPOINT_STATUSES,
    EXCEPTION_DECISIONS,
    EXCEPTION_STATUSES,
    TRIGGERS,
    BudgetException,
    Checkpoint,
)
from tracker.budget.rules import BudgetExceptionStatus
from tracker.core.errors import RuleError
from tracker.core.pagination import paginate
from tracker.core.unit_of_work import form_work
from tracker.extensions import db
from tracker.projects.access import can_manage, load_project
from tracker.projects.models import Project
from tracker.stages import services as stages
from tracker.stages.models import Stage

RAG_COLOURS = {"green": "green", "amber": "orange", "red": "red"}
STATUS_COLOURS = {"within": "green", "at_risk": "orange", "breached": "red"}
IMPORT_MAX_BYTES = 2 * 1024 * 1024


@bp.app_context_processor
def budget_vocabulary():
    return {
        "COST_CATEGORIES": CATEGORY_LABELS,
        "CHECKPOINT_TRIGGERS": TRIGGERS,
        "CHECKPOINT_STATUSES": CHECKPOINT_STATUSES,
        "BASELINE_KINDS": BASELINE_KINDS,
        "BUDGET_RAG_COLOURS": RAG_COLOURS,
        "BUDGET_STATUS_COLOURS": STATUS_COLOURS,
        "budget_summary": _budget_summary,
        "index_text": _index_text,
    }


def _budget_summary(project) -> dict:
    summary = queries.project_summary(project.id)
    summary["can_manage"] = can_manage(current_user, project)
    return summary


def _index_text(value) -> str:
    """Indices to two decimals on screen, half up (full precision is stored)."""
    return "—" if value is None else f"{rules.index_on_screen(Decimal(value))}"


def _status(form) -> int:
    return 400 if form.errors or form.form_errors else 200


def _links(project, *, every_stage: bool = False) -> list[tuple[str, str]]:
    """Stages and iterations a cost can be booked to (for filters: every stage)."""
    links = [
        (f"stage:{stage.id}", stage.label)
        for stage in stages.stages_of(project)
        if every_stage or stage.status in stages.BOOKABLE_STATUSES
    ]
    links += [
        (f"iteration:{iteration.id}", f"Iteration: {iteration.name}")
        for iteration in db.session.scalars(
            db.select(Iteration)
            .where(Iteration.project_id == project.id)
            .order_by(Iteration.start_on, Iteration.id)
        )
    ]
    return links


# --------------------------------------------------------------------------------------
# The budget page
# --------------------------------------------------------------------------------------


@bp.get("")
def show(project_id: int):
    project = load_project(project_id)
    baseline = budget.current_baseline(project)
    curve = None
    curve_problem = None
    if baseline is not None:
        try:
            curve = budget.curve_of(baseline)
        except rules.BaselineError as error:  # pragma: no cover - stored baselines are valid
            curve_problem = str(error)
    points = queries.checkpoints(project.id)
    filters = queries.cost_filters(request.args)
    page = paginate(
        queries.cost_entries(project.id, filters), request.args.get("page"), scalars=False
    )

    def page_url_for(number: int) -> str:
        return url_for(
            "budget.show", project_id=project.id, page=number, _anchor="costs", **filters.as_args()
        )

    latest = points[-1] if points else None
    return render_template(
        "budget/show.html",
        project=project,
        baseline=baseline,
        curve_problem=curve_problem,
        points=points,
        latest=latest,
        latest_reasons=queries.reasons_of(latest) if latest else {},
        s_curve=queries.s_curve(points, curve),
        index_chart=queries.index_chart(points),
        page=page,
        page_url_for=page_url_for,
        filters=filters,
        filter_links=_links(project, every_stage=True),
        filtered_total=queries.cost_total(project.id, filters),
        open_exception=budget.open_budget_exception(project),
        can_manage=can_manage(current_user, project),
    )


# --------------------------------------------------------------------------------------
# Costs
# --------------------------------------------------------------------------------------


@bp.route("/costs/new", methods=["GET", "POST"])
def record_cost(project_id: int):
    project = load_project(project_id, manage=True)
    form = CostForm(links=_links(project), project=project)
    if request.method == "GET":
        form.ensure_token()
        form.spent_on.data = budget.uk_today()
    if form.validate_on_submit():
        stage_id, iteration_id = form.link_ids()
        data = budget.CostData(
            spent_on=form.spent_on.data,
            amount=form.amount.data,
            category=form.category.data or "",
            supplier=form.supplier.data or "",
            description=form.description.data or "",
            stage_id=stage_id,
            iteration_id=iteration_id,
            is_credit=bool(form.is_credit.data),
            credit_reason=form.credit_reason.data or "",
        )
        with form_work(form) as work:
            entry, created = budget.record_cost(
                project, data, token=form.token.data, actor=current_user
            )
        if work.ok:
            if created:
                flash(f"Recorded {rules.format_gbp(entry.amount)}: {entry.description}.", "success")
            else:
                flash("This cost was already recorded: it was not recorded twice.", "info")
            if request.form.get("another"):
                return redirect(url_for("budget.record_cost", project_id=project.id))
            return redirect(url_for("budget.show", project_id=project.id, _anchor="costs"))
    return render_template("budget/cost_form.html", form=form, project=project), _status(form)


def _project_to_import_into(project_id: int) -> Project:
    """The project a cost file goes into, checked before the file is read. An unknown
    project and one you may not manage get the same refusal, so the import says nothing
    about which projects exist."""
    project = db.session.get(Project, project_id)
    if project is None or not can_manage(current_user, project):
        forbid()
    return project


def _upload_text(upload) -> str:
    raw = upload.read(IMPORT_MAX_BYTES + 1)
    if len(raw) > IMPORT_MAX_BYTES:
        raise RuleError("The file is larger than 2 MB: split it and import each part.")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise RuleError(
            "The file is not UTF-8 text. In your spreadsheet, save it as 'CSV UTF-8'."
        ) from None


@bp.route("/costs/import", methods=["GET", "POST"])
def import_costs(project_id: int):
    project = _project_to_import_into(project_id)
    form = ImportForm(project=project)
    problems = None
    if request.method == "GET":
        form.ensure_token()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            with form_work(form) as work:
                batch, created = budget.import_costs(
                    project,
                    _upload_text(upload),
                    filename=upload.filename,
                    token=form.token.data,
                    actor=current_user,
                )
        except rules.CsvImportError as error:  # the savepoint is rolled back: nothing stored
            problems = error.problems
            form.form_errors.append(
                f"Nothing was imported: {len(problems)} "
                f"problem{'s' if len(problems) != 1 else ''} found. Fix the file and try again."
            )
        if problems is None and work.ok:
            if created:
                flash(
                    f"Imported {batch.row_count} costs totalling {rules.format_gbp(batch.total)}.",
                    "success",
                )
            else:
                flash("This file was already imported: nothing was imported twice.", "info")
            return redirect(url_for("budget.show", project_id=project.id, _anchor="costs"))
    return render_template(
        "budget/import.html",
        form=form,
        project=project,
        problems=problems,
        columns=rules.CSV_REQUIRED_COLUMNS + rules.CSV_OPTIONAL_COLUMNS,
    ), _status(form)


# --------------------------------------------------------------------------------------
# Baselines
# --------------------------------------------------------------------------------------


@bp.route("/baseline", methods=["GET", "POST"])
def set_baseline(project_id: int):
    project = load_project(project_id, manage=True)
    current = budget.current_baseline(project)
    try:
        kind = budget.baseline_kind(project)
    except RuleError as error:
        flash(str(error), "error")
        return redirect(url_for("budget.show", project_id=project.id))
    iterations = budget.planned_iterations(project) if kind in ("release", "hybrid") else []
    form = baseline_form(iterations, points_required=kind == "release")
    if request.method == "GET":
        form.ensure_token()
        previous = (
            {line.iteration_id: line.budget for line in current.lines if line.iteration_id}
            if current
            else {}
        )
        for iteration in iterations:
            getattr(form, f"budget_{iteration.id}").data = previous.get(iteration.id)
        if current is not None:
            form.planned_points.data = current.planned_points
    if form.validate_on_submit():
        data = budget.BaselineData(
            reason=form.reason.data or "",
            planned_points=form.planned_points.data,
            iteration_budgets={
                iteration.id: getattr(form, f"budget_{iteration.id}").data
                for iteration in iterations
            },
        )
        with form_work(form) as work:
            baseline = budget.set_baseline(project, data, actor=current_user)
        if work.ok:
            flash(
                f"Set baseline {baseline.number}: {rules.format_gbp(baseline.bac)} planned.",
                "success",
            )
            return redirect(url_for("budget.show", project_id=project.id))
    return render_template(
        "budget/baseline_form.html",
        form=form,
        project=project,
        kind=kind,
        current=current,
        iterations=iterations,
        stage_list=stages.stages_of(project) if kind in ("stage", "hybrid") else [],
    ), _status(form)


@bp.get("/baselines")
def list_baselines(project_id: int):
    project = load_project(project_id)
    return render_template(
        "budget/baselines.html", project=project, baselines=queries.baselines(project.id)
    )


# --------------------------------------------------------------------------------------
# Checkpoints
# --------------------------------------------------------------------------------------


@bp.route("/checkpoints/new", methods=["GET", "POST"])
def take_checkpoint(project_id: int):
    project = load_project(project_id, manage=True)
    baseline = budget.current_baseline(project)
    if baseline is None:
        flash("Set a budget baseline first: a checkpoint compares progress and cost with it.")
        return redirect(url_for("budget.set_baseline", project_id=project.id))
    stage_lines = (
        [line for line in baseline.lines if line.kind == "stage"]
        if baseline.kind != "release"
        else []
    )
    form = checkpoint_form(stage_lines)
    today = budget.uk_today()
    if request.method == "GET":
        form.ensure_token()
        form.taken_on.data = today
        for stage_id, percent in budget.default_progress(project, baseline, today).items():
            getattr(form, f"percent_{stage_id}").data = percent
    if form.validate_on_submit():
        data = budget.CheckpointData(
            taken_on=form.taken_on.data,
            progress={
                line.stage_id: getattr(form, f"percent_{line.stage_id}").data
                for line in stage_lines
            },
            note=form.note.data or "",
        )
        earlier = budget.checkpoint_by_token(form.token.data)
        if earlier is not None and earlier.project_id == project.id:
            flash("This checkpoint was already taken: it was not taken twice.", "info")
            return redirect(
                url_for("budget.show_checkpoint", project_id=project.id, checkpoint_id=earlier.id)
            )
        with form_work(form) as work:
            checkpoint = budget.take_checkpoint(
                project, data, trigger="manual", actor=current_user, token=form.token.data
            )
        if work.ok:
            flash("Took a budget checkpoint.", "success")
            return redirect(
                url_for(
                    "budget.show_checkpoint", project_id=project.id, checkpoint_id=checkpoint.id
                )
            )
    return render_template(
        "budget/checkpoint_form.html",
        form=form,
        project=project,
        baseline=baseline,
        stage_lines=stage_lines,
    ), _status(form)


@bp.get("/checkpoints/<int:checkpoint_id>")
def show_checkpoint(project_id: int, checkpoint_id: int):
    project = load_project(project_id)
    checkpoint = db.session.get(Checkpoint, checkpoint_id)
    if checkpoint is None or checkpoint.project_id != project.id:
        abort(404)
    stage_names = {stage.id: stage.label for stage in stages.stages_of(project)}
    return render_template(
        "budget/checkpoint.html",
        project=project,
        checkpoint=checkpoint,
        reasons=queries.reasons_of(checkpoint),
        stage_names=stage_names,
        stage=db.session.get(Stage, checkpoint.stage_id) if checkpoint.stage_id else None,
    )


# --------------------------------------------------------------------------------------
# Budget exceptions
# --------------------------------------------------------------------------------------


def _exception(project, exception_id: int) -> BudgetException:
    report = db.session.get(BudgetException, exception_id)
    if report is None or report.project_id != project.id:
        abort(404)
    return report


def _exception_page(project, report, form=None, status=200):
    return render_template(
        "budget/exception.html",
        project=project,
        report=report,
        form=form or ExceptionDecisionForm(version=str(report.version)),
        can_decide=report.status == BudgetExceptionStatus.OPEN
        and access.can_decide(current_user, report),
        EXCEPTION_STATUSES=EXCEPTION_STATUSES,
        EXCEPTION_DECISIONS=EXCEPTION_DECISIONS,
        role_label=stages.role_label,
    ), status


@bp.get("/exceptions/<int:exception_id>")
def show_exception(project_id: int, exception_id: int):
    project = load_project(project_id)
    return _exception_page(project, _exception(project, exception_id))


@bp.post("/exceptions/<int:exception_id>/decide")
def decide_exception(project_id: int, exception_id: int):
    project = load_project(project_id)
    report = _exception(project, exception_id)
    if not access.can_decide(current_user, report):
        forbid()
    form = ExceptionDecisionForm()
    if form.validate_on_submit():
        with form_work(form) as work:
            budget.decide_budget_exception(
                report,
                decision=form.decision.data,
                comment=form.comment.data,
                version=form.version_number(),
                actor=current_user,
            )
        if work.ok:
            flash("Recorded your decision on the budget exception.", "success")
            return redirect(
                url_for("budget.show_exception", project_id=project.id, exception_id=report.id)
            )
    return _exception_page(project, report, form, status=400)
