"""The first minute of ``make run``: set-up says nothing unless it fails, the address and
the demo logins come last, development emails go to the log file and the in-app outbox
(not the terminal), and links in emails follow the port ``make run`` serves on."""

from __future__ import annotations

import logging
import re
import shutil
import socket
import subprocess
from email.message import EmailMessage

import pytest

from tests.conftest import make_app
from tracker import PROJECT_ROOT
from tracker.db import utcnow
from tracker.notifications import mailer
from tracker.notifications.models import OutboxEmail
from tracker.notifications.services import absolute_url, path_for


@pytest.fixture
def runner(app, db):
    return app.test_cli_runner()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_logins_come_last_with_the_address_on_the_final_line(runner, monkeypatch):
    monkeypatch.setenv("TRACKER_DEMO_PASSWORD", "demo password for tests")
    result = runner.invoke(
        args=["demo", "logins", "--url", "http://127.0.0.1:5077", "--log", "instance/x.log"]
    )
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert "http://127.0.0.1:5077" in lines[-1]
    assert "instance/x.log" in lines[-2]
    assert any("admin@example.gov.uk" in line for line in lines)
    assert "demo password for tests" in result.output


def test_logins_wait_for_the_server_and_say_when_it_did_not_start(runner, monkeypatch):
    monkeypatch.setenv("TRACKER_DEMO_PASSWORD", "demo password for tests")
    url = f"http://127.0.0.1:{_free_port()}"
    result = runner.invoke(
        args=["demo", "logins", "--url", url, "--wait", "0.5", "--log", "instance/x.log"]
    )
    assert result.exit_code != 0
    assert f"did not start at {url}" in result.output and "instance/x.log" in result.output
    assert "admin@example.gov.uk" not in result.output


def test_development_emails_go_to_the_log_file_not_the_terminal(
    backend, tmp_path_factory, tmp_path, capfd
):
    tracker_log = logging.getLogger("tracker")
    saved = (list(tracker_log.handlers), tracker_log.level, tracker_log.propagate)
    try:
        app = make_app(backend, tmp_path_factory, "first-minute")
        app.config["LOG_FILE"] = str(tmp_path / "tracker.log")
        from tracker import _log_to_file

        _log_to_file(app)
        message = EmailMessage()
        message["To"], message["Subject"] = "a@example.gov.uk", "Gate waiting for you"
        message.set_content("Open it: http://127.0.0.1:5077/decisions")
        with app.app_context():
            assert not app.config.get("MAIL_SERVER")
            mailer.deliver(message)
        for handler in tracker_log.handlers:
            handler.flush()
        written = (tmp_path / "tracker.log").read_text()
        assert "Gate waiting for you" in written and "/decisions" in written
        terminal = capfd.readouterr()
        assert "Gate waiting for you" not in terminal.out + terminal.err
    finally:
        for handler in tracker_log.handlers:
            if handler not in saved[0]:
                handler.close()
        tracker_log.handlers[:] = saved[0]
        tracker_log.setLevel(saved[1])
        tracker_log.propagate = saved[2]


def test_links_in_emails_follow_the_base_url(app):
    with app.test_request_context():
        app.config["BASE_URL"], before = "http://127.0.0.1:5077", app.config["BASE_URL"]
        try:
            link = absolute_url(path_for("stages.inbox"))
        finally:
            app.config["BASE_URL"] = before
    assert link == "http://127.0.0.1:5077/decisions"


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_serves_and_links_on_the_same_port():
    commands = subprocess.run(  # noqa: S603
        [shutil.which("make"), "-n", "run", "PORT=5077"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin"},
    ).stdout
    assert 'TRACKER_BASE_URL="http://127.0.0.1:5077"' in commands
    assert "--port 5077" in commands
    assert '--url "http://127.0.0.1:5077"' in commands
    # The set-up steps keep their output back unless they fail.
    for step in ("flask db upgrade", "flask demo load"):
        assert re.search(rf'if \S*{step} >"\$out" 2>&1', commands), step
    # The servers write to the log file, not the terminal.
    assert re.search(r'flask run --host \S+ --port 5077 >>"[^"]+tracker\.log" 2>&1', commands)


def test_the_job_log_shows_the_latest_emails_in_full_without_a_mail_server(
    client, login, db, make_user, app
):
    assert not app.config.get("MAIL_SERVER")
    db.session.add(
        OutboxEmail(
            to_address="jane@example.gov.uk",
            subject="Gate review waiting",
            body="Open it in Governance Tracker: http://127.0.0.1:5077/decisions",
            status="sent",
            next_attempt_at=utcnow(),
        )
    )
    db.session.commit()
    login(make_user(global_role="admin"))
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "Latest emails" in page
    assert "Gate review waiting" in page and "http://127.0.0.1:5077/decisions" in page
