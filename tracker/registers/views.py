"""Risk and issue register pages: load, check access through the register policy, act."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.auth.access import forbid, pmo_required
from tracker.core import exports as files
from tracker.core.fields import record_id
from tracker.core.pagination import paginate
from tracker.core.unit_of_work import form_work
from tracker.db import utcnow
from tracker.extensions import db
from tracker.projects.access import load_project
from tracker.registers import access, bp, exports, queries, rules, services
from tracker.registers.forms import (
    AcknowledgeForm,
    AnswerForm,
    AssumptionEditForm,
    AssumptionForm,
    DependencyEditForm,
    DependencyForm,
    IssueForm,
    RiskForm,
    SettleForm,
)
from tracker.registers.models import Assumption, Dependency, Escalation, Issue, Risk


def _project(project_id: int, *, keep: bool = False):
    project = load_project(project_id)
    if keep and not access.can_keep(current_user, project):
        forbid()
    return project


def _entry(model, entry_id: int, project):
    entry = db.session.get(model, entry_id)
    if entry is None or entry.project_id != project.id:
        abort(404)
    return entry


def _status(raw: str | None, vocabulary) -> str | None:
    return raw if raw in vocabulary else None


def _status_code(form) -> int:
    return 400 if form.errors or form.form_errors else 200


# --------------------------------------------------------------------------------------
# Risks
# --------------------------------------------------------------------------------------


def _risk_data(form: RiskForm) -> services.RiskData:
    return services.RiskData(
        title=form.title.data or "",
        kind=form.kind.data,
        category=form.category.data,
        cause=form.cause.data or "",
        event=form.event.data or "",
        effect=form.effect.data or "",
        description=form.description.data or "",
        owner_id=form.owner_id.data,
        actionee_id=form.actionee_id.data,
        likelihood=form.likelihood.data,
        impact=form.impact.data,
        proximity=form.proximity.data or None,
        response=form.response.data or None,
        target_likelihood=form.target_likelihood.data,
        target_impact=form.target_impact.data,
        review_on=form.review_on.data,
        status=form.status.data,
    )


@bp.get("/<int:project_id>/risks")
def list_risks(project_id: int):
    project = _project(project_id)
    status = _status(request.args.get("status"), rules.RISK_STATUSES)
    page = paginate(queries.risk_register(project.id, status), request.args.get("page"))
    return render_template(
        "registers/risks.html",
        project=project,
        page=page,
        status=status,
        heat_map=rules.heat_map(queries.heat_counts(project.id)),
        can_keep=access.can_keep(current_user, project),
    )


@bp.route("/<int:project_id>/risks/new", methods=["GET", "POST"])
def create_risk(project_id: int):
    project = _project(project_id, keep=True)
    form = RiskForm(people=services.project_people(project))
    if form.validate_on_submit():
        with form_work(form) as work:
            risk = services.create_risk(project, _risk_data(form), actor=current_user)
        if work.ok:
            flash("Raised the risk.", "success")
            return redirect(url_for("registers.show_risk", project_id=project.id, risk_id=risk.id))
    return render_template(
        "registers/risk_form.html", project=project, risk=None, form=form
    ), _status_code(form)


@bp.get("/<int:project_id>/risks/<int:risk_id>")
def show_risk(project_id: int, risk_id: int):
    project = _project(project_id)
    risk = _entry(Risk, risk_id, project)
    return render_template(
        "registers/risk.html",
        project=project,
        risk=risk,
        history=queries.risk_history(risk.id),
        issues=queries.issues_from_risk(risk.id),
        escalations=queries.escalations_of(risk_id=risk.id),
        can_keep=access.can_keep(current_user, project),
    )


@bp.route("/<int:project_id>/risks/<int:risk_id>/edit", methods=["GET", "POST"])
def edit_risk(project_id: int, risk_id: int):
    project = _project(project_id, keep=True)
    risk = _entry(Risk, risk_id, project)
    form = RiskForm(obj=risk, people=services.project_people(project))
    if request.method == "GET":
        form.version.data = str(risk.version)
    if form.validate_on_submit():
        with form_work(form) as work:
            services.update_risk(
                project,
                risk,
                _risk_data(form),
                version=form.version_number(),
                actor=current_user,
            )
        if work.ok:
            flash("Saved the risk.", "success")
            return redirect(url_for("registers.show_risk", project_id=project.id, risk_id=risk.id))
    return render_template(
        "registers/risk_form.html", project=project, risk=risk, form=form
    ), _status_code(form)


# --------------------------------------------------------------------------------------
# Issues
# --------------------------------------------------------------------------------------


def _issue_data(form: IssueForm) -> services.IssueData:
    return services.IssueData(
        kind=form.kind.data,
        title=form.title.data or "",
        description=form.description.data or "",
        priority=form.priority.data,
        severity=form.severity.data,
        owner_id=form.owner_id.data,
        status=form.status.data,
        resolution=form.resolution.data or "",
    )


@bp.get("/<int:project_id>/issues")
def list_issues(project_id: int):
    project = _project(project_id)
    status = _status(request.args.get("status"), rules.ISSUE_STATUSES)
    page = paginate(queries.issue_register(project.id, status), request.args.get("page"))
    return render_template(
        "registers/issues.html",
        project=project,
        page=page,
        status=status,
        can_keep=access.can_keep(current_user, project),
    )


@bp.route("/<int:project_id>/issues/new", methods=["GET", "POST"])
def create_issue(project_id: int):
    """Raise an issue; with ``?risk=<id>`` a problem raised from a risk that happened."""
    project = _project(project_id, keep=True)
    risk = None
    raw_risk = request.args.get("risk")
    if raw_risk is not None:
        risk_id = record_id(raw_risk)
        if risk_id is None:
            abort(404)
        risk = _entry(Risk, risk_id, project)
    form = IssueForm(people=services.project_people(project))
    if request.method == "GET" and risk is not None:
        form.kind.data = rules.IssueKind.PROBLEM
        form.title.data = f"Happened: {risk.title}"[:200]
        form.owner_id.data = risk.owner_id
    if form.validate_on_submit():
        with form_work(form) as work:
            issue = services.create_issue(
                project, _issue_data(form), actor=current_user, from_risk=risk
            )
        if work.ok:
            flash("Raised the issue.", "success")
            return redirect(
                url_for("registers.show_issue", project_id=project.id, issue_id=issue.id)
            )
    return render_template(
        "registers/issue_form.html", project=project, issue=None, risk=risk, form=form
    ), _status_code(form)


@bp.get("/<int:project_id>/issues/<int:issue_id>")
def show_issue(project_id: int, issue_id: int):
    project = _project(project_id)
    issue = _entry(Issue, issue_id, project)
    return render_template(
        "registers/issue.html",
        project=project,
        issue=issue,
        escalations=queries.escalations_of(issue_id=issue.id),
        can_keep=access.can_keep(current_user, project),
    )


@bp.route("/<int:project_id>/issues/<int:issue_id>/edit", methods=["GET", "POST"])
def edit_issue(project_id: int, issue_id: int):
    project = _project(project_id, keep=True)
    issue = _entry(Issue, issue_id, project)
    form = IssueForm(obj=issue, people=services.project_people(project))
    if request.method == "GET":
        form.version.data = str(issue.version)
    if form.validate_on_submit():
        with form_work(form) as work:
            services.update_issue(
                project,
                issue,
                _issue_data(form),
                version=form.version_number(),
                actor=current_user,
            )
        if work.ok:
            flash("Saved the issue.", "success")
            return redirect(
                url_for("registers.show_issue", project_id=project.id, issue_id=issue.id)
            )
    return render_template(
        "registers/issue_form.html", project=project, issue=issue, risk=issue.risk, form=form
    ), _status_code(form)


# --------------------------------------------------------------------------------------
# Escalations
# --------------------------------------------------------------------------------------


@bp.get("/escalations")
@pmo_required
def list_escalations():
    """The PMO's list of everything escalated to a board, waiting ones first."""
    status = _status(request.args.get("status"), rules.ESCALATION_STATUSES)
    page = paginate(queries.escalations(status), request.args.get("page"))
    return render_template("registers/escalations.html", page=page, status=status)


def _escalation_page(project, escalation, form, status_code=200):
    return render_template(
        "registers/escalation.html",
        project=project,
        escalation=escalation,
        form=form,
        refusal=access.answer_refusal(current_user, escalation),
    ), status_code


@bp.get("/<int:project_id>/escalations/<int:escalation_id>")
def show_escalation(project_id: int, escalation_id: int):
    project = _project(project_id)
    escalation = _entry(Escalation, escalation_id, project)
    form = AnswerForm()
    form.version.data = str(escalation.version)
    return _escalation_page(project, escalation, form)


@bp.post("/<int:project_id>/escalations/<int:escalation_id>/answer")
def answer_escalation(project_id: int, escalation_id: int):
    project = _project(project_id)
    escalation = _entry(Escalation, escalation_id, project)
    refusal = access.answer_refusal(current_user, escalation)
    if refusal:
        forbid(refusal)
    form = AnswerForm()
    if form.validate_on_submit():
        with form_work(form) as work:
            services.answer_escalation(
                project,
                escalation,
                form.response.data,
                version=form.version_number(),
                actor=current_user,
            )
        if work.ok:
            flash("Recorded the board's response.", "success")
            return redirect(
                url_for(
                    "registers.show_escalation",
                    project_id=project.id,
                    escalation_id=escalation.id,
                )
            )
    return _escalation_page(project, escalation, form, _status_code(form))


# --------------------------------------------------------------------------------------
# Exports
# --------------------------------------------------------------------------------------


def _download(project, name: str, fmt: str, columns, rows, *, what: str = "") -> Response:
    """The register as CSV, or as Excel with its About sheet (``tracker.core.exports``)."""
    about = files.About(
        title=f"The {what or name[:-1] + ' register'} of {project.code} {project.name}, "
        "in the page's order",
        made_at=utcnow(),
        made_by=f"{current_user.name} ({current_user.email})",
    )
    sheet = name.replace("-", " ").capitalize()
    made = files.download(about, f"{project.code}-{name}", sheet, fmt, columns, rows)
    return Response(made.body, mimetype=made.mimetype, headers=made.headers)


@bp.get("/<int:project_id>/risks.<any(csv, xlsx):fmt>")
def export_risks(project_id: int, fmt: str):
    """The whole risk register, in the page's order."""
    project = _project(project_id)
    risks = db.session.scalars(queries.risk_register(project.id))
    return _download(project, "risks", fmt, exports.RISK_COLUMNS, exports.risk_rows(risks))


@bp.get("/<int:project_id>/issues.<any(csv, xlsx):fmt>")
def export_issues(project_id: int, fmt: str):
    """The whole issue register, in the page's order."""
    project = _project(project_id)
    issues = db.session.scalars(queries.issue_register(project.id))
    return _download(project, "issues", fmt, exports.ISSUE_COLUMNS, exports.issue_rows(issues))


@bp.get("/<int:project_id>/assumptions.<any(csv, xlsx):fmt>")
def export_assumptions(project_id: int, fmt: str):
    """Every assumption, in the page's order."""
    project = _project(project_id)
    rows = exports.assumption_rows(queries.assumptions(project.id))
    return _download(project, "assumptions", fmt, exports.ASSUMPTION_COLUMNS, rows)


@bp.get("/<int:project_id>/dependencies.<any(csv, xlsx):fmt>")
def export_dependencies(project_id: int, fmt: str):
    """Both directions, as on the page: what this project needs, then what others need
    from it."""
    project = _project(project_id)
    rows = exports.dependency_rows(
        queries.depends_on(project.id), queries.depended_on_by(project.id)
    )
    return _download(
        project, "dependencies", fmt, exports.DEPENDENCY_COLUMNS, rows, what="dependencies"
    )


# --------------------------------------------------------------------------------------
# Assumptions and dependencies
# --------------------------------------------------------------------------------------


def _raid_page(project, *, assumption_form=None, dependency_form=None, status=200):
    people = services.project_people(project)
    can_keep = access.can_keep(current_user, project)
    return render_template(
        "registers/raid.html",
        project=project,
        assumptions=queries.assumptions(project.id),
        depends_on=queries.depends_on(project.id),
        depended_on_by=queries.depended_on_by(project.id),
        assumption_form=assumption_form or AssumptionForm(people=people),
        dependency_form=dependency_form or DependencyForm(),
        settle_form=SettleForm(),
        acknowledge_form=AcknowledgeForm(),
        can_keep=can_keep,
        manages_this=access.manages(current_user, project),
    ), status


@bp.get("/<int:project_id>/assumptions-and-dependencies")
def list_raid(project_id: int):
    return _raid_page(_project(project_id))


@bp.post("/<int:project_id>/assumptions")
def create_assumption(project_id: int):
    project = _project(project_id, keep=True)
    form = AssumptionForm(people=services.project_people(project))
    if form.validate_on_submit():
        with form_work(form) as work:
            services.create_assumption(
                project,
                form.statement.data,
                form.owner_id.data,
                form.confirm_by.data,
                actor=current_user,
            )
        if work.ok:
            flash("Recorded the assumption.", "success")
            return redirect(url_for("registers.list_raid", project_id=project.id))
    return _raid_page(project, assumption_form=form, status=_status_code(form))


@bp.post("/<int:project_id>/assumptions/<int:assumption_id>/settle")
def settle_assumption(project_id: int, assumption_id: int):
    project = _project(project_id, keep=True)
    assumption = _entry(Assumption, assumption_id, project)
    form = SettleForm()
    if form.validate_on_submit():
        with form_work() as work:
            services.settle_assumption(
                project,
                assumption,
                form.status.data,
                version=form.version_number(),
                actor=current_user,
            )
        if work.ok:
            flash("Saved the assumption.", "success")
    else:
        flash(" ".join(e for errors in form.errors.values() for e in errors), "error")
    return redirect(url_for("registers.list_raid", project_id=project.id))


@bp.route("/<int:project_id>/assumptions/<int:assumption_id>/edit", methods=["GET", "POST"])
def edit_assumption(project_id: int, assumption_id: int):
    """Change an assumption: its wording, owner, date to confirm by, or status."""
    project = _project(project_id, keep=True)
    assumption = _entry(Assumption, assumption_id, project)
    form = AssumptionEditForm(obj=assumption, people=services.project_people(project))
    if request.method == "GET":
        form.version.data = str(assumption.version)
    if form.validate_on_submit():
        with form_work(form) as work:
            services.update_assumption(
                project,
                assumption,
                form.statement.data,
                form.owner_id.data,
                form.confirm_by.data,
                form.status.data,
                version=form.version_number(),
                actor=current_user,
            )
        if work.ok:
            flash("Saved the assumption.", "success")
            return redirect(url_for("registers.list_raid", project_id=project.id))
    return render_template(
        "registers/assumption_form.html",
        project=project,
        assumption=assumption,
        form=form,
        history=queries.entry_history(assumption),
    ), _status_code(form)


@bp.route("/<int:project_id>/dependencies/<int:dependency_id>/edit", methods=["GET", "POST"])
def edit_dependency(project_id: int, dependency_id: int):
    """Change what this project needs, by when, or from which outside party."""
    project = _project(project_id, keep=True)
    dependency = _entry(Dependency, dependency_id, project)
    form = DependencyEditForm(obj=dependency)
    if request.method == "GET":
        form.version.data = str(dependency.version)
    if form.validate_on_submit():
        with form_work(form) as work:
            services.update_dependency(
                project,
                dependency,
                form.what.data,
                form.needed_by.data,
                form.external_party.data or "",
                version=form.version_number(),
                actor=current_user,
            )
        if work.ok:
            flash("Saved the dependency.", "success")
            return redirect(url_for("registers.list_raid", project_id=project.id))
    return render_template(
        "registers/dependency_form.html",
        project=project,
        dependency=dependency,
        form=form,
        history=queries.entry_history(dependency),
    ), _status_code(form)


@bp.post("/<int:project_id>/dependencies")
def create_dependency(project_id: int):
    project = _project(project_id, keep=True)
    form = DependencyForm()
    if form.validate_on_submit():
        with form_work(form) as work:
            services.create_dependency(
                project,
                services.DependencyData(
                    kind=form.kind.data,
                    what=form.what.data,
                    needed_by=form.needed_by.data,
                    on_project_code=form.on_project_code.data or None,
                    external_party=form.external_party.data or "",
                ),
                actor=current_user,
            )
        if work.ok:
            flash("Recorded the dependency.", "success")
            return redirect(url_for("registers.list_raid", project_id=project.id))
    return _raid_page(project, dependency_form=form, status=_status_code(form))


@bp.post("/<int:project_id>/dependencies/<int:dependency_id>/acknowledge")
def acknowledge_dependency(project_id: int, dependency_id: int):
    """The manager of ``project_id``, the project depended on, acknowledges it."""
    project = _project(project_id)
    dependency = db.session.get(Dependency, dependency_id)
    if dependency is None or dependency.on_project_id != project.id:
        abort(404)
    if not access.manages(current_user, project):
        forbid("Only this project's manager acknowledges what other projects need from it.")
    form = AcknowledgeForm()
    if form.validate_on_submit():
        with form_work() as work:
            services.acknowledge_dependency(
                dependency, version=form.version_number(), actor=current_user
            )
        if work.ok:
            flash("Acknowledged the dependency.", "success")
    return redirect(url_for("registers.list_raid", project_id=project.id))
