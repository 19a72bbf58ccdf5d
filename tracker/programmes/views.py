"""Programme and portfolio pages: load, check access through the programme policy
(tracker.programmes.access), call a service inside the unit of work, render."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from tracker.auth.access import forbid, pmo_required
from tracker.auth.models import User, email_lookup
from tracker.board.rules import DCA_LABELS
from tracker.core import exports as files
from tracker.core.dates import uk_today
from tracker.core.fields import record_id
from tracker.core.unit_of_work import form_work
from tracker.db import utcnow
from tracker.extensions import db
from tracker.frameworks.models import GateTemplate
from tracker.orgs.models import Organisation
from tracker.programmes import access, bp, exports, queries, rules, services
from tracker.programmes.diagram import dependency_diagram
from tracker.programmes.forms import (
    AddProjectForm,
    ConfidenceForm,
    DoneForm,
    GateDecisionForm,
    GateRequestForm,
    HealthForm,
    PartnerForm,
    PledgeForm,
    PortfolioForm,
    ProgrammeForm,
    RiskForm,
    RoleForm,
)
from tracker.programmes.models import (
    PartnerPledge,
    Programme,
    ProgrammeGate,
    ProgrammeRisk,
    ProgrammeRoleHolder,
)
from tracker.projects.models import Project
from tracker.projects.rules import DELIVERY_METHODS


def _status_code(form) -> int:
    return 400 if form.errors or form.form_errors else 200


def _person_named(text: str | None) -> User | None:
    """The active person with this email address, or else the one active person with
    exactly this name (any case)."""
    text = (text or "").strip()
    if not text:
        return None
    person = db.session.scalars(select(User).where(email_lookup(text), User.is_active_user)).first()
    if person is not None:
        return person
    named = db.session.scalars(
        select(User)
        .where(func.lower(User.name) == " ".join(text.split()).lower(), User.is_active_user)
        .limit(2)
    ).all()
    return named[0] if len(named) == 1 else None


def _flash_errors(form) -> None:
    for errors in form.errors.values():
        for message in errors:
            flash(message, "error")


# --------------------------------------------------------------------------------------
# Lists and portfolios
# --------------------------------------------------------------------------------------


@bp.get("/programmes/")
def list_programmes():
    """Every programme the person may see, under its portfolio, with its own figures."""
    only = access.visible_programme_ids(current_user)
    lines = queries.programme_lines(uk_today(), only=only)
    return render_template(
        "programmes/list.html",
        lines=lines,
        portfolios=queries.portfolios() if current_user.is_pmo else [],
        can_create=access.can_create(current_user),
    )


@bp.route("/portfolios/new", methods=["GET", "POST"])
@pmo_required
def create_portfolio():
    form = PortfolioForm()
    if form.validate_on_submit():
        with form_work(form) as work:
            portfolio = services.create_portfolio(
                form.name.data, form.description.data or "", actor=current_user
            )
        if work.ok:
            flash("Created the portfolio.", "success")
            return redirect(url_for("programmes.show_portfolio", portfolio_id=portfolio.id))
    return render_template("programmes/portfolio_form.html", form=form), _status_code(form)


@bp.get("/portfolios/<int:portfolio_id>")
def show_portfolio(portfolio_id: int):
    portfolio = access.load_portfolio(portfolio_id)
    today = uk_today()
    lines = queries.programme_lines(
        today, portfolio_id=portfolio.id, only=access.visible_programme_ids(current_user)
    )
    total = queries.portfolio_rollup(portfolio.id, today)
    return render_template(
        "programmes/portfolio.html", portfolio=portfolio, lines=lines, total=total, today=today
    )


# --------------------------------------------------------------------------------------
# Programmes
# --------------------------------------------------------------------------------------


def _programme_form(programme: Programme | None = None) -> ProgrammeForm:
    portfolios = queries.portfolios()
    parents = [
        (pid, label)
        for pid, label in queries.programme_choices()
        if programme is None or pid != programme.id
    ]
    return ProgrammeForm(obj=programme, portfolios=portfolios, parents=parents)


def _programme_data(form: ProgrammeForm, code: str) -> services.ProgrammeData:
    percent = form.benefits_tolerance_percent.data
    return services.ProgrammeData(
        code=code,
        name=form.name.data or "",
        portfolio_id=form.portfolio_id.data,
        parent_id=form.parent_id.data,
        purpose=form.purpose.data or "",
        is_multi_agency=bool(form.is_multi_agency.data),
        planned_finish=form.planned_finish.data,
        cost_tolerance=form.cost_tolerance.data,
        time_tolerance_days=form.time_tolerance_days.data,
        benefits_tolerance_percent=None if percent is None else percent,
    )


@bp.route("/programmes/new", methods=["GET", "POST"])
@pmo_required
def create_programme():
    form = _programme_form()
    if request.method == "GET" and request.args.get("portfolio"):
        form.portfolio_id.data = record_id(request.args.get("portfolio"))
    if form.validate_on_submit():
        with form_work(form) as work:
            programme = services.create_programme(
                _programme_data(form, form.code.data or ""), actor=current_user
            )
        if work.ok:
            flash("Created the programme. Name its manager and board next.", "success")
            return redirect(url_for("programmes.show_programme", programme_id=programme.id))
    return render_template(
        "programmes/programme_form.html", form=form, programme=None
    ), _status_code(form)


@bp.route("/programmes/<int:programme_id>/edit", methods=["GET", "POST"])
def edit_programme(programme_id: int):
    programme = access.load_programme(programme_id, manage=True)
    form = _programme_form(programme)
    if request.method == "GET":
        form.version.data = str(programme.version)
    del form.code  # a programme's code never changes
    if form.validate_on_submit():
        with form_work(form) as work:
            services.update_programme(
                programme,
                _programme_data(form, programme.code),
                version=form.version_number(),
                actor=current_user,
            )
        if work.ok:
            flash("Saved the programme.", "success")
            return redirect(url_for("programmes.show_programme", programme_id=programme.id))
    return render_template(
        "programmes/programme_form.html", form=form, programme=programme
    ), _status_code(form)


@bp.get("/programmes/<int:programme_id>")
def show_programme(programme_id: int):
    programme = access.load_programme(programme_id)
    today = uk_today()
    total = queries.rollup(programme.id, today)
    rows = queries.with_shares(queries.contributions(programme.id, today), total)
    breaches = rules.tolerance_breaches(
        total,
        cost_tolerance=programme.cost_tolerance,
        time_tolerance_days=programme.time_tolerance_days,
        forecast_slip_days=queries.forecast_slip_days(programme, today),
    )
    # Board members see every project's summary here; a project's own pages only if they
    # are on that project (one query for the whole list, not one per project).
    visible = queries.openable_projects(current_user, [r.project_id for r in rows])
    return render_template(
        "programmes/programme.html",
        programme=programme,
        today=today,
        total=total,
        rows=rows,
        missing=queries.missing_from(rows),
        benefits=queries.benefit_summary(programme.id, today),
        breaches=breaches,
        board=queries.board(programme.id),
        children=queries.children(programme.id),
        risks=queries.escalated_risks(programme.id, today),
        own_risks=queries.own_risks(programme.id),
        confidence=queries.board_confidence(programme.id),
        on_board=access.on_board(current_user, programme),
        risk_form=RiskForm(),
        confidence_form=ConfidenceForm(),
        dca_labels=DCA_LABELS,
        history=queries.history(programme.id),
        visible=visible,
        can_manage=access.can_manage(current_user, programme),
        role_form=RoleForm(),
        project_form=AddProjectForm(),
        roles=rules.PROGRAMME_ROLES,
        methods=DELIVERY_METHODS,
    )


def _board_url(programme: Programme) -> str:
    return url_for("programmes.show_programme", programme_id=programme.id, _anchor="board")


@bp.post("/programmes/<int:programme_id>/roles")
def add_role(programme_id: int):
    programme = access.load_programme(programme_id, manage=True)
    form = RoleForm()
    if form.validate_on_submit():
        person = _person_named(form.email.data)
        if person is None:
            flash("There is no active account with that email address or full name", "error")
        else:
            with form_work() as work:
                services.grant_role(programme, person, form.role.data, actor=current_user)
            if work.ok:
                flash(
                    f"{person.name} is {rules.PROGRAMME_ROLES[form.role.data].lower()}.", "success"
                )
    else:
        _flash_errors(form)
    return redirect(
        url_for("programmes.show_programme", programme_id=programme.id, _anchor="board")
    )


@bp.post("/programmes/<int:programme_id>/roles/<int:holder_id>/remove")
def remove_role(programme_id: int, holder_id: int):
    programme = access.load_programme(programme_id, manage=True)
    holder = db.session.get(ProgrammeRoleHolder, holder_id)
    if holder is None or holder.programme_id != programme.id:
        abort(404)
    with form_work() as work:
        services.remove_role(programme, holder, actor=current_user)
    if work.ok:
        flash("Removed the role.", "success")
    return redirect(
        url_for("programmes.show_programme", programme_id=programme.id, _anchor="board")
    )


@bp.post("/programmes/<int:programme_id>/projects")
def add_project(programme_id: int):
    programme = access.load_programme(programme_id, manage=True)
    form = AddProjectForm()
    if form.validate_on_submit():
        code = (form.code.data or "").strip().upper()
        project = db.session.scalar(select(Project).where(Project.code == code))
        if project is None:
            flash(f"No project has the code {code}", "error")
        else:
            with form_work() as work:
                services.add_project(
                    programme, project, actor=current_user, move=bool(form.move.data)
                )
            if work.ok:
                flash(f"{project.code} is in {programme.code} from today.", "success")
    else:
        _flash_errors(form)
    return redirect(
        url_for("programmes.show_programme", programme_id=programme.id, _anchor="projects")
    )


@bp.post("/programmes/<int:programme_id>/projects/<int:project_id>/remove")
def remove_project(programme_id: int, project_id: int):
    programme = access.load_programme(programme_id, manage=True)
    project = db.session.get(Project, project_id) or abort(404)
    with form_work() as work:
        services.remove_project(programme, project, actor=current_user)
    if work.ok:
        flash(f"{project.code} left {programme.code} today.", "success")
    return redirect(
        url_for("programmes.show_programme", programme_id=programme.id, _anchor="projects")
    )


@bp.get("/programmes/<int:programme_id>/projects.csv")
def export_projects(programme_id: int):
    programme = access.load_programme(programme_id)
    today = uk_today()
    total = queries.rollup(programme.id, today)
    rows = queries.with_shares(queries.contributions(programme.id, today), total)
    return Response(
        files.csv_bytes(exports.COLUMNS, exports.rows(rows), bom=False),
        mimetype=files.CSV_MIMETYPE,
        headers=files.disposition(files.filename(f"programme-{programme.code}", utcnow(), "csv")),
    )


@bp.get("/programmes/<int:programme_id>/projects.xlsx")
def export_projects_xlsx(programme_id: int):
    programme = access.load_programme(programme_id)
    today = uk_today()
    total = queries.rollup(programme.id, today)
    rows = queries.with_shares(queries.contributions(programme.id, today), total)
    made_at = utcnow()
    about = files.About(
        title=f"Programme {programme.code} {programme.name}: projects on {today.isoformat()}",
        made_at=made_at,
        made_by=current_user.name,
        notes=[
            f"Figures cover {total.coverage} with a checkpoint on or before "
            f"{today.isoformat()}; CPI and SPI of the programme are computed from the sums."
        ],
    )
    return Response(
        files.workbook(about, "Projects", exports.COLUMNS, exports.rows(rows)),
        mimetype=files.XLSX_MIMETYPE,
        headers=files.disposition(files.filename(f"programme-{programme.code}", made_at, "xlsx")),
    )


@bp.get("/programmes/<int:programme_id>/methods")
def compare_methods(programme_id: int):
    programme = access.load_programme(programme_id)
    today = uk_today()
    return render_template(
        "programmes/methods.html",
        programme=programme,
        today=today,
        rows=queries.methods(programme.id, today),
        methods=DELIVERY_METHODS,
    )


@bp.get("/programmes/<int:programme_id>/dependencies")
def show_dependencies(programme_id: int):
    programme = access.load_programme(programme_id)
    today = uk_today()
    rows = queries.dependencies(programme.id, today)
    return render_template(
        "programmes/dependencies.html",
        programme=programme,
        rows=rows,
        diagram=dependency_diagram(rows),
    )


# --------------------------------------------------------------------------------------
# Partnership: partners, asks, offers, commitments, health checks
# --------------------------------------------------------------------------------------


def _partnership_page(programme: Programme, *, status: int = 200, **forms):
    partners = queries.partners(programme.id)
    organisations = db.session.scalars(select(Organisation).order_by(Organisation.name)).all()
    taken = {p.organisation_id for p in partners}
    page = render_template(
        "programmes/partnership.html",
        programme=programme,
        partners=partners,
        pledges=queries.pledges(programme.id),
        health=queries.health(programme.id),
        conditions=rules.CONDITIONS,
        kinds=rules.PLEDGE_KINDS,
        statuses=rules.PLEDGE_STATUSES,
        can_manage=access.can_manage(current_user, programme),
        partner_form=forms.get("partner_form")
        or PartnerForm(organisations=[o for o in organisations if o.id not in taken]),
        pledge_form=forms.get("pledge_form") or PledgeForm(partners=partners),
        health_form=forms.get("health_form") or HealthForm(partners=partners),
        today=uk_today(),
    )
    return page, status


@bp.get("/programmes/<int:programme_id>/partnership")
def show_partnership(programme_id: int):
    return _partnership_page(access.load_programme(programme_id))


@bp.post("/programmes/<int:programme_id>/partners")
def add_partner(programme_id: int):
    programme = access.load_programme(programme_id, manage=True)
    organisations = db.session.scalars(select(Organisation).order_by(Organisation.name)).all()
    form = PartnerForm(organisations=organisations)
    if form.validate_on_submit():
        with form_work(form) as work:
            services.add_partner(
                programme,
                db.session.get(Organisation, form.organisation_id.data),
                actor=current_user,
            )
        if work.ok:
            flash("Added the partner.", "success")
            return redirect(url_for("programmes.show_partnership", programme_id=programme.id))
    return _partnership_page(programme, status=400, partner_form=form)


@bp.post("/programmes/<int:programme_id>/pledges")
def add_pledge(programme_id: int):
    programme = access.load_programme(programme_id, manage=True)
    form = PledgeForm(partners=queries.partners(programme.id))
    if form.validate_on_submit():
        owner = _person_named(form.owner_email.data)
        if form.owner_email.data and owner is None:
            form.owner_email.errors.append(
                "There is no active account with that email address or full name"
            )
        else:
            with form_work(form) as work:
                services.add_pledge(
                    programme,
                    services.PledgeData(
                        organisation_id=form.organisation_id.data,
                        kind=form.kind.data,
                        text=form.text.data or "",
                        owner_id=owner.id if owner else None,
                        due_on=form.due_on.data,
                    ),
                    actor=current_user,
                )
            if work.ok:
                flash("Recorded.", "success")
                return redirect(url_for("programmes.show_partnership", programme_id=programme.id))
    return _partnership_page(programme, status=400, pledge_form=form)


@bp.post("/programmes/<int:programme_id>/pledges/<int:pledge_id>/done")
def complete_commitment(programme_id: int, pledge_id: int):
    programme = access.load_programme(programme_id)
    pledge = db.session.get(PartnerPledge, pledge_id)
    if pledge is None or pledge.programme_id != programme.id:
        abort(404)
    if not (access.can_manage(current_user, programme) or pledge.owner_id == current_user.id):
        forbid()
    form = DoneForm()
    if form.validate_on_submit():
        with form_work() as work:
            services.complete_commitment(
                programme,
                pledge,
                form.evidence.data,
                version=form.version_number(),
                actor=current_user,
            )
        if work.ok:
            flash("Marked the commitment done.", "success")
    else:
        _flash_errors(form)
    return redirect(url_for("programmes.show_partnership", programme_id=programme.id))


@bp.post("/programmes/<int:programme_id>/health")
def rate_partnership(programme_id: int):
    programme = access.load_programme(programme_id, manage=True)
    form = HealthForm(partners=queries.partners(programme.id))
    if form.validate_on_submit():
        with form_work(form) as work:
            services.rate_partnership(
                programme,
                form.organisation_id.data,
                {key: getattr(form, key).data for key in rules.CONDITIONS},
                note=form.note.data or "",
                actor=current_user,
            )
        if work.ok:
            flash("Recorded the partner's health check.", "success")
            return redirect(
                url_for("programmes.show_partnership", programme_id=programme.id, _anchor="health")
            )
    return _partnership_page(programme, status=400, health_form=form)


# --------------------------------------------------------------------------------------
# Programme gates
# --------------------------------------------------------------------------------------


def _framework_gates() -> list[str]:
    return list(
        db.session.scalars(
            select(GateTemplate.name).distinct().order_by(GateTemplate.name).limit(50)
        )
    )


def _gates_page(programme: Programme, *, status: int = 200, request_form=None):
    page = render_template(
        "programmes/gates.html",
        programme=programme,
        gates=queries.gates(programme.id),
        statuses=rules.GATE_STATUSES,
        can_manage=access.can_manage(current_user, programme),
        on_board=access.on_board(current_user, programme),
        request_form=request_form or GateRequestForm(framework_gates=_framework_gates()),
        decision_form=GateDecisionForm(),
    )
    return page, status


@bp.get("/programmes/<int:programme_id>/gates")
def list_gates(programme_id: int):
    return _gates_page(access.load_programme(programme_id))


@bp.post("/programmes/<int:programme_id>/gates")
def request_gate(programme_id: int):
    programme = access.load_programme(programme_id, manage=True)
    form = GateRequestForm(framework_gates=_framework_gates())
    if form.validate_on_submit():
        with form_work(form) as work:
            services.request_gate(
                programme, form.name.data, form.framework_gate.data or "", actor=current_user
            )
        if work.ok:
            flash("Asked the programme board to decide.", "success")
            return redirect(url_for("programmes.list_gates", programme_id=programme.id))
    return _gates_page(programme, status=400, request_form=form)


@bp.post("/programmes/<int:programme_id>/gates/<int:gate_id>/decide")
def decide_gate(programme_id: int, gate_id: int):
    programme = access.load_programme(programme_id)
    gate = db.session.get(ProgrammeGate, gate_id)
    if gate is None or gate.programme_id != programme.id:
        abort(404)
    if not access.on_board(current_user, programme):
        forbid("Only a member of the programme board decides a programme gate.")
    form = GateDecisionForm()
    if form.validate_on_submit():
        with form_work() as work:
            services.decide_gate(
                programme,
                gate,
                form.decision.data == "approve",
                form.rationale.data,
                version=form.version_number(),
                actor=current_user,
                is_board_member=True,
            )
        if work.ok:
            flash("Recorded the board's decision.", "success")
    else:
        _flash_errors(form)
    return redirect(url_for("programmes.list_gates", programme_id=programme.id))


@bp.get("/programmes/<int:programme_id>/highlight")
def show_highlight(programme_id: int):
    """The programme highlight report, filled from its projects' latest reports and the
    roll-up; a tolerance the roll-up breaches shows as a programme exception."""
    programme = access.load_programme(programme_id)
    today = uk_today()
    total = queries.rollup(programme.id, today)
    rows = queries.contributions(programme.id, today)
    reports = queries.latest_highlights(programme.id, today)
    reported = {r.code for r in reports}
    return render_template(
        "programmes/highlight.html",
        programme=programme,
        today=today,
        total=total,
        reports=reports,
        silent=[r.code for r in rows if r.code not in reported],
        breaches=rules.tolerance_breaches(
            total,
            cost_tolerance=programme.cost_tolerance,
            time_tolerance_days=programme.time_tolerance_days,
            forecast_slip_days=queries.forecast_slip_days(programme, today),
        ),
    )


# --------------------------------------------------------------------------------------
# The programme's own risks and its board's confidence
# --------------------------------------------------------------------------------------


def _risks_url(programme: Programme) -> str:
    return url_for("programmes.show_programme", programme_id=programme.id, _anchor="risks")


@bp.post("/programmes/<int:programme_id>/risks")
def raise_risk(programme_id: int):
    programme = access.load_programme(programme_id, manage=True)
    form = RiskForm()
    if form.validate_on_submit():
        owner = _person_named(form.owner.data)
        if owner is None:
            flash("There is no active account with that email address or full name", "error")
        else:
            with form_work() as work:
                services.raise_risk(
                    programme,
                    form.title.data,
                    owner,
                    form.likelihood.data,
                    form.impact.data,
                    actor=current_user,
                )
            if work.ok:
                flash("Raised the programme risk.", "success")
    else:
        _flash_errors(form)
    return redirect(_risks_url(programme))


@bp.post("/programmes/<int:programme_id>/risks/<int:risk_id>/close")
def close_risk(programme_id: int, risk_id: int):
    programme = access.load_programme(programme_id, manage=True)
    risk = db.session.get(ProgrammeRisk, risk_id)
    if risk is None or risk.programme_id != programme.id:
        abort(404)
    with form_work() as work:
        services.close_risk(
            programme, risk, version=record_id(request.form.get("version")), actor=current_user
        )
    if work.ok:
        flash("Closed the programme risk.", "success")
    return redirect(_risks_url(programme))


@bp.post("/programmes/<int:programme_id>/confidence")
def assess_confidence(programme_id: int):
    programme = access.load_programme(programme_id)
    if not access.on_board(current_user, programme):
        forbid("Only a member of the programme board rates its delivery confidence.")
    form = ConfidenceForm()
    if form.validate_on_submit():
        with form_work() as work:
            services.assess_confidence(
                programme,
                form.rating.data,
                form.rationale.data,
                actor=current_user,
                is_board_member=True,
            )
        if work.ok:
            flash("Recorded your delivery confidence assessment.", "success")
    else:
        _flash_errors(form)
    return redirect(
        url_for("programmes.show_programme", programme_id=programme.id, _anchor="confidence")
    )
