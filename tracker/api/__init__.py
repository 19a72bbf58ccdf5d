"""The JSON API (``/api/v1``), its OpenAPI description, personal access tokens and rate limits.

Each resource is one module here with its own blueprint (``core.resource``); adding one is
adding its module name to RESOURCES. The API calls the same services and access checks as
the pages: no business rule lives in this package.
"""

from __future__ import annotations

import importlib

from flask import Blueprint, Flask
from werkzeug.exceptions import HTTPException

bp = Blueprint("api", __name__)

RESOURCES = (
    "organisations",
    "frameworks",
    "projects",
    "assessments",
    "method_decisions",
    "stages",
    "gates",
    "iterations",
    "phases",
    "releases",
    "closure",
    "business_cases",
    "backlog",
    "feedback",
    "costs",
    "time_entries",
    "checkpoints",
    "portfolio",
    "evidence",
    "method_models",
    "programmes",
    "board",
    "risks",
    "issues",
    "change_requests",
    "assumptions",
    "dependencies",
    "lessons",
    "benefits",
    "proposals",
)

API_DESCRIPTION = """\
Governance Tracker's JSON API, for PMO reporting tools and integrations.

Authenticate every call with a personal access token, created on your account page:
`Authorization: Bearer <token>`. A token acts with exactly your permissions. Errors are
RFC 9457 problem details (`application/problem+json`); validation errors list each field.
Money is a decimal string in pounds (`"250000.00"`). Updates take the `version` you read
and answer 409 if someone changed the record since.
"""


def init_app(app: Flask) -> None:
    from tracker.api import authn, limits
    from tracker.api.core import RESOURCE_BLUEPRINTS, IdConverter, TrackerApi
    from tracker.api.problems import from_http_exception, is_api_request
    from tracker.extensions import csrf, db

    for name in RESOURCES:
        importlib.import_module(f"tracker.api.{name}")

    app.url_map.converters["id"] = IdConverter
    app.config.setdefault("API_TITLE", "Governance Tracker API")
    app.config.setdefault("API_VERSION", "1")
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api/v1")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault(
        "API_SPEC_OPTIONS",
        {
            "info": {"description": API_DESCRIPTION},
            "servers": [{"url": "/"}],
            "security": [{"bearerAuth": []}],
        },
    )

    # The limiter's check runs first, so unauthenticated calls are limited too.
    limits.init_app(app)
    app.before_request(authn.authenticate_api_request)

    api = TrackerApi()
    api.init_app(app)
    api.spec.components.security_scheme(
        "bearerAuth",
        {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal access token from your account page.",
        },
    )
    for blueprint in RESOURCE_BLUEPRINTS:
        api.register_blueprint(blueprint)
        csrf.exempt(blueprint)
        limits.limit_blueprint(app, blueprint)
    app.extensions["tracker_api"] = api

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        """Problem details for the API; the 429 page for people; others as Flask makes them."""
        if is_api_request():
            db.session.rollback()
            return from_http_exception(error)
        if error.code == 429:
            return limits.too_many_requests_page()
        return error


from tracker.api import views  # noqa: E402,F401
