"""Hostile input: oversized bodies, script payloads in every text field, injection attempts in
query parameters, malformed uploads. Each is refused or escaped, never a 500."""

from __future__ import annotations

import io
import re
import zipfile
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from tests.routes import ROUTES
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


# Spreadsheet and PDF downloads are not HTML: their formula injection is tested with the
# exports, and a board pack's content with the packs.
BINARY_DOWNLOADS = {
    "board.download_fresh_pack",
    "board.download_pack",
    "board.download_fresh_exception_pack",
    "board.download_exception_pack",
    "stages.print_highlight",
    "stages.print_exception",
    "stages.print_end_stage_report",
    "portfolio.committee_report",
    "portfolio.export_xlsx",
    "proposals.export_pipeline",
    "evidence.export_xlsx",
    "worklog.export_entries",
    "registers.export_issues",
    "registers.export_dependencies",
    "changes.export_changes",
    "lessons.export_library",
    "benefits.export_benefits",
    "portfolio.export_benefits",
    "business_cases.export",
    "programmes.export_projects_xlsx",
}

PAGES = sorted(
    endpoint
    for endpoint, (method, _, who) in ROUTES.items()
    if method == "GET" and who not in {"api", "public"} and endpoint not in BINARY_DOWNLOADS
)


def _visitor(world, make_user, endpoint):
    """An administrator reaches every page but the board's own (those, a board member) and
    a proposer's own draft (its proposer, the team member)."""
    if ROUTES[endpoint][2] in {"approver", "executive", "programme_board"}:
        return world["board"]
    if ROUTES[endpoint][2] == "proposer":
        return world["member"]
    return make_user("Administrator", global_role="admin")


# Escaping is the templates' work, whatever the engine stores: SQLite alone.
@pytest.mark.one_engine
@pytest.mark.parametrize("endpoint", PAGES)
def test_script_in_every_text_field_comes_back_escaped(client, login, world, make_user, endpoint):
    login(_visitor(world, make_user, endpoint))
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


def test_injection_in_query_parameters_is_refused_or_ignored(client, login, world, make_user):
    """Every page, on one world (reads change nothing, so the pages can share it); each
    failure names its page."""
    admin = make_user("Administrator", global_role="admin")
    problems = []
    for endpoint in PAGES:
        who = ROUTES[endpoint][2]
        login(
            world["board"]
            if who in {"approver", "executive"}
            else world["member"]
            if who == "proposer"
            else admin
        )
        url = ROUTES[endpoint][1].format(**world["ids"])
        response = client.get(url, query_string=INJECTIONS)
        if response.status_code not in {200, 302, 400, 404}:
            problems.append(f"{endpoint}: HTTP {response.status_code}")
            continue
        try:
            _assert_escaped(response.get_data(as_text=True), endpoint)
        except AssertionError as error:
            problems.append(f"{endpoint}: {error}")
    assert problems == []


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
    assert count_of(CostEntry, CostEntry.project_id == project.id) == 0


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


def count_of(model, condition) -> int:
    """How many records the test's own person or project has: the module's world (built once,
    see tests/routes.py) holds records of every kind, so a count over the table would see
    them too."""
    from tracker.extensions import db

    return db.session.scalar(select(func.count(model.id)).where(condition))


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
    assert count_of(CostEntry, CostEntry.project_id == project.id) == 0


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_time_uploads_are_refused_with_a_message(client, db, login, make_user, case):
    person = make_user()
    login(person)
    content, name = MALFORMED[case]
    response = client.post(
        "/time/import",
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "govuk-error-summary" in response.get_data(as_text=True)
    assert count_of(TimeEntry, TimeEntry.person_id == person.id) == 0


# Every page's own filter, sort and search parameters ----------------------------------------
#
# The parameters are discovered, not listed: each page is rendered and its GET forms (inputs,
# selects, textareas) and its links back to itself (sort headers, pagination, filter tags) are
# read for the names it really takes. Each hostile value is then sent in each of them.

HOSTILE_VALUES = {
    "sql quote": "' OR '1'='1",
    "sql statement": "1; DROP TABLE users;--",
    "sql union": "name) UNION SELECT password_hash FROM users--",
    "script": PAYLOAD,
    "huge": "9" * 5000 + "x" * 15000,
    "unicode": "Zoë 🚀 \u202emoc.evil\u202c مرحبا \ufeff\u0301",
    "nul byte": "a\x00b",
    "negative": "-1",
    "overflow": "9" * 40,
    "int64 overflow": "-9223372036854775809",
    "float": "1e309",
    "array": ["1", "2", PAYLOAD],
}


class _Parameters(HTMLParser):
    """The query parameter names a page takes: its GET forms' fields and the query keys of
    its links to itself."""

    def __init__(self, path: str):
        super().__init__()
        self.path = path
        self.names: set[str] = set()
        self._in_get_form = False

    def _same_page(self, target: str) -> bool:
        from urllib.parse import urlsplit

        return not urlsplit(target).path or urlsplit(target).path == self.path

    def handle_starttag(self, tag, attrs):
        from urllib.parse import parse_qsl, urlsplit

        a = dict(attrs)
        if tag == "form":
            method = (a.get("method") or "get").lower()
            self._in_get_form = method == "get" and self._same_page(a.get("action") or "")
        elif tag in {"input", "select", "textarea"} and self._in_get_form and a.get("name"):
            if (a.get("type") or "").lower() not in {"submit", "button", "image"}:
                self.names.add(a["name"])
        elif tag == "a" and a.get("href") and "?" in a["href"] and self._same_page(a["href"]):
            self.names.update(key for key, _ in parse_qsl(urlsplit(a["href"]).query, True))

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_get_form = False


def _form_fields(form_class) -> set[str]:
    return {
        name
        for name in dir(form_class)
        if not name.startswith("_") and hasattr(getattr(form_class, name), "field_class")
    }


def _view_sources(app, endpoint: str):
    """The view's module and source, with the module's helpers (``_name``) that it calls."""
    import inspect
    import sys

    view = inspect.unwrap(app.view_functions[endpoint])
    module = sys.modules[view.__module__]
    sources = [inspect.getsource(view)]
    for called in set(re.findall(r"\b(_\w+)\(", sources[0])):
        helper = getattr(module, called, None)
        if inspect.isfunction(helper):
            sources.append(inspect.getsource(helper))
    return module, "\n".join(sources)


def _filter_forms(app, endpoint: str) -> set[type]:
    """The WTForms classes the view builds from the query string (``Form(request.args``)."""
    module, source = _view_sources(app, endpoint)
    found = set()
    for name in re.findall(r"(\w+)\(\s*request\.args", source):
        form_class = getattr(module, name, None)
        if isinstance(form_class, type):
            found.add(form_class)
    return found


def _args_read(app, endpoint: str) -> set[str]:
    """Query parameters the view reads by name (``request.args.get("page")``)."""
    _, source = _view_sources(app, endpoint)
    return set(re.findall(r"request\.args(?:\.get|\.getlist)?[(\[]\s*[\"'](\w+)[\"']", source))


def _parameters(client, url: str, endpoint: str | None = None) -> set[str]:
    """The page's GET form fields and self-links' query keys, and the fields of the filter
    forms its view reads from the query string."""
    from urllib.parse import urlsplit

    page = client.get(url)
    assert page.status_code < 500, f"{url}: {page.status_code}"
    names = set()
    if page.status_code == 200 and page.mimetype == "text/html":
        parser = _Parameters(urlsplit(url).path)
        parser.feed(page.get_data(as_text=True))
        names |= parser.names
    if endpoint is not None:
        names |= _args_read(client.application, endpoint)
        for form_class in _filter_forms(client.application, endpoint):
            names |= _form_fields(form_class)
    return names


def _row_counts(db) -> dict[str, int]:
    from tracker.extensions import db as _db

    return {
        name: db.session.scalar(select(func.count()).select_from(table))
        for name, table in _db.metadata.tables.items()
    }


def test_the_discovered_parameters_include_every_filter_form_field(client, login, world, make_user):
    """The discovery is checked against the filter forms known to be used, so a page whose
    parameters it missed fails here rather than being tested with nothing."""
    from tracker.portfolio.forms import PortfolioFilterForm
    from tracker.projects.forms import ProjectFilterForm
    from tracker.worklog.forms import ExportForm

    login(make_user("Administrator", global_role="admin"))
    for endpoint, form_class in (
        ("projects.list_projects", ProjectFilterForm),
        ("portfolio.dashboard", PortfolioFilterForm),
        ("portfolio.list_projects", PortfolioFilterForm),
        ("worklog.project_log", ExportForm),
    ):
        assert form_class in _filter_forms(client.application, endpoint), endpoint
        url = ROUTES[endpoint][1].format(**world["ids"])
        found = _parameters(client, url, endpoint)
        assert _form_fields(form_class) <= found, endpoint
    # The rendered page alone finds the search box, the filters and the sort links.
    assert {"q", "status", "sort"} <= _parameters(client, "/projects/")
    # Parameters read by name in the view (or its helpers) are found too.
    assert "page" in _parameters(client, "/organisations/", "orgs.list_organisations")
    assert {"week", "person"} <= _parameters(client, "/time", "worklog.timesheet")


def test_hostile_values_in_each_of_every_pages_own_parameters(client, db, login, world, make_user):
    """Every GET page of the access table, each hostile value in each of its own parameters:
    a page, a redirect, 400 or 404, never a 500; script escaped; no row changed. One test
    over all pages, so every problem is listed at once."""
    login(make_user("Administrator", global_role="admin"))
    problems: list[str] = []
    tested: dict[str, int] = {}
    requests_sent = 0
    for endpoint in PAGES:
        url = ROUTES[endpoint][1].format(**world["ids"])
        names = _parameters(client, url, endpoint)
        if not names:
            continue  # a page that takes no query parameters (only its path)
        tested[endpoint] = len(names)
        before = _row_counts(db)
        for name in sorted(names):
            for label, value in HOSTILE_VALUES.items():
                response = client.get(url, query_string={name: value})
                requests_sent += 1
                where = f"{endpoint} ?{name}= {label}"
                if response.status_code not in {200, 302, 400, 404}:
                    problems.append(f"{where}: {response.status_code}")
                elif response.mimetype == "text/html":
                    body = response.get_data(as_text=True)
                    problems += [f"{where}: unescaped {m!r}" for m in RAW_MARKERS if m in body]
        if _row_counts(db) != before:
            problems.append(f"{endpoint}: data changed by a GET")
    assert not problems, "\n".join(problems)
    # The discovery really found the list pages' parameters (tested separately above).
    assert len(tested) >= 15, sorted(tested)
    print(
        f"\n{requests_sent} hostile requests: {len(tested)} pages, "
        f"{sum(tested.values())} parameters, {len(HOSTILE_VALUES)} values each"
    )


def _api_lists(spec: dict, ids: dict):
    """(path with ids filled in, query parameter names) for every GET with query parameters."""
    for path, operations in spec["paths"].items():
        get = operations.get("get")
        if not get:
            continue
        query = [p["name"] for p in get.get("parameters", []) if p["in"] == "query"]
        if not query:
            continue
        names = re.findall(r"{(\w+)}", path)
        assert set(names) <= set(ids), f"no id for {path}"
        yield path.format(**ids), query


def test_hostile_values_in_every_api_list_parameter(client, db, world, make_user):
    """The API's list endpoints, with their query parameters read from the OpenAPI
    description: every hostile value in every parameter is a 200 or a problem (400/422),
    never a 500, and changes nothing."""
    from tracker.api import services as tokens

    admin = make_user("API admin", global_role="admin")
    secret = tokens.create_token(admin, name="Hostile", expires_in_days=30).secret
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    spec = client.get("/api/v1/openapi.json").get_json()
    lists = list(_api_lists(spec, world["ids"]))
    assert len(lists) >= 5  # the description really lists them
    before = _row_counts(db)
    tried = 0
    for path, names in lists:
        for name in names:
            for label, value in HOSTILE_VALUES.items():
                response = client.get(path, query_string={name: value}, headers=headers)
                where = f"{path}?{name}= {label}"
                assert response.status_code in {200, 400, 404, 422}, (where, response.status_code)
                if response.status_code != 200:
                    assert response.mimetype == "application/problem+json", where
                tried += 1
    assert _row_counts(db) == before
    print(f"\n{tried} hostile API requests over {len(lists)} list endpoints")


def test_nul_characters_are_refused_with_a_message_before_any_view(
    client, db, login, make_project, make_user
):
    """PostgreSQL raises on text containing NUL (found on the cost list's supplier filter):
    a NUL in a query parameter or a form field is a 400 with a message, and nothing saved."""
    manager = make_user()
    project = make_project(manager=manager)
    login(manager)
    budget = f"/projects/{project.id}/budget"
    assert client.get(budget, query_string={"supplier": "ab"}).status_code == 200
    page = client.get(budget, query_string={"supplier": "a\x00b"})
    assert page.status_code == 400
    assert "NUL character" in page.get_data(as_text=True)
    before = db.session.scalar(select(func.count(CostEntry.id)))
    posted = client.post(
        f"/projects/{project.id}/budget/costs/new",
        data={
            "spent_on": "2026-02-02",
            "amount": "10",
            "category": "other",
            "description": "x\x00",
        },
    )
    assert posted.status_code == 400
    assert "NUL character" in posted.get_data(as_text=True)
    assert db.session.scalar(select(func.count(CostEntry.id))) == before
    api = client.get("/api/v1/projects", query_string={"q": "\x00"})
    assert api.status_code == 400
    assert api.mimetype == "application/problem+json"
