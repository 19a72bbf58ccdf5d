"""Pages for iterations, the backlog and customer feedback: load, check access, act."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.agile import bp, queries, rules
from tracker.agile import services as agile
from tracker.agile.access import (
    can_close,
    can_give_feedback,
    can_prioritise,
    can_work,
    permissions,
    start_refusal,
)
from tracker.agile.forms import (
    AuthoriseStartForm,
    CloseLoopForm,
    CloseProjectForm,
    ConfirmForm,
    FeedbackForm,
    ItemForm,
    IterationForm,
    MoveForm,
    StatusForm,
)
from tracker.agile.models import BacklogItem, Feedback, Iteration
from tracker.agile.rules import ItemStatus, IterationStatus
from tracker.agile.vocabulary import (
    AGREEMENTS,
    CHANGE_REASONS,
    FEEDBACK_SOURCES,
    ITEM_STATUS_COLOURS,
    ITEM_STATUSES,
    ITERATION_STATUS_COLOURS,
    ITERATION_STATUSES,
    PRIORITIES,
    PRIORITY_COLOURS,
)
from tracker.auth.access import forbid
from tracker.core.fields import record_id
from tracker.core.filters import timestamp
from tracker.core.pagination import paginate
from tracker.core.unit_of_work import form_work, unit_of_work
from tracker.extensions import db
from tracker.projects.access import load_project, refused
from tracker.projects.rules import PROJECT_STATUSES
from tracker.stages.services import stages_of


@bp.app_context_processor
def agile_vocabulary():
    return {
        "ITERATION_STATUSES": ITERATION_STATUSES,
        "ITERATION_STATUS_COLOURS": ITERATION_STATUS_COLOURS,
        "ITEM_STATUSES": ITEM_STATUSES,
        "ITEM_STATUS_COLOURS": ITEM_STATUS_COLOURS,
        "FEEDBACK_SOURCES": FEEDBACK_SOURCES,
        "AGREEMENTS": AGREEMENTS,
        "CHANGE_REASONS": CHANGE_REASONS,
        "PRIORITIES": PRIORITIES,
        "PRIORITY_COLOURS": PRIORITY_COLOURS,
        "agile_summary": _agile_summary,
    }


def _agile_summary(project) -> dict:
    """The project page's iterations section."""
    summary = queries.project_summary(project.id)
    summary.update(permissions(current_user, project))
    summary["not_allowed"] = agile.iterations_allowed(project)
    summary["closure_problem"] = agile.closure_problem(project)
    summary["start_problem"] = agile.start_problem(project)
    summary["not_started"] = agile.not_started(project)
    return summary


def _require(allowed: bool) -> None:
    if not allowed:
        forbid()


def _iteration(project, iteration_id: int) -> Iteration:
    iteration = db.session.get(Iteration, iteration_id)
    if iteration is None or iteration.project_id != project.id:
        abort(404)
    return iteration


def _item(project, item_id: int) -> BacklogItem:
    item = db.session.get(BacklogItem, item_id)
    if item is None or item.project_id != project.id:
        abort(404)
    return item


def _status(form) -> int:
    return 400 if form.errors or form.form_errors else 200


def _open_iterations(project_id: int) -> list[Iteration]:
    return [
        it for it in queries.project_iterations(project_id) if it.status != IterationStatus.CLOSED
    ]


# --------------------------------------------------------------------------------------
# Iterations
# --------------------------------------------------------------------------------------


@bp.get("/iterations")
def list_iterations(project_id: int):
    project = load_project(project_id)
    iterations = queries.project_iterations(project.id)
    velocities = queries.velocities(iterations)
    burnup = queries.release_burnup(project.id, iterations)
    return render_template(
        "agile/iterations.html",
        project=project,
        iterations=iterations,
        metrics=queries.project_metrics(project.id, iterations),
        velocity_chart=rules.velocity_chart(velocities) if velocities else None,
        burnup_chart=rules.burnup_chart(burnup) if burnup else None,
        percent=queries.percent,
        not_allowed=agile.iterations_allowed(project),
        **permissions(current_user, project),
    )


def _iteration_data(form: IterationForm) -> agile.IterationData:
    return agile.IterationData(
        name=form.name.data or "",
        goal=form.goal.data or "",
        start_on=form.start_on.data,
        end_on=form.end_on.data,
        committed_points=form.committed_points.data,
        stage_id=form.stage_id.data,
    )


def _plannable_stages(project, current=None) -> list:
    """Stages a hybrid iteration may be planned in (and the one it is in now)."""
    if project.delivery_method != "hybrid":
        return []
    return [
        stage
        for stage in stages_of(project)
        if stage.status in agile.PLANNABLE_STAGE_STATUSES
        or (current is not None and stage.id == current.stage_id)
    ]


@bp.route("/iterations/new", methods=["GET", "POST"])
def create_iteration(project_id: int):
    project = load_project(project_id, manage=True)
    form = IterationForm(stages=_plannable_stages(project))
    not_allowed = agile.iterations_allowed(project)
    if form.validate_on_submit():
        with form_work(form) as work:
            iteration = agile.create_iteration(project, _iteration_data(form))
        if work.ok:
            flash(f"Planned {iteration.name}.", "success")
            return redirect(
                url_for("agile.show_iteration", project_id=project.id, iteration_id=iteration.id)
            )
    return render_template(
        "agile/iteration_form.html",
        form=form,
        project=project,
        iteration=None,
        not_allowed=not_allowed,
    ), _status(form)


@bp.route("/iterations/<int:iteration_id>/edit", methods=["GET", "POST"])
def edit_iteration(project_id: int, iteration_id: int):
    project = load_project(project_id, manage=True)
    iteration = _iteration(project, iteration_id)
    form = IterationForm(obj=iteration, stages=_plannable_stages(project, iteration))
    if request.method == "GET":
        form.version.data = str(iteration.version)
    if form.validate_on_submit():
        with form_work(form) as work:
            agile.update_iteration(
                project, iteration, _iteration_data(form), version=form.version_number()
            )
        if work.ok:
            flash("Saved your changes.", "success")
            return redirect(
                url_for("agile.show_iteration", project_id=project.id, iteration_id=iteration.id)
            )
    return render_template(
        "agile/iteration_form.html", form=form, project=project, iteration=iteration
    ), _status(form)


@bp.get("/iterations/<int:iteration_id>")
def show_iteration(project_id: int, iteration_id: int):
    project = load_project(project_id)
    iteration = _iteration(project, iteration_id)
    items = queries.iteration_items(iteration.id)
    chart = None
    if iteration.status != IterationStatus.PLANNED:
        chart = rules.burndown_chart(queries.burndown(iteration))
    return render_template(
        "agile/iteration.html",
        project=project,
        iteration=iteration,
        items=items,
        feedback=queries.iteration_feedback(iteration.id),
        carried_out=queries.carried_over_from(iteration.id),
        carried_in=queries.carried_into(iteration.id),
        burndown_chart=chart,
        confirm=ConfirmForm(version=str(iteration.version)),
        not_started=agile.not_started(project),
        **permissions(current_user, project),
    )


@bp.post("/iterations/<int:iteration_id>/start")
def start_iteration(project_id: int, iteration_id: int):
    project = load_project(project_id, manage=True)
    iteration = _iteration(project, iteration_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        flash("The form has expired. Submit it again.", "error")
    else:
        with form_work() as work:
            agile.start_iteration(project, iteration, version=form.version_number())
        if work.ok:
            flash(f"Started {iteration.name}.", "success")
    return redirect(
        url_for("agile.show_iteration", project_id=project.id, iteration_id=iteration_id)
    )


@bp.route("/authorise-start", methods=["GET", "POST"])
def authorise_start(project_id: int):
    """The Executive authorises a proposed agile project to start (its start gate): only
    then is it active and can its iterations start."""
    project = load_project(project_id)
    refusal = start_refusal(current_user, project)
    if refusal:
        # A 403 that says why, on the decision's own page, with no form to submit.
        refused("authorise start", project=project.id, reason="not the Executive")
        return render_template(
            "agile/authorise_start.html", form=None, project=project, problem=refusal
        ), 403
    form = AuthoriseStartForm()
    if request.method == "GET":
        form.version.data = str(project.version)
    problem = agile.start_problem(project)
    if form.validate_on_submit():
        with form_work(form) as work:
            agile.authorise_start(
                project,
                conditions=form.conditions.data or "",
                version=form.version_number(),
                actor=current_user,
            )
        if work.ok:
            flash("Authorised the start: the project is active.", "success")
            return redirect(url_for("projects.show_project", project_id=project.id))
    return render_template(
        "agile/authorise_start.html", form=form, project=project, problem=problem
    ), _status(form)


@bp.route("/close", methods=["GET", "POST"])
def close_project(project_id: int):
    """The Executive closes a project that has no stages: after its last iteration it is
    closed, before that closed early."""
    project = load_project(project_id)
    _require(can_close(current_user, project))
    form = CloseProjectForm()
    if request.method == "GET":
        form.version.data = str(project.version)
    problem = agile.closure_problem(project)
    if form.validate_on_submit():
        with form_work(form) as work:
            agile.close_project(
                project, reason=form.reason.data, version=form.version_number(), actor=current_user
            )
        if work.ok:
            flash(f"Closed the project ({PROJECT_STATUSES[project.status].lower()}).", "success")
            return redirect(url_for("projects.show_project", project_id=project.id))
    return render_template(
        "agile/close_project.html",
        form=form,
        project=project,
        problem=problem,
        outcome=None if problem else agile.closing_status(project).value,
        running=queries.running_iteration(project.id),
    ), _status(form)


@bp.route("/iterations/<int:iteration_id>/close", methods=["GET", "POST"])
def close_iteration(project_id: int, iteration_id: int):
    project = load_project(project_id, manage=True)
    iteration = _iteration(project, iteration_id)
    form = ConfirmForm()
    if request.method == "GET":
        form.version.data = str(iteration.version)
    if form.validate_on_submit():
        with form_work(form) as work:
            outcome = agile.close_iteration(project, iteration, version=form.version_number())
        if work.ok:
            flash(
                f"Closed {iteration.name}: {outcome.completed_points} points completed, "
                f"{len(outcome.carried_over)} items carried over.",
                "success",
            )
            return redirect(
                url_for("agile.show_iteration", project_id=project.id, iteration_id=iteration_id)
            )
    items = queries.iteration_items(iteration.id)
    feedback = queries.iteration_feedback(iteration.id)
    return render_template(
        "agile/close_iteration.html",
        form=form,
        project=project,
        iteration=iteration,
        done_points=sum(i.points for i in items if i.status == ItemStatus.DONE),
        unfinished=[i for i in items if i.status != ItemStatus.DONE],
        feedback=feedback,
        agreed=[f for f in feedback if f.agreement in rules.AGREEMENTS_ALLOWING_CLOSE],
        next_iteration=next(
            (
                it
                for it in _open_iterations(project.id)
                if it.status == IterationStatus.PLANNED and it.id != iteration.id
            ),
            None,
        ),
    ), _status(form)


# --------------------------------------------------------------------------------------
# Backlog
# --------------------------------------------------------------------------------------


@bp.get("/backlog")
def show_backlog(project_id: int):
    project = load_project(project_id)
    status = request.args.get("status")
    if status not in ITEM_STATUSES:
        status = None
    page = paginate(queries.backlog(project.id, status), request.args.get("page"), scalars=False)
    return render_template(
        "agile/backlog.html",
        project=project,
        page=page,
        status_filter=status,
        status_form=StatusForm(),
        move_form=MoveForm(),
        not_allowed=agile.iterations_allowed(project),
        **permissions(current_user, project),
    )


def _item_data(form: ItemForm, item: BacklogItem | None = None) -> agile.ItemData:
    """The form's item; its MoSCoW label only from the product owner (others keep it)."""
    moscow = form.moscow.data if "moscow" in form else (item.moscow if item else None)
    return agile.ItemData(
        title=form.title.data or "",
        description=form.description.data or "",
        points=form.points.data,
        iteration_id=form.iteration_id.data,
        moscow=moscow or None,
    )


@bp.route("/backlog/new", methods=["GET", "POST"])
def create_item(project_id: int):
    project = load_project(project_id)
    _require(can_work(current_user, project))
    form = ItemForm(
        iterations=_open_iterations(project.id),
        can_prioritise=can_prioritise(current_user, project),
    )
    if request.method == "GET" and record_id(request.args.get("iteration_id")) is not None:
        form.iteration_id.data = record_id(request.args.get("iteration_id"))
    if form.validate_on_submit():
        with form_work(form) as work:
            item = agile.create_item(project, _item_data(form))
        if work.ok:
            flash(f"Added '{item.title}'.", "success")
            return redirect(url_for("agile.show_backlog", project_id=project.id))
    return render_template(
        "agile/item_form.html",
        form=form,
        project=project,
        item=None,
        not_allowed=agile.iterations_allowed(project),
    ), _status(form)


@bp.get("/backlog/<int:item_id>")
def show_item(project_id: int, item_id: int):
    project = load_project(project_id)
    item = _item(project, item_id)
    return render_template(
        "agile/item.html",
        project=project,
        item=item,
        history=queries.item_history(item.id),
        priority_history=[
            [timestamp(entry.created_at), entry.summary, entry.actor_name]
            for entry in queries.priority_history(item.id)
        ],
        carry_overs=queries.item_carry_overs(item.id),
        status_form=StatusForm(version=str(item.version), status=item.status),
        **permissions(current_user, project),
    )


@bp.route("/backlog/<int:item_id>/edit", methods=["GET", "POST"])
def edit_item(project_id: int, item_id: int):
    project = load_project(project_id)
    _require(can_work(current_user, project))
    item = _item(project, item_id)
    choices = _open_iterations(project.id)
    if item.iteration is not None and item.iteration.status == IterationStatus.CLOSED:
        choices.insert(0, item.iteration)  # so the service can say why it cannot change
    form = ItemForm(
        obj=item, iterations=choices, can_prioritise=can_prioritise(current_user, project)
    )
    if request.method == "GET":
        form.version.data = str(item.version)
    if form.validate_on_submit():
        with form_work(form) as work:
            agile.update_item(project, item, _item_data(form, item), version=form.version_number())
        if work.ok:
            flash("Saved your changes.", "success")
            return redirect(url_for("agile.show_item", project_id=project.id, item_id=item.id))
    return render_template(
        "agile/item_form.html", form=form, project=project, item=item, not_allowed=None
    ), _status(form)


@bp.post("/backlog/<int:item_id>/status")
def change_status(project_id: int, item_id: int):
    project = load_project(project_id)
    _require(can_work(current_user, project))
    item = _item(project, item_id)
    form = StatusForm()
    if form.validate_on_submit():
        with unit_of_work() as work:
            agile.change_status(project, item, form.status.data, version=form.version_number())
        if work.ok:
            flash(f"'{item.title}' is now {ITEM_STATUSES[form.status.data].lower()}.", "success")
        else:
            flash(f"'{item.title}': {work.error}", "error")
    else:
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
    target = request.form.get("next", "")
    if target == "item":
        return redirect(url_for("agile.show_item", project_id=project.id, item_id=item_id))
    if record_id(target) is not None:
        return redirect(
            url_for("agile.show_iteration", project_id=project.id, iteration_id=record_id(target))
        )
    return redirect(url_for("agile.show_backlog", project_id=project.id))


@bp.post("/backlog/<int:item_id>/move")
def move_item(project_id: int, item_id: int):
    """Up, down, top or bottom from the buttons (no JavaScript needed), or a place from
    dragging the row; back to the backlog, at the item."""
    project = load_project(project_id)
    _require(can_prioritise(current_user, project))
    item = _item(project, item_id)
    form = MoveForm()
    if form.validate_on_submit():
        with unit_of_work() as work:
            agile.move_item(project, item, form.target(), seen_rank=form.rank.data)
        if work.ok:
            flash(f"Moved '{item.title}'.", "success")
        else:
            flash(f"'{item.title}': {work.error}", "error")
    else:
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
    args = {"status": request.args["status"]} if request.args.get("status") in ITEM_STATUSES else {}
    return redirect(
        url_for("agile.show_backlog", project_id=project.id, **args, _anchor=f"item-{item.id}")
    )


# --------------------------------------------------------------------------------------
# Feedback
# --------------------------------------------------------------------------------------


def _project_items(project_id: int) -> list[BacklogItem]:
    return [row[0] for row in db.session.execute(queries.backlog(project_id)).all()]


@bp.route("/iterations/<int:iteration_id>/feedback/new", methods=["GET", "POST"])
def create_feedback(project_id: int, iteration_id: int):
    project = load_project(project_id)
    _require(can_give_feedback(current_user, project))
    iteration = _iteration(project, iteration_id)
    form = FeedbackForm(items=_project_items(project.id))
    if form.validate_on_submit():
        with form_work(form) as work:
            agile.add_feedback(
                project,
                iteration,
                agile.FeedbackData(
                    source=form.source.data,
                    given_by=form.given_by.data or "",
                    rating=form.rating.data,
                    said=form.said.data or "",
                    agreement=form.agreement.data,
                    action_taken=form.action_taken.data or "",
                    backlog_item_id=form.backlog_item_id.data,
                ),
            )
        if work.ok:
            flash("Recorded the feedback.", "success")
            return redirect(
                url_for(
                    "agile.show_iteration",
                    project_id=project.id,
                    iteration_id=iteration.id,
                    _anchor="feedback",
                )
            )
    return render_template(
        "agile/feedback_form.html", form=form, project=project, iteration=iteration
    ), _status(form)


@bp.route("/feedback/<int:feedback_id>/close-loop", methods=["GET", "POST"])
def close_loop(project_id: int, feedback_id: int):
    project = load_project(project_id)
    _require(can_work(current_user, project))
    feedback = db.session.get(Feedback, feedback_id)
    if feedback is None or feedback.project_id != project.id:
        abort(404)
    form = CloseLoopForm(obj=feedback, items=_project_items(project.id))
    if request.method == "GET":
        form.version.data = str(feedback.version)
        form.loop_closed_how.data = feedback.loop_closed_how or ""
    if form.validate_on_submit():
        with form_work(form) as work:
            agile.close_loop(
                project,
                feedback,
                action_taken=form.action_taken.data or "",
                how=form.loop_closed_how.data or "",
                backlog_item_id=form.backlog_item_id.data,
                version=form.version_number(),
            )
        if work.ok:
            flash("Closed the loop: the customer knows what you did.", "success")
            return redirect(url_for("agile.you_said_we_did", project_id=project.id))
    return render_template(
        "agile/close_loop.html", form=form, project=project, feedback=feedback
    ), _status(form)


@bp.get("/you-said-we-did")
def you_said_we_did(project_id: int):
    project = load_project(project_id)
    page = paginate(queries.closed_loops(project.id), request.args.get("page"), scalars=False)
    return render_template("agile/you_said_we_did.html", project=project, page=page)
