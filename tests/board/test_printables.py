"""Printable papers: the highlight, exception and end-stage reports and the PMO's committee
report as tagged PDFs from the same templates as the pages; board packs for exception
reports, frozen when raised and when decided, their SHA-256 audited."""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.board.test_packs import pdf_strings
from tests.stages.helpers import plan_stages, report_data
from tracker.audit.models import AuditEntry
from tracker.board import packs
from tracker.board.models import BoardPack
from tracker.core import pdf
from tracker.stages import services as stages
from tracker.stages.models import ExceptionReport

TARGETS = {t: "met" for t in ("scope", "quality", "risk", "benefit", "sustainability")}


@pytest.fixture
def freezing(app):
    app.config["BOARD_PACKS_FREEZE"] = True
    yield
    app.config["BOARD_PACKS_FREEZE"] = False


def _started(db, board):
    project = board["project"]
    first, _ = plan_stages(project, board["manager"], gap=30)
    gate = stages.request_gate(project, report_data(), actor=board["manager"])
    for role in ("executive", "senior_user"):
        stages.decide_gate(gate, role=role, decision="approve", comment="", actor=board[role])
    stages.start_stage(first, version=None, actor=board["manager"])
    db.session.commit()
    return project, first, gate


def _highlight(db, board, project):
    report = stages.create_highlight(
        project,
        stages.HighlightData(
            period_start=date(2026, 1, 1),
            period_end=date(2026, 1, 31),
            overall_status="amber",
            this_period="Built the intake form",
            next_period="Test it with residents",
            issues_and_risks="None new",
        ),
        actor=board["manager"],
    )
    db.session.commit()
    return report


def _exception(db, board, first) -> ExceptionReport:
    stages.apply_forecast(
        first,
        finish=first.planned_finish + timedelta(days=40),
        cost=first.planned_budget,
        targets=TARGETS,
        actor=board["manager"],
    )
    report = stages.raise_exception(
        first,
        stages.ExceptionData(
            cause="The supplier failed.",
            consequences="Six weeks late.",
            options=[
                stages.OptionData("Wait", "+£0", "+6 weeks", "Low"),
                stages.OptionData("Second supplier", "+£10,000", "+2 weeks", "Medium"),
                stages.OptionData("", "", "", ""),
            ],
            recommended_option=1,
            recommendation="Wait.",
        ),
        actor=board["manager"],
    )
    db.session.commit()
    return report


def _is_tagged_pdf(response, *bookmarks: str) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    text = pdf_strings(response.data)
    assert "/StructTreeRoot" in text and "pdfuaid" in text  # tagged, declared PDF/UA
    for heading in bookmarks:
        assert heading in text
    return text


def test_the_three_stage_reports_print_for_members_and_nobody_else(client, login, db, board):
    project, first, gate = _started(db, board)
    highlight = _highlight(db, board, project)
    report = _exception(db, board, first)
    base = f"/projects/{project.id}"
    papers = {
        f"{base}/highlights/{highlight.id}.pdf": ("Highlight report", "Tolerance status when sent"),
        f"{base}/exceptions/{report.id}.pdf": ("Exception report", "Options", "Decisions so far"),
        f"{base}/gates/{gate.id}/end-stage-report.pdf": ("End-stage report", "Decisions so far"),
    }
    login(board["team"])
    for url, bookmarks in papers.items():
        text = _is_tagged_pdf(client.get(url), *bookmarks)
        assert project.code in text  # the document's title
    # Each page links to its paper.
    assert f"{base}/highlights/{highlight.id}.pdf" in client.get(
        f"{base}/highlights/{highlight.id}"
    ).get_data(as_text=True)
    assert f"{base}/exceptions/{report.id}.pdf" in client.get(
        f"{base}/exceptions/{report.id}"
    ).get_data(as_text=True)
    login(board["outsider"])
    for url in papers:
        assert client.get(url).status_code == 403
    login(board["team"])
    assert client.get(f"{base}/highlights/999999.pdf").status_code == 404


def test_a_report_that_fails_to_render_says_so_on_its_page(client, login, db, board, monkeypatch):
    project, _first, _gate = _started(db, board)
    highlight = _highlight(db, board, project)
    monkeypatch.setattr(pdf, "PRINT_CSS", pdf.PRINT_CSS.with_name("missing.css"))
    login(board["manager"])
    response = client.get(
        f"/projects/{project.id}/highlights/{highlight.id}.pdf", follow_redirects=True
    )
    assert response.status_code == 200
    assert "could not be rendered" in response.get_data(as_text=True)


def test_the_committee_report_is_the_pmos_with_the_date_and_filters_on_the_cover(
    client, login, db, board, make_user, app
):
    pmo = make_user("Pat PMO", global_role="pmo")
    db.session.commit()
    login(pmo)
    response = client.get("/portfolio/committee-report.pdf?method=stage_gated&status=active")
    text = _is_tagged_pdf(response, "Filters", "The portfolio's figures")
    assert "Portfolio committee report" in text  # the title, with the date
    assert "portfolio-committee-report-" in response.headers["Content-Disposition"]
    # The cover's filters, in words, as chosen.
    from tracker.portfolio.views import filters_in_words

    with app.test_request_context("/portfolio/?method=stage_gated&status=active"):
        from tracker.portfolio.views import _read_filters

        form, valid, _filters, values = _read_filters()
        assert valid
        assert filters_in_words(form, values) == [
            ("Status", "Active"),
            ("Delivery method", "Stage-gated"),
        ]
    # Bad filters make no report; others than the PMO get none.
    bad = client.get("/portfolio/committee-report.pdf?period_from=2027-01-01&period_to=2026-01-01")
    assert bad.status_code == 302
    login(board["executive"])
    assert client.get("/portfolio/committee-report.pdf").status_code == 403


def _exception_packs(db, report) -> list[BoardPack]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(BoardPack).where(BoardPack.exception_id == report.id).order_by(BoardPack.id)
        )
    )


def test_an_exception_pack_is_frozen_when_raised_and_when_decided_hash_audited(db, board, freezing):
    _project, first, _gate = _started(db, board)
    report = _exception(db, board, first)
    (raised,) = _exception_packs(db, report)
    assert raised.moment == "requested" and raised.gate_id is None
    content = packs.pack_path(raised).read_bytes()
    assert hashlib.sha256(content).hexdigest() == raised.sha256
    text = pdf_strings(content)
    for heading in ("The exception report", "Tolerances: the seven targets", "Decisions so far"):
        assert heading in text
    for role in ("senior_user", "executive"):
        stages.decide_exception(
            report,
            decision="approve_option",
            option=1,
            comment="",
            version=None,
            actor=board[role],
        )
    db.session.commit()
    assert [p.moment for p in _exception_packs(db, report)] == ["requested", "resolved"]
    audited = [
        json.loads(entry.changes)
        for entry in db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "board_pack.frozen")
        )
        if "exception_id" in json.loads(entry.changes)
    ]
    assert sorted(a["sha256"] for a in audited) == sorted(
        p.sha256 for p in _exception_packs(db, report)
    )


def test_an_exception_pack_that_fails_to_render_leaves_the_report_raised(
    db, board, freezing, monkeypatch
):
    _project, first, _gate = _started(db, board)
    monkeypatch.setattr(pdf, "PRINT_CSS", pdf.PRINT_CSS.with_name("missing.css"))
    report = _exception(db, board, first)
    assert db.session.get(ExceptionReport, report.id).status == "open"
    assert _exception_packs(db, report) == []


def test_exception_packs_on_the_evidence_page_for_members_only(client, login, db, board):
    _project, first, _gate = _started(db, board)
    report = _exception(db, board, first)
    project = board["project"]
    base = f"/projects/{project.id}/exceptions/{report.id}"
    login(board["executive"])
    page = client.get(f"{base}/evidence").get_data(as_text=True)
    assert "Board packs" in page and f"{base}/pack" in page
    fresh = client.get(f"{base}/pack")
    assert fresh.status_code == 200 and fresh.data.startswith(b"%PDF")
    assert _exception_packs(db, report) == []  # rendered now, nothing stored
    assert client.post(f"{base}/pack").status_code == 302
    (frozen,) = _exception_packs(db, report)
    assert frozen.moment == "on_demand"
    assert frozen.sha256 in client.get(f"{base}/evidence").get_data(as_text=True)
    stored = client.get(f"{base}/packs/{frozen.id}")
    assert hashlib.sha256(stored.data).hexdigest() == frozen.sha256
    login(board["outsider"])
    assert client.get(f"{base}/pack").status_code == 403
    assert client.post(f"{base}/pack").status_code == 403
    assert client.get(f"{base}/packs/{frozen.id}").status_code == 403
    assert len(_exception_packs(db, report)) == 1
