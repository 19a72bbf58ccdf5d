"""NUL characters in query strings and form fields are refused with a 400 before any view
runs: PostgreSQL cannot store or compare text containing them (it raises instead of
matching nothing), and no field of this service ever needs one. An uploaded file's *name*
is checked the same way (it is stored with a cost import and shown back); the files'
contents are not checked here: the importers refuse malformed files with their own
messages."""

from __future__ import annotations

from flask import current_app, render_template, request

from tracker.core import bp
from tracker.core.problems import is_api_request, problem

MESSAGE = "What you sent contains a NUL character (\\0), which cannot be used. Nothing was saved."


def _has_nul(pairs) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in pairs)


@bp.before_app_request
def refuse_nul_characters():
    form_like = request.mimetype in {"application/x-www-form-urlencoded", "multipart/form-data"}
    if not _has_nul(request.args.items(multi=True)) and not (
        form_like
        and (
            _has_nul(request.form.items(multi=True))
            or _has_nul(
                (name, upload.filename or "") for name, upload in request.files.items(multi=True)
            )
        )
    ):
        return None
    if is_api_request():
        return problem(400, MESSAGE)
    body = render_template("errors/bad_input.html", message=MESSAGE)
    return current_app.response_class(body, status=400)
