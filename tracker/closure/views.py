"""Pages of a project's closure through its end-project report."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from tracker.closure import bp, rules
from tracker.closure import services as closure
from tracker.closure.forms import ClosureDecisionForm, EndProjectReportForm
from tracker.closure.models import EndProjectReport
from tracker.closure.rules import CLOSURE_STATUSES, CLOSURE_VOTES
from tracker.core.unit_of_work import form_work
from tracker.extensions import db
from tracker.frameworks import decisions
from tracker.projects.access import can_manage, load_project
from tracker.projects.rules import PROJECT_ROLES


def _reports(project) -> list[EndProjectReport]:
    return list(
        db.session.scalars(
            select(EndProjectReport)
            .where(EndProjectReport.project_id == project.id)
            .order_by(EndProjectReport.round.desc())
        )
    )


def _page(project, form=None, decision_form=None, status=200):
    reports = _reports(project)
    current = reports[0] if reports else None
    refusal = closure.decision_refusal(current_user, current) if current else None
    if current is not None and decision_form is None and refusal is None:
        roles = closure.undecided_roles(current_user, current)
        decision_form = ClosureDecisionForm(roles=[(r, PROJECT_ROLES[r]) for r in roles])
    gate_name, roles = closure.gate_of(project)
    manage = can_manage(current_user, project)
    if (
        form is None
        and manage
        and closure.closure_problem(project) is None
        and (current is None or current.status == rules.ClosureStatus.REJECTED)
    ):
        form = EndProjectReportForm()
    return render_template(
        "closure/show.html",
        project=project,
        reports=reports,
        current=current,
        sections=rules.SECTIONS,
        statuses=CLOSURE_STATUSES,
        votes=CLOSURE_VOTES,
        role_labels=PROJECT_ROLES,
        gate_name=gate_name,
        roles=[PROJECT_ROLES[r] for r in roles],
        problem=closure.closure_problem(project),
        form=form,
        decision_form=decision_form,
        refusal=refusal,
    ), status


@bp.get("/projects/<int:project_id>/closure")
def show_closure(project_id: int):
    return _page(load_project(project_id))


@bp.post("/projects/<int:project_id>/closure")
def submit_report(project_id: int):
    project = load_project(project_id, manage=True)
    form = EndProjectReportForm()
    if form.validate_on_submit():
        with form_work(form) as work:
            closure.submit_report(
                project,
                {name: getattr(form, name).data for name in rules.FIELDS},
                actor=current_user,
            )
        if work.ok:
            flash(
                "Submitted the end-project report: the board decides the closing gate.", "success"
            )
            return redirect(url_for("closure.show_closure", project_id=project.id))
    return _page(project, form=form, status=400)


@bp.post("/projects/<int:project_id>/closure/<int:report_id>/decide")
def decide_closure(project_id: int, report_id: int):
    project = load_project(project_id)
    report = db.session.get(EndProjectReport, report_id)
    if report is None or report.project_id != project.id:
        abort(404)
    held = decisions.forbid_unless_decider(
        current_user,
        report,
        requested_by_id=report.submitted_by_id,
        why=closure.decision_refusal(current_user, report),
        what="closure decision",
        report=report.id,
    )
    form = ClosureDecisionForm(roles=[(r, PROJECT_ROLES[r]) for r in held])
    if form.validate_on_submit():
        with form_work(form) as work:
            closure.decide_closure(
                report,
                role=form.role.data,
                decision=form.decision.data,
                comment=form.comment.data,
                actor=current_user,
            )
        if work.ok:
            flash("Recorded your decision.", "success")
            return redirect(url_for("closure.show_closure", project_id=project.id))
    return _page(project, decision_form=form, status=400)
