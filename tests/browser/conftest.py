"""Browser tests: the real app behind a real HTTP server, driven by Debian's Chromium.

Each pytest worker serves its own app (a migrated SQLite file with the demo portfolio, CSRF
on, so the forms are the real ones) on a free localhost port. The loaded database is kept as
a template and copied back before every test, so journeys that change data never meet.

Chromium comes from the system (``make test`` installs Debian's ``chromium``); Playwright's
own browser download is never used. Without Chromium, Playwright or the front-end build the
tests are skipped with the reason, unless TRACKER_REQUIRE_BROWSER=1 (as in CI): then they fail.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import got_request_exception

from tracker import PROJECT_ROOT

REQUIRE_BROWSER = os.environ.get("TRACKER_REQUIRE_BROWSER", "").lower() in {"1", "true", "yes"}
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_SCRIPT = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
STYLESHEET = PROJECT_ROOT / "tracker" / "static" / "css" / "application.css"
PASSWORD = "browser-journeys-only"
VIEWPORT = {"width": 1280, "height": 900}


try:
    import playwright.sync_api  # noqa: F401
except ImportError:
    # The test modules import Playwright; without it only test_browser_available.py is
    # collected, and it says why the rest cannot run.
    collect_ignore_glob = ["test_[!b]*.py"]


def pytest_collection_modifyitems(items):
    """Everything in this folder drives a browser."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


def browser_problem() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package 'playwright' is not installed (pip install -e '.[dev]')"
    if not Path(CHROMIUM).exists():
        return (
            "Chromium is not installed (make test installs Debian's 'chromium' when it can: "
            "that needs root; or run: apt-get install chromium)"
        )
    if not AXE_SCRIPT.exists() or not STYLESHEET.exists():
        return "the front-end packages are not built (run: npm ci && npm run build)"
    return None


def skip_or_fail(message: str) -> None:
    if REQUIRE_BROWSER:
        pytest.fail(f"{message}. TRACKER_REQUIRE_BROWSER is set, so this is a failure.")
    pytest.skip(f"Browser tests skipped: {message}.")


@dataclass
class LiveServer:
    """The app served over HTTP, with the demo portfolio restorable between tests."""

    app: object
    url: str
    database: Path
    template: Path
    errors: list[BaseException] = field(default_factory=list)

    def restore(self) -> None:
        """Put the database back as the demo left it (SQLite's backup is safe while the
        server holds connections)."""
        source = sqlite3.connect(self.template)
        target = sqlite3.connect(self.database)
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
        self.errors.clear()


def _make_app(database: Path, instance: Path):
    from tracker import create_app

    previous = os.environ.get("TRACKER_INSTANCE_PATH")
    os.environ["TRACKER_INSTANCE_PATH"] = str(instance)
    try:
        return create_app(
            {
                "ENV_NAME": "testing",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
                "WTF_CSRF_ENABLED": True,
                "SQLALCHEMY_RECORD_QUERIES": False,
            }
        )
    finally:
        if previous is None:
            os.environ.pop("TRACKER_INSTANCE_PATH", None)
        else:
            os.environ["TRACKER_INSTANCE_PATH"] = previous


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    problem = browser_problem()
    if problem:
        skip_or_fail(problem)

    from flask_migrate import upgrade
    from werkzeug.serving import WSGIRequestHandler, make_server

    from tracker.demo import data as demo
    from tracker.extensions import db

    folder = tmp_path_factory.mktemp("browser")
    database, template = folder / "tracker.sqlite", folder / "template.sqlite"
    builder = _make_app(template, folder / "instance")
    with builder.app_context():
        upgrade()
        demo.load(PASSWORD)
        db.session.commit()
        db.engine.dispose()
    shutil.copyfile(template, database)
    app = _make_app(database, folder / "instance")

    class QuietHandler(WSGIRequestHandler):
        def log_request(self, *args, **kwargs) -> None:
            """Every request is not news; errors still reach the log and fail the test."""

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    live = LiveServer(app, f"http://127.0.0.1:{server.server_port}", database, template)

    def remember(sender, exception, **extra):
        live.errors.append(exception)

    got_request_exception.connect(remember, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield live
    server.shutdown()
    thread.join(timeout=5)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def browser(live_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def server(live_server) -> Iterator[LiveServer]:
    """The live server with the demo data as loaded; fails the test on any server error."""
    live_server.restore()
    yield live_server
    assert not live_server.errors, f"the server raised: {live_server.errors!r}"


@pytest.fixture
def new_page(browser, server):
    """Open a page in a fresh browser context (its own cookies) at the server.

    ``new_page(javascript=False)`` turns JavaScript off; ``bypass_csp=True`` lets a test
    inject axe-core into pages served with ``script-src 'self'``."""
    contexts = []

    def factory(*, javascript: bool = True, bypass_csp: bool = False):
        context = browser.new_context(
            base_url=server.url,
            viewport=VIEWPORT,
            java_script_enabled=javascript,
            bypass_csp=bypass_csp,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield factory
    for context in contexts:
        context.close()
