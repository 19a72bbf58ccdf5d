"""Pages of a project's phases and service assessments."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.auth.access import forbid
from tracker.budget.rules import index_on_screen
from tracker.core.unit_of_work import form_work
from tracker.extensions import db
from tracker.frameworks import decisions
from tracker.methods import switches
from tracker.methods.switching import BoundaryKind
from tracker.phases import access as phase_access
from tracker.phases import bp, rules
from tracker.phases import services as phases
from tracker.phases.forms import (
    AssessmentDecisionForm,
    AssessmentRequestForm,
    FundingForm,
    StampForm,
)
from tracker.phases.models import FundingException, Phase, ServiceAssessment
from tracker.phases.rules import (
    ASSESSMENT_STATUSES,
    PHASE_STATUSES,
    FundingExceptionStatus,
    PhaseStatus,
)
from tracker.projects.access import can_manage, load_project, refused
from tracker.projects.rules import PROJECT_ROLES


def _phase(project, phase_id: int) -> Phase:
    phase = db.session.get(Phase, phase_id)
    if phase is None or phase.project_id != project.id:
        abort(404)
    return phase


def _assessment(project, assessment_id: int) -> ServiceAssessment:
    assessment = db.session.get(ServiceAssessment, assessment_id)
    if assessment is None or assessment.project_id != project.id:
        abort(404)
    return assessment


def _back(project):
    return redirect(url_for("phases.list_phases", project_id=project.id))


@bp.get("/projects/<int:project_id>/phases")
def list_phases(project_id: int):
    project = load_project(project_id)
    phase_list = phases.phases_of(project)
    assessments = list(
        db.session.scalars(
            db.select(ServiceAssessment)
            .where(ServiceAssessment.project_id == project.id)
            .order_by(ServiceAssessment.id)
        )
    )
    exceptions = list(
        db.session.scalars(
            db.select(FundingException).where(
                FundingException.project_id == project.id,
                FundingException.status == FundingExceptionStatus.OPEN,
            )
        )
    )
    iterations = phases.iterations_by_phase(phase_list)
    rows = []
    for phase in phase_list:
        # What the active phase has spent is what its funding is checked against, and
        # what its earned value (AgileEVM) is measured with.
        spent = phases.spent_in(phase) if phase.status == PhaseStatus.ACTIVE else None
        evm = phases.earned_value(phase, iterations[phase.id], spent) if spent is not None else None
        rows.append(
            {
                "phase": phase,
                "status": PHASE_STATUSES[phase.status],
                "spent": spent,
                "iterations": iterations[phase.id],
                "evm": evm,
                "cpi": index_on_screen(evm.cpi) if evm else None,
                "spi": index_on_screen(evm.spi) if evm else None,
            }
        )
    return render_template(
        "phases/list.html",
        project=project,
        rows=rows,
        assessments=assessments,
        exceptions=exceptions,
        problem=phases.phased_problem(project),
        can_manage=can_manage(current_user, project),
        is_executive=phase_access.is_executive(current_user, project),
        assessment_statuses=ASSESSMENT_STATUSES,
        stamp=StampForm(),
        funding_forms={p.id: FundingForm(prefix=f"phase{p.id}") for p in phase_list},
    )


@bp.post("/projects/<int:project_id>/phases/setup")
def set_up(project_id: int):
    project = load_project(project_id, manage=True)
    if StampForm().validate_on_submit():
        with form_work() as work:
            phases.set_up(project, actor=current_user)
        if work.ok:
            flash("Set up the phases: the Executive releases discovery's funding next.", "success")
    return _back(project)


@bp.post("/projects/<int:project_id>/phases/<int:phase_id>/start")
def start_phase(project_id: int, phase_id: int):
    project = load_project(project_id, manage=True)
    phase = _phase(project, phase_id)
    form = StampForm()
    if form.validate_on_submit():
        with form_work() as work:
            phases.start_phase(phase, version=form.version_number(), actor=current_user)
        if work.ok:
            flash(f"Started {phase.label.lower()}.", "success")
    return _back(project)


@bp.post("/projects/<int:project_id>/phases/<int:phase_id>/funding")
def release_funding(project_id: int, phase_id: int):
    project = load_project(project_id)
    phase = _phase(project, phase_id)
    if not phase_access.is_executive(current_user, project):
        refused("phase funding", project=project.id, phase=phase.id)
        forbid("Only the project's Executive releases a phase's funding.")
    form = FundingForm(prefix=f"phase{phase.id}")
    if form.validate_on_submit():
        with form_work() as work:
            phases.release_funding(
                phase, form.amount.data, version=form.version_number(), actor=current_user
            )
        if work.ok:
            flash(f"Released £{form.amount.data:,.2f} to {phase.label.lower()}.", "success")
    else:
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
    return _back(project)


@bp.post("/projects/<int:project_id>/phases/<int:phase_id>/spending")
def check_spending(project_id: int, phase_id: int):
    project = load_project(project_id, manage=True)
    phase = _phase(project, phase_id)
    if StampForm().validate_on_submit():
        with form_work() as work:
            check = phases.check_spending(phase, actor=current_user)
        if work.ok:
            if check.exception is not None:
                flash(
                    f"{phase.label} has spent £{check.spent:,.2f}, past the "
                    f"£{check.released:,.2f} released: the Executive has been asked to decide.",
                    "error",
                )
            else:
                flash(f"{phase.label} is within its released funding.", "success")
    return _back(project)


@bp.route(
    "/projects/<int:project_id>/phases/<int:phase_id>/assessments/new", methods=["GET", "POST"]
)
def request_assessment(project_id: int, phase_id: int):
    project = load_project(project_id, manage=True)
    phase = _phase(project, phase_id)
    form = AssessmentRequestForm()
    if form.validate_on_submit():
        with form_work(form) as work:
            assessment = phases.request_assessment(
                phase, summary=form.summary.data, actor=current_user
            )
        if work.ok:
            flash(f"Requested {assessment.name}.", "success")
            return redirect(
                url_for(
                    "phases.show_assessment", project_id=project.id, assessment_id=assessment.id
                )
            )
    status = 400 if form.errors or form.form_errors else 200
    return render_template("phases/request.html", project=project, phase=phase, form=form), status


def _assessment_page(project, assessment, form=None, status=200):
    roles = phase_access.assessor_roles(current_user, assessment)
    refusal = phase_access.decision_refusal(current_user, assessment)
    if form is None and refusal is None:
        form = AssessmentDecisionForm(roles=[(r, PROJECT_ROLES[r]) for r in roles])
    switch = switches.proposed_at(BoundaryKind.ASSESSMENT, assessment.id)
    return render_template(
        "phases/assessment.html",
        project=project,
        assessment=assessment,
        notice=switches.notice(switch) if switch is not None else None,
        status_label=ASSESSMENT_STATUSES[assessment.status],
        form=form,
        refusal=refusal,
        role_labels=PROJECT_ROLES,
        posted=request.form if request.method == "POST" else {},
    ), status


@bp.get("/projects/<int:project_id>/service-assessments/<int:assessment_id>")
def show_assessment(project_id: int, assessment_id: int):
    project = load_project(project_id)
    return _assessment_page(project, _assessment(project, assessment_id))


@bp.post("/projects/<int:project_id>/service-assessments/<int:assessment_id>/decide")
def decide_assessment(project_id: int, assessment_id: int):
    project = load_project(project_id)
    assessment = _assessment(project, assessment_id)
    held = decisions.forbid_unless_decider(
        current_user,
        assessment,
        requested_by_id=assessment.requested_by_id,
        why=phase_access.decision_refusal(current_user, assessment),
        what="assessment decision",
        assessment=assessment.id,
    )
    form = AssessmentDecisionForm(roles=[(r, PROJECT_ROLES[r]) for r in held])
    if form.validate_on_submit():
        results = [
            rules.PointResult(
                point,
                request.form.get(f"point-{n}-met") == "met",
                request.form.get(f"point-{n}-note", ""),
            )
            for n, point in enumerate(assessment.point_list, start=1)
            if request.form.get(f"point-{n}-met") in ("met", "not_met")
        ]
        with form_work(form) as work:
            phases.decide_assessment(
                assessment,
                role=form.role.data,
                results=results,
                comment=form.comment.data,
                actor=current_user,
            )
        if work.ok:
            flash("Recorded your assessment.", "success")
            return redirect(
                url_for(
                    "phases.show_assessment", project_id=project.id, assessment_id=assessment.id
                )
            )
    return _assessment_page(project, assessment, form, 400)
