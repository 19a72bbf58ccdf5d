"""Proposals (mandates) before a project exists, their funding, the PMO's strategic-fit
criteria and scores, the prioritisation board and its decisions."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.db import utcnow
from tracker.extensions import db
from tracker.orgs.models import Organisation
from tracker.projects.models import Project
from tracker.proposals.rules import Decision, FundingSource, ProposalStatus


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


proposal_partners = Table(
    "proposal_partners",
    db.metadata,
    Column("proposal_id", ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", ForeignKey("organisations.id"), primary_key=True),
)


class Proposal(db.Model):
    """A mandate: the problem, the outcome sought, who would lead, a rough cost and when,
    and the uncertainty assessment's answers with the recommendation they gave."""

    __tablename__ = "proposals"
    __table_args__ = (
        CheckConstraint(_in("status", ProposalStatus), name="status_known"),
        CheckConstraint("rough_cost IS NULL OR rough_cost >= 0", name="cost_not_negative"),
        CheckConstraint(
            "start_on IS NULL OR finish_on IS NULL OR finish_on >= start_on",
            name="finish_after_start",
        ),
        Index("ix_proposals_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    problem: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(Text, default="")
    lead_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id"), index=True
    )
    rough_cost: Mapped[Decimal | None]
    start_on: Mapped[date | None]
    finish_on: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(20), default=ProposalStatus.DRAFT)
    proposer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None]
    # The uncertainty assessment, as the method model read it, and what it recommended.
    assessment_json: Mapped[str | None] = mapped_column("assessment", Text)
    recommended_method: Mapped[str | None] = mapped_column(String(20))
    zone: Mapped[str | None] = mapped_column(String(20))
    model_version: Mapped[str | None] = mapped_column(String(20))
    # The project an approval made; unique, so one proposal never becomes two projects.
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("projects.id", ondelete="SET NULL"), unique=True
    )
    deferred_until: Mapped[date | None]
    version: Mapped[int] = mapped_column(default=1)

    proposer: Mapped[User] = relationship(lazy="joined")
    lead_organisation: Mapped[Organisation | None] = relationship(lazy="joined")
    partners: Mapped[list[Organisation]] = relationship(
        secondary=proposal_partners, order_by=Organisation.name
    )
    funding: Mapped[list[ProposalFunding]] = relationship(
        cascade="all, delete-orphan", order_by="ProposalFunding.source"
    )
    project: Mapped[Project | None] = relationship()

    __mapper_args__ = {"version_id_col": version}

    @property
    def assessment(self) -> dict[str, Any] | None:
        return json.loads(self.assessment_json) if self.assessment_json else None

    @property
    def is_draft(self) -> bool:
        return self.status == ProposalStatus.DRAFT

    def __repr__(self) -> str:
        return f"<Proposal {self.id} {self.status}>"


class ProposalFunding(db.Model):
    """One funding source a proposal would draw on: an amount, and whether it is confirmed."""

    __tablename__ = "proposal_funding"
    __table_args__ = (
        UniqueConstraint("proposal_id", "source"),
        CheckConstraint(_in("source", FundingSource), name="source_known"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(20))
    amount: Mapped[Decimal]
    is_confirmed: Mapped[bool] = mapped_column(default=False)


class FitCriterion(db.Model):
    """A strategic-fit criterion the PMO sets: a weight and a scale from 1. Every change
    is in the audit trail; a retired criterion stops counting but keeps its scores."""

    __tablename__ = "fit_criteria"
    __table_args__ = (
        CheckConstraint("weight BETWEEN 1 AND 100", name="weight_range"),
        CheckConstraint("scale_max BETWEEN 2 AND 10", name="scale_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    weight: Mapped[int]
    scale_max: Mapped[int] = mapped_column(default=5)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class ProposalScore(db.Model):
    """One scorer's score of one proposal on one criterion, with the reason."""

    __tablename__ = "proposal_scores"
    __table_args__ = (
        UniqueConstraint("proposal_id", "criterion_id", "scorer_id"),
        CheckConstraint("score BETWEEN 1 AND 10", name="score_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(ForeignKey("fit_criteria.id"), index=True)
    scorer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    score: Mapped[int]
    reason: Mapped[str] = mapped_column(Text)
    scored_at: Mapped[datetime] = mapped_column(default=utcnow)

    criterion: Mapped[FitCriterion] = relationship(lazy="joined")
    scorer: Mapped[User] = relationship(lazy="joined")


class ProposalDecision(db.Model):
    """The prioritisation board's decision, numbered per proposal: two decisions made at
    once cannot both be number n."""

    __tablename__ = "proposal_decisions"
    __table_args__ = (
        UniqueConstraint("proposal_id", "sequence"),
        CheckConstraint(_in("decision", Decision), name="decision_known"),
        CheckConstraint("decision <> 'defer' OR defer_until IS NOT NULL", name="defer_has_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    sequence: Mapped[int]
    decision: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text, default="")
    defer_until: Mapped[date | None]
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)

    decided_by: Mapped[User] = relationship(lazy="joined")


class BoardMember(db.Model):
    """A member of the prioritisation board, the PMO's list of who decides proposals."""

    __tablename__ = "prioritisation_board_members"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    added_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")
