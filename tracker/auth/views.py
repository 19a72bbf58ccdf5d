from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from tracker.auth import bp, lockout, queries
from tracker.auth import services as users
from tracker.auth.access import admin_required
from tracker.auth.forms import ChangePasswordForm, LoginForm, UserForm
from tracker.auth.models import User
from tracker.auth.rules import is_safe_next
from tracker.core import sqlite
from tracker.core.pagination import paginate
from tracker.core.unit_of_work import form_work
from tracker.extensions import db, login_manager


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Sessions carry ``id:session_version``; a changed password ends older sessions."""
    try:
        raw_id, raw_version = user_id.split(":", 1)
        uid, version = int(raw_id), int(raw_version)
    except ValueError:
        return None
    user = db.session.get(User, uid)
    if user is None or user.session_version != version or not user.is_active_user:
        return None
    return user


def _safe_next(target: str | None) -> str:
    """Only follow a ``next`` that stays on this site (``rules.is_safe_next``)."""
    return target if is_safe_next(target) else url_for("core.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.index"))
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data
        # The reads and the deliberately slow password check take no write lock, so other
        # people's saves do not wait for them (tracker.core.sqlite); the writes below do.
        with sqlite.reading():
            if lockout.is_locked(email):
                # Checked before the password, so a locked name cannot be guessed at.
                form.email.errors.append(lockout.locked_message())
                return render_template("auth/login.html", form=form), 400
            user = users.find_by_email(email)
            # The password is checked (against a dummy hash when there is no such account)
            # before anything else about the account, so every failure takes the same time.
            accepted = users.password_matches(user, form.password.data) and user.is_active_user
            db.session.rollback()  # end the read: the writes begin with the lock
        with form_work(form) as work:
            if accepted:
                lockout.clear(email)
                login_user(user)
                users.note_login(user)
            elif lockout.record_failure(email, user):
                form.email.errors.append(lockout.locked_message())
            else:
                form.email.errors.append("Email address or password is not correct")
        if work.ok and accepted:
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form), 200 if not form.errors else 400


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        with form_work() as work:
            users.sign_out(current_user._get_current_object())
        if not work.ok:  # still signed in, and told why
            return redirect(url_for("auth.account"))
    logout_user()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"))


@bp.get("/account")
def account():
    return render_template("auth/account.html", user=current_user)


@bp.route("/account/password", methods=["GET", "POST"])
def change_password():
    form = ChangePasswordForm(current_user)
    if form.validate_on_submit():
        user = current_user._get_current_object()
        with form_work(form) as work:
            users.change_password(user, form.new_password.data)
        if work.ok:
            # Keep this session; every other session of this person is now invalid.
            login_user(user)
            flash(
                "Your password has been changed. Other sessions have been signed out and your "
                "API access tokens revoked.",
                "success",
            )
            return redirect(url_for("auth.account"))
    return render_template("auth/change_password.html", form=form), 200 if not form.errors else 400


@bp.get("/people/search")
def search_people():
    """The people picker's suggestions: JSON, for anyone signed in (the pages that choose a
    person work without it, with a plain email field or list)."""
    text = request.args.get("q", "")[:100]
    people = queries.search_people(text)
    response = jsonify(people=[{"name": name, "email": email} for name, email in people])
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/users")
@admin_required
def list_users():
    page = paginate(select(User).order_by(User.name), request.args.get("page"))
    return render_template("auth/users.html", page=page)


@bp.route("/users/new", methods=["GET", "POST"])
@admin_required
def create_user():
    form = UserForm(is_new=True)
    if form.validate_on_submit():
        with form_work(form) as work:
            user = users.create_user(
                email=form.email.data,
                name=form.name.data,
                password=form.password.data,
                global_role=form.global_role.data,
            )
        if work.ok:
            flash(f"{user.name} can now sign in.", "success")
            return redirect(url_for("auth.list_users"))
    return render_template("auth/user_form.html", form=form, user=None), (
        400 if form.errors else 200
    )


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@admin_required
def edit_user(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    form = UserForm(obj=user, is_new=False)
    if request.method == "GET":
        form.is_active.data = user.is_active_user
        form.global_role.data = user.global_role or ""
    if form.validate_on_submit():
        with form_work(form) as work:
            users.update_user(
                user,
                email=form.email.data,
                name=form.name.data,
                global_role=form.global_role.data,
                is_active=form.is_active.data,
                password=form.password.data or None,
                actor=current_user,
            )
        if work.ok:
            flash(f"Saved changes to {user.name}.", "success")
            return redirect(url_for("auth.list_users"))
    return render_template("auth/user_form.html", form=form, user=user), (
        400 if form.errors else 200
    )
