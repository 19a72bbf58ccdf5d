"""Documents on a project, a gate or an exception: checked by content, versions kept, served
only to those who may see the project and only as a download; deleting keeps the record."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from tests.stages.helpers import plan_stages, report_data
from tracker.audit.models import AuditEntry
from tracker.board import services
from tracker.board.models import Document
from tracker.core.errors import RuleError
from tracker.stages import services as stages

PDF = b"%PDF-1.4\n% the business case\n"


def _attach(board, content=PDF, filename="case.pdf", title="Business case", **kwargs):
    return services.attach_document(
        board["project"],
        subject=kwargs.pop("subject", "project"),
        record_id=kwargs.pop("record_id", None),
        title=title,
        filename=filename,
        content=content,
        actor=board["manager"],
    )


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("tool.exe", b"MZ\x90\x00", "cannot be attached"),
        ("page.html", b"<html><body>hi</body></html>", "cannot be attached"),
        ("notes.txt", b"<script>alert(1)</script>", "markup cannot be attached"),
        ("case.pdf", b"<html><script>alert(1)</script>", "does not match its name"),
        ("photo.png", PDF, "it is a PDF file, not .png"),
        ("run.pdf", b"#!/bin/sh\nrm -rf /\n", "Programs cannot be attached"),
        ("empty.pdf", b"", "The file is empty"),
    ],
)
def test_a_bad_file_is_refused_with_its_reason_and_nothing_is_kept(
    db, board, filename, content, message
):
    with pytest.raises(RuleError, match=message):
        _attach(board, content=content, filename=filename)
    assert db.session.scalars(select(Document)).all() == []


def test_a_file_over_the_limit_is_refused(db, board, app):
    limit = app.config["DOCUMENT_MAX_BYTES"]
    with pytest.raises(RuleError, match="larger than the limit"):
        _attach(board, content=PDF + b"0" * limit)


def test_versions_are_kept_and_each_attachment_is_audited(db, board):
    first = _attach(board)
    second = _attach(board, content=PDF + b"revised", title="business case")
    other = _attach(board, title="Project initiation document", filename="pid.pdf")
    assert (first.version, second.version, other.version) == (1, 2, 1)
    assert services.document_path(first).read_bytes() == PDF
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "document.attached")
    ).all()
    assert len(entries) == 3
    assert any(first.sha256 in str(e.changes) for e in entries)


def test_a_gate_document_must_be_one_of_this_projects_gates(db, board, make_project):
    plan_stages(board["project"], board["manager"])
    gate = stages.request_gate(board["project"], report_data(), actor=board["manager"])
    db.session.commit()
    attached = _attach(board, subject="gate", record_id=gate.id, title="Gate evidence")
    assert attached.gate_id == gate.id
    with pytest.raises(RuleError, match="one of this project's gates"):
        _attach(board, subject="gate", record_id=gate.id + 999, title="Gate evidence")


def test_the_download_is_an_attachment_with_safe_headers_for_members_only(client, login, db, board):
    document = _attach(board, content=b"a,b\n<b>1</b>,2\n", filename="figures.csv", title="Data")
    db.session.commit()
    url = f"/projects/{board['project'].id}/documents/{document.id}/download"
    login(board["outsider"])
    assert client.get(url).status_code == 403
    login(board["team"])
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert response.mimetype == "text/csv"
    assert response.data == b"a,b\n<b>1</b>,2\n"


def test_the_manager_attaches_through_the_page_and_deleting_keeps_the_record(
    client, login, db, board
):
    project = board["project"]
    login(board["manager"])
    bad = client.post(
        f"/projects/{project.id}/documents",
        data={"title": "Case", "subject": "project", "file": (io.BytesIO(b"MZ"), "x.exe")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 400 and "cannot be attached" in bad.get_data(as_text=True)
    good = client.post(
        f"/projects/{project.id}/documents",
        data={"title": "Business case", "subject": "project", "file": (io.BytesIO(PDF), "c.pdf")},
        content_type="multipart/form-data",
    )
    assert good.status_code == 302
    (document,) = db.session.scalars(select(Document)).all()
    path = services.document_path(document)
    assert path.is_file()
    login(board["team"])
    assert client.post(f"/projects/{project.id}/documents/{document.id}/delete").status_code == 403
    login(board["manager"])
    client.post(f"/projects/{project.id}/documents/{document.id}/delete")
    db.session.refresh(document)
    assert document.deleted_at is not None and not path.exists()
    assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "document.deleted"))
    url = f"/projects/{project.id}/documents/{document.id}/download"
    assert client.get(url).status_code == 404
    assert "Deleted" in client.get(f"/projects/{project.id}/documents").get_data(as_text=True)


def test_the_evidence_page_lists_the_documents(client, login, db, board):
    plan_stages(board["project"], board["manager"])
    gate = stages.request_gate(board["project"], report_data(), actor=board["manager"])
    _attach(board, subject="gate", record_id=gate.id, title="End-stage evidence")
    db.session.commit()
    login(board["executive"])
    page = client.get(f"/projects/{board['project'].id}/gates/{gate.id}/evidence").get_data(
        as_text=True
    )
    assert "End-stage evidence" in page and "/download" in page
