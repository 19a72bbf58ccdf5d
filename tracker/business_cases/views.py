"""Pages of a project's business case: its versions, one version with its figures, the
manager's edits of a draft, what changed between versions, the board's judgement at a
gate, and the export of the figures."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.auth.access import forbid
from tracker.business_cases import access, bp, queries, rules
from tracker.business_cases import services as cases
from tracker.business_cases.forms import (
    FundingForm,
    JudgementForm,
    OptionForm,
    SectionForm,
    StampForm,
    StartForm,
)
from tracker.business_cases.models import BusinessCaseVersion
from tracker.business_cases.rules import (
    CASE_STATUS_LABELS,
    FUNDING_LABELS,
    SECTION_LABELS,
    SECTION_QUESTIONS,
    CaseStatus,
    Section,
)
from tracker.core import exports
from tracker.core.exports import Column, Kind
from tracker.core.unit_of_work import form_work
from tracker.db import utcnow
from tracker.extensions import db
from tracker.projects.access import load_project, refused
from tracker.stages.models import GateReview
from tracker.stages.services import gate_title


def _version(project, number: int) -> BusinessCaseVersion:
    return cases.version_numbered(project.id, number) or abort(404)


def _show(project, version, *, stamp=None):
    return redirect(
        url_for("business_cases.show_version", project_id=project.id, number=version.number)
    )


def _page_values(project) -> dict:
    return {
        "project": project,
        "can_write": access.can_write(current_user, project),
        "section_labels": SECTION_LABELS,
        "status_labels": CASE_STATUS_LABELS,
        "funding_labels": FUNDING_LABELS,
    }


@bp.get("/projects/<int:project_id>/business-case")
def list_versions(project_id: int, form=None, status=200):
    project = load_project(project_id)
    versions = cases.versions_of(project.id)
    views = [queries.view_of(v) for v in versions]
    draft = next((v for v in versions if v.status == CaseStatus.DRAFT), None)
    if form is None:
        form = StartForm()
        form.kind.data = rules.next_kind(rules.CaseVersion(versions[-1].kind) if versions else None)
    gates = {
        g.id: g
        for g in db.session.scalars(
            db.select(GateReview).where(
                GateReview.id.in_([v.gate_review_id for v in versions if v.gate_review_id])
            )
        )
    }
    return render_template(
        "business_cases/list.html",
        views=views,
        draft=draft,
        form=form,
        gate_titles={gid: gate_title(g) for gid, g in gates.items()},
        **_page_values(project),
    ), status


@bp.post("/projects/<int:project_id>/business-case/versions")
def start_version(project_id: int):
    project = load_project(project_id, manage=True)
    form = StartForm()
    if form.validate_on_submit():
        with form_work(form) as work:
            version = cases.start_version(project, kind=form.kind.data, actor=current_user)
        if work.ok:
            flash(f"Started {cases.label(version)} of the business case.", "success")
            return _show(project, version)
    return list_versions(project.id, form=form, status=400)


@bp.get("/projects/<int:project_id>/business-case/versions/<int:number>")
def show_version(project_id: int, number: int, judgement_form=None, status=200):
    project = load_project(project_id)
    version = _version(project, number)
    gate = db.session.get(GateReview, version.gate_review_id) if version.gate_review_id else None
    refusal = access.judgement_refusal(current_user, version, gate) if gate else None
    if judgement_form is None and refusal is None:
        judgement_form = JudgementForm()
        judgement_form.version.data = str(version.version)
    stamp = StampForm()
    stamp.version.data = str(version.version)
    return render_template(
        "business_cases/show.html",
        view=queries.view_of(version),
        version=version,
        gate=gate,
        gate_name=gate_title(gate) if gate else None,
        judgement_form=judgement_form if refusal is None else None,
        stamp=stamp,
        sections=[(s, SECTION_LABELS[s], SECTION_QUESTIONS[s]) for s in Section],
        **_page_values(project),
    ), status


def _draft_for_edit(project, number: int) -> BusinessCaseVersion:
    """A version to edit: a frozen one is refused here with the same sentence the service
    gives, before any form is shown."""
    version = _version(project, number)
    if version.status != CaseStatus.DRAFT:
        flash(cases.frozen_message(version), "error")
        abort(
            redirect(url_for("business_cases.show_version", project_id=project.id, number=number))
        )
    return version


@bp.route(
    "/projects/<int:project_id>/business-case/versions/<int:number>/sections/<section>",
    methods=["GET", "POST"],
)
def edit_section(project_id: int, number: int, section: str):
    project = load_project(project_id, manage=True)
    if section not in set(Section):
        abort(404)
    version = (
        _draft_for_edit(project, number) if request.method == "GET" else _version(project, number)
    )
    form = SectionForm()
    if request.method == "GET":
        form.text.data = getattr(version, section)
        form.version.data = str(version.version)
    if form.validate_on_submit():
        with form_work(form) as work:
            cases.update_section(
                version, section, form.text.data, stamp=form.version_number(), actor=current_user
            )
        if work.ok:
            flash(f"Saved the {SECTION_LABELS[Section(section)].lower()}.", "success")
            return _show(project, version)
    return render_template(
        "business_cases/section_form.html",
        form=form,
        version=version,
        label=cases.label(version),
        section_label=SECTION_LABELS[Section(section)],
        question=SECTION_QUESTIONS[Section(section)],
        **_page_values(project),
    ), (400 if form.errors or form.form_errors else 200)


@bp.route(
    "/projects/<int:project_id>/business-case/versions/<int:number>/options/new",
    methods=["GET", "POST"],
)
@bp.route(
    "/projects/<int:project_id>/business-case/versions/<int:number>/options/<int:option>",
    methods=["GET", "POST"],
)
def edit_option(project_id: int, number: int, option: int | None = None):
    project = load_project(project_id, manage=True)
    version = (
        _draft_for_edit(project, number) if request.method == "GET" else _version(project, number)
    )
    existing = next((o for o in version.options if o.number == option), None)
    if option is not None and existing is None:
        abort(404)
    form = OptionForm()
    if request.method == "GET":
        form.version.data = str(version.version)
        if existing is not None:
            form.name.data = existing.name
            form.description.data = existing.description
            form.flows.data = rules.flows_text(
                [rules.YearFlow(f.year, f.cost, f.benefit) for f in existing.flows]
            )
            form.is_preferred.data = version.preferred_option == existing.number
    if form.validate_on_submit():
        data = cases.OptionData(
            form.name.data, form.description.data, form.flows.data, bool(form.is_preferred.data)
        )
        with form_work(form) as work:
            saved = cases.save_option(
                version, data, number=option, stamp=form.version_number(), actor=current_user
            )
        if work.ok:
            flash(f"Saved option {saved.number}, {saved.name}.", "success")
            return _show(project, version)
    return render_template(
        "business_cases/option_form.html",
        form=form,
        version=version,
        option=existing,
        label=cases.label(version),
        **_page_values(project),
    ), (400 if form.errors or form.form_errors else 200)


@bp.post(
    "/projects/<int:project_id>/business-case/versions/<int:number>/options/<int:option>/remove"
)
def remove_option(project_id: int, number: int, option: int):
    project = load_project(project_id, manage=True)
    version = _version(project, number)
    form = StampForm()
    if form.validate_on_submit():
        with form_work() as work:
            cases.remove_option(version, option, stamp=form.version_number(), actor=current_user)
        if work.ok:
            flash(f"Removed option {option}.", "success")
    else:
        flash("The form had expired: try again.", "error")
    return _show(project, version)


@bp.route(
    "/projects/<int:project_id>/business-case/versions/<int:number>/funding",
    methods=["GET", "POST"],
)
def edit_funding(project_id: int, number: int):
    project = load_project(project_id, manage=True)
    version = (
        _draft_for_edit(project, number) if request.method == "GET" else _version(project, number)
    )
    form = FundingForm()
    if request.method == "GET":
        form.version.data = str(version.version)
        form.funding.data = rules.funding_text(cases.figures_of(version).funding)
        form.discount_rate.data = f"{version.discount_rate * 100:.2f}".rstrip("0").rstrip(".")
    if form.validate_on_submit():
        with form_work(form) as work:
            cases.save_funding(
                version,
                funding=form.funding.data,
                discount_rate=form.discount_rate.data,
                stamp=form.version_number(),
                actor=current_user,
            )
        if work.ok:
            flash("Saved the funding and the discount rate.", "success")
            return _show(project, version)
    return render_template(
        "business_cases/funding_form.html",
        form=form,
        version=version,
        label=cases.label(version),
        **_page_values(project),
    ), (400 if form.errors or form.form_errors else 200)


@bp.get("/projects/<int:project_id>/business-case/versions/<int:number>/changes")
def show_changes(project_id: int, number: int):
    project = load_project(project_id)
    versions = cases.versions_of(project.id)
    version = next((v for v in versions if v.number == number), None) or abort(404)
    found = queries.changes(queries.previous_of(version, versions), version)
    return render_template(
        "business_cases/changes.html",
        changes=found,
        version=version,
        label=cases.label(version),
        before_label=cases.label(found.before) if found.before else None,
        **_page_values(project),
    )


@bp.post("/projects/<int:project_id>/business-case/versions/<int:number>/judgement")
def judge(project_id: int, number: int):
    project = load_project(project_id)
    version = _version(project, number)
    gate = db.session.get(GateReview, version.gate_review_id) if version.gate_review_id else None
    refusal = access.judgement_refusal(current_user, version, gate)
    if refusal is not None:
        refused("business case judgement", project=project.id, version=version.id)
        forbid(refusal)
    form = JudgementForm()
    if form.validate_on_submit():
        with form_work(form) as work:
            stage = cases.judge(
                version,
                justified=form.justified.data == "yes",
                note=form.note.data,
                stamp=form.version_number(),
                actor=current_user,
            )
        if work.ok:
            if stage is not None:
                flash(
                    f"Recorded that the business case is no longer justified: {stage.label} is "
                    "in exception, and the manager raises an exception report for the board.",
                    "success",
                )
            else:
                flash("Recorded the board's judgement of the business case.", "success")
            return _show(project, version)
    return show_version(project.id, number, judgement_form=form, status=400)


_EXPORT_COLUMNS = [
    Column("Version", Kind.COUNT),
    Column("Version label"),
    Column("Status"),
    Column("Row"),
    Column("Option", Kind.COUNT),
    Column("Option name"),
    Column("Preferred"),
    Column("Year", Kind.COUNT),
    Column("Cost", Kind.MONEY),
    Column("Benefit", Kind.MONEY),
    Column("Net present value of the year", Kind.MONEY),
    Column("Option net present value", Kind.MONEY),
    Column("Funding source"),
    Column("Funding amount", Kind.MONEY),
    Column("Confirmed"),
]


@bp.get("/projects/<int:project_id>/business-case/export.<any(csv, xlsx):extension>")
def export(project_id: int, extension: str):
    project = load_project(project_id)
    rows = queries.export_rows(cases.versions_of(project.id))
    made_at = utcnow()
    name = exports.filename(f"business-case-{project.code.lower()}", made_at, extension)
    if extension == "csv":
        body = exports.csv_bytes(_EXPORT_COLUMNS, rows)
        mimetype = exports.CSV_MIMETYPE
    else:
        about = exports.About(
            title=f"Business case figures of {project.code} {project.name}",
            made_at=made_at,
            made_by=current_user.name,
            notes=[
                "One row per option and year of every version, then one per funding source.",
                "Net present values are discounted at each version's own rate (year 0 is now).",
            ],
        )
        body = exports.workbook(about, "Figures", _EXPORT_COLUMNS, rows)
        mimetype = exports.XLSX_MIMETYPE
    return Response(body, mimetype=mimetype, headers=exports.disposition(name))
