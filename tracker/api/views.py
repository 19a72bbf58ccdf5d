"""Pages for people: personal access tokens on the account page, and the API's docs page."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from tracker.api import bp, services
from tracker.api.forms import TokenForm
from tracker.api.models import ApiToken
from tracker.core.unit_of_work import form_work
from tracker.db import utcnow
from tracker.extensions import db


def _token_page(form: TokenForm, status: int = 200):
    tokens = list(db.session.scalars(services.tokens_of(current_user)))
    return render_template("api/tokens.html", form=form, tokens=tokens, now=utcnow()), status


@bp.get("/account/tokens")
def list_tokens():
    return _token_page(TokenForm())


@bp.post("/account/tokens")
def create_token():
    form = TokenForm()
    if form.validate_on_submit():
        with form_work(form) as work:
            new = services.create_token(
                current_user, name=form.name.data, expires_in_days=form.expires_in_days.data
            )
        if work.ok:
            # Shown on this response only: never stored, never put in the session or a flash.
            response = current_app.make_response(
                render_template("api/token_created.html", token=new.token, secret=new.secret)
            )
            response.headers["Cache-Control"] = "no-store"
            return response, 201
    return _token_page(form, 400)


@bp.post("/account/tokens/<int:token_id>/revoke")
def revoke_token(token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    with form_work() as work:
        services.revoke_token(token, actor=current_user)
    if work.ok:
        flash(
            f"Revoked the token '{token.name}'. Programs using it can no longer call the API.",
            "success",
        )
    return redirect(url_for("api.list_tokens"))


@bp.get("/api/v1/docs")
def docs():
    """The API described for people, rendered on the server from the generated OpenAPI
    description (no script from elsewhere: the site's CSP allows only its own)."""
    spec = current_app.extensions["tracker_api"].spec.to_dict()
    return render_template("api/docs.html", spec=spec, operations=_operations(spec))


METHOD_ORDER = ("get", "post", "put", "patch", "delete")


def _operations(spec: dict) -> list[dict]:
    """Operations grouped by tag, in path order."""
    groups: dict[str, dict] = {}
    tag_text = {tag["name"]: tag.get("description") or tag["name"] for tag in spec.get("tags", [])}
    for path, item in spec.get("paths", {}).items():
        for method in METHOD_ORDER:
            operation = item.get(method)
            if operation is None:
                continue
            tag = (operation.get("tags") or ["other"])[0]
            group = groups.setdefault(
                tag,
                {
                    "tag": tag,
                    "title": tag.removeprefix("api_").replace("_", " ").capitalize(),
                    "description": tag_text.get(tag, ""),
                    "operations": [],
                },
            )
            group["operations"].append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "parameters": [*item.get("parameters", []), *operation.get("parameters", [])],
                    "body": _body_schema(spec, operation),
                    "responses": [
                        (code, _resolve(spec, response, "responses").get("description", ""))
                        for code, response in sorted(operation.get("responses", {}).items())
                    ],
                }
            )
    return list(groups.values())


def _body_schema(spec: dict, operation: dict) -> dict | None:
    body = operation.get("requestBody")
    if not body:
        return None
    schema = body.get("content", {}).get("application/json", {}).get("schema", {})
    return _resolve(spec, schema, "schemas")


def _resolve(spec: dict, node: dict, kind: str) -> dict:
    ref = node.get("$ref")
    if ref:
        name = ref.rsplit("/", 1)[-1]
        return {"name": name, **spec.get("components", {}).get(kind, {}).get(name, {})}
    return node
