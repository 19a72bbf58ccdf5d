"""Stage plans, gate requests and decisions, highlight and exception reports, the inbox."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.auth.access import forbid
from tracker.core import events
from tracker.core.dates import add_months
from tracker.core.errors import RuleError
from tracker.core.pagination import paginate
from tracker.core.pdf import pdf_response, render_pdf
from tracker.core.unit_of_work import form_work
from tracker.core.waiting import for_person
from tracker.db import utcnow
from tracker.extensions import db
from tracker.projects.access import can_manage, combined_board_roles, load_project, refused
from tracker.registers import reports as register_reports
from tracker.stages import access as stage_access
from tracker.stages import bp, queries, rules
from tracker.stages import services as stages
from tracker.stages.forms import (
    CloseEarlyForm,
    ExceptionDecisionForm,
    ExceptionForm,
    ExceptionPlanForm,
    ForecastForm,
    GateDecisionForm,
    GateRequestForm,
    HighlightForm,
    StageForm,
)
from tracker.stages.models import (
    EXCEPTION_DECISIONS,
    EXCEPTION_STATUSES,
    GATE_DECISIONS,
    GATE_STATUSES,
    RAG,
    STAGE_STATUSES,
    STATED_TARGETS,
    TARGET_STATUSES,
    ExceptionReport,
    GateReview,
    HighlightReport,
    Stage,
)
from tracker.stages.rules import (
    WAITING_FOR_BOARD,
    ExceptionStatus,
    ExceptionVote,
    GateStatus,
    StageStatus,
)

STAGE_COLOURS = {
    "planned": "grey",
    "authorised": "blue",
    "active": "green",
    "closed": "grey",
    "in_exception": "red",
}
GATE_COLOURS = {
    "pending": "yellow",
    "approved": "green",
    "approved_with_conditions": "teal",
    "rejected": "red",
    "closed_early": "grey",
}
TOLERANCE_COLOURS = {"within": "green", "at_risk": "orange", "breached": "red"}
RAG_COLOURS = {"green": "green", "amber": "orange", "red": "red"}


@bp.app_context_processor
def stage_vocabulary():
    return {
        "STAGE_STATUSES": STAGE_STATUSES,
        "STAGE_COLOURS": STAGE_COLOURS,
        "GATE_STATUSES": GATE_STATUSES,
        "GATE_COLOURS": GATE_COLOURS,
        "GATE_DECISIONS": GATE_DECISIONS,
        "EXCEPTION_STATUSES": EXCEPTION_STATUSES,
        "EXCEPTION_DECISIONS": EXCEPTION_DECISIONS,
        "TARGET_STATUSES": TARGET_STATUSES,
        "STATED_TARGETS": STATED_TARGETS,
        "TOLERANCE_COLOURS": TOLERANCE_COLOURS,
        "RAG": RAG,
        "RAG_COLOURS": RAG_COLOURS,
        "stages_summary": _project_section,
        "gate_title": stages.gate_title,
        "role_label": stages.role_label,
    }


def _project_section(project):
    """What the project page's stage section shows (one query); None when not staged."""
    if project.delivery_method not in stages.STAGED_METHODS:
        return None
    return queries.stage_summary(project)


def _stage(project, stage_id: int) -> Stage:
    stage = db.session.get(Stage, stage_id)
    if stage is None or stage.project_id != project.id:
        abort(404)
    return stage


def _record(model, project, record_id: int):
    record = db.session.get(model, record_id)
    if record is None or record.project_id != project.id:
        abort(404)
    return record


# --------------------------------------------------------------------------------------
# Stages
# --------------------------------------------------------------------------------------


@bp.get("/projects/<int:project_id>/stages")
def list_stages(project_id: int):
    project = load_project(project_id)
    summary = queries.stage_summary(project)
    next_gate, next_gate_problem = None, None
    manage = can_manage(current_user, project)
    if manage:
        try:
            next_gate = stages.next_gate(project)
        except RuleError as error:
            next_gate_problem = str(error)
    staged_problem = None
    try:
        stages.require_staged(project)
    except RuleError as error:
        staged_problem = str(error)
    headroom = None
    if summary.stages or staged_problem is None:
        headroom = project.budget_at_completion - summary.total_budget
    return render_template(
        "stages/list.html",
        project=project,
        stage_list=summary.stages,
        gates=queries.gates_of(project),
        exceptions=queries.exceptions_of(project),
        regime=stages.regime_for(project),
        next_gate=next_gate,
        next_gate_problem=next_gate_problem,
        staged_problem=staged_problem,
        headroom=headroom,
        can_manage=manage,
    )


def _stage_data(form: StageForm) -> stages.StageData:
    return stages.StageData(
        name=form.name.data or "",
        planned_start=form.planned_start.data,
        planned_finish=form.planned_finish.data,
        planned_budget=form.planned_budget.data,
        time_tolerance_days=form.time_tolerance_days.data,
        cost_tolerance_kind=form.cost_tolerance_kind.data,
        cost_tolerance_value=form.cost_tolerance_value.data,
        **{f"{n}_target": getattr(form, f"{n}_target").data or "" for n in STATED_TARGETS},
    )


@bp.route("/projects/<int:project_id>/stages/new", methods=["GET", "POST"])
def create_stage(project_id: int):
    project = load_project(project_id, manage=True)
    form = StageForm()
    if request.method == "GET":
        for name, value in stages.stage_defaults(project).items():
            getattr(form, name).data = value
    if form.validate_on_submit():
        with form_work(form) as work:
            stage = stages.create_stage(project, _stage_data(form), actor=current_user)
        if work.ok:
            flash(f"Planned {stage.label}.", "success")
            return redirect(url_for("stages.list_stages", project_id=project.id))
    return render_template("stages/stage_form.html", form=form, project=project, stage=None), (
        400 if form.errors or form.form_errors else 200
    )


@bp.route("/projects/<int:project_id>/stages/<int:stage_id>/edit", methods=["GET", "POST"])
def edit_stage(project_id: int, stage_id: int):
    project = load_project(project_id, manage=True)
    stage = _stage(project, stage_id)
    form = StageForm(obj=stage)
    if request.method == "GET":
        form.version.data = str(stage.version)
        percent = stage.cost_tolerance_percent
        form.cost_tolerance_kind.data = "percent" if percent is not None else "amount"
        form.cost_tolerance_value.data = (
            percent if percent is not None else stage.cost_tolerance_amount
        )
    if form.validate_on_submit():
        with form_work(form) as work:
            stages.update_stage(
                stage, _stage_data(form), version=form.version_number(), actor=current_user
            )
        if work.ok:
            flash(f"Saved {stage.label}.", "success")
            return redirect(url_for("stages.show_stage", project_id=project.id, stage_id=stage.id))
    return render_template("stages/stage_form.html", form=form, project=project, stage=stage), (
        400 if form.errors or form.form_errors else 200
    )


@bp.get("/projects/<int:project_id>/stages/<int:stage_id>")
def show_stage(project_id: int, stage_id: int):
    project = load_project(project_id)
    stage = _stage(project, stage_id)
    return render_template(
        "stages/show.html",
        project=project,
        stage=stage,
        tolerances=stages.tolerance_status(stage),
        open_exception=stages.open_exception(stage),
        can_manage=can_manage(current_user, project),
        can_close=_closable(stage),
    )


def _closable(stage: Stage) -> bool:
    if stage.status != StageStatus.ACTIVE:
        return False
    count = len(stages.stages_of(stage.project))
    return stage.sequence not in rules.gate_boundaries(stages.regime_for(stage.project), count)


def _stage_action(project_id: int, stage_id: int, action, done: str):
    project = load_project(project_id, manage=True)
    stage = _stage(project, stage_id)
    try:
        version = int(request.form.get("version", ""))
    except ValueError:
        version = None
    with form_work() as work:
        action(stage, version=version, actor=current_user)
    if work.ok:
        flash(done.format(label=stage.label), "success")
    return redirect(url_for("stages.show_stage", project_id=project_id, stage_id=stage_id))


@bp.post("/projects/<int:project_id>/stages/<int:stage_id>/start")
def start_stage(project_id: int, stage_id: int):
    return _stage_action(project_id, stage_id, stages.start_stage, "Started {label}.")


@bp.post("/projects/<int:project_id>/stages/<int:stage_id>/close")
def close_stage(project_id: int, stage_id: int):
    return _stage_action(project_id, stage_id, stages.close_stage, "Closed {label}.")


@bp.route("/projects/<int:project_id>/stages/<int:stage_id>/forecast", methods=["GET", "POST"])
def record_forecast(project_id: int, stage_id: int):
    project = load_project(project_id, manage=True)
    stage = _stage(project, stage_id)
    form = ForecastForm()
    if request.method == "GET":
        form.version.data = str(stage.version)
        form.finish.data = stage.forecast_finish or stage.planned_finish
        form.cost.data = (
            stage.forecast_cost if stage.forecast_cost is not None else stage.planned_budget
        )
        for name in STATED_TARGETS:
            getattr(form, f"{name}_status").data = getattr(stage, f"{name}_status")
    if form.validate_on_submit():
        with form_work(form) as work:
            breaches = stages.record_forecast(
                stage,
                finish=form.finish.data,
                cost=form.cost.data,
                targets={n: getattr(form, f"{n}_status").data for n in STATED_TARGETS},
                version=form.version_number(),
                actor=current_user,
            )
        if work.ok:
            if breaches:
                flash(
                    f"The forecast breaches tolerance, so {stage.label} is now in exception. "
                    "Raise an exception report for the board.",
                    "error",
                )
            else:
                flash("Recorded the forecast: it is within tolerance.", "success")
            return redirect(url_for("stages.show_stage", project_id=project.id, stage_id=stage.id))
    return render_template(
        "stages/forecast_form.html",
        form=form,
        project=project,
        stage=stage,
        tolerances=stages.tolerances_of(stage),
    ), (400 if form.errors or form.form_errors else 200)


# --------------------------------------------------------------------------------------
# Gates
# --------------------------------------------------------------------------------------


@bp.route("/projects/<int:project_id>/gates/new", methods=["GET", "POST"])
def request_gate(project_id: int):
    project = load_project(project_id, manage=True)
    form = GateRequestForm()
    try:
        planned = stages.next_gate(project)
    except RuleError as error:
        flash(str(error), "error")
        return redirect(url_for("stages.list_stages", project_id=project.id))
    approvers = stages.members_with_roles(project, planned.roles)
    if form.validate_on_submit():
        with form_work(form) as work:
            gate = stages.request_gate(
                project,
                stages.GateRequestData(
                    delivered_vs_plan=form.delivered_vs_plan.data,
                    forecast=form.forecast.data,
                    lessons=form.lessons.data,
                    next_stage_plan=form.next_stage_plan.data,
                    business_case_justified=form.business_case_justified.data == "yes",
                ),
                actor=current_user,
            )
        if work.ok:
            flash("Requested the gate decision: the board can see it in their inbox.", "success")
            return redirect(url_for("stages.show_gate", project_id=project.id, gate_id=gate.id))
    return render_template(
        "stages/gate_form.html",
        form=form,
        project=project,
        planned=planned,
        approvers=approvers,
        evidence=_stage_evidence(planned.closes),
    ), (400 if form.errors or form.form_errors else 200)


def _stage_evidence(stage) -> list[dict]:
    """Hybrid stages show the iterations and feedback inside them to the board."""
    if stage is None:
        return []
    # Agile answers (docs/architecture.md): stages does not import the domains above it.
    return [row for rows in events.send(events.gate_evidence, stage) for row in rows]


def _resolved_by(roles, what: str) -> str:
    names = " and ".join(f"the {stages.role_label(r)}" for r in roles)
    return f"Not needed: resolved by {names}{what}"


def _gate_board(project, gate) -> list[dict]:
    """One row per required role: its decision, or who may give it, or, once the gate has
    resolved without it, why it is no longer needed (never "waiting")."""
    outcome = rules.resolve_gate(gate.roles, [(d.role, d.decision) for d in gate.decisions])
    approvers = stages.members_with_roles(project, gate.roles)
    decided = {d.role: d for d in gate.decisions}
    if gate.status == GateStatus.CLOSED_EARLY:
        settled = _resolved_by(["executive"], " closing the project early")
    elif outcome.rejected_by:
        settled = _resolved_by(outcome.rejected_by, "’s rejection")
    else:
        settled = "Not needed: the gate was resolved without it"
    rows = []
    for role in gate.roles:
        row = {"role": role, "decision": decided.get(role)}
        row["who"] = ", ".join(u.name for u in approvers[role]) or "Nobody holds this role"
        row["state"] = "waiting" if gate.status == GateStatus.PENDING else settled
        rows.append(row)
    return rows


def _gate_page(project, gate, decision_form=None, close_form=None, status=200):
    undecided = (
        stages.undecided_roles(current_user, gate) if gate.status == GateStatus.PENDING else []
    )
    refusal = (
        stage_access.gate_refusal(current_user, gate) if gate.status == GateStatus.PENDING else None
    )
    if refusal is not None:
        undecided = []
    if decision_form is None:
        decision_form = GateDecisionForm(roles=[(r, stages.role_label(r)) for r in undecided])
    on_board = bool(stages.roles_held(current_user, project) & set(gate.roles))
    return render_template(
        "stages/gate.html",
        project=project,
        gate=gate,
        board=_gate_board(project, gate),
        undecided=undecided,
        refusal=refusal if on_board or gate.requested_by_id == current_user.id else None,
        combined=combined_board_roles(project),
        counts_for_each=stage_access.counts_for_each_role(project),
        form=decision_form,
        close_form=close_form or CloseEarlyForm(),
        can_close_early=stage_access.can_close_early(current_user, project)
        and gate.status == GateStatus.PENDING,
        outcome=rules.resolve_gate(gate.roles, [(d.role, d.decision) for d in gate.decisions]),
        evidence=_stage_evidence(gate.closes_stage),
        register_gate=register_reports.gate_section(project.id),
        # The domains above stages add their sections (the business case): an event.
        gate_sections=[s for s in events.send(events.gate_sections, gate) if s],
        # What the domains above add for the board (a switch of method proposed with it).
        notices=[notice for notice in events.send(events.gate_notices, gate) if notice],
    ), status


@bp.get("/projects/<int:project_id>/gates/<int:gate_id>")
def show_gate(project_id: int, gate_id: int):
    project = load_project(project_id)
    gate = _record(GateReview, project, gate_id)
    return _gate_page(project, gate)


@bp.get("/projects/<int:project_id>/gates/<int:gate_id>/end-stage-report.pdf")
def print_end_stage_report(project_id: int, gate_id: int):
    """The end-stage report the gate was requested with, as a PDF, for whoever may see the
    project (the same content as the gate page)."""
    project = load_project(project_id)
    gate = _record(GateReview, project, gate_id)
    return _printed(
        "stages/end_stage_print.html",
        f"{project.code}-end-stage-report-gate-{gate.id}.pdf",
        project=project,
        gate=gate,
        title=f"End-stage report – {stages.gate_title(gate)} – {project.code}",
        back=url_for("stages.show_gate", project_id=project.id, gate_id=gate.id),
        decisions=sorted(gate.decisions, key=lambda d: (d.decided_at, d.id)),
    )


def _printed(template: str, filename: str, *, back: str, **context):
    """A report as a PDF download; if it cannot be rendered, back to its page, saying so."""
    try:
        content = render_pdf(
            template, author=context["project"].code, generated_at=utcnow(), **context
        )
    except Exception:
        current_app.logger.exception("%s failed to render", template)
        flash("The PDF could not be rendered. Nothing has changed; try again.", "error")
        return redirect(back)
    return pdf_response(content, filename)


@bp.post("/projects/<int:project_id>/gates/<int:gate_id>/decide")
def decide_gate(project_id: int, gate_id: int):
    project = load_project(project_id)
    gate = _record(GateReview, project, gate_id)
    held = [r for r in gate.roles if r in stages.roles_held(current_user, project)]
    forged = request.form.get("role") and request.form.get("role") not in held
    if not held or forged or gate.requested_by_id == current_user.id:
        refused("gate decision", project=project.id, gate=gate.id, role=request.form.get("role"))
        forbid()
    form = GateDecisionForm(roles=[(r, stages.role_label(r)) for r in held])
    if form.validate_on_submit():
        with form_work(form) as work:
            stages.decide_gate(
                gate,
                role=form.role.data,
                decision=form.decision.data,
                comment=form.comment.data,
                actor=current_user,
            )
            if form.decision.data == rules.GateDecision.APPROVE_WITH_CONDITIONS:
                # The board follows conditions up as actions (docs/architecture.md).
                events.send(
                    events.gate_conditions_given,
                    gate,
                    role=form.role.data,
                    text=form.comment.data,
                    actor=current_user,
                )
        if work.ok:
            decision = GATE_DECISIONS[form.decision.data].lower()
            flash(f"Recorded your decision: {decision}.", "success")
            return redirect(url_for("stages.show_gate", project_id=project.id, gate_id=gate.id))
    return _gate_page(project, gate, decision_form=form, status=400)


@bp.post("/projects/<int:project_id>/gates/<int:gate_id>/close-project")
def close_project_early(project_id: int, gate_id: int):
    project = load_project(project_id)
    gate = _record(GateReview, project, gate_id)
    if not stage_access.can_close_early(current_user, project):
        refused("early closure", project=project.id, gate=gate.id)
        forbid()
    form = CloseEarlyForm()
    if form.validate_on_submit():
        with form_work(form) as work:
            stages.close_project_early(
                project, reason=form.reason.data, actor=current_user, gate=gate
            )
        if work.ok:
            flash("Closed the project early.", "success")
            return redirect(url_for("stages.list_stages", project_id=project.id))
    return _gate_page(project, gate, close_form=form, status=400)


@bp.get("/decisions")
def inbox():
    waiting = for_person(current_user, decisions_only=True)
    return render_template(
        "stages/inbox.html",
        items=waiting.records("decisions"),
        budget_items=waiting.records("budget_exceptions"),
        # The domains above answer with their own kinds (service assessments, release and
        # closing gates): each a table of the same columns.
        other_kinds=[
            (kind, list(zip(kind.records, kind.links, strict=True)))
            for kind in waiting.kinds
            if kind.key not in ("decisions", "budget_exceptions") and kind.count
        ],
    )


# --------------------------------------------------------------------------------------
# Highlight reports
# --------------------------------------------------------------------------------------


@bp.get("/projects/<int:project_id>/highlights")
def list_highlights(project_id: int):
    project = load_project(project_id)
    page = paginate(queries.highlights(project), request.args.get("page"))
    regime = stages.regime_for(project)
    last_end = queries.last_highlight_end(project)
    return render_template(
        "stages/highlights.html",
        project=project,
        page=page,
        regime=regime,
        next_due=add_months(last_end, regime.highlight_every_months) if last_end else None,
        can_manage=can_manage(current_user, project),
    )


@bp.route("/projects/<int:project_id>/highlights/new", methods=["GET", "POST"])
def create_highlight(project_id: int):
    project = load_project(project_id, manage=True)
    form = HighlightForm()
    if form.validate_on_submit():
        with form_work(form) as work:
            report = stages.create_highlight(
                project,
                stages.HighlightData(
                    period_start=form.period_start.data,
                    period_end=form.period_end.data,
                    overall_status=form.overall_status.data,
                    this_period=form.this_period.data,
                    next_period=form.next_period.data,
                    issues_and_risks=form.issues_and_risks.data,
                ),
                actor=current_user,
            )
        if work.ok:
            flash("Sent the highlight report to the board.", "success")
            return redirect(
                url_for("stages.show_highlight", project_id=project.id, report_id=report.id)
            )
    stage = stages.current_stage(project)
    return render_template(
        "stages/highlight_form.html",
        form=form,
        project=project,
        stage=stage,
        tolerances=stages.tolerance_status(stage) if stage else [],
    ), (400 if form.errors or form.form_errors else 200)


@bp.get("/projects/<int:project_id>/highlights/<int:report_id>")
def show_highlight(project_id: int, report_id: int):
    project = load_project(project_id)
    report = _record(HighlightReport, project, report_id)
    return render_template(
        "stages/highlight.html",
        project=project,
        report=report,
        tolerances=stages.highlight_tolerances(report),
    )


@bp.get("/projects/<int:project_id>/highlights/<int:report_id>.pdf")
def print_highlight(project_id: int, report_id: int):
    project = load_project(project_id)
    report = _record(HighlightReport, project, report_id)
    return _printed(
        "stages/highlight_print.html",
        f"{project.code}-highlight-report-{report.id}.pdf",
        project=project,
        report=report,
        tolerances=stages.highlight_tolerances(report),
        title=f"Highlight report {report.period_start.isoformat()} to "
        f"{report.period_end.isoformat()} – {project.code}",
        back=url_for("stages.show_highlight", project_id=project.id, report_id=report.id),
    )


# --------------------------------------------------------------------------------------
# Exceptions
# --------------------------------------------------------------------------------------


@bp.route(
    "/projects/<int:project_id>/stages/<int:stage_id>/exceptions/new", methods=["GET", "POST"]
)
def raise_exception(project_id: int, stage_id: int):
    project = load_project(project_id, manage=True)
    stage = _stage(project, stage_id)
    if stage.status != StageStatus.IN_EXCEPTION or stages.open_exception(stage) is not None:
        flash(
            f"{stage.label} has an exception report waiting already."
            if stage.status == StageStatus.IN_EXCEPTION
            else f"{stage.label} is not in exception: there is nothing to report.",
            "error",
        )
        return redirect(url_for("stages.show_stage", project_id=project.id, stage_id=stage.id))
    form = ExceptionForm()
    if form.validate_on_submit():
        data = stages.ExceptionData(
            cause=form.cause.data,
            consequences=form.consequences.data,
            options=[
                stages.OptionData(
                    *[(getattr(form, f"option_{n}_{p}").data or "") for p in _OPTION_PARTS]
                )
                for n in (1, 2, 3)
            ],
            recommended_option=form.recommended_option.data,
            recommendation=form.recommendation.data,
        )
        with form_work(form) as work:
            report = stages.raise_exception(stage, data, actor=current_user)
        if work.ok:
            flash("Raised the exception report: the board can see it in their inbox.", "success")
            return redirect(
                url_for("stages.show_exception", project_id=project.id, report_id=report.id)
            )
    return render_template(
        "stages/exception_form.html",
        form=form,
        project=project,
        stage=stage,
        breaches=rules.check_forecast(
            stages.plan_of(stage), stages.forecast_of(stage), stages.tolerances_of(stage)
        ),
    ), (400 if form.errors or form.form_errors else 200)


_OPTION_PARTS = ("summary", "cost_effect", "time_effect", "risk_effect")


def _exception_board(project, report) -> tuple[list[dict], rules.ExceptionOutcome | None]:
    """One row per required role in the current round: its decision, who may give it, or,
    once the round has settled without it, why it is not needed."""
    approvers = stages.members_with_roles(project, report.roles)
    current = {d.role: d for d in report.decisions if d.round == report.round}
    deciding = report.status in WAITING_FOR_BOARD
    outcome = stages.exception_outcome(report) if deciding else None
    if report.status == ExceptionStatus.DECIDED and report.decision == ExceptionVote.CLOSE_PROJECT:
        settled = _resolved_by(["executive"], " closing the project early")
    elif report.decided_role:
        what = {
            "approve_option": f" approving option {report.chosen_option}",
            "approve_exception_plan": " approving the exception plan",
            "request_exception_plan": " asking for an exception plan",
        }.get(report.decision or "", "")
        settled = _resolved_by([report.decided_role], what)
    else:
        # Decided before the board's rule (one decision settled it): nothing names a role.
        settled = "Not needed: the exception was resolved without it"
    if report.status == ExceptionStatus.PLAN_REQUESTED:
        settled = "Not needed: resolved by the board asking for an exception plan"
    rows = []
    for role in report.roles:
        row = {"role": role, "decision": current.get(role)}
        row["who"] = ", ".join(u.name for u in approvers[role]) or "Nobody holds this role"
        row["state"] = "waiting" if deciding else settled
        rows.append(row)
    return rows, outcome


def _is_executive(project) -> bool:
    return "executive" in stages.roles_held(current_user, project)


def _exception_page(project, report, form=None, plan_form=None, status=200):
    refusal = (
        stage_access.exception_refusal(current_user, report)
        if report.status in WAITING_FOR_BOARD
        else None
    )
    can_decide = report.status in WAITING_FOR_BOARD and refusal is None
    on_board = bool(stages.roles_held(current_user, project) & set(report.roles))
    board, outcome = _exception_board(project, report)
    if form is None:
        form = ExceptionDecisionForm(report=report, is_executive=_is_executive(project))
        form.version.data = str(report.version)
    if plan_form is None:
        plan_form = ExceptionPlanForm()
        plan_form.version.data = str(report.version)
        plan_form.finish.data = report.stage.forecast_finish or report.stage.planned_finish
        plan_form.budget.data = report.stage.forecast_cost
    return render_template(
        "stages/exception.html",
        project=project,
        report=report,
        form=form,
        plan_form=plan_form,
        can_decide=can_decide,
        refusal=refusal if on_board else None,
        board=board,
        outcome=outcome,
        combined=combined_board_roles(project),
        counts_for_each=stage_access.counts_for_each_role(project),
        is_executive="executive" in stages.roles_held(current_user, project),
        can_plan=report.status == ExceptionStatus.PLAN_REQUESTED
        and can_manage(current_user, project),
    ), status


@bp.get("/projects/<int:project_id>/exceptions/<int:report_id>")
def show_exception(project_id: int, report_id: int):
    project = load_project(project_id)
    return _exception_page(project, _record(ExceptionReport, project, report_id))


@bp.get("/projects/<int:project_id>/exceptions/<int:report_id>.pdf")
def print_exception(project_id: int, report_id: int):
    project = load_project(project_id)
    report = _record(ExceptionReport, project, report_id)
    return _printed(
        "stages/exception_print.html",
        f"{project.code}-exception-report-{report.id}.pdf",
        project=project,
        report=report,
        outcome=stages.exception_outcome(report) if report.status in WAITING_FOR_BOARD else None,
        decisions=sorted(report.decisions, key=lambda d: (d.decided_at, d.id)),
        title=f"Exception report – {report.stage.label} – {project.code}",
        back=url_for("stages.show_exception", project_id=project.id, report_id=report.id),
    )


@bp.post("/projects/<int:project_id>/exceptions/<int:report_id>/decide")
def decide_exception(project_id: int, report_id: int):
    project = load_project(project_id)
    report = _record(ExceptionReport, project, report_id)
    on_board = bool(stages.roles_held(current_user, project) & set(report.roles))
    forged = request.form.get("decision") == "close_project" and not _is_executive(project)
    own = report.raised_by_id == current_user.id or (
        report.status == ExceptionStatus.PLAN_SUBMITTED
        and report.plan_submitted_by_id == current_user.id
    )
    if not on_board or forged or own:
        refused(
            "exception decision",
            project=project.id,
            report=report.id,
            decision=request.form.get("decision"),
        )
        forbid()
    form = ExceptionDecisionForm(report=report, is_executive=_is_executive(project))
    if form.validate_on_submit():
        with form_work(form) as work:
            stages.decide_exception(
                report,
                decision=form.decision.data,
                option=form.option.data,
                comment=form.comment.data,
                version=form.version_number(),
                actor=current_user,
            )
        if work.ok:
            decision = EXCEPTION_DECISIONS[form.decision.data].lower()
            flash(f"Recorded the board's decision: {decision}.", "success")
            return redirect(
                url_for("stages.show_exception", project_id=project.id, report_id=report.id)
            )
    return _exception_page(project, report, form=form, status=400)


@bp.post("/projects/<int:project_id>/exceptions/<int:report_id>/plan")
def submit_exception_plan(project_id: int, report_id: int):
    project = load_project(project_id, manage=True)
    report = _record(ExceptionReport, project, report_id)
    form = ExceptionPlanForm()
    if form.validate_on_submit():
        with form_work(form) as work:
            stages.submit_exception_plan(
                report,
                finish=form.finish.data,
                budget=form.budget.data,
                summary=form.summary.data,
                version=form.version_number(),
                actor=current_user,
            )
        if work.ok:
            flash("Submitted the exception plan to the board.", "success")
            return redirect(
                url_for("stages.show_exception", project_id=project.id, report_id=report.id)
            )
    return _exception_page(project, report, plan_form=form, status=400)
