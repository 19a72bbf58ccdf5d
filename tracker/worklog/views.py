"""Pages for logging time: My work, the weekly timesheet, entries, a project's time log,
rates, export and import. Load, check access, call a service, commit, redirect."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from tracker.agile.models import BacklogItem, Iteration
from tracker.agile.rules import ItemStatus, IterationStatus
from tracker.auth.access import forbid, role_required
from tracker.auth.models import User
from tracker.core import events
from tracker.core import exports as files
from tracker.core.errors import attach_error
from tracker.core.fields import options, record_id
from tracker.core.unit_of_work import form_work, unit_of_work
from tracker.core.waiting import for_person
from tracker.db import utcnow
from tracker.extensions import db
from tracker.orgs import queries as org_queries
from tracker.projects.access import can_manage, load_project
from tracker.projects.models import Project, ProjectMembership
from tracker.projects.rules import PROJECT_ROLES
from tracker.stages.models import Stage
from tracker.stages.services import BOOKABLE_STATUSES, CLOSED_PROJECT_STATUSES
from tracker.worklog import access, bp, queries, rules, services, transfer
from tracker.worklog.forms import (
    DeleteForm,
    EntryForm,
    ExportForm,
    ImportForm,
    RateEditForm,
    RateForm,
    SubmitWeekForm,
    TimesheetForm,
    UnlockForm,
)
from tracker.worklog.models import HourlyRate, TimeEntry, TimesheetWeek
from tracker.worklog.rules import WeekStatus

BLANK_ROWS = 2


@bp.app_context_processor
def worklog_vocabulary():
    return {
        "WEEK_STATUSES": rules.WEEK_STATUSES,
        "DAY_NAMES": rules.DAY_NAMES,
        "hours": rules.format_hours,
        "worklog_summary": _project_section,
    }


def _project_section(project):
    """The project page's time section (one query); None for people who cannot see it."""
    if not can_manage(current_user, project):
        return None
    return queries.project_time(project.id, services.today())


# --------------------------------------------------------------------------------------
# My work
# --------------------------------------------------------------------------------------


@bp.get("/my-work")
def my_work():
    start = rules.week_start(services.today())
    view = queries.week_view(current_user.id, start)
    return render_template(
        "worklog/my_work.html",
        view=view,
        waiting=for_person(current_user),
        to_review=queries.submitted_weeks_to_review(current_user),
        # Domains above add their own (docs/architecture.md): the board's conditions.
        sections=[
            section
            for section in events.send(events.my_work_sections, current_user._get_current_object())
            if section
        ],
    )


# --------------------------------------------------------------------------------------
# The weekly timesheet
# --------------------------------------------------------------------------------------


def _person_for_timesheet(*, edit: bool) -> User:
    """Whose timesheet: your own; an administrator may open anyone's; PMO, and the manager
    of a project the person is on, may read it."""
    raw = request.args.get("person") or request.form.get("person")
    if not raw:
        return current_user
    person_id = record_id(raw)
    person = db.session.get(User, person_id) if person_id is not None else None
    if person is None:
        abort(404)
    if person.id == current_user.id or current_user.is_admin:
        return person
    if not edit and (current_user.is_pmo or _manages_someone_on(person)):
        return person
    forbid()


def _manages_someone_on(person: User) -> bool:
    """Project managers read the timesheets of people on their projects (one query)."""
    managed = select(ProjectMembership.project_id).where(
        ProjectMembership.user_id == current_user.id,
        ProjectMembership.role == "project_manager",
    )
    return (
        db.session.scalars(
            select(ProjectMembership.id).where(
                ProjectMembership.user_id == person.id,
                ProjectMembership.project_id.in_(managed),
            )
        ).first()
        is not None
    )


def _week() -> date:
    return rules.parse_week(request.args.get("week") or request.form.get("week"), services.today())


def _can_edit(person: User) -> bool:
    return person.id == current_user.id or current_user.is_admin


def _week_view(person, start):
    """The week as the reader may see it: a manager reading a team member's week sees only
    the rows of the projects they manage."""
    return queries.week_view(
        person.id, start, only_projects=queries.readable_projects(current_user, person.id)
    )


def _timesheet_page(person, start, form, *, status=200, copied=None, view=None):
    view = view or _week_view(person, start)
    options = queries.line_options(person.id)
    labels = {services.line_text(key): label for key, label in options}
    labels.update({services.line_text(line.key): line.label for line in view.lines})
    # Rows that hold more than one entry on a day: shown, not editable in the grid.
    multi = {
        services.line_text(line.key): [count > 1 for count in line.counts] for line in view.lines
    }
    week = view.week
    unlock_form = None
    if (
        week is not None
        and week.status == WeekStatus.SUBMITTED
        and access.can_unlock(current_user, week)
    ):
        unlock_form = UnlockForm(formdata=None, version=week.version)
    _show_stored_multi_cells(form, view, multi)
    row_labels = [labels.get(row.line.data or "") for row in form.rows]
    used = {row.line.data for row in form.rows if row.line.data}
    new_options = [
        (services.line_text(k), label) for k, label in options if services.line_text(k) not in used
    ]
    totals = _typed_totals(form)
    return render_template(
        "worklog/timesheet.html",
        person=person,
        view=view,
        form=form,
        row_labels=row_labels,
        multi=multi,
        new_options=new_options,
        day_totals=totals[0],
        row_totals=totals[1],
        week_total=sum(totals[0]),
        can_edit=_can_edit(person) and view.status == WeekStatus.OPEN,
        is_self=person.id == current_user.id or current_user.is_admin,
        submit_form=SubmitWeekForm(formdata=None, version=view.version),
        unlock_form=unlock_form,
        previous_week=start - timedelta(days=7),
        next_week=start + timedelta(days=7),
        this_week=rules.week_start(services.today()),
        copied=copied,
        delete_form=DeleteForm(formdata=None),
    ), status


def _show_stored_multi_cells(form, view, multi) -> None:
    """A day with several entries is not a box in the grid, so a posted grid does not carry
    it: show (and total) its stored hours, not nothing, when the page comes back."""
    stored = {services.line_text(line.key): line.cells for line in view.lines}
    for row in form.rows:
        flags = multi.get(row.line.data or "")
        if not flags:
            continue
        for offset, cell in enumerate(row.day_fields()):
            if flags[offset] and not cell.data:
                cell.data = rules.format_hours(stored[row.line.data][offset])


def _typed_totals(form):
    """Totals per day and per row from what the grid shows (bad values count as 0)."""
    day_totals = [rules.Decimal(0)] * 7
    row_totals = []
    for row in form.rows:
        total = rules.Decimal(0)
        for offset, cell in enumerate(row.day_fields()):
            try:
                value = rules.parse_hours(cell.data, allow_empty=True) or 0
            except rules.HoursError:
                value = 0
            total += value
            day_totals[offset] += value
        row_totals.append(total)
    return day_totals, row_totals


def _grid_data(view, extra_lines=()) -> dict:
    rows = []
    for line in view.lines:
        row = {"line": services.line_text(line.key)}
        for offset, value in enumerate(line.cells):
            row[f"d{offset}"] = rules.format_hours(value)
        rows.append(row)
    present = {row["line"] for row in rows}
    for key in extra_lines:
        text = services.line_text(key)
        if text not in present:
            rows.append({"line": text})
            present.add(text)
    rows.extend({"line": ""} for _ in range(BLANK_ROWS))
    return {"rows": rows, "version": str(view.version)}


@bp.route("/timesheet", methods=["GET", "POST"])
def timesheet():
    person = _person_for_timesheet(edit=request.method == "POST")
    start = _week()
    if request.method == "GET":
        view = _week_view(person, start)
        copied = None
        extra = []
        if request.args.get("copy") == "last-week" and _can_edit(person):
            extra = [key for key, _ in queries.week_lines(person.id, start - timedelta(days=7))]
            copied = len(extra)
        form = TimesheetForm(formdata=None, data=_grid_data(view, extra))
        return _timesheet_page(person, start, form, copied=copied, view=view)
    form = TimesheetForm()
    if not _can_edit(person):
        forbid()
    labels = dict((services.line_text(k), label) for k, label in queries.line_options(person.id))
    labels.update(
        (services.line_text(line.key), line.label)
        for line in queries.week_view(person.id, start).lines
    )
    valid = form.validate_on_submit()
    form.label_errors(labels, rules.week_days(start))
    rows = []
    for row in form.rows:
        cells = [cell.hours for cell in row.day_fields()]
        if not row.line.data:
            if any(value is not None for value in cells):
                row.line.errors = [*row.line.errors, "Choose what the new line's time is for"]
                valid = False
            continue
        key = services.line_key(row.line.data)
        if key is None:
            row.line.errors = [*row.line.errors, "Choose what the line's time is for from the list"]
            valid = False
            continue
        rows.append((key, cells))
    # Messages put on a line after validation must reach the error summary too.
    form.collect_row_errors()
    if valid:
        with unit_of_work() as work:
            result = services.save_week(
                person, start, rows, version=form.version_number(), actor=current_user
            )
        if work.ok:
            flash(_saved_message(result), "success")
            return redirect(
                url_for("worklog.timesheet", week=start.isoformat(), **_person_arg(person))
            )
        if isinstance(work.error, services.TimesheetError):
            _cell_errors(form, work.error.problems)
        else:
            attach_error(form, work.error)
    return _timesheet_page(person, start, form, status=400)


def _cell_errors(form, problems) -> None:
    """Several cells refused at once: each message goes on the cell (or line) it names."""
    for problem in problems:
        target = form.rows[problem.row] if problem.row < len(form.rows) else None
        field = None
        if target is not None:
            field = target.line if problem.day < 0 else target.day_fields()[problem.day]
        if field is None:
            form.form_errors.append(problem.message)
        else:
            field.errors = [*field.errors, problem.message]
    form.collect_row_errors()


def _person_arg(person) -> dict:
    return {} if person.id == current_user.id else {"person": person.id}


def _saved_message(result) -> str:
    if not result.changed:
        return "Nothing had changed: your timesheet is as it was."
    return "Saved your timesheet."


@bp.post("/timesheet/submit")
def submit_week():
    person = _person_for_timesheet(edit=True)
    start = _week()
    form = SubmitWeekForm()
    back = url_for("worklog.timesheet", week=start.isoformat(), **_person_arg(person))
    if not form.validate_on_submit():
        flash("The form has expired. Submit it again.", "error")
        return redirect(back)
    with form_work() as work:
        services.submit_week(person, start, version=form.version_number(), actor=current_user)
    if work.ok:
        flash("Submitted the week. It is locked until a project manager unlocks it.", "success")
    return redirect(back)


@bp.post("/timesheet/weeks/<int:week_id>/unlock")
def unlock_week(week_id: int):
    week = db.session.get(TimesheetWeek, week_id) or abort(404)
    if not access.can_unlock(current_user, week):
        forbid()
    form = UnlockForm()
    project_id = record_id(request.args.get("project"))
    back = (
        url_for("worklog.project_log", project_id=project_id)
        if project_id
        else url_for("worklog.timesheet", week=week.week_start.isoformat(), person=week.person_id)
    )
    if not form.validate_on_submit():
        flash(next(iter(form.errors.values()))[0], "error")
        return redirect(back)
    with form_work() as work:
        services.unlock_week(
            week,
            reason=form.reason.data,
            version=form.version_number(),
            actor=current_user,
            project_id=project_id,
        )
    if work.ok:
        flash("Unlocked the week: its time can be changed again.", "success")
    return redirect(back)


# --------------------------------------------------------------------------------------
# Single entries
# --------------------------------------------------------------------------------------


def _entry_choices(actor: User) -> dict:
    """What the entry form offers: people the actor may log for, and open projects they are
    on (or manage), with those projects' bookable stages, open iterations and items."""
    if actor.is_pmo:
        project_filter = Project.status.not_in(CLOSED_PROJECT_STATUSES)
    else:
        mine = select(ProjectMembership.project_id).where(ProjectMembership.user_id == actor.id)
        project_filter = Project.id.in_(mine) & Project.status.not_in(CLOSED_PROJECT_STATUSES)
    projects = list(
        db.session.execute(
            select(Project.id, Project.code, Project.name)
            .where(project_filter)
            .order_by(Project.code)
        )
    )
    ids = [p.id for p in projects]
    codes = {p.id: p.code for p in projects}
    managed = (
        ids
        if actor.is_pmo
        else list(
            db.session.scalars(
                select(ProjectMembership.project_id).where(
                    ProjectMembership.user_id == actor.id,
                    ProjectMembership.role == "project_manager",
                )
            )
        )
    )
    people = [actor]
    if managed:
        people += [
            person
            for person in db.session.scalars(
                select(User)
                .where(
                    User.is_active_user,
                    User.id != actor.id,
                    User.id.in_(
                        select(ProjectMembership.user_id).where(
                            ProjectMembership.project_id.in_(managed)
                        )
                    ),
                )
                .order_by(User.name)
            )
        ]
    stage_rows = db.session.execute(
        select(Stage.id, Stage.project_id, Stage.sequence, Stage.name)
        .where(Stage.project_id.in_(ids), Stage.status.in_(BOOKABLE_STATUSES))
        .order_by(Stage.project_id, Stage.sequence)
    ).all()
    iteration_rows = db.session.execute(
        select(Iteration.id, Iteration.project_id, Iteration.name)
        .where(Iteration.project_id.in_(ids), Iteration.status != IterationStatus.CLOSED)
        .order_by(Iteration.project_id, Iteration.start_on)
    ).all()
    item_rows = db.session.execute(
        select(BacklogItem.id, BacklogItem.project_id, BacklogItem.title)
        .where(BacklogItem.project_id.in_(ids), BacklogItem.status != ItemStatus.DONE)
        .order_by(BacklogItem.project_id, BacklogItem.title)
        .limit(500)
    ).all()
    stages = [(s.id, f"{codes[s.project_id]} – Stage {s.sequence}: {s.name}") for s in stage_rows]
    iterations = [(i.id, f"{codes[i.project_id]} – {i.name}") for i in iteration_rows]
    items = [(i.id, f"{codes[i.project_id]} – {i.title}") for i in item_rows]
    # Which project each choice belongs to: the form narrows the lists to the chosen project.
    project_of = {
        field: {str(row.id): row.project_id for row in rows}
        for field, rows in (
            ("stage_id", stage_rows),
            ("iteration_id", iteration_rows),
            ("backlog_item_id", item_rows),
        )
    }
    return {
        "people": people,
        "projects": [(p.id, f"{p.code} {p.name}") for p in projects],
        "stages": stages,
        "iterations": iterations,
        "items": items,
        "project_of": project_of,
    }


def _entry_data(form: EntryForm) -> services.EntryData:
    return services.EntryData(
        person_id=form.person_id.data or current_user.id,
        project_id=form.project_id.data,
        work_date=form.work_date.data,
        hours=form.hours.hours,
        stage_id=form.stage_id.data,
        iteration_id=form.iteration_id.data,
        backlog_item_id=form.backlog_item_id.data,
        note=form.note.data or "",
    )


def _ensure_choice(field, value, label):
    """Keep an entry's current value selectable even if it would no longer be offered."""
    if value is not None and value not in {choice.value for choice in field.choices}:
        field.choices = [*field.choices, *options([(value, label)])]


@bp.route("/time/new", methods=["GET", "POST"])
def create_entry():
    form = EntryForm(**_entry_choices(current_user))
    if request.method == "GET":
        form.person_id.data = current_user.id
        form.work_date.data = services.today()
        if record_id(request.args.get("project")):
            form.project_id.data = record_id(request.args.get("project"))
    if form.validate_on_submit():
        with form_work(form) as work:
            entry = services.add_entry(_entry_data(form), actor=current_user)
        if work.ok:
            flash(f"Logged {rules.format_hours(entry.hours)} hours.", "success")
            return redirect(
                url_for(
                    "worklog.timesheet",
                    week=rules.week_start(entry.work_date).isoformat(),
                    **_person_arg(entry.person),
                )
            )
    return render_template("worklog/entry_form.html", form=form, entry=None), (
        400 if form.errors else 200
    )


def _load_entry(entry_id: int) -> TimeEntry:
    entry = db.session.get(TimeEntry, entry_id) or abort(404)
    if not services.can_log_for(current_user, entry.person, entry.project):
        forbid()
    return entry


@bp.route("/time/<int:entry_id>/edit", methods=["GET", "POST"])
def edit_entry(entry_id: int):
    entry = _load_entry(entry_id)
    choices = _entry_choices(current_user)
    if entry.person not in choices["people"]:
        choices["people"] = [*choices["people"], entry.person]
    form = EntryForm(obj=entry if request.method == "GET" else None, **choices)
    if request.method == "GET":
        form.hours.data = rules.format_hours(entry.hours)
        form.version.data = str(entry.version)
    _ensure_choice(form.project_id, entry.project_id, entry.project.code)
    if form.validate_on_submit():
        with form_work(form) as work:
            services.update_entry(
                entry, _entry_data(form), version=form.version_number(), actor=current_user
            )
        if work.ok:
            flash("Saved your changes.", "success")
            return redirect(
                url_for(
                    "worklog.timesheet",
                    week=rules.week_start(entry.work_date).isoformat(),
                    **_person_arg(entry.person),
                )
            )
    return render_template("worklog/entry_form.html", form=form, entry=entry), (
        400 if form.errors else 200
    )


@bp.post("/time/<int:entry_id>/delete")
def delete_entry(entry_id: int):
    entry = _load_entry(entry_id)
    form = DeleteForm()
    back = url_for(
        "worklog.timesheet",
        week=rules.week_start(entry.work_date).isoformat(),
        **_person_arg(entry.person),
    )
    if not form.validate_on_submit():
        flash("The form has expired. Submit it again.", "error")
        return redirect(back)
    with form_work() as work:
        services.delete_entry(entry, version=form.version_number(), actor=current_user)
    if work.ok:
        flash("Deleted the entry.", "success")
    return redirect(back)


# --------------------------------------------------------------------------------------
# A project's time log
# --------------------------------------------------------------------------------------


@bp.get("/projects/<int:project_id>/time")
def project_log(project_id: int):
    project = load_project(project_id, manage=True)
    filters = ExportForm(request.args, projects=[], people=[])
    valid = filters.validate()
    start = filters.start.data if not filters.start.errors else None
    end = filters.end.data if not (filters.end.errors or filters.start.errors) else None
    log = queries.project_log(project, start, end)
    unlockable = access.unlockable_weeks(current_user, [week.id for week, _, _ in log.weeks])
    return render_template(
        "worklog/project_log.html",
        project=project,
        log=log,
        filters=filters,
        unlockable=unlockable,
        unlock_form=UnlockForm(formdata=None),
    ), 200 if valid else 400


# --------------------------------------------------------------------------------------
# Rates
# --------------------------------------------------------------------------------------


def _active_people():
    """Active people for the pickers, each shown with their organisation."""
    return org_queries.people_choices()


@bp.get("/rates")
@role_required("pmo")
def list_rates():
    rows = list(
        db.session.execute(
            select(HourlyRate, User.name)
            .outerjoin(User, User.id == HourlyRate.person_id)
            .order_by(
                User.name.is_(None), User.name, HourlyRate.role, HourlyRate.effective_from.desc()
            )
        )
    )
    return render_template(
        "worklog/rates.html",
        rows=rows,
        PROJECT_ROLES=PROJECT_ROLES,
        delete_form=DeleteForm(formdata=None),
    )


@bp.route("/rates/new", methods=["GET", "POST"])
@role_required("pmo")
def create_rate():
    form = RateForm(people=_active_people())
    if form.validate_on_submit():
        by_person = form.applies_to.data == "person"
        with form_work(form) as work:
            services.add_rate(
                services.RateData(
                    rate=form.rate.data,
                    effective_from=form.effective_from.data,
                    person_id=form.person_id.data if by_person else None,
                    role=None if by_person else form.role.data,
                ),
                actor=current_user,
            )
        if work.ok:
            flash("Saved the rate.", "success")
            return redirect(url_for("worklog.list_rates"))
    return render_template("worklog/rate_form.html", form=form), 400 if form.errors else 200


@bp.route("/rates/<int:rate_id>/edit", methods=["GET", "POST"])
@role_required("pmo")
def edit_rate(rate_id: int):
    rate = db.session.get(HourlyRate, rate_id) or abort(404)
    form = RateEditForm(obj=rate)
    if request.method == "GET":
        form.version.data = str(rate.version)
    if form.validate_on_submit():
        with form_work(form) as work:
            services.update_rate(
                rate,
                amount=form.rate.data,
                effective_from=form.effective_from.data,
                version=form.version_number(),
                actor=current_user,
            )
        if work.ok:
            flash("Saved the rate.", "success")
            return redirect(url_for("worklog.list_rates"))
    who = rate.person.name if rate.person else f"{PROJECT_ROLES[rate.role]} (role)"
    return render_template("worklog/rate_edit.html", form=form, rate=rate, who=who), (
        400 if form.errors else 200
    )


@bp.post("/rates/<int:rate_id>/delete")
@role_required("pmo")
def delete_rate(rate_id: int):
    rate = db.session.get(HourlyRate, rate_id) or abort(404)
    if not DeleteForm().validate_on_submit():
        flash("The form has expired. Submit it again.", "error")
        return redirect(url_for("worklog.list_rates"))
    with form_work() as work:
        services.delete_rate(rate, actor=current_user)
    if work.ok:
        flash("Deleted the rate.", "success")
    return redirect(url_for("worklog.list_rates"))


# --------------------------------------------------------------------------------------
# Export and import
# --------------------------------------------------------------------------------------


def _export_choices():
    if current_user.is_pmo:
        projects = db.session.execute(
            select(Project.id, Project.code, Project.name).order_by(Project.code)
        )
        people = _active_people()
    else:
        managed = select(ProjectMembership.project_id).where(
            ProjectMembership.user_id == current_user.id,
            ProjectMembership.role == "project_manager",
        )
        mine = select(ProjectMembership.project_id).where(
            ProjectMembership.user_id == current_user.id
        )
        projects = db.session.execute(
            select(Project.id, Project.code, Project.name)
            .where(Project.id.in_(mine))
            .order_by(Project.code)
        )
        people = [current_user] + [
            p
            for p in db.session.scalars(
                select(User)
                .where(
                    User.id != current_user.id,
                    User.id.in_(
                        select(ProjectMembership.user_id).where(
                            ProjectMembership.project_id.in_(managed)
                        )
                    ),
                )
                .order_by(User.name)
            )
        ]
    return {"projects": [(p.id, f"{p.code} {p.name}") for p in projects], "people": people}


@bp.get("/time/export")
def export_entries():
    form = ExportForm(request.args, **_export_choices())
    wanted = request.args.get("format")
    if not wanted:
        form.format.data = "csv"
        return render_template("worklog/export.html", form=form)
    if not form.validate():
        return render_template("worklog/export.html", form=form), 400
    rows = queries.export_rows(
        current_user,
        project_id=form.project.data,
        person_id=form.person.data,
        start=form.start.data,
        end=form.end.data,
    )
    made_at = utcnow()
    if form.format.data == "xlsx":
        about = files.About(
            title="Time entries: one row per entry, oldest first",
            made_at=made_at,
            made_by=f"{current_user.name} ({current_user.email})",
            filters=files.form_filters(form, ("project", "person", "start", "end")),
            notes=(
                "Everyone's time (you are PMO staff)."
                if current_user.is_pmo
                else "Only the time you may see: your own, and that of projects you manage.",
            ),
        )
        return Response(
            transfer.write_xlsx(rows, about),
            mimetype=files.XLSX_MIMETYPE,
            headers=files.disposition(files.filename("time-entries", made_at, "xlsx")),
        )
    return Response(
        transfer.write_csv(rows),
        mimetype=files.CSV_MIMETYPE,
        headers=files.disposition(files.filename("time-entries", made_at, "csv")),
    )


@bp.route("/time/import", methods=["GET", "POST"])
def import_entries():
    form = ImportForm()
    problems = []
    if form.validate_on_submit():
        upload = form.file.data
        if upload is None or not getattr(upload, "filename", ""):
            form.file.errors = ["Choose a CSV file to import"]
        elif not upload.filename.lower().endswith(".csv"):
            form.file.errors = ["The file must be a CSV file"]
        else:
            with unit_of_work() as work:
                count = transfer.import_csv(upload.read(), actor=current_user)
            if work.ok:
                flash(f"Imported {count} time {'entry' if count == 1 else 'entries'}.", "success")
                return redirect(url_for("worklog.my_work"))
            if not isinstance(work.error, transfer.ImportRefused):
                attach_error(form, work.error)
            else:
                problems = work.error.problems
                form.file.errors = [
                    f"The file was not imported: fix the {len(problems)} "
                    f"{'problem' if len(problems) == 1 else 'problems'} listed below and "
                    "upload it again"
                ]
    return render_template("worklog/import.html", form=form, problems=problems), (
        400 if form.errors else 200
    )
