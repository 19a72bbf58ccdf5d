"""Releases of agile and hybrid work, the iterations that went into each, and the release
gate's decisions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.agile.models import Iteration
from tracker.auth.models import User
from tracker.db import utcnow
from tracker.extensions import db
from tracker.releases.rules import ReleaseStatus, ReleaseVote


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


release_iterations = Table(
    "release_iterations",
    db.metadata,
    Column("release_id", Integer, ForeignKey("releases.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "iteration_id",
        Integer,
        ForeignKey("iterations.id", ondelete="CASCADE"),
        primary_key=True,
    ),
)


class Release(db.Model):
    __tablename__ = "releases"
    __table_args__ = (
        UniqueConstraint("project_id", "name"),
        CheckConstraint(_in("status", ReleaseStatus), name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    notes: Mapped[str] = mapped_column(Text)
    gate_name: Mapped[str] = mapped_column(String(200))
    required_roles: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(20), default=ReleaseStatus.PENDING)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    went_live_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    iterations: Mapped[list[Iteration]] = relationship(
        secondary=release_iterations, order_by=Iteration.start_on
    )
    decisions: Mapped[list[ReleaseDecision]] = relationship(order_by="ReleaseDecision.id")

    @property
    def roles(self) -> tuple[str, ...]:
        return tuple(r for r in self.required_roles.split(",") if r)


class ReleaseDecision(db.Model):
    __tablename__ = "release_decisions"
    __table_args__ = (
        UniqueConstraint("release_id", "role"),
        UniqueConstraint("release_id", "decided_by_id"),
        CheckConstraint(_in("decision", ReleaseVote), name="decision_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    release_id: Mapped[int] = mapped_column(
        ForeignKey("releases.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(30))
    decision: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)

    decided_by: Mapped[User] = relationship()
