"""Assessment, method decision and risk register pages: load, check access, act."""

from __future__ import annotations

from datetime import date, datetime

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.auth.access import forbid
from tracker.core.filters import LONDON
from tracker.core.pagination import paginate
from tracker.core.unit_of_work import form_work
from tracker.db import utcnow
from tracker.extensions import db
from tracker.frameworks import queries as framework_queries
from tracker.methods import bp, model, queries, rules, services, switches, wording
from tracker.methods.forms import AssessmentForm, DecisionForm, SwitchForm
from tracker.methods.models import Assessment
from tracker.methods.switching import SWITCH_STATUSES
from tracker.projects.access import can_manage, load_project


def _local_date(moment: datetime) -> date:
    """The calendar day people in the UK see for a UTC moment."""
    return moment.astimezone(LONDON).date()


def methods_summary(project) -> dict:
    """What the project page shows about the method: one query for the data, then the
    re-assessment prompt from the pure rule."""
    assessment, decision, open_risks = queries.project_summary(project.id)
    last = _local_date(assessment.assessed_at) if assessment is not None else None
    prompt = rules.reassess_prompt(
        last, _local_date(utcnow()), after_days=current_app.config["METHOD_REASSESS_DAYS"]
    )
    return {
        "assessment": assessment,
        "decision": decision,
        "open_risks": open_risks,
        "prompt": prompt,
    }


@bp.app_context_processor
def method_vocabulary():
    return {
        "methods_summary": methods_summary,
        "METHOD_MODEL": model,
        "METHOD_WORDING": wording,
    }


# --------------------------------------------------------------------------------------
# Assessments
# --------------------------------------------------------------------------------------


@bp.route("/<int:project_id>/assessments/new", methods=["GET", "POST"])
def assess(project_id: int):
    project = load_project(project_id, manage=True)
    form = AssessmentForm()
    latest = services.latest_assessment(project.id)
    next_sequence = (latest.sequence if latest else 0) + 1
    if request.method == "GET":
        form.expected_sequence.data = str(next_sequence)
        if latest is not None:
            # A re-assessment starts from the last answers: change what has changed.
            for key, value in latest.answers.items():
                if key in form:
                    form[key].data = value
    if form.validate_on_submit():
        with form_work(form) as work:
            assessment = services.assess(
                project,
                form.answers(),
                assessed_by=current_user,
                expected_sequence=form.expected_sequence_number(),
            )
        if work.ok:
            flash("Assessment saved. This is the recommendation.", "success")
            return redirect(
                url_for(
                    "methods.show_assessment", project_id=project.id, assessment_id=assessment.id
                )
            )
        latest = services.latest_assessment(project.id)  # someone may have assessed meanwhile
    return render_template("methods/assess.html", project=project, form=form, latest=latest), (
        400 if form.errors or form.form_errors else 200
    )


@bp.get("/<int:project_id>/assessments")
def list_assessments(project_id: int):
    project = load_project(project_id)
    page = paginate(queries.assessment_history(project.id), request.args.get("page"), 10)
    before = None
    if page.items:
        before = queries.assessment_before(project.id, page.items[-1].sequence)
    return render_template(
        "methods/assessments.html",
        project=project,
        page=page,
        items=services.with_changes(page.items, before),
        can_manage=can_manage(current_user, project),
    )


@bp.get("/<int:project_id>/assessments/<int:assessment_id>")
def show_assessment(project_id: int, assessment_id: int):
    project = load_project(project_id)
    assessment = db.session.get(Assessment, assessment_id)
    if assessment is None or assessment.project_id != project.id:
        abort(404)
    previous = queries.assessment_before(project.id, assessment.sequence)
    item = services.with_changes([assessment], previous)[0]
    latest = services.latest_assessment(project.id)
    scores = assessment.scores
    chart = rules.stacey_chart(scores["certainty"], scores["agreement"], zone=assessment.zone)
    return render_template(
        "methods/result.html",
        project=project,
        assessment=assessment,
        item=item,
        is_latest=latest is not None and latest.id == assessment.id,
        chart=chart,
        can_manage=can_manage(current_user, project),
    )


# --------------------------------------------------------------------------------------
# Method decisions
# --------------------------------------------------------------------------------------


@bp.route("/<int:project_id>/method-decision", methods=["GET", "POST"])
def decide(project_id: int):
    project = load_project(project_id, manage=True)
    latest = services.latest_assessment(project.id)
    if latest is None:
        flash("Assess the project first: a method decision is made against a recommendation.")
        return redirect(url_for("methods.assess", project_id=project.id))
    form = DecisionForm()
    if request.method == "GET":
        form.method.data = project.delivery_method or latest.method
        form.assessment_id.data = str(latest.id)
        form.version.data = str(project.version)
    if form.validate_on_submit():
        with form_work(form) as work:
            services.decide(
                project,
                services.DecisionData(
                    method=form.method.data,
                    drivers=list(form.drivers.data or []),
                    rationale=form.rationale.data or "",
                    assessment_id=form.assessment_number(),
                    project_version=form.version_number(),
                ),
                decided_by=current_user,
            )
        if work.ok:
            flash(
                f"Recorded the decision: {model.METHODS[project.delivery_method].lower()} "
                "delivery.",
                "success",
            )
            return redirect(url_for("methods.list_decisions", project_id=project.id))
        latest = services.latest_assessment(project.id)  # someone may have assessed meanwhile
    return render_template("methods/decide.html", project=project, form=form, latest=latest), (
        400 if form.errors or form.form_errors else 200
    )


@bp.get("/<int:project_id>/method-decisions")
def list_decisions(project_id: int):
    project = load_project(project_id)
    page = paginate(queries.decision_history(project.id), request.args.get("page"), 20)
    return render_template(
        "methods/decisions.html",
        project=project,
        page=page,
        can_manage=can_manage(current_user, project),
    )


# --------------------------------------------------------------------------------------
# Switching method at a boundary
# --------------------------------------------------------------------------------------


@bp.route("/<int:project_id>/method-switch", methods=["GET", "POST"])
def propose_switch(project_id: int):
    """The project's switches of method, and (for its manager) the form proposing one with
    the decision waiting at the boundary."""
    project = load_project(project_id)
    manage = can_manage(current_user, project)
    form = None
    if manage:
        form = SwitchForm()
        form.framework_version_id.choices = [
            (int(value), label) for value, label in framework_queries.published_choices()
        ]
    if request.method == "POST":
        if not manage:
            forbid()
        if form.validate_on_submit():
            with form_work(form) as work:
                switch = switches.propose(
                    project,
                    to_method=form.method.data,
                    framework_version_id=form.framework_version_id.data,
                    drivers=list(form.drivers.data or []),
                    rationale=form.rationale.data or "",
                    actor=current_user,
                )
            if work.ok:
                flash(
                    f"Proposed the switch to {model.METHODS[switch.to_method].lower()} delivery: "
                    f"the board decides it with {switch.boundary_name}.",
                    "success",
                )
                return redirect(url_for("methods.propose_switch", project_id=project.id))
    latest = services.latest_assessment(project.id)
    return render_template(
        "methods/switch.html",
        project=project,
        form=form,
        latest=latest,
        boundary=switches.boundary_of(project),
        proposed=switches.proposed_switch(project),
        history=switches.switches_of(project),
        statuses=SWITCH_STATUSES,
    ), (400 if form is not None and (form.errors or form.form_errors) else 200)
