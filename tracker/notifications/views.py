"""The inbox and email choices: every signed-in person, their own notifications only."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.core.pagination import paginate
from tracker.core.unit_of_work import form_work
from tracker.core.views import NAV_BADGES
from tracker.extensions import db
from tracker.notifications import bp, queries, services
from tracker.notifications.forms import EmailChoicesForm
from tracker.notifications.models import Notification


def _inbox_badge() -> str | None:
    count = queries.unread_count(current_user.id)
    return f"{count} unread" if count else None


NAV_BADGES["notifications.inbox"] = _inbox_badge


def _own(notification_id: int) -> Notification:
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != current_user.id:
        abort(404)
    return notification


@bp.get("")
def inbox():
    page = paginate(queries.inbox(current_user.id), request.args.get("page"))
    return render_template(
        "notifications/inbox.html", page=page, unread=queries.unread_count(current_user.id)
    )


@bp.post("/<int:notification_id>/read")
def mark_read(notification_id: int):
    notification = _own(notification_id)
    with form_work():
        services.mark_read(current_user, notification)
    return redirect(url_for("notifications.inbox", page=request.form.get("page") or None))


@bp.post("/read-all")
def mark_all_read():
    with form_work() as work:
        count = services.mark_all_read(current_user)
    if work.ok and count:
        flash(f"Marked {count} notification{'s' if count != 1 else ''} as read.", "success")
    return redirect(url_for("notifications.inbox"))


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    form = EmailChoicesForm()
    if request.method == "GET":
        form.email_kinds.data = services.email_kinds(current_user)
    if form.validate_on_submit():
        with form_work(form) as work:
            services.set_email_kinds(current_user, form.email_kinds.data or [], actor=current_user)
        if work.ok:
            flash("Saved your email choices.", "success")
            return redirect(url_for("notifications.inbox"))
    return render_template("notifications/settings.html", form=form), (400 if form.errors else 200)
