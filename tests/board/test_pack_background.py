"""Board packs built in the background: a gate's request or decision, an exception, or the
"freeze now" button asks for a pack in its own transaction; the board_packs job builds each
exactly once; the evidence page says "being prepared" until then, and says so if it failed."""

from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import select

from tests.stages.helpers import plan_stages, report_data
from tracker.audit.models import AuditEntry
from tracker.board import packs, tasks
from tracker.board.models import BoardPack, PackRequest
from tracker.core import pdf
from tracker.stages import services as stages
from tracker.stages.models import GateReview
from tracker.stages.rules import GateStatus


@pytest.fixture
def in_background(app):
    app.config.update(BOARD_PACKS_FREEZE=True, BOARD_PACKS_IN_BACKGROUND=True)
    yield
    app.config.update(BOARD_PACKS_FREEZE=False, BOARD_PACKS_IN_BACKGROUND=False)


def _request(db, board):
    project = board["project"]
    plan_stages(project, board["manager"])
    gate = stages.request_gate(project, report_data(), actor=board["manager"])
    db.session.commit()
    return project, gate


def _rows(db, model):
    db.session.expire_all()
    return list(db.session.scalars(select(model).order_by(model.id)))


def test_a_gate_request_asks_for_its_pack_and_the_job_builds_it_once(db, board, in_background):
    _project, gate = _request(db, board)
    # The request did not render: it asked.
    assert _rows(db, BoardPack) == []
    (asked,) = _rows(db, PackRequest)
    assert (asked.gate_id, asked.moment, asked.status) == (gate.id, "requested", "waiting")
    assert tasks.build_waiting_packs(None) == 1
    # Run again (or by a second scheduler): nothing more.
    assert tasks.build_waiting_packs(None) == 0
    (pack,) = _rows(db, BoardPack)
    (asked,) = _rows(db, PackRequest)
    assert (asked.status, asked.pack_id, pack.moment) == ("built", pack.id, "requested")
    assert hashlib.sha256(packs.pack_path(pack).read_bytes()).hexdigest() == pack.sha256
    frozen = [
        json.loads(e.changes)
        for e in db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "board_pack.frozen")
        )
    ]
    assert [f["sha256"] for f in frozen] == [pack.sha256]


def test_the_evidence_page_says_being_prepared_until_the_pack_is_built(
    client, login, db, board, in_background
):
    project, gate = _request(db, board)
    login(board["executive"])
    url = f"/projects/{project.id}/gates/{gate.id}/evidence"
    assert "A board pack is being prepared" in client.get(url).get_data(as_text=True)
    # Freezing one now asks too, and returns at once.
    response = client.post(f"/projects/{project.id}/gates/{gate.id}/pack", follow_redirects=True)
    assert "being prepared" in response.get_data(as_text=True)
    assert [r.moment for r in _rows(db, PackRequest)] == ["requested", "on_demand"]
    assert _rows(db, BoardPack) == []
    assert tasks.build_waiting_packs(None) == 2
    page = client.get(url).get_data(as_text=True)
    assert "being prepared" not in page
    for pack in _rows(db, BoardPack):
        assert pack.sha256 in page


def test_a_pack_that_fails_in_the_background_is_marked_and_the_gate_stands(
    client, login, db, board, in_background, monkeypatch
):
    project, gate = _request(db, board)
    monkeypatch.setattr(pdf, "PRINT_CSS", pdf.PRINT_CSS.with_name("missing.css"))
    assert tasks.build_waiting_packs(None) == 0
    (asked,) = _rows(db, PackRequest)
    assert asked.status == "failed" and asked.error
    assert _rows(db, BoardPack) == []
    assert db.session.get(GateReview, gate.id).status == GateStatus.PENDING
    # Not tried again.
    monkeypatch.undo()
    assert tasks.build_waiting_packs(None) == 0
    login(board["executive"])
    page = client.get(f"/projects/{project.id}/gates/{gate.id}/evidence").get_data(as_text=True)
    assert "could not be rendered" in page and "being prepared" not in page


def test_a_rolled_back_request_asks_for_no_pack(db, board, in_background):
    project = board["project"]
    plan_stages(project, board["manager"])
    db.session.commit()
    stages.request_gate(project, report_data(), actor=board["manager"])
    db.session.rollback()
    assert _rows(db, PackRequest) == []
