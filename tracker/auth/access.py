"""Coarse access checks: who may reach a route at all.

Every endpoint needs a signed-in user unless it is listed in PUBLIC_ENDPOINTS (checked in
one place, the app factory's ``before_request``), so a new route is closed by default.
Object-level rules (is this person on this project?) live in each domain's ``access.py``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, jsonify, request
from flask_login import current_user

policy_log = logging.getLogger("tracker.policy")

PUBLIC_ENDPOINTS = {
    "auth.login",
    # Single sign-on: the way to the provider, the way back, and the provider's sign-out.
    "auth.sso_start",
    "auth.sso_callback",
    "auth.sso_logout",
    "static",
    "core.health",
    "core.accessibility",
    # The API's description and docs page; the API itself authenticates with tokens.
    "api.docs",
    "api-docs.openapi_json",
}


def wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return request.path.startswith("/api/") or best == "application/json"


def forbid(detail: str | None = None) -> Any:
    """403 for JSON clients, the 403 page for people. ``detail`` says why, where the
    policy has words for it (the segregation of duties). Every refusal leaves a log line
    (not an audit entry: nothing changed)."""
    policy_log.warning(
        "refused %s %s for user %s%s",
        request.method,
        request.path,
        getattr(current_user, "id", None),
        f": {detail}" if detail else "",
    )
    if wants_json():
        # RFC 9457 problem details, the API's one error format.
        response = jsonify(
            type="about:blank",
            title="Forbidden",
            status=403,
            detail=detail or "Your account does not have permission to do this.",
            instance=request.path,
        )
        response.status_code = 403
        response.mimetype = "application/problem+json"
        abort(response)
    abort(403)


def role_required(*roles: str) -> Callable:
    """Allow only users holding one of the global roles (``admin`` always passes)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            role = getattr(current_user, "global_role", None)
            if role != "admin" and role not in roles:
                forbid()
            return view(*args, **kwargs)

        return wrapped

    return decorator


admin_required = role_required("admin")
pmo_required = role_required("pmo")
