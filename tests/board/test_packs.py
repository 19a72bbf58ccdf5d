"""Board packs: a real WeasyPrint render of the gate's request, evidence, conditions,
documents and decisions, frozen at request and at resolution with its SHA-256 audited."""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import zlib

import pytest
from sqlalchemy import select

from tests.stages.helpers import plan_stages, report_data
from tracker.audit.models import AuditEntry
from tracker.board import packs
from tracker.board.models import BoardPack
from tracker.core import pdf
from tracker.stages import services as stages
from tracker.stages.models import GateReview
from tracker.stages.rules import GateStatus

HEADINGS = ("Tolerances: the seven targets", "Budget: the latest checkpoint", "Decisions so far")


def pdf_strings(content: bytes) -> str:
    """Every literal and hex string of the PDF, its compressed streams opened: enough to
    read the document title and the bookmarks (the outline) without a PDF library."""
    chunks = [content]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", content, re.S):
        with contextlib.suppress(zlib.error):
            chunks.append(zlib.decompress(match.group(1)))
    text = []
    for chunk in chunks:
        text += [s.decode("latin-1") for s in re.findall(rb"\(((?:[^()\\]|\\.)*)\)", chunk)]
        for hexed in re.findall(rb"<FEFF([0-9A-Fa-f]+)>", chunk):
            text.append(bytes.fromhex(hexed.decode()).decode("utf-16-be", "replace"))
    # and the dictionaries themselves (names such as /StructTreeRoot), opened
    text += [chunk.decode("latin-1") for chunk in chunks]
    return "\n".join(text)


@pytest.fixture
def freezing(app):
    app.config["BOARD_PACKS_FREEZE"] = True
    yield
    app.config["BOARD_PACKS_FREEZE"] = False


def _request(db, board):
    project = board["project"]
    plan_stages(project, board["manager"])
    gate = stages.request_gate(project, report_data(), actor=board["manager"])
    db.session.commit()
    return project, gate


def _packs(db, gate) -> list[BoardPack]:
    return list(db.session.scalars(select(BoardPack).where(BoardPack.gate_id == gate.id)))


def test_a_pack_is_a_tagged_pdf_with_the_project_and_the_evidence_headings(db, board):
    project, gate = _request(db, board)
    content = packs.render_pack(gate)
    assert content.startswith(b"%PDF")
    text = pdf_strings(content)
    assert project.code in text  # the document title
    for heading in HEADINGS:  # the bookmarks, from the headings
        assert heading in text
    assert "/StructTreeRoot" in text  # tagged
    assert "/Outlines" in text  # bookmarks
    assert "pdfuaid" in text  # declared PDF/UA


def test_packs_are_frozen_at_request_and_at_resolution_with_the_hash_audited(db, board, freezing):
    _project, gate = _request(db, board)
    assert [p.moment for p in _packs(db, gate)] == ["requested"]
    for role in ("executive", "senior_user", "senior_supplier"):
        if role in gate.roles:
            stages.decide_gate(gate, role=role, decision="approve", comment="", actor=board[role])
    db.session.commit()
    assert gate.status != GateStatus.PENDING
    frozen = _packs(db, gate)
    assert [p.moment for p in frozen] == ["requested", "resolved"]
    for pack in frozen:
        stored = packs.pack_path(pack).read_bytes()
        assert stored.startswith(b"%PDF")
        assert len(stored) == pack.size_bytes
        entry = db.session.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "board_pack.frozen", AuditEntry.object_id == pack.id
            )
        ).one()
        assert (
            json.loads(entry.changes)["sha256"] == hashlib.sha256(stored).hexdigest() == pack.sha256
        )


def test_a_pack_that_fails_to_render_leaves_the_gate_request_intact(
    db, board, freezing, app, monkeypatch
):
    # A real fault in the renderer's input: the print stylesheet is missing.
    monkeypatch.setattr(pdf, "PRINT_CSS", pdf.PRINT_CSS.with_name("missing.css"))
    _project, gate = _request(db, board)
    assert db.session.get(GateReview, gate.id).status == GateStatus.PENDING
    assert _packs(db, gate) == []
    assert (
        db.session.scalars(select(AuditEntry).where(AuditEntry.action == "gate.requested")).first()
        is not None
    )


def test_members_download_packs_and_outsiders_are_refused(client, login, db, board, freezing):
    project, gate = _request(db, board)
    (frozen,) = _packs(db, gate)
    login(board["executive"])
    page = client.get(f"/projects/{project.id}/gates/{gate.id}/evidence").get_data(as_text=True)
    assert "Board packs" in page and frozen.sha256 in page
    stored = client.get(f"/projects/{project.id}/gates/{gate.id}/packs/{frozen.id}")
    assert stored.status_code == 200
    assert stored.mimetype == "application/pdf"
    assert "attachment" in stored.headers["Content-Disposition"]
    assert hashlib.sha256(stored.data).hexdigest() == frozen.sha256
    fresh = client.get(f"/projects/{project.id}/gates/{gate.id}/pack")
    assert fresh.status_code == 200 and fresh.data.startswith(b"%PDF")
    built = client.post(f"/projects/{project.id}/gates/{gate.id}/pack")
    assert built.status_code == 302
    assert [p.moment for p in _packs(db, gate)] == ["requested", "on_demand"]


def test_outsiders_are_refused_every_pack_route(client, login, db, board, api_as):
    project, gate = _request(db, board)
    content = b"%PDF-1.7\n% stored\n"
    stored = packs.services.documents_folder() / f"packs/{project.id}/outsider-test.pdf"
    stored.parent.mkdir(parents=True, exist_ok=True)
    stored.write_bytes(content)
    pack = BoardPack(
        project_id=project.id,
        gate_id=gate.id,
        moment="on_demand",
        sha256=hashlib.sha256(content).hexdigest(),
        size_bytes=len(content),
        storage_key=f"packs/{project.id}/outsider-test.pdf",
    )
    db.session.add(pack)
    db.session.commit()
    base = f"/projects/{project.id}/gates/{gate.id}"
    login(board["outsider"])
    assert client.get(f"{base}/pack").status_code == 403
    assert client.post(f"{base}/pack").status_code == 403
    assert client.get(f"{base}/packs/{pack.id}").status_code == 403
    api = api_as(board["outsider"])
    assert api.get(f"{base}/pack").status_code == 403
    assert api.post(f"{base}/pack").status_code == 403
    assert _packs(db, gate) == [pack]


def test_the_api_builds_a_pack_whose_hash_is_audited_and_downloads_a_fresh_one(db, board, api_as):
    project, gate = _request(db, board)
    api = api_as(board["executive"])
    base = f"/projects/{project.id}/gates/{gate.id}/pack"
    fresh = api.get(base)
    assert fresh.status_code == 200
    assert fresh.mimetype == "application/pdf"
    assert "attachment" in fresh.headers["Content-Disposition"]
    assert fresh.data.startswith(b"%PDF")
    built = api.post(base)
    assert built.status_code == 201
    body = built.get_json()
    assert body["moment"] == "on_demand"
    (pack,) = _packs(db, gate)
    assert (
        body["sha256"]
        == pack.sha256
        == hashlib.sha256(packs.pack_path(pack).read_bytes()).hexdigest()
    )


def test_a_fresh_download_that_fails_to_render_says_so_and_changes_nothing(
    client, login, db, board, monkeypatch
):
    project, gate = _request(db, board)
    monkeypatch.setattr(pdf, "PRINT_CSS", pdf.PRINT_CSS.with_name("missing.css"))
    login(board["executive"])
    response = client.post(f"/projects/{project.id}/gates/{gate.id}/pack", follow_redirects=True)
    assert "could not be rendered" in response.get_data(as_text=True)
    assert _packs(db, gate) == []
    assert db.session.get(GateReview, gate.id).status == GateStatus.PENDING
