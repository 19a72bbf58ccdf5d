"""Governance Tracker: project governance for public-service bodies."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, render_template, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError

import config as config_module
from tracker.core import filters, security, sqlite, stamps
from tracker.extensions import cache, csrf, db, login_manager, migrate

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: Mapping[str, Any] | str | None = None) -> Flask:
    """Build the app. ``config`` is an environment name or a mapping of overrides.

    The factory never touches the schema (``flask db upgrade`` does) and never prompts.
    """
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        instance_path=os.environ.get("TRACKER_INSTANCE_PATH") or str(PROJECT_ROOT / "instance"),
    )
    overrides: Mapping[str, Any] = {}
    env_name = os.environ.get("TRACKER_ENV", "development")
    if isinstance(config, str):
        env_name = config
    elif config is not None:
        overrides = config
        env_name = overrides.get("ENV_NAME", env_name)
    if env_name not in config_module.CONFIGS:
        raise RuntimeError(f"TRACKER_ENV must be one of {', '.join(config_module.CONFIGS)}")
    app.config.from_object(config_module.CONFIGS[env_name])
    app.config.update(overrides)
    _finish_config(app)
    _log_to_file(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to continue."
    login_manager.login_message_category = "info"
    csrf.init_app(app)
    cache.init_app(app)
    stamps.install()
    sqlite.install()

    _register_blueprints(app)
    _register_hooks(app)
    filters.register(app)
    security.init_app(app)
    return app


def _log_to_file(app: Flask) -> None:
    """With ``LOG_FILE`` set, the tracker's own log (emails written instead of sent among
    it) goes to that file only, not to the terminal: ``make run`` keeps its window for the
    address and the demo logins. A relative path is inside the instance folder."""
    name = app.config.get("LOG_FILE")
    if not name:
        return
    path = Path(name) if Path(name).is_absolute() else Path(app.instance_path) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    logger = logging.getLogger("tracker")
    if not any(
        isinstance(handler, logging.FileHandler) and Path(handler.baseFilename) == path
        for handler in logger.handlers
    ):
        handler = logging.FileHandler(path, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


def _finish_config(app: Flask) -> None:
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + str(
            Path(app.instance_path) / "tracker.sqlite"
        )
    secret = app.config.get("SECRET_KEY")
    if app.config["ENV_NAME"] == "production":
        if not secret or secret in config_module.WEAK_SECRET_KEYS or len(secret) < 32:
            raise RuntimeError(
                "SECRET_KEY must be set to a long random value in production "
                "(for example: python -c 'import secrets; print(secrets.token_urlsafe(48))')"
            )
        problem = config_module.audit_key_problem(app.config.get("AUDIT_HMAC_KEY"), secret)
        if problem:
            raise RuntimeError(problem)
    else:
        if not secret:
            app.config["SECRET_KEY"] = config_module.instance_secret_key(app.instance_path)
        if not app.config.get("AUDIT_HMAC_KEY"):
            app.config["AUDIT_HMAC_KEY"] = config_module.instance_audit_key(app.instance_path)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # One file, one writer: queue for the lock instead of failing (tracker.core.sqlite).
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = sqlite.engine_options(
            app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}), app.config["SQLITE_BUSY_TIMEOUT"]
        )


def _register_blueprints(app: Flask) -> None:
    from tracker import (
        agile,
        api,
        audit,
        auth,
        backup,
        benefits,
        board,
        budget,
        business_cases,
        changes,
        closure,
        core,
        demo,
        evidence,
        frameworks,
        lessons,
        methods,
        notifications,
        orgs,
        phases,
        portfolio,
        programmes,
        projects,
        proposals,
        registers,
        releases,
        scheduler,
        stages,
        worklog,
    )

    for module in (
        core,
        auth,
        orgs,
        projects,
        audit,
        demo,
        registers,
        frameworks,
        methods,
        stages,
        agile,
        budget,
        business_cases,
        board,
        changes,
        lessons,
        phases,
        releases,
        closure,
        benefits,
        worklog,
        notifications,
        scheduler,
        api,
        portfolio,
        proposals,
        evidence,
        programmes,
        backup,
    ):
        app.register_blueprint(module.bp)
    api.init_app(app)


def _register_hooks(app: Flask) -> None:
    from tracker.auth.access import PUBLIC_ENDPOINTS
    from tracker.core.views import page_url, service_nav

    app.add_template_global(page_url)

    @app.before_request
    def require_login():
        """Closed by default: every endpoint needs a signed-in user unless listed public."""
        from flask import request

        if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
            return None
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return None

    @app.context_processor
    def layout_context():
        return {
            "service_nav": service_nav(),
            "account_href": url_for("auth.account"),
            "logout_href": url_for("auth.logout"),
            "accessibility_href": url_for("core.accessibility"),
        }

    from tracker.api.problems import from_http_exception, is_api_request

    def error_page(template: str, status: int):
        def handler(error):
            db.session.rollback()
            if is_api_request():
                return from_http_exception(error)
            return render_template(template), status

        return handler

    app.register_error_handler(403, error_page("errors/403.html", 403))
    app.register_error_handler(404, error_page("errors/404.html", 404))
    app.register_error_handler(413, error_page("errors/413.html", 413))
    app.register_error_handler(500, error_page("errors/500.html", 500))

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_template("errors/csrf.html", reason=error.description), 400

    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO)
