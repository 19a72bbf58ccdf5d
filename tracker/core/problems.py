"""One error format for the whole API: RFC 9457 problem details.

It lives in ``core`` because core's own plumbing (the NUL-character guard, the database
outage page) answers API requests with it too, and core imports no domain; the API
package re-exports it from ``tracker.api.problems``.

Every error an API client can meet comes out of ``problem()``: HTTP errors raised anywhere
(401, 403, 404, 405, 429, 500), request validation (422, with one entry per field), and the
domain's refusals (``RuleError``: 422 when it names a field, 409 when the record's current
state refuses the change, such as deciding a gate that is already resolved or saving over a
newer version).
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, json, request
from werkzeug.exceptions import HTTPException, InternalServerError

from tracker.core.errors import RuleError, StaleEdit

PROBLEM_TYPE = "application/problem+json"
API_PREFIX = "/api/v1/"
# Pages under the API prefix that are for people, not programs.
HTML_PATHS = {"/api/v1/docs"}

TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request too large",
    415: "Unsupported media type",
    422: "Validation failed",
    429: "Too many requests",
    500: "Internal server error",
}

DETAILS = {
    401: "Send a personal access token in the Authorization header: 'Bearer <token>'.",
    403: "Your account does not have permission to do this.",
    404: "There is nothing at this address, or it belongs to another project.",
    405: "This address does not accept that method.",
    429: "Too many requests in too short a time. Wait a little, then try again.",
    500: "Something went wrong on our side. The request was not completed.",
}


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX) and request.path not in HTML_PATHS


def problem(
    status: int,
    detail: str | None = None,
    *,
    title: str | None = None,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title or TITLES.get(status, "Error"),
        "status": status,
        "detail": detail or DETAILS.get(status) or TITLES.get(status, "Error"),
        "instance": request.path,
    }
    if errors:
        body["errors"] = errors
    response = current_app.response_class(json.dumps(body), status=status, mimetype=PROBLEM_TYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def validation_errors(messages: Any, location: str | None = None) -> list[dict[str, str]]:
    """Flatten marshmallow/webargs messages into ``[{field, location, message}]``.

    Nested fields are joined with dots (``answers.U1``); list items by their index.
    """
    flat: list[dict[str, str]] = []

    def walk(node: Any, path: list[str], where: str | None) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if where is None and key in {"json", "query", "path", "headers", "form"}:
                    walk(value, path, "body" if key == "json" else key)
                else:
                    walk(value, [*path, str(key)], where)
        elif isinstance(node, list | tuple) and all(isinstance(item, str) for item in node):
            for message in node:
                flat.append(
                    {
                        "field": ".".join(path) or "_",
                        "location": where or "body",
                        "message": message,
                    }
                )
        elif isinstance(node, list | tuple):
            for index, value in enumerate(node):
                walk(value, [*path, str(index)], where)
        else:
            flat.append(
                {"field": ".".join(path) or "_", "location": where or "body", "message": str(node)}
            )

    walk(messages, [], location)
    return flat


def from_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    headers = dict(data.get("headers") or {})
    if status == 429:  # Flask-Limiter adds Retry-After to the response
        return problem(429, headers=headers)
    if "messages" in data:  # request validation, from webargs
        errors = validation_errors(data["messages"])
        if status == 422:
            detail = "The request has invalid values: " + "; ".join(
                f"{e['field']}: {e['message']}" for e in errors[:5]
            )
            return problem(422, detail, errors=errors, headers=headers)
        return problem(status, _first(errors), errors=errors, headers=headers)
    if isinstance(error, InternalServerError) or status >= 500:
        return problem(500, headers=headers)
    detail = data.get("message") or DETAILS.get(status) or error.description
    return problem(status, detail, headers=headers)


def _first(errors: list[dict[str, str]]) -> str | None:
    return errors[0]["message"] if errors else None


def from_rule_error(error: RuleError) -> Response:
    """A domain refusal: a field's value is wrong (422), or the record's state refuses (409)."""
    if isinstance(error, StaleEdit) or error.field is None:
        return problem(409, str(error))
    return problem(
        422,
        str(error),
        errors=[{"field": error.field, "location": "body", "message": str(error)}],
    )
