"""Portfolios, programmes, who governs them, which projects they hold (with history), and
a multi-agency programme's partners, pledges and partnership health checks."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.board.rules import DcaRating
from tracker.core import stamps
from tracker.db import utcnow
from tracker.extensions import db
from tracker.orgs.models import Organisation
from tracker.programmes.rules import (
    CONDITIONS,
    GateStatus,
    PledgeKind,
    PledgeStatus,
    ProgrammeRole,
)
from tracker.projects.models import Project


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


class Portfolio(db.Model):
    """A directorate's or a partnership's whole portfolio: the top of the hierarchy."""

    __tablename__ = "portfolios"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class Programme(db.Model):
    """Projects (and sub-programmes) governed together by one programme board."""

    __tablename__ = "programmes"
    __table_args__ = (
        CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
        CheckConstraint("cost_tolerance IS NULL OR cost_tolerance >= 0", name="cost_tol_ok"),
        CheckConstraint(
            "time_tolerance_days IS NULL OR time_tolerance_days >= 0", name="time_tol_ok"
        ),
        CheckConstraint(
            "benefits_tolerance_percent IS NULL OR "
            "(benefits_tolerance_percent >= 0 AND benefits_tolerance_percent <= 100)",
            name="benefits_tol_ok",
        ),
        Index("ix_programmes_portfolio_parent", "portfolio_id", "parent_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    portfolio_id: Mapped[int] = mapped_column(ForeignKey("portfolios.id"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("programmes.id"))
    # The business case in brief: why the projects are governed together.
    purpose: Mapped[str] = mapped_column(Text, default="")
    is_multi_agency: Mapped[bool] = mapped_column(default=False)
    planned_finish: Mapped[date | None]
    cost_tolerance: Mapped[Decimal | None]
    time_tolerance_days: Mapped[int | None]
    benefits_tolerance_percent: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    portfolio: Mapped[Portfolio] = relationship(lazy="joined")
    parent: Mapped[Programme | None] = relationship(remote_side=[id])

    __mapper_args__ = {"version_id_col": version}


class ProgrammeRoleHolder(db.Model):
    """A person's role on a programme: its SRO, its manager or a seat on its board."""

    __tablename__ = "programme_roles"
    __table_args__ = (
        UniqueConstraint("programme_id", "user_id", "role"),
        CheckConstraint(_in("role", ProgrammeRole), name="role_known"),
        # One SRO and one programme manager per programme.
        Index(
            "uq_programme_roles_single",
            "programme_id",
            "role",
            unique=True,
            sqlite_where=db.text("role IN ('sro', 'programme_manager')"),
            postgresql_where=db.text("role IN ('sro', 'programme_manager')"),
        ),
        Index("ix_programme_roles_user", "user_id", "role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    role: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")


class ProgrammeProject(db.Model):
    """A project's time in a programme, from one day up to (not including) another. Moving
    a project ends one row and starts the next, so the history stays and the roll-ups of a
    past day still count the project where it then was."""

    __tablename__ = "programme_projects"
    __table_args__ = (
        CheckConstraint("to_on IS NULL OR to_on >= from_on", name="ends_after_start"),
        # A project is in at most one programme at a time.
        Index(
            "uq_programme_projects_current",
            "project_id",
            unique=True,
            sqlite_where=db.text("to_on IS NULL"),
            postgresql_where=db.text("to_on IS NULL"),
        ),
        Index("ix_programme_projects_programme", "programme_id", "from_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    from_on: Mapped[date]
    to_on: Mapped[date | None]
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The receiving programme's manager, whose agreement a move needs.
    agreed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    project: Mapped[Project] = relationship(lazy="joined")
    programme: Mapped[Programme] = relationship()


class ProgrammePartner(db.Model):
    """An organisation taking part in a multi-agency programme."""

    __tablename__ = "programme_partners"

    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship(lazy="joined")


class PartnerPledge(db.Model):
    """What a partner asked of the partnership, offered to it, or committed to do; a
    commitment has an owner and a due date and is tracked to done like any action."""

    __tablename__ = "partner_pledges"
    __table_args__ = (
        CheckConstraint(_in("kind", PledgeKind), name="kind_known"),
        CheckConstraint(_in("status", PledgeStatus), name="status_known"),
        CheckConstraint(
            "kind <> 'commitment' OR (owner_id IS NOT NULL AND due_on IS NOT NULL)",
            name="commitment_owned",
        ),
        CheckConstraint(
            "status <> 'done' OR (done_by_id IS NOT NULL AND done_at IS NOT NULL)",
            name="done_recorded",
        ),
        Index("ix_partner_pledges_programme", "programme_id", "organisation_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    kind: Mapped[str] = mapped_column(String(12))
    text: Mapped[str] = mapped_column(String(500))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    due_on: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(10), default=PledgeStatus.OPEN)
    evidence: Mapped[str] = mapped_column(Text, default="")
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    done_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id], lazy="joined")

    __mapper_args__ = {"version_id_col": version}


class PartnershipRating(db.Model):
    """One partner's rating of one condition of collective impact on one day."""

    __tablename__ = "partnership_ratings"
    __table_args__ = (
        CheckConstraint(_in("condition", CONDITIONS), name="condition_known"),
        CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),
        UniqueConstraint("programme_id", "organisation_id", "condition", "rated_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    condition: Mapped[str] = mapped_column(String(30))
    score: Mapped[int]
    rated_on: Mapped[date]
    note: Mapped[str] = mapped_column(Text, default="")
    rated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProgrammeGate(db.Model):
    """A programme-level gate or review: requested by the programme manager, decided by a
    member of the programme board who did not request it."""

    __tablename__ = "programme_gates"
    __table_args__ = (
        CheckConstraint(_in("status", GateStatus), name="status_known"),
        CheckConstraint(
            "status = 'requested' OR (decided_by_id IS NOT NULL AND decided_at IS NOT NULL)",
            name="decision_recorded",
        ),
        CheckConstraint(
            "decided_by_id IS NULL OR decided_by_id <> requested_by_id", name="not_own_request"
        ),
        Index("ix_programme_gates_programme", "programme_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    framework_gate: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(10), default=GateStatus.REQUESTED)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    rationale: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)

    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id], lazy="joined")
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id], lazy="joined")

    __mapper_args__ = {"version_id_col": version}


class ProgrammeRisk(db.Model):
    """A risk the programme holds itself (beside those its projects escalate), scored on
    the registers' 5 x 5 scale."""

    __tablename__ = "programme_risks"
    __table_args__ = (
        CheckConstraint("likelihood BETWEEN 1 AND 5", name="likelihood_range"),
        CheckConstraint("impact BETWEEN 1 AND 5", name="impact_range"),
        CheckConstraint(_in("status", ("open", "closed")), name="status_known"),
        Index("ix_programme_risks_programme", "programme_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    likelihood: Mapped[int]
    impact: Mapped[int]
    status: Mapped[str] = mapped_column(String(10), default="open")
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    owner: Mapped[User] = relationship(foreign_keys=[owner_id], lazy="joined")

    __mapper_args__ = {"version_id_col": version}

    @property
    def score(self) -> int:
        return self.likelihood * self.impact


class ProgrammeConfidence(db.Model):
    """A programme board member's Delivery Confidence Assessment of the programme as a
    whole; never edited, so the trend stays on record."""

    __tablename__ = "programme_confidence"
    __table_args__ = (
        CheckConstraint(_in("rating", DcaRating), name="rating_known"),
        Index("ix_programme_confidence_programme", "programme_id", "assessed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    rating: Mapped[str] = mapped_column(String(12))
    rationale: Mapped[str] = mapped_column(Text)
    assessed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    assessed_at: Mapped[datetime] = mapped_column(default=utcnow)

    assessed_by: Mapped[User] = relationship(lazy="joined")


# The portfolio dashboard groups and filters by programme: who is in which programme moves
# the portfolio's stamp, as a project team does.
for _model in (Portfolio, Programme, ProgrammeProject, ProgrammeRoleHolder):
    stamps.moves(_model, scopes=lambda obj: set(), last={stamps.PORTFOLIO})
