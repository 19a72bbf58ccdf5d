"""Board packs: the papers for a gate or an exception report (the request, the evidence,
the conditions, the documents and the decisions) as one accessible PDF, rendered by
WeasyPrint from the same Jinja templates as the pages (``tracker.core.pdf``), and frozen
(stored, its SHA-256 in the audit trail) when the gate is requested or the exception raised,
and again when it resolves."""

from __future__ import annotations

import hashlib
import logging
import secrets
from pathlib import Path

from flask import current_app

from tracker.audit import services as audit
from tracker.auth.models import User
from tracker.board import queries, services
from tracker.board.models import BoardPack, PackRequest
from tracker.core.pdf import render_pdf
from tracker.db import utcnow
from tracker.extensions import db
from tracker.stages import services as stages
from tracker.stages.models import ExceptionReport, GateReview

log = logging.getLogger(__name__)

Subject = GateReview | ExceptionReport


def subject_title(subject: Subject) -> str:
    if isinstance(subject, GateReview):
        return stages.gate_title(subject)
    return f"Exception report: {subject.stage.label}"


def _gate_context(gate: GateReview, now) -> dict:
    stage = gate.closes_stage or gate.authorises_stage
    return {
        "gate": gate,
        "stage": stage,
        "evidence": queries.evidence(
            gate.project,
            stage=stage,
            requested_at=gate.requested_at,
            this_gate_id=gate.id,
            now=now,
        ),
        "decisions": sorted(gate.decisions, key=lambda d: (d.decided_at, d.id)),
    }


def _exception_context(report: ExceptionReport, now) -> dict:
    return {
        "report": report,
        "stage": report.stage,
        "evidence": queries.evidence(
            report.project,
            stage=report.stage,
            requested_at=report.raised_at,
            this_exception_id=report.id,
            now=now,
        ),
        "decisions": sorted(report.decisions, key=lambda d: (d.decided_at, d.id)),
    }


def render_pack(subject: Subject) -> bytes:
    """The PDF: tagged (PDF/UA-1), titled, a contents list, its headings as bookmarks."""
    now = utcnow()
    project = subject.project
    if isinstance(subject, GateReview):
        template, context = "board/pack.html", _gate_context(subject, now)
    else:
        template, context = "board/exception_pack.html", _exception_context(subject, now)
    return render_pdf(
        template,
        project=project,
        title=f"Board pack – {subject_title(subject)} – {project.code}",
        today=now.date(),
        generated_at=now,
        **context,
    )


def pack_path(pack: BoardPack) -> Path:
    return services.documents_folder() / pack.storage_key


def freeze_pack(subject: Subject, *, moment: str, actor: User | None) -> BoardPack:
    """Render, store and record one pack; its hash goes into the audit trail. The file is
    written before the row: a failed transaction leaves an orphan file, never a row
    without its file."""
    content = render_pack(subject)
    digest = hashlib.sha256(content).hexdigest()
    key = f"packs/{subject.project_id}/{secrets.token_hex(16)}.pdf"
    path = services.documents_folder() / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    is_gate = isinstance(subject, GateReview)
    pack = BoardPack(
        project_id=subject.project_id,
        gate_id=subject.id if is_gate else None,
        exception_id=None if is_gate else subject.id,
        moment=moment,
        sha256=digest,
        size_bytes=len(content),
        storage_key=key,
        created_at=utcnow(),
        created_by_id=actor.id if actor is not None else None,
    )
    db.session.add(pack)
    db.session.flush()
    audit.record(
        "board_pack.frozen",
        pack,
        project_id=subject.project_id,
        summary=f"Board pack frozen ({moment.replace('_', ' ')}) for {subject_title(subject)}",
        changes={
            "gate_id" if is_gate else "exception_id": subject.id,
            "moment": moment,
            "sha256": digest,
            "size": len(content),
        },
        actor=actor,
    )
    return pack


def _subject_columns(subject: Subject) -> dict:
    is_gate = isinstance(subject, GateReview)
    return {
        "gate_id": subject.id if is_gate else None,
        "exception_id": None if is_gate else subject.id,
    }


def ask_for_pack(subject: Subject, *, moment: str, actor: User | None) -> PackRequest:
    """Ask for a pack to be built in the background, in the caller's transaction: a
    rolled-back request or decision asks for nothing."""
    request = PackRequest(
        project_id=subject.project_id,
        moment=moment,
        status="waiting",
        requested_at=utcnow(),
        requested_by_id=actor.id if actor is not None else None,
        **_subject_columns(subject),
    )
    db.session.add(request)
    db.session.flush()
    audit.record(
        "board_pack.asked",
        request,
        project_id=subject.project_id,
        summary=f"Board pack asked for ({moment.replace('_', ' ')}) for {subject_title(subject)}",
        changes={**_subject_columns(subject), "moment": moment},
        actor=actor,
    )
    return request


def freeze_at(subject: Subject, *, moment: str, actor: User | None):
    """A pack at one of the subject's moments (or on demand): asked for in the background
    (``BOARD_PACKS_IN_BACKGROUND``, the default), or else frozen now. None when freezing
    at moments is turned off, or a render now fails."""
    if moment != "on_demand" and not current_app.config.get("BOARD_PACKS_FREEZE", True):
        return None
    if current_app.config.get("BOARD_PACKS_IN_BACKGROUND", True):
        return ask_for_pack(subject, moment=moment, actor=actor)
    return freeze_quietly(subject, moment=moment, actor=actor)


def freeze_quietly(subject: Subject, *, moment: str, actor: User | None) -> BoardPack | None:
    """Freeze a pack as part of a request or decision: a render failure is logged and
    records nothing, so the request or decision stands (the page says no pack was frozen,
    by listing none for that moment)."""
    if moment != "on_demand" and not current_app.config.get("BOARD_PACKS_FREEZE", True):
        return None
    try:
        with db.session.begin_nested():
            return freeze_pack(subject, moment=moment, actor=actor)
    except Exception:
        log.exception(
            "Board pack for %s %s (%s) failed to render", _kind(subject), subject.id, moment
        )
        return None


def _kind(subject: Subject) -> str:
    return "gate" if isinstance(subject, GateReview) else "exception"


def packs_of(subject: Subject) -> list[BoardPack]:
    column = BoardPack.gate_id if isinstance(subject, GateReview) else BoardPack.exception_id
    return list(
        db.session.scalars(db.select(BoardPack).where(column == subject.id).order_by(BoardPack.id))
    )


def unfinished_requests(subject: Subject) -> list[PackRequest]:
    """The subject's packs waiting to be built, and those that failed (the page says so)."""
    column = PackRequest.gate_id if isinstance(subject, GateReview) else PackRequest.exception_id
    return list(
        db.session.scalars(
            db.select(PackRequest)
            .where(column == subject.id, PackRequest.status != "built")
            .order_by(PackRequest.id)
        )
    )
