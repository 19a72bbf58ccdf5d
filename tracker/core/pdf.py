"""Printable papers: a page's Jinja template rendered to an accessible PDF by WeasyPrint
with the print stylesheet, so screen and paper have one source.

Every PDF the tracker prints (board packs; highlight, exception and end-stage reports; the
committee report) goes through ``render_pdf``: tagged, declaring PDF/UA-1, its headings as
bookmarks (``static/print/print.css``). No domain is imported here.
"""

from __future__ import annotations

import io
from contextlib import nullcontext
from pathlib import Path

from flask import current_app, has_request_context, render_template, send_file

PRINT_CSS = Path(__file__).resolve().parent.parent / "static" / "print" / "print.css"


def render_pdf(template: str, **context) -> bytes:
    """The template rendered to a tagged PDF (PDF/UA-1), its headings as bookmarks."""
    from weasyprint import CSS, HTML  # imported late: it loads the Pango libraries

    # Links in the paper are the app's own (relative) addresses; outside a request (a
    # command, a job) a bare request context gives url_for its root.
    request_context = (
        nullcontext() if has_request_context() else current_app.test_request_context("/")
    )
    with request_context:
        html = render_template(template, **context)
    return HTML(string=html, base_url=str(PRINT_CSS.parent)).write_pdf(
        stylesheets=[CSS(filename=str(PRINT_CSS))],
        pdf_variant="pdf/ua-1",
        pdf_tags=True,
    )


def pdf_response(content: bytes, filename: str):
    """The PDF as a download, never cached by a shared cache."""
    response = send_file(
        io.BytesIO(content),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=filename,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
