"""Board packs: the gate's request, evidence, conditions, documents and decisions as one
accessible PDF, rendered by WeasyPrint from the same Jinja templates as the pages (with a
print stylesheet), and frozen (stored, its SHA-256 in the audit trail) when a gate is
requested and again when it resolves."""

from __future__ import annotations

import hashlib
import logging
import secrets
from contextlib import nullcontext
from pathlib import Path

from flask import current_app, has_request_context, render_template

from tracker.audit import services as audit
from tracker.auth.models import User
from tracker.board import queries, services
from tracker.board.models import BoardPack
from tracker.db import utcnow
from tracker.extensions import db
from tracker.stages import services as stages
from tracker.stages.models import GateReview

log = logging.getLogger(__name__)

PRINT_CSS = Path(__file__).resolve().parent.parent / "static" / "print" / "print.css"


def pack_html(gate: GateReview) -> str:
    project = gate.project
    stage = gate.closes_stage or gate.authorises_stage
    now = utcnow()
    return render_template(
        "board/pack.html",
        project=project,
        gate=gate,
        stage=stage,
        evidence=queries.evidence(
            project, stage=stage, requested_at=gate.requested_at, this_gate_id=gate.id, now=now
        ),
        decisions=sorted(gate.decisions, key=lambda d: (d.decided_at, d.id)),
        title=f"Board pack – {stages.gate_title(gate)} – {project.code}",
        today=now.date(),
        generated_at=now,
    )


def render_pack(gate: GateReview) -> bytes:
    """The PDF: tagged (PDF/UA-1), titled, its headings as bookmarks."""
    from weasyprint import CSS, HTML  # imported late: it loads the Pango libraries

    # Links in the pack are the app's own (relative) addresses; outside a request (a
    # command, a job) a bare context gives url_for its root.
    context = nullcontext() if has_request_context() else current_app.test_request_context("/")
    with context:
        html = pack_html(gate)
    return HTML(string=html, base_url=str(PRINT_CSS.parent)).write_pdf(
        stylesheets=[CSS(filename=str(PRINT_CSS))],
        pdf_variant="pdf/ua-1",
        pdf_tags=True,
    )


def pack_path(pack: BoardPack) -> Path:
    return services.documents_folder() / pack.storage_key


def freeze_pack(gate: GateReview, *, moment: str, actor: User | None) -> BoardPack:
    """Render, store and record one pack; its hash goes into the audit trail. The file is
    written before the row: a failed transaction leaves an orphan file, never a row
    without its file."""
    content = render_pack(gate)
    digest = hashlib.sha256(content).hexdigest()
    key = f"packs/{gate.project_id}/{secrets.token_hex(16)}.pdf"
    path = services.documents_folder() / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    pack = BoardPack(
        project_id=gate.project_id,
        gate_id=gate.id,
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
        project_id=gate.project_id,
        summary=f"Board pack frozen ({moment.replace('_', ' ')}) for {stages.gate_title(gate)}",
        changes={"gate_id": gate.id, "moment": moment, "sha256": digest, "size": len(content)},
        actor=actor,
    )
    return pack


def freeze_quietly(gate: GateReview, *, moment: str, actor: User | None) -> BoardPack | None:
    """Freeze a pack as part of a gate's request or decision: a render failure is logged
    and records nothing, so the request or decision stands (the page says no pack was
    frozen, by listing none for that moment)."""
    if moment != "on_demand" and not current_app.config.get("BOARD_PACKS_FREEZE", True):
        return None
    try:
        with db.session.begin_nested():
            return freeze_pack(gate, moment=moment, actor=actor)
    except Exception:
        log.exception("Board pack for gate %s (%s) failed to render", gate.id, moment)
        current_app.logger.warning("Board pack for gate %s not frozen", gate.id)
        return None


def packs_of(gate: GateReview) -> list[BoardPack]:
    return list(
        db.session.scalars(
            db.select(BoardPack).where(BoardPack.gate_id == gate.id).order_by(BoardPack.id)
        )
    )
