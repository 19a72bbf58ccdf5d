"""A project's business case in versions (SOC, OBC, FBC, or a BJC), each with the five
cases as sections and its figures as data: the options appraised, their costs and benefits
year by year, the preferred option and the funding."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.business_cases.rules import CaseStatus, CaseVersion, FundingSource
from tracker.db import utcnow
from tracker.extensions import db

MONEY = Numeric(14, 2)


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


class BusinessCaseVersion(db.Model):
    """One version of a project's business case. A draft until the gate it goes to is
    requested; then frozen, and a change is a new version started from a copy."""

    __tablename__ = "business_case_versions"
    __table_args__ = (
        UniqueConstraint("project_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint(_in("kind", CaseVersion), name="kind_known"),
        CheckConstraint(_in("status", CaseStatus), name="status_known"),
        CheckConstraint("status = 'draft' OR frozen_at IS NOT NULL", name="frozen_has_date"),
        CheckConstraint("discount_rate >= 0 AND discount_rate <= 0.2", name="rate_range"),
        CheckConstraint(
            "preferred_option IS NULL OR preferred_option >= 1", name="preferred_positive"
        ),
        # At most one draft per project: a new version starts once the last is frozen.
        Index(
            "uq_business_case_versions_one_draft",
            "project_id",
            unique=True,
            sqlite_where=db.text("status = 'draft'"),
            postgresql_where=db.text("status = 'draft'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    kind: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default=CaseStatus.DRAFT)
    strategic: Mapped[str] = mapped_column(Text, default="")
    economic: Mapped[str] = mapped_column(Text, default="")
    commercial: Mapped[str] = mapped_column(Text, default="")
    financial: Mapped[str] = mapped_column(Text, default="")
    management: Mapped[str] = mapped_column(Text, default="")
    discount_rate: Mapped[Decimal] = mapped_column(Numeric(6, 4), default=Decimal("0.035"))
    preferred_option: Mapped[int | None]
    based_on_id: Mapped[int | None] = mapped_column(ForeignKey("business_case_versions.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Frozen when a gate is requested: the gate it went to, and the manager's answer to
    # "is the business case still justified?" on that request.
    frozen_at: Mapped[datetime | None]
    frozen_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    gate_review_id: Mapped[int | None] = mapped_column(
        ForeignKey("gate_reviews.id", ondelete="SET NULL"), index=True
    )
    manager_justified: Mapped[bool | None]
    # The board's judgement at that gate: still justified or not (not: an exception).
    board_justified: Mapped[bool | None]
    judgement_note: Mapped[str | None] = mapped_column(Text)
    judged_at: Mapped[datetime | None]
    judged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    frozen_by: Mapped[User | None] = relationship(foreign_keys=[frozen_by_id])
    judged_by: Mapped[User | None] = relationship(foreign_keys=[judged_by_id])
    options: Mapped[list[CaseOption]] = relationship(
        back_populates="case_version", order_by="CaseOption.number", cascade="all, delete-orphan"
    )
    funding: Mapped[list[CaseFunding]] = relationship(
        order_by="CaseFunding.id", cascade="all, delete-orphan"
    )

    @property
    def is_frozen(self) -> bool:
        return self.status == CaseStatus.FROZEN


class CaseOption(db.Model):
    """An option appraised, numbered within its version (the number stays across copies,
    so a later version's option 2 is the same option as the earlier one's)."""

    __tablename__ = "business_case_options"
    __table_args__ = (
        UniqueConstraint("case_version_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_version_id: Mapped[int] = mapped_column(
        ForeignKey("business_case_versions.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")

    case_version: Mapped[BusinessCaseVersion] = relationship(back_populates="options")
    flows: Mapped[list[CaseFlow]] = relationship(
        order_by="CaseFlow.year", cascade="all, delete-orphan"
    )


class CaseFlow(db.Model):
    """An option's cost and benefit in one year (0 is now)."""

    __tablename__ = "business_case_flows"
    __table_args__ = (
        UniqueConstraint("option_id", "year"),
        CheckConstraint("year >= 0 AND year <= 60", name="year_range"),
        CheckConstraint("cost >= 0", name="cost_not_negative"),
        CheckConstraint("benefit >= 0", name="benefit_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    option_id: Mapped[int] = mapped_column(
        ForeignKey("business_case_options.id", ondelete="CASCADE"), index=True
    )
    year: Mapped[int]
    cost: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    benefit: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))


class CaseFunding(db.Model):
    """One source of the money the case draws on."""

    __tablename__ = "business_case_funding"
    __table_args__ = (
        UniqueConstraint("case_version_id", "source"),
        CheckConstraint(_in("source", FundingSource), name="source_known"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_version_id: Mapped[int] = mapped_column(
        ForeignKey("business_case_versions.id", ondelete="CASCADE"), index=True
    )
    source: Mapped[str] = mapped_column(String(20))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    confirmed: Mapped[bool] = mapped_column(default=False)
