"""Lessons pages: a project's log (with lessons of similar projects), the library."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.auth.access import forbid
from tracker.core import exports as files
from tracker.core.pagination import paginate
from tracker.core.unit_of_work import form_work
from tracker.db import utcnow
from tracker.extensions import db
from tracker.lessons import access, bp, exports, queries, services
from tracker.lessons.forms import CurateForm, LessonForm
from tracker.lessons.models import Lesson
from tracker.methods import model as method_model
from tracker.projects.access import load_project
from tracker.projects.rules import DELIVERY_METHODS


def _project_page(project, form, status=200):
    zone = services.zone_of(project.id)
    return render_template(
        "lessons/project.html",
        project=project,
        page=paginate(queries.of_project(project.id), request.args.get("page")),
        similar=queries.similar(project.id, project.delivery_method, zone),
        zone=zone,
        zones=method_model.ZONES,
        form=form,
        can_log=access.can_log(current_user, project),
        curate_form=CurateForm(),
    ), status


@bp.get("/projects/<int:project_id>/lessons")
def project_lessons(project_id: int):
    return _project_page(load_project(project_id), LessonForm())


@bp.post("/projects/<int:project_id>/lessons")
def log_lesson(project_id: int):
    project = load_project(project_id)
    if not access.can_log(current_user, project):
        forbid()
    form = LessonForm()
    if form.validate_on_submit():
        with form_work(form) as work:
            services.log_lesson(
                project,
                services.LessonData(
                    title=form.title.data,
                    what_happened=form.what_happened.data,
                    recommendation=form.recommendation.data,
                    verdict=form.verdict.data,
                    category=form.category.data,
                ),
                actor=current_user,
            )
        if work.ok:
            flash("Logged the lesson.", "success")
            return redirect(url_for("lessons.project_lessons", project_id=project.id))
    return _project_page(project, form, 400 if form.errors or form.form_errors else 200)


def _download(about, stem: str, fmt: str, lessons) -> Response:
    made = files.download(about, stem, "Lessons", fmt, exports.COLUMNS, exports.rows(lessons))
    return Response(made.body, mimetype=made.mimetype, headers=made.headers)


def _made_by() -> str:
    return f"{current_user.name} ({current_user.email})"


@bp.get("/projects/<int:project_id>/lessons.<any(csv, xlsx):fmt>")
def export_project_lessons(project_id: int, fmt: str):
    """The project's lessons log, newest first, as CSV or Excel."""
    project = load_project(project_id)
    about = files.About(
        title=f"The lessons log of {project.code} {project.name}, newest first",
        made_at=utcnow(),
        made_by=_made_by(),
    )
    lessons = db.session.scalars(queries.of_project(project.id))
    return _download(about, f"{project.code}-lessons", fmt, lessons)


def _library_filters() -> tuple[str | None, str | None]:
    text = (request.args.get("q") or "").strip()[:100] or None
    method = request.args.get("method")
    return text, method if method in DELIVERY_METHODS else None


@bp.get("/lessons.<any(csv, xlsx):fmt>")
def export_library(fmt: str):
    """The library as searched and filtered on the page, newest first."""
    text, method = _library_filters()
    about = files.About(
        title="The lessons library, newest first",
        made_at=utcnow(),
        made_by=_made_by(),
        filters=[
            *([("Search", text)] if text else []),
            *([("Delivery method", DELIVERY_METHODS[method])] if method else []),
        ],
    )
    lessons = db.session.scalars(queries.library(text, method)).unique()
    return _download(about, "lessons-library", fmt, lessons)


@bp.get("/lessons")
def library():
    """The organisation-wide library, for everyone signed in: search and filter by method."""
    text, method = _library_filters()
    return render_template(
        "lessons/library.html",
        page=paginate(queries.library(text, method), request.args.get("page")),
        q=text or "",
        method=method,
        methods=DELIVERY_METHODS,
    )


@bp.post("/lessons/<int:lesson_id>/curate")
def curate(lesson_id: int):
    if not access.can_curate(current_user):
        forbid("Only PMO staff curate the lessons library.")
    lesson = db.session.get(Lesson, lesson_id) or abort(404)
    form = CurateForm()
    if form.validate_on_submit():
        with form_work() as work:
            services.curate(
                lesson,
                request.form.get("in_library") == "yes",
                version=form.version_number(),
                actor=current_user,
            )
        if work.ok:
            flash("Updated the library.", "success")
    return redirect(url_for("lessons.project_lessons", project_id=lesson.project_id))
