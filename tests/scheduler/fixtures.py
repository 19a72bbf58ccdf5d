"""Fixtures shared by the scheduler and notification tests: a real SMTP server on
localhost, a project board, and a gate left waiting."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from aiosmtpd.controller import Controller

from tests.stages.helpers import plan_stages, report_data


class Collector:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    @property
    def messages(self):
        from email import message_from_bytes
        from email.policy import default

        return [message_from_bytes(e.content, policy=default) for e in self.envelopes]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServer:
    def __init__(self):
        self.port = free_port()
        self.collector = Collector()
        self.controller = Controller(self.collector, hostname="127.0.0.1", port=self.port)

    def start(self):
        self.controller.start()

    def stop(self):
        self.controller.stop()

    @property
    def messages(self):
        return self.collector.messages

    def config(self) -> dict:
        return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": self.port, "MAIL_USE_TLS": False}


@pytest.fixture
def smtp_server():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mail_to(app, monkeypatch):
    """Point the app's mail settings at a server for one test."""

    def configure(server: SmtpServer | None, port: int | None = None):
        settings = server.config() if server else {}
        if port is not None:
            settings = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port, "MAIL_USE_TLS": False}
        for key, value in settings.items():
            monkeypatch.setitem(app.config, key, value)
        monkeypatch.setitem(app.config, "MAIL_TIMEOUT", 5)

    return configure


@pytest.fixture
def board(db, make_user, make_project):
    """A medium, stage-gated project: the Executive and Senior User decide every gate."""
    people = {
        "manager": make_user("Maria Manager"),
        "executive": make_user("Jane Executive"),
        "senior_user": make_user("Sarah User"),
        "team": make_user("Terry Team"),
    }
    project = make_project(
        manager=people["manager"],
        budget_at_completion=Decimal("1000000.00"),
        criticality=2,
        members=[
            (people["executive"], "executive"),
            (people["senior_user"], "senior_user"),
            (people["team"], "team_member"),
        ],
    )
    project.delivery_method = "stage_gated"
    db.session.commit()
    return {"project": project, **people}


def at(year, month, day, hour=12):
    """A moment in UTC, for time_machine."""
    return datetime(year, month, day, hour, tzinfo=UTC)


@pytest.fixture
def waiting_gate(db, board):
    """The start gate, requested on 2 March 2026 at noon and not yet decided."""
    from tracker.stages import services

    plan_stages(board["project"], board["manager"], count=2)
    with time_machine.travel(at(2026, 3, 2), tick=False):
        gate = services.request_gate(board["project"], report_data(), actor=board["manager"])
        db.session.commit()
    return gate


def days_after(moment: datetime, days: int) -> datetime:
    return moment + timedelta(days=days)
