"""The board's follow-through: the conditions of an approval tracked as actions, and the
Delivery Confidence Assessments of its members and of the PMO."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.board.rules import ASSURANCE, ConditionStatus, DcaRating
from tracker.db import utcnow
from tracker.extensions import db
from tracker.projects.models import Project
from tracker.stages.models import GateReview


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


class GateCondition(db.Model):
    """One condition of an "approve with conditions": an action with an owner and a due
    date, open until it is met with evidence or waived by the board with a reason."""

    __tablename__ = "gate_conditions"
    __table_args__ = (
        CheckConstraint(_in("status", ConditionStatus), name="status_known"),
        # Settled conditions say how: evidence when met, the board's reason when waived.
        CheckConstraint(
            "status = 'open' OR (explanation IS NOT NULL AND resolved_by_id IS NOT NULL "
            "AND resolved_at IS NOT NULL)",
            name="settled_explained",
        ),
        Index("ix_gate_conditions_project_status", "project_id", "status"),
        Index("ix_gate_conditions_owner_status", "owner_id", "status"),
        Index("ix_gate_conditions_gate", "gate_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    gate_id: Mapped[int] = mapped_column(ForeignKey("gate_reviews.id", ondelete="CASCADE"))
    # The board role whose approval set the condition.
    set_by_role: Mapped[str] = mapped_column(String(30))
    set_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    due_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(10), default=ConditionStatus.OPEN)
    explanation: Mapped[str | None] = mapped_column(Text)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    project: Mapped[Project] = relationship()
    gate: Mapped[GateReview] = relationship()
    owner: Mapped[User] = relationship(foreign_keys=[owner_id], lazy="joined")
    set_by: Mapped[User] = relationship(foreign_keys=[set_by_id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])

    __mapper_args__ = {"version_id_col": version}


class ConfidenceAssessment(db.Model):
    """One person's Delivery Confidence Assessment: a board member's when deciding a gate,
    or the PMO's independent assurance rating at any time. Never edited: a later view is a
    new assessment, so the trend stays on record."""

    __tablename__ = "confidence_assessments"
    __table_args__ = (
        CheckConstraint(_in("rating", DcaRating), name="rating_known"),
        CheckConstraint(
            _in("role", ("executive", "senior_user", "senior_supplier", ASSURANCE)),
            name="role_known",
        ),
        # A board member rates each gate once; assurance ratings carry no gate.
        UniqueConstraint("gate_id", "assessed_by_id"),
        CheckConstraint(f"(role = '{ASSURANCE}') = (gate_id IS NULL)", name="gate_if_board"),
        Index("ix_confidence_assessments_project_at", "project_id", "assessed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    gate_id: Mapped[int | None] = mapped_column(ForeignKey("gate_reviews.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(30))
    rating: Mapped[str] = mapped_column(String(12))
    rationale: Mapped[str] = mapped_column(Text)
    assessed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    assessed_at: Mapped[datetime] = mapped_column(default=utcnow)

    assessed_by: Mapped[User] = relationship(lazy="joined")
    gate: Mapped[GateReview | None] = relationship()


DOCUMENT_SUBJECTS = ("project", "gate", "exception", "change")


class Document(db.Model):
    """One version of a file attached to a project, a gate, an exception report or a change
    request.

    The bytes live outside the database, under ``DOCUMENTS_PATH``, named by ``storage_key``.
    A new file with the same title on the same subject is the next version; earlier ones are
    kept. Deleting removes the bytes and marks the row, so the audit trail still names it.
    """

    __tablename__ = "documents"
    __table_args__ = (
        CheckConstraint(_in("subject", DOCUMENT_SUBJECTS), name="subject_known"),
        CheckConstraint(
            "(subject = 'gate') = (gate_id IS NOT NULL) AND "
            "(subject = 'exception') = (exception_id IS NOT NULL) AND "
            "(subject = 'change') = (change_id IS NOT NULL)",
            name="subject_record",
        ),
        CheckConstraint("size_bytes > 0", name="size_positive"),
        CheckConstraint("version >= 1", name="version_positive"),
        UniqueConstraint("storage_key"),
        Index("ix_documents_project", "project_id", "subject", "title"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(String(10))
    gate_id: Mapped[int | None] = mapped_column(ForeignKey("gate_reviews.id", ondelete="CASCADE"))
    exception_id: Mapped[int | None] = mapped_column(
        ForeignKey("exception_reports.id", ondelete="CASCADE")
    )
    # A change request (``tracker.changes``, a domain above this one: named by table only).
    change_id: Mapped[int | None] = mapped_column(
        ForeignKey("change_requests.id", ondelete="CASCADE")
    )
    title: Mapped[str] = mapped_column(String(200))
    version: Mapped[int]
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(100))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None]
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    uploaded_by: Mapped[User] = relationship(foreign_keys=[uploaded_by_id], lazy="joined")


PACK_MOMENTS = ("requested", "resolved", "on_demand")


class BoardPack(db.Model):
    """A board pack as it was rendered: the PDF stored under ``DOCUMENTS_PATH`` (in
    ``packs/``), its SHA-256 also written to the audit trail, so a board can prove later
    what it saw. Of a gate or of an exception report: frozen when it is requested (an
    exception: raised) and when it resolves (decided), or on demand."""

    __tablename__ = "board_packs"
    __table_args__ = (
        CheckConstraint(_in("moment", PACK_MOMENTS), name="moment_known"),
        CheckConstraint("size_bytes > 0", name="size_positive"),
        CheckConstraint("(gate_id IS NULL) <> (exception_id IS NULL)", name="one_subject"),
        UniqueConstraint("storage_key"),
        Index("ix_board_packs_gate", "gate_id"),
        Index("ix_board_packs_exception", "exception_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    gate_id: Mapped[int | None] = mapped_column(ForeignKey("gate_reviews.id", ondelete="CASCADE"))
    exception_id: Mapped[int | None] = mapped_column(
        ForeignKey("exception_reports.id", ondelete="CASCADE")
    )
    moment: Mapped[str] = mapped_column(String(12))
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int]
    storage_key: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


PACK_REQUEST_STATUSES = ("waiting", "built", "failed")


class PackRequest(db.Model):
    """A board pack asked for and built in the background (``board.tasks.build_waiting_packs``):
    rendering takes seconds at national scale, so neither a gate's request or decision nor
    the "freeze now" button waits for it. Built exactly once: the job claims the request in
    the transaction that stores the pack."""

    __tablename__ = "pack_requests"
    __table_args__ = (
        CheckConstraint(_in("moment", PACK_MOMENTS), name="moment_known"),
        CheckConstraint(_in("status", PACK_REQUEST_STATUSES), name="status_known"),
        CheckConstraint("(gate_id IS NULL) <> (exception_id IS NULL)", name="one_subject"),
        Index("ix_pack_requests_status", "status"),
        Index("ix_pack_requests_gate", "gate_id"),
        Index("ix_pack_requests_exception", "exception_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    gate_id: Mapped[int | None] = mapped_column(ForeignKey("gate_reviews.id", ondelete="CASCADE"))
    exception_id: Mapped[int | None] = mapped_column(
        ForeignKey("exception_reports.id", ondelete="CASCADE")
    )
    moment: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(10), default="waiting")
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    finished_at: Mapped[datetime | None]
    pack_id: Mapped[int | None] = mapped_column(ForeignKey("board_packs.id", ondelete="SET NULL"))
    error: Mapped[str | None] = mapped_column(Text)

    requested_by: Mapped[User | None] = relationship()
