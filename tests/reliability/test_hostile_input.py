"""Hostile input: oversized bodies, script payloads in every text field, injection attempts in
query parameters, malformed uploads. Each is refused or escaped, never a 500."""

from __future__ import annotations

import io
import re
import zipfile
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from tests.foundation.test_access import ROUTES
from tracker import create_app
from tracker.budget.models import CostEntry
from tracker.worklog.models import TimeEntry

PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>"\'&'
RAW_MARKERS = ("<script>alert(", "<img src=x onerror")


class _Forms(HTMLParser):
    """The POST forms on a page: action, hidden values and the names of free-text fields."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._current: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._current = {"action": a.get("action") or "", "text": [], "fixed": {}}
            self.forms.append(self._current)
        elif self._current is None or not a.get("name"):
            return
        elif tag == "textarea":
            self._current["text"].append(a["name"])
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in {"text", "search", "email", "url", "tel"}:
                self._current["text"].append(a["name"])
            elif kind == "hidden":
                self._current["fixed"][a["name"]] = a.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def _assert_escaped(body: str, where: str) -> None:
    for marker in RAW_MARKERS:
        assert marker not in body, f"{where}: unescaped {marker!r}"


# Spreadsheet downloads are not HTML: their formula injection is tested with the exports.
BINARY_DOWNLOADS = {"portfolio.export_xlsx", "worklog.export_entries"}

PAGES = sorted(
    endpoint
    for endpoint, (method, _, who) in ROUTES.items()
    if method == "GET" and who not in {"api", "public"} and endpoint not in BINARY_DOWNLOADS
)


@pytest.mark.parametrize("endpoint", PAGES)
def test_script_in_every_text_field_comes_back_escaped(client, login, world, make_user, endpoint):
    login(make_user("Administrator", global_role="admin"))
    page_url = ROUTES[endpoint][1].format(**world["ids"])
    page = client.get(page_url)
    assert page.status_code < 500
    parser = _Forms()
    parser.feed(page.get_data(as_text=True))
    for form in parser.forms:
        if not form["text"]:
            continue
        data = {**form["fixed"], **dict.fromkeys(form["text"], PAYLOAD)}
        response = client.post(form["action"] or page_url, data=data)
        where = f"{endpoint} -> {form['action'] or page_url}"
        assert response.status_code < 500, where
        _assert_escaped(response.get_data(as_text=True), where)
        if response.status_code == 400:
            # The form came back with the values: they are there, escaped.
            assert "&lt;script&gt;" in response.get_data(as_text=True), where
        if response.status_code == 302:
            shown = client.get(response.headers["Location"])
            assert shown.status_code < 500, where
            _assert_escaped(shown.get_data(as_text=True), where)


INJECTIONS = {
    "page": "1' OR '1'='1",
    "sort": "name; DROP TABLE users;--",
    "order": "desc) UNION SELECT password_hash FROM users--",
    "q": PAYLOAD,
    "status": "' OR 1=1--",
    "project": "-1 OR 1=1",
    "week": "2026-13-45",
    "person": "9" * 40,
    "method": "%00",
}


@pytest.mark.parametrize("endpoint", PAGES)
def test_injection_in_query_parameters_is_refused_or_ignored(
    client, login, world, make_user, endpoint
):
    login(make_user("Administrator", global_role="admin"))
    url = ROUTES[endpoint][1].format(**world["ids"])
    response = client.get(url, query_string=INJECTIONS)
    assert response.status_code in {200, 302, 400, 404}, response.status_code
    _assert_escaped(response.get_data(as_text=True), endpoint)


def test_an_oversized_form_gets_a_clear_413_page(client, login, make_project, make_user, db):
    manager = make_user()
    project = make_project(manager=manager)
    login(manager)
    limit = client.application.config["MAX_CONTENT_LENGTH"]
    response = client.post(
        f"/projects/{project.id}/budget/costs/new",
        data={"description": "x" * (limit + 1)},
    )
    assert response.status_code == 413
    body = response.get_data(as_text=True)
    assert "What you sent is too large" in body
    assert f"at most {limit // 1048576} MB" in body
    assert db.session.scalar(select(func.count(CostEntry.id))) == 0


def test_an_oversized_upload_gets_a_413_page(client, login, make_user):
    login(make_user())
    limit = client.application.config["MAX_CONTENT_LENGTH"]
    # The multipart body is built here: the test client would spool a large one to a
    # temporary file of its own.
    boundary = "reliability-boundary"
    body = (
        (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="file"; filename="huge.csv"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + b"a" * (limit + 10)
        + f"\r\n--{boundary}--\r\n".encode()
    )
    response = client.post(
        "/time/import", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code == 413
    assert "What you sent is too large" in response.get_data(as_text=True)


def test_an_oversized_api_request_gets_problem_details(client):
    limit = client.application.config["MAX_CONTENT_LENGTH"]
    response = client.post(
        "/api/v1/projects", data=b"{" * (limit + 1), content_type="application/json"
    )
    assert response.status_code in {401, 413}
    assert response.mimetype == "application/problem+json"


def test_oversized_body_is_refused_before_the_csrf_check(tmp_path, monkeypatch):
    """In production CSRF reads the form first; the limit still gives a 413 page."""
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path))
    app = create_app(
        {
            "ENV_NAME": "testing",
            "WTF_CSRF_ENABLED": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite'}",
            "MAX_CONTENT_LENGTH": 1024,
        }
    )
    response = app.test_client().post("/login", data={"email": "a" * 5000})
    assert response.status_code == 413
    assert "What you sent is too large" in response.get_data(as_text=True)


def _xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Date", "Amount", "Category"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _broken_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<not really")
    return out.getvalue()[:-7]


MALFORMED = {
    "xlsx named .xlsx": (_xlsx_bytes(), "costs.xlsx"),
    "xlsx renamed .csv": (_xlsx_bytes(), "costs.csv"),
    "truncated zip": (_broken_zip(), "costs.csv"),
    "binary": (bytes(range(256)) * 4, "costs.csv"),
    "nul bytes": (b"date,amount\x00,category\n2026-01-01,\x00\x00,x\n", "costs.csv"),
    "unclosed quote": (b'date,amount,category,supplier,description\n"2026-01-01,10,x', "costs.csv"),
    "empty": (b"", "costs.csv"),
    "latin-1": ("date,amount\n2026-01-01,£10\n".encode("latin-1"), "costs.csv"),
    "formula": (b"=cmd|' /C calc'!A0,1\n", "costs.csv"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_cost_uploads_are_refused_with_a_message(
    client, db, login, make_project, make_user, case
):
    manager = make_user()
    project = make_project(manager=manager)
    login(manager)
    token = re.search(
        r'name="token"[^>]*value="([^"]+)"',
        client.get(f"/projects/{project.id}/budget/costs/import").get_data(as_text=True),
    )
    content, name = MALFORMED[case]
    response = client.post(
        f"/projects/{project.id}/budget/costs/import",
        data={"file": (io.BytesIO(content), name), "token": token.group(1) if token else ""},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "govuk-error-summary" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(CostEntry.id))) == 0


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_time_uploads_are_refused_with_a_message(client, db, login, make_user, case):
    login(make_user())
    content, name = MALFORMED[case]
    response = client.post(
        "/time/import",
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "govuk-error-summary" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(TimeEntry.id))) == 0
