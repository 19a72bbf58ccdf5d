"""Proposal and pipeline pages: load, check access through the proposals policy, act."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from tracker.auth.access import forbid
from tracker.auth.models import User
from tracker.core import exports as files
from tracker.core.dates import uk_today
from tracker.core.fields import record_id
from tracker.core.pagination import paginate
from tracker.core.unit_of_work import form_work
from tracker.db import utcnow
from tracker.extensions import db
from tracker.methods import model as method_model
from tracker.methods.forms import AssessmentForm
from tracker.orgs import queries as org_queries
from tracker.orgs.models import Organisation
from tracker.proposals import access, bp, exports, queries, rules, services
from tracker.proposals.forms import (
    BoardMemberForm,
    CriterionForm,
    DecideForm,
    PipelineFilterForm,
    ProposalForm,
    SubmitForm,
    score_form,
)
from tracker.proposals.models import BoardMember, FitCriterion, Proposal, ProposalDecision

COMPARE_LIMIT = 6


def _status(form) -> int:
    return 400 if form.errors or form.form_errors else 200


def _organisations():
    return list(db.session.scalars(select(Organisation).order_by(Organisation.name)))


def _proposal(proposal_id: int) -> Proposal:
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None:
        abort(404)
    if not access.can_see(current_user, proposal):
        forbid()
    return proposal


def _pipeline_only() -> None:
    if not access.can_run_pipeline(current_user):
        forbid("The PMO and the prioritisation board see the pipeline.")


# --------------------------------------------------------------------------------------
# Proposing
# --------------------------------------------------------------------------------------


@bp.get("/")
def list_proposals():
    """The signed-in person's own proposals."""
    statement = (
        select(Proposal).where(Proposal.proposer_id == current_user.id).order_by(Proposal.id.desc())
    )
    return render_template(
        "proposals/mine.html",
        page=paginate(statement, request.args.get("page")),
        can_run_pipeline=access.can_run_pipeline(current_user),
    )


def _data(form: ProposalForm) -> services.ProposalData:
    return services.ProposalData(
        title=form.title.data or "",
        problem=form.problem.data or "",
        outcome=form.outcome.data or "",
        lead_organisation_id=form.lead_organisation_id.data,
        partner_ids=list(form.partner_ids.data or []),
        rough_cost=form.rough_cost.data,
        start_on=form.start_on.data,
        finish_on=form.finish_on.data,
        funding=[
            services.FundingLine(source, amount.data, bool(confirmed.data))
            for source, _, amount, confirmed in form.funding_fields()
        ],
    )


@bp.route("/new", methods=["GET", "POST"])
def create_proposal():
    form = ProposalForm(organisations=_organisations())
    if form.validate_on_submit():
        with form_work(form) as work:
            proposal = services.create_proposal(_data(form), actor=current_user)
        if work.ok:
            flash("Saved the draft. Answer the uncertainty assessment next.", "success")
            return redirect(url_for("proposals.assess_proposal", proposal_id=proposal.id))
    return render_template("proposals/form.html", form=form, proposal=None), _status(form)


def _own_draft(proposal_id: int) -> Proposal:
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None:
        abort(404)
    refusal = access.edit_refusal(current_user, proposal)
    if refusal:
        forbid(refusal)
    return proposal


@bp.route("/<int:proposal_id>/edit", methods=["GET", "POST"])
def edit_proposal(proposal_id: int):
    proposal = _own_draft(proposal_id)
    form = ProposalForm(obj=proposal, organisations=_organisations())
    if request.method == "GET":
        form.partner_ids.data = [org.id for org in proposal.partners]
        form.version.data = str(proposal.version)
        for line in services.funding_lines(proposal):
            form[f"{line.source}_amount"].data = line.amount
            form[f"{line.source}_confirmed"].data = line.is_confirmed
    if form.validate_on_submit():
        with form_work(form) as work:
            services.update_proposal(
                proposal, _data(form), version=form.version_number(), actor=current_user
            )
        if work.ok:
            flash("Saved the draft.", "success")
            return redirect(url_for("proposals.show_proposal", proposal_id=proposal.id))
    return render_template("proposals/form.html", form=form, proposal=proposal), _status(form)


@bp.route("/<int:proposal_id>/assessment", methods=["GET", "POST"])
def assess_proposal(proposal_id: int):
    """The methods domain's own assessment form and pure model, for a proposal."""
    proposal = _own_draft(proposal_id)
    form = AssessmentForm()
    if request.method == "GET" and proposal.assessment is not None:
        for key, value in proposal.assessment["answers"].items():
            if key in form:
                form[key].data = value
    if form.validate_on_submit():
        with form_work(form) as work:
            services.record_assessment(proposal, form.answers(), version=None, actor=current_user)
        if work.ok:
            flash("Saved the assessment. This is the recommended method.", "success")
            return redirect(url_for("proposals.show_proposal", proposal_id=proposal.id))
    return render_template("proposals/assess.html", form=form, proposal=proposal), _status(form)


@bp.post("/<int:proposal_id>/submit")
def submit_proposal(proposal_id: int):
    proposal = _own_draft(proposal_id)
    form = SubmitForm()
    if form.validate_on_submit():
        with form_work(form) as work:
            services.submit_proposal(proposal, version=form.version_number(), actor=current_user)
        if work.ok:
            flash("Submitted the proposal to the PMO.", "success")
            return redirect(url_for("proposals.show_proposal", proposal_id=proposal.id))
    return _show(proposal, submit_form=form, status=400)


# --------------------------------------------------------------------------------------
# One proposal
# --------------------------------------------------------------------------------------


def _decide_form(proposal: Proposal, form: DecideForm | None = None) -> DecideForm:
    if form is None:
        form = DecideForm(organisations=_organisations(), people=org_queries.people_choices())
        form.version.data = str(proposal.version)
        form.lead_organisation_id.data = proposal.lead_organisation_id
        form.manager_id.data = proposal.proposer_id
    return form


def _show(proposal, *, submit_form=None, decide_form=None, status=200):
    active = queries.criteria()
    total = queries.totals_for([proposal.id], active).get(proposal.id)
    scores = queries.scores_of(proposal.id)
    decide_refusal = access.decide_refusal(current_user, proposal)
    if submit_form is None:
        submit_form = SubmitForm()
        submit_form.version.data = str(proposal.version)
    decisions = list(
        db.session.scalars(
            select(ProposalDecision)
            .where(ProposalDecision.proposal_id == proposal.id)
            .order_by(ProposalDecision.sequence)
        )
    )
    return render_template(
        "proposals/show.html",
        proposal=proposal,
        funding=services.funding_lines(proposal),
        scores=scores,
        total=total,
        decisions=decisions,
        can_edit=access.edit_refusal(current_user, proposal) is None,
        score_refusal=access.score_refusal(current_user, proposal),
        decide_refusal=decide_refusal,
        decide_form=_decide_form(proposal, decide_form) if decide_refusal is None else None,
        submit_form=submit_form,
        submit_problems=rules.submit_problems(
            title=proposal.title,
            problem=proposal.problem,
            outcome=proposal.outcome,
            has_assessment=proposal.assessment_json is not None,
            start_on=proposal.start_on,
            finish_on=proposal.finish_on,
        ),
        stage=rules.stage_of(proposal.status, len({s.scorer_id for s in scores})),
        METHOD_MODEL=method_model,
    ), status


@bp.get("/<int:proposal_id>")
def show_proposal(proposal_id: int):
    return _show(_proposal(proposal_id))


@bp.route("/<int:proposal_id>/score", methods=["GET", "POST"])
def score_proposal(proposal_id: int):
    proposal = _proposal(proposal_id)
    refusal = access.score_refusal(current_user, proposal)
    if refusal:
        forbid(refusal)
    active = queries.criteria()
    mine = {
        s.criterion_id: s for s in queries.scores_of(proposal.id) if s.scorer_id == current_user.id
    }
    data = None
    if request.method == "GET":
        data = {}
        for criterion_id, score in mine.items():
            data[f"score_{criterion_id}"] = score.score
            data[f"reason_{criterion_id}"] = score.reason
    form = score_form(active, data=data)
    if request.method == "POST" and form.validate_on_submit():
        with form_work(form) as work:
            services.score_proposal(
                proposal,
                [
                    services.ScoreLine(c.id, score.data, reason.data or "")
                    for c, score, reason in form.lines()
                ],
                actor=current_user,
            )
        if work.ok:
            flash("Saved your scores.", "success")
            return redirect(url_for("proposals.show_proposal", proposal_id=proposal.id))
    return render_template(
        "proposals/score.html", proposal=proposal, form=form, criteria=active
    ), _status(form)


@bp.post("/<int:proposal_id>/decide")
def decide_proposal(proposal_id: int):
    proposal = _proposal(proposal_id)
    refusal = access.decide_refusal(current_user, proposal)
    if refusal:
        forbid(refusal)
    form = DecideForm(organisations=_organisations(), people=org_queries.people_choices())
    if form.validate_on_submit():
        with form_work(form) as work:
            services.decide(
                proposal,
                services.DecisionData(
                    decision=form.decision.data,
                    reason=form.reason.data or "",
                    defer_until=form.defer_until.data,
                    code=form.code.data or "",
                    manager_id=form.manager_id.data,
                    lead_organisation_id=form.lead_organisation_id.data,
                ),
                version=form.version_number(),
                actor=current_user,
                today=uk_today(),
            )
        if work.ok:
            flash("Recorded the board's decision.", "success")
            return redirect(url_for("proposals.show_proposal", proposal_id=proposal.id))
    return _show(proposal, decide_form=form, status=400)


# --------------------------------------------------------------------------------------
# The pipeline
# --------------------------------------------------------------------------------------


def _filters():
    form = PipelineFilterForm(
        request.args,
        organisations=_organisations(),
        methods=list(method_model.METHODS.items()),
    )
    valid = form.validate()
    values = {
        name: field.data
        for name, field in form._fields.items()
        if not field.errors and field.data not in (None, "")
    }
    statement = queries.pipeline(
        stage=values.get("stage"),
        lead_organisation_id=values.get("lead_organisation_id"),
        method=values.get("method"),
        q=(values.get("q") or "").strip() or None,
    )
    return form, valid, statement


@bp.get("/pipeline")
def pipeline():
    _pipeline_only()
    filters, valid, statement = _filters()
    page = paginate(statement, request.args.get("page"), scalars=False)
    active = queries.criteria()
    totals = queries.totals_for([row.Proposal.id for row in page.items], active)
    rows = [
        {
            "proposal": row.Proposal,
            "lead_name": row.lead_name,
            "proposer_name": row.proposer_name,
            "stage": rules.stage_of(row.Proposal.status, row.scorers),
            "scorers": row.scorers,
            "total": totals.get(row.Proposal.id),
        }
        for row in page.items
    ]
    return render_template(
        "proposals/pipeline.html",
        page=page,
        rows=rows,
        filters=filters,
        counts=queries.stage_counts(),
        funding=queries.funding_totals(),
        spend=queries.portfolio_spend(),
        criteria_count=len(active),
        is_pmo=current_user.is_pmo,
    ), 200 if valid else 400


@bp.get("/pipeline.<any(csv, xlsx):fmt>")
def export_pipeline(fmt: str):
    _pipeline_only()
    filters, _, statement = _filters()
    rows = db.session.execute(statement).all()
    active = queries.criteria()
    totals = queries.totals_for([row.Proposal.id for row in rows], active)
    about = files.About(
        title="The proposals pipeline, newest first, with each proposal's weighted total",
        made_at=utcnow(),
        made_by=f"{current_user.name} ({current_user.email})",
        filters=files.form_filters(filters, ["q", "stage", "lead_organisation_id", "method"]),
    )
    data = exports.pipeline_rows(rows, totals)
    headers = files.disposition(files.filename("proposals", about.made_at, fmt))
    if fmt == "csv":
        return Response(
            files.csv_bytes(exports.PIPELINE_COLUMNS, data),
            mimetype=files.CSV_MIMETYPE,
            headers=headers,
        )
    body = files.workbook(about, "Proposals", exports.PIPELINE_COLUMNS, data)
    return Response(body, mimetype=files.XLSX_MIMETYPE, headers=headers)


@bp.get("/compare")
def compare():
    """Chosen proposals side by side: each criterion's mean score, the weighted total, the
    cost, the funding and the recommended method."""
    _pipeline_only()
    ids = []
    for raw in request.args.getlist("ids"):
        value = record_id(raw)
        if value is not None and value not in ids:
            ids.append(value)
    ids = ids[:COMPARE_LIMIT]
    proposals = [p for p in queries.proposals_by_id(ids) if p.status != rules.ProposalStatus.DRAFT]
    active = queries.criteria()
    shown = [p.id for p in proposals]
    return render_template(
        "proposals/compare.html",
        proposals=proposals,
        criteria=active,
        means=queries.means_by_criterion(shown),
        totals=queries.totals_for(shown, active),
        funding={p.id: services.funding_lines(p) for p in proposals},
        limit=COMPARE_LIMIT,
        METHOD_MODEL=method_model,
    )


# --------------------------------------------------------------------------------------
# Criteria and the board (PMO)
# --------------------------------------------------------------------------------------


def _pmo_only() -> None:
    if not current_user.is_pmo:
        forbid("PMO staff set the criteria and the prioritisation board.")


@bp.get("/criteria")
def list_criteria():
    _pmo_only()
    return render_template("proposals/criteria.html", criteria=queries.criteria(active_only=False))


def _criterion_data(form: CriterionForm) -> services.CriterionData:
    return services.CriterionData(
        name=form.name.data or "",
        description=form.description.data or "",
        weight=form.weight.data,
        scale_max=form.scale_max.data,
        is_active=bool(form.is_active.data),
    )


@bp.route("/criteria/new", methods=["GET", "POST"])
def create_criterion():
    _pmo_only()
    form = CriterionForm()
    if request.method == "GET":
        form.scale_max.data = 5
    if form.validate_on_submit():
        with form_work(form) as work:
            services.create_criterion(_criterion_data(form), actor=current_user)
        if work.ok:
            flash("Added the criterion.", "success")
            return redirect(url_for("proposals.list_criteria"))
    return render_template("proposals/criterion_form.html", form=form, criterion=None), _status(
        form
    )


@bp.route("/criteria/<int:criterion_id>/edit", methods=["GET", "POST"])
def edit_criterion(criterion_id: int):
    _pmo_only()
    criterion = db.session.get(FitCriterion, criterion_id)
    if criterion is None:
        abort(404)
    form = CriterionForm(obj=criterion)
    if request.method == "GET":
        form.version.data = str(criterion.version)
    if form.validate_on_submit():
        with form_work(form) as work:
            services.update_criterion(
                criterion, _criterion_data(form), version=form.version_number(), actor=current_user
            )
        if work.ok:
            flash("Saved the criterion.", "success")
            return redirect(url_for("proposals.list_criteria"))
    return render_template(
        "proposals/criterion_form.html", form=form, criterion=criterion
    ), _status(form)


@bp.route("/board", methods=["GET", "POST"])
def board_members():
    _pmo_only()
    form = BoardMemberForm(people=org_queries.people_choices())
    if form.validate_on_submit():
        person = db.session.get(User, form.user_id.data)
        if person is None:
            abort(404)
        with form_work(form) as work:
            services.add_board_member(person, actor=current_user)
        if work.ok:
            flash(f"Added {person.name} to the prioritisation board.", "success")
            return redirect(url_for("proposals.board_members"))
    members = list(
        db.session.scalars(
            select(BoardMember).join(User, User.id == BoardMember.user_id).order_by(User.name)
        )
    )
    return render_template("proposals/board.html", form=form, members=members), _status(form)


@bp.post("/board/<int:member_user_id>/remove")
def remove_board_member(member_user_id: int):
    _pmo_only()
    member = db.session.get(BoardMember, member_user_id)
    if member is None:
        abort(404)
    with form_work() as work:
        services.remove_board_member(member, actor=current_user)
    if work.ok:
        flash("Removed them from the prioritisation board.", "success")
    return redirect(url_for("proposals.board_members"))
