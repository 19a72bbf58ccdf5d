"""Benefits register pages: load, check access through the benefits policy, act."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.auth.access import forbid
from tracker.benefits import access, bp, exports, queries, rules, services
from tracker.benefits.forms import BenefitForm, MeasurementForm, ReviewDateForm, ReviewForm
from tracker.benefits.models import Benefit
from tracker.core import exports as files
from tracker.core.dates import uk_today
from tracker.core.filters import day
from tracker.core.unit_of_work import form_work
from tracker.db import utcnow
from tracker.extensions import db
from tracker.projects.models import Project


def _project(project_id: int, *, keep: bool = False) -> Project:
    project = db.session.get(Project, project_id) or abort(404)
    allowed = (
        access.can_keep(current_user, project) if keep else access.can_read(current_user, project)
    )
    if not allowed:
        forbid()
    return project


def _benefit(project: Project, benefit_id: int) -> Benefit:
    benefit = db.session.get(Benefit, benefit_id)
    if benefit is None or benefit.project_id != project.id:
        abort(404)
    return benefit


def _status_code(form) -> int:
    return 400 if form.errors or form.form_errors else 200


def _data(form: BenefitForm) -> services.BenefitData:
    return services.BenefitData(
        title=form.title.data or "",
        kind=form.kind.data,
        category=form.category.data,
        measure=form.measure.data or "",
        unit=form.unit.data or "",
        baseline_value=form.baseline_value.data,
        baseline_on=form.baseline_on.data,
        target_value=form.target_value.data,
        target_on=form.target_on.data,
        owner_email=form.owner_email.data or "",
        owner_name=form.owner_name.data or "",
        organisation_id=form.organisation_id.data,
        option_id=form.option_id.data,
        description=form.description.data or "",
        trajectory=form.trajectory.data,
        points=form.point_list(),
    )


@bp.get("/<int:project_id>/benefits")
def list_benefits(project_id: int):
    project = _project(project_id)
    benefits = list(db.session.scalars(queries.register(project.id)))
    can_keep = access.can_keep(current_user, project)
    report = services.latest_report(project.id) if access.is_closed(project) else None
    return render_template(
        "benefits/register.html",
        project=project,
        benefits=benefits,
        review_dates=queries.review_dates(project.id),
        report=report,
        tolerance=services.benefit_tolerance(project.id),
        can_keep=can_keep,
        date_form=ReviewDateForm(),
        is_closed=access.is_closed(project),
    )


@bp.route("/<int:project_id>/benefits/new", methods=["GET", "POST"])
def create_benefit(project_id: int):
    project = _project(project_id, keep=True)
    form = BenefitForm(
        organisations=services.organisation_choices(project),
        business_options=services.option_choices(project),
    )
    if form.validate_on_submit():
        with form_work(form) as work:
            benefit = services.create_benefit(project, _data(form), actor=current_user)
        if work.ok:
            flash("Added the benefit to the register.", "success")
            return redirect(
                url_for("benefits.show_benefit", project_id=project.id, benefit_id=benefit.id)
            )
    return render_template(
        "benefits/benefit_form.html", project=project, benefit=None, form=form
    ), _status_code(form)


@bp.get("/<int:project_id>/benefits/<int:benefit_id>")
def show_benefit(project_id: int, benefit_id: int):
    project = _project(project_id)
    benefit = _benefit(project, benefit_id)
    return render_template(
        "benefits/benefit.html",
        project=project,
        benefit=benefit,
        measurements=queries.measurements(benefit.id),
        reviews=queries.reviews(benefit.id),
        option_text=services.option_label(benefit.option) if benefit.option else None,
        trajectory_text=(
            "; ".join(f"{day(p.on)}: {rules.shown(p.value)}" for p in benefit.points)
            if benefit.trajectory == rules.Trajectory.POINTS
            else "A straight line from the baseline to the target"
        ),
        can_keep=access.can_keep(current_user, project),
        can_record=access.can_record(current_user, benefit),
    )


@bp.route("/<int:project_id>/benefits/<int:benefit_id>/edit", methods=["GET", "POST"])
def edit_benefit(project_id: int, benefit_id: int):
    project = _project(project_id, keep=True)
    benefit = _benefit(project, benefit_id)
    form = BenefitForm(
        obj=benefit,
        organisations=services.organisation_choices(project),
        business_options=services.option_choices(project, keep=benefit.option),
    )
    if request.method == "GET":
        form.version.data = str(benefit.version)
        form.owner_email.data = benefit.owner.email if benefit.owner else benefit.owner_email
        form.points.data = "\n".join(
            f"{p.on.isoformat()}, {p.value.normalize():f}" for p in benefit.points
        )
    if form.validate_on_submit():
        with form_work(form) as work:
            services.update_benefit(
                project, benefit, _data(form), version=form.version_number(), actor=current_user
            )
        if work.ok:
            flash("Saved the benefit.", "success")
            return redirect(
                url_for("benefits.show_benefit", project_id=project.id, benefit_id=benefit.id)
            )
    return render_template(
        "benefits/benefit_form.html", project=project, benefit=benefit, form=form
    ), _status_code(form)


def _recorder(project_id: int, benefit_id: int) -> tuple[Project, Benefit]:
    project = db.session.get(Project, project_id) or abort(404)
    benefit = _benefit(project, benefit_id)
    if not access.can_record(current_user, benefit):
        forbid()
    return project, benefit


@bp.route("/<int:project_id>/benefits/<int:benefit_id>/measure", methods=["GET", "POST"])
def record_measurement(project_id: int, benefit_id: int):
    project, benefit = _recorder(project_id, benefit_id)
    form = MeasurementForm()
    if request.method == "GET":
        form.version.data = str(benefit.version)
        form.measured_on.data = uk_today()
    if form.validate_on_submit():
        with form_work(form) as work:
            measurement = services.record_measurement(
                benefit,
                measured_on=form.measured_on.data,
                value=form.value.data,
                note=form.note.data or "",
                version=form.version_number(),
                actor=current_user,
            )
        if work.ok:
            flash(
                "Recorded the measurement: it is off the trajectory beyond the benefit tolerance."
                if measurement.off_track
                else "Recorded the measurement.",
                "success",
            )
            return redirect(
                url_for("benefits.show_benefit", project_id=project.id, benefit_id=benefit.id)
            )
    return render_template(
        "benefits/measurement_form.html", project=project, benefit=benefit, form=form
    ), _status_code(form)


@bp.route("/<int:project_id>/benefits/<int:benefit_id>/review", methods=["GET", "POST"])
def record_review(project_id: int, benefit_id: int):
    project, benefit = _recorder(project_id, benefit_id)
    form = ReviewForm()
    due_on = queries.open_review_date(benefit, uk_today())
    if request.method == "GET":
        form.version.data = str(benefit.version)
    if form.validate_on_submit():
        with form_work(form) as work:
            services.record_review(
                benefit,
                outcome=form.outcome.data,
                evidence=form.evidence.data or "",
                due_on=due_on,
                version=form.version_number(),
                actor=current_user,
            )
        if work.ok:
            flash("Recorded the benefits review.", "success")
            return redirect(
                url_for("benefits.show_benefit", project_id=project.id, benefit_id=benefit.id)
            )
    return render_template(
        "benefits/review_form.html", project=project, benefit=benefit, form=form, due_on=due_on
    ), _status_code(form)


@bp.post("/<int:project_id>/benefits/review-dates")
def add_review_date(project_id: int):
    project = _project(project_id, keep=True)
    form = ReviewDateForm()
    if form.validate_on_submit():
        with form_work(form) as work:
            services.add_review_date(project, form.due_on.data, actor=current_user)
        if work.ok:
            flash("Added the benefits review date.", "success")
    for errors in form.errors.values():
        for message in errors:
            flash(message, "error")
    for message in form.form_errors:
        flash(message, "error")
    return redirect(url_for("benefits.list_benefits", project_id=project.id))


@bp.post("/<int:project_id>/benefits/review-dates/from-report")
def dates_from_report(project_id: int):
    project = _project(project_id, keep=True)
    with form_work() as work:
        added = services.dates_from_report(project, actor=current_user)
    if work.ok:
        flash(
            f"Scheduled {len(added)} review date{'s' if len(added) != 1 else ''} "
            "from the end-project report."
            if added
            else "Every date the end-project report names is already scheduled.",
            "success",
        )
    return redirect(url_for("benefits.list_benefits", project_id=project.id))


@bp.get("/<int:project_id>/benefits.<any(csv, xlsx):fmt>")
def export_benefits(project_id: int, fmt: str):
    project = _project(project_id)
    benefits = db.session.scalars(queries.register(project.id))
    about = files.About(
        title=f"The benefits register of {project.code} {project.name}, in the page's order",
        made_at=utcnow(),
        made_by=f"{current_user.name} ({current_user.email})",
        notes=(
            "Latest value and off trajectory: the latest measurement, and whether it was "
            "beyond the benefit tolerance when recorded.",
        ),
    )
    headers = files.disposition(files.filename(f"{project.code}-benefits", about.made_at, fmt))
    rows = exports.rows(benefits, project.lead_organisation.name)
    if fmt == "csv":
        return Response(
            files.csv_bytes(exports.COLUMNS, rows, bom=False),
            mimetype=files.CSV_MIMETYPE,
            headers=headers,
        )
    return Response(
        files.workbook(about, "Benefits", exports.COLUMNS, rows),
        mimetype=files.XLSX_MIMETYPE,
        headers=headers,
    )
