from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from tracker.auth import bp, lockout, queries, sso
from tracker.auth import services as users
from tracker.auth.access import PUBLIC_ENDPOINTS, admin_required, wants_json
from tracker.auth.forms import ChangePasswordForm, LoginForm, SignInSettingsForm, UserForm
from tracker.auth.models import User
from tracker.auth.rules import LocalSignIn, is_safe_next
from tracker.auth.sso_rules import SignInRefused
from tracker.core import events, sqlite
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


# Pages a person who must choose a new password can still reach.
_WHILE_CHANGING_PASSWORD = {"auth.change_password", "auth.logout", "static", "core.health"}


@bp.before_app_request
def require_own_password():
    """A person given a temporary password chooses their own before doing anything else.

    Public pages, static files and the API (which signs in with tokens) are left alone
    before the person is even loaded, so they cost no query here."""
    endpoint = request.endpoint
    if (
        endpoint is None
        or endpoint in PUBLIC_ENDPOINTS
        or endpoint in _WHILE_CHANGING_PASSWORD
        or request.path.startswith("/api/")
        or wants_json()
    ):
        return None
    if current_user.is_authenticated and current_user.must_change_password:
        return redirect(url_for("auth.change_password"))
    return None


def _safe_next(target: str | None) -> str:
    """Only follow a ``next`` that stays on this site (``rules.is_safe_next``)."""
    return target if is_safe_next(target) else url_for("core.index")


def _render_login(form, status: int = 200):
    settings = users.sign_in_settings()
    return render_template(
        "auth/login.html",
        form=form,
        providers=sso.providers(),
        provider_logout=sso.pending_logout(),
        passwords_for_everyone=settings.local_sign_in == LocalSignIn.EVERYONE,
    ), status


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
            # Known only after the password matched, so it tells a guesser nothing.
            switched_off = accepted and not users.may_sign_in_locally(user)
            db.session.rollback()  # end the read: the writes begin with the lock
        if switched_off:
            sso.log.warning("password sign-in refused for person %s: switched off", user.id)
            form.email.errors.append(
                "Password sign-in is switched off: sign in with your organisation's account"
            )
            return _render_login(form, 403)
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
            if user.must_change_password:
                flash("Choose your own password to replace the temporary one.", "info")
                return redirect(url_for("auth.change_password"))
            return redirect(_safe_next(request.args.get("next")))
    return _render_login(form, 200 if not form.errors else 400)


def _refused(settings, refusal: SignInRefused):
    """The clear page for a refused sign-in, and the line an administrator can act on."""
    db.session.rollback()
    sso.log.warning("sign-in refused (%s): %s", settings.name if settings else "-", refusal.log)
    return render_template(
        "auth/sso_error.html", message=refusal.message, provider=settings
    ), refusal.status


@bp.get("/login/sso/<provider>")
def sso_start(provider: str):
    settings = sso.provider(provider) or abort(404)
    try:
        return sso.start(settings)
    except SignInRefused as refusal:
        return _refused(settings, refusal)


@bp.get("/login/sso/<provider>/callback")
def sso_callback(provider: str):
    settings = sso.provider(provider) or abort(404)
    try:
        claims, id_token = sso.finish(settings)
        with form_work() as work:
            user = users.sign_in_with_provider(settings, claims)
    except SignInRefused as refusal:
        return _refused(settings, refusal)
    if not work.ok:
        return _refused(
            settings,
            SignInRefused(
                "Your sign-in could not be saved just now. Try again.",
                f"provider {settings.name}: saving the sign-in failed",
                status=409,
            ),
        )
    login_user(user)
    sso.remember_sign_in(settings, id_token)
    sso.log.info("person %s signed in with %s", user.id, settings.name)
    return redirect(url_for("core.index"))


@bp.get("/logout/sso")
def sso_logout():
    """The provider's own sign-out (RP-initiated logout), offered after leaving the tracker."""
    try:
        response = sso.logout_redirect()
    except SignInRefused as refusal:
        return _refused(None, refusal)
    return response or redirect(url_for("auth.login"))


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        with form_work() as work:
            users.sign_out(current_user._get_current_object())
        if not work.ok:  # still signed in, and told why
            return redirect(url_for("auth.account"))
    logout_user()
    sso.offer_logout()
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
    return render_template("auth/users.html", page=page, organisations=dict(_organisations()))


def _organisations() -> list[tuple[int, str]]:
    """Every organisation, asked of the organisations domain (it sits above this one)."""
    return [pair for answer in events.send(events.organisation_choices) for pair in answer]


@bp.route("/users/new", methods=["GET", "POST"])
@admin_required
def create_user():
    form = UserForm(
        is_new=True, organisations=_organisations(), password_required=not sso.providers()
    )
    if form.validate_on_submit():
        with form_work(form) as work:
            user = users.create_user(
                email=form.email.data,
                name=form.name.data,
                password=form.password.data or None,
                global_role=form.global_role.data,
                organisation_id=form.organisation_id.data,
                is_break_glass=form.is_break_glass.data,
                actor=current_user,
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
    form = UserForm(obj=user, is_new=False, organisations=_organisations())
    if request.method == "GET":
        form.is_active.data = user.is_active_user
        form.global_role.data = user.global_role or ""
        form.require_password_change.data = user.must_change_password
    if form.validate_on_submit():
        with form_work(form) as work:
            users.update_user(
                user,
                email=form.email.data,
                name=form.name.data,
                global_role=form.global_role.data,
                is_active=form.is_active.data,
                password=form.password.data or None,
                organisation_id=form.organisation_id.data,
                is_break_glass=form.is_break_glass.data,
                require_password_change=form.require_password_change.data,
                actor=current_user,
            )
        if work.ok:
            flash(f"Saved changes to {user.name}.", "success")
            return redirect(url_for("auth.list_users"))
    return render_template("auth/user_form.html", form=form, user=user), (
        400 if form.errors else 200
    )


@bp.route("/users/sign-in", methods=["GET", "POST"])
@admin_required
def sign_in_settings():
    """Who may sign in with a password: everyone, or break-glass administrators only."""
    settings = users.sign_in_settings()
    form = SignInSettingsForm(obj=settings)
    if request.method == "GET":
        form.version.data = str(settings.version)
    if form.validate_on_submit():
        with form_work(form) as work:
            users.set_local_sign_in(
                form.local_sign_in.data, version=form.version_number(), actor=current_user
            )
        if work.ok:
            flash("Saved who may sign in with a password.", "success")
            return redirect(url_for("auth.list_users"))
    return render_template("auth/sign_in_settings.html", form=form, providers=sso.providers()), (
        400 if form.errors else 200
    )
