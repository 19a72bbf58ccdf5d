"""The benefits register: benefits and dis-benefits, their trajectories, measurements,
reviews, and the dates a closed project's benefits are reviewed on.

A benefit keeps its latest measurement and latest review on its own row (``latest_*``,
``off_track``, ``review_outcome``), written by the services in the transaction that records
them, so My work and the portfolio read one row per benefit, never the history.

The business-case option a benefit came from is not recorded yet: the business case's
options live in a domain built at the same time, and the link will be a foreign key to it.
"""

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
from tracker.benefits.rules import (
    BenefitCategory,
    BenefitKind,
    Point,
    ReviewOutcome,
    Trajectory,
)
from tracker.business_cases.models import CaseOption
from tracker.db import utcnow
from tracker.extensions import db
from tracker.orgs.models import Organisation
from tracker.projects.models import Project

VALUE = Numeric(18, 4)


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


class Benefit(db.Model):
    __tablename__ = "benefits"
    __table_args__ = (
        CheckConstraint(_in("kind", BenefitKind), name="kind_known"),
        CheckConstraint(_in("category", BenefitCategory), name="category_known"),
        CheckConstraint(_in("trajectory", Trajectory), name="trajectory_known"),
        CheckConstraint(
            "review_outcome IS NULL OR " + _in("review_outcome", ReviewOutcome),
            name="review_outcome_known",
        ),
        CheckConstraint("target_on > baseline_on", name="target_after_baseline"),
        CheckConstraint("unit <> ''", name="unit_given"),
        # An owner with an account, or a person outside the tracker with an email.
        CheckConstraint(
            "owner_id IS NOT NULL OR (owner_email <> '' AND owner_name <> '')",
            name="owner_named",
        ),
        Index("ix_benefits_project", "project_id"),
        Index("ix_benefits_owner", "owner_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(12), default=BenefitKind.BENEFIT)
    category: Mapped[str] = mapped_column(String(20))
    # The partner organisation the benefit falls to; None: the lead organisation.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    # The business-case option the benefit came from (an option of this project's case).
    option_id: Mapped[int | None] = mapped_column(
        ForeignKey("business_case_options.id", ondelete="SET NULL")
    )
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    owner_name: Mapped[str] = mapped_column(String(200), default="")
    owner_email: Mapped[str] = mapped_column(String(254), default="")
    measure: Mapped[str] = mapped_column(String(300))
    unit: Mapped[str] = mapped_column(String(40))
    baseline_value: Mapped[Decimal] = mapped_column(VALUE)
    baseline_on: Mapped[date]
    target_value: Mapped[Decimal] = mapped_column(VALUE)
    target_on: Mapped[date]
    trajectory: Mapped[str] = mapped_column(String(10), default=Trajectory.LINEAR)
    # Stored facts: the latest measurement, whether it was off the trajectory beyond the
    # benefit tolerance when taken, and the latest review's outcome.
    latest_value: Mapped[Decimal | None] = mapped_column(VALUE)
    latest_on: Mapped[date | None]
    off_track: Mapped[bool] = mapped_column(default=False)
    review_outcome: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    project: Mapped[Project] = relationship()
    owner: Mapped[User | None] = relationship(lazy="joined")
    organisation: Mapped[Organisation | None] = relationship(lazy="joined")
    option: Mapped[CaseOption | None] = relationship(lazy="joined")
    points: Mapped[list[TrajectoryPoint]] = relationship(
        order_by="TrajectoryPoint.on", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def owner_label(self) -> str:
        if self.owner is not None:
            return self.owner.name
        return f"{self.owner_name} ({self.owner_email}, outside the tracker)"

    @property
    def baseline(self) -> Point:
        return Point(self.baseline_on, self.baseline_value)

    @property
    def target(self) -> Point:
        return Point(self.target_on, self.target_value)

    def trajectory_points(self) -> list[Point]:
        if self.trajectory != Trajectory.POINTS:
            return []
        return [Point(p.on, p.value) for p in self.points]


class TrajectoryPoint(db.Model):
    __tablename__ = "benefit_trajectory_points"
    __table_args__ = (UniqueConstraint("benefit_id", "on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    benefit_id: Mapped[int] = mapped_column(ForeignKey("benefits.id", ondelete="CASCADE"))
    on: Mapped[date]
    value: Mapped[Decimal] = mapped_column(VALUE)


class Measurement(db.Model):
    __tablename__ = "benefit_measurements"
    __table_args__ = (UniqueConstraint("benefit_id", "measured_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    benefit_id: Mapped[int] = mapped_column(ForeignKey("benefits.id", ondelete="CASCADE"))
    measured_on: Mapped[date]
    value: Mapped[Decimal] = mapped_column(VALUE)
    expected_value: Mapped[Decimal] = mapped_column(VALUE)
    off_track: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    recorded_by: Mapped[User | None] = relationship(lazy="joined")


class BenefitReview(db.Model):
    __tablename__ = "benefit_reviews"
    __table_args__ = (
        CheckConstraint(_in("outcome", ReviewOutcome), name="outcome_known"),
        CheckConstraint("evidence <> ''", name="evidence_given"),
        Index("ix_benefit_reviews_benefit", "benefit_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    benefit_id: Mapped[int] = mapped_column(ForeignKey("benefits.id", ondelete="CASCADE"))
    # The scheduled review date it answers, if any.
    due_on: Mapped[date | None]
    outcome: Mapped[str] = mapped_column(String(20))
    evidence: Mapped[str] = mapped_column(Text)
    reviewed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime] = mapped_column(default=utcnow)

    reviewed_by: Mapped[User] = relationship(lazy="joined")


class ReviewDate(db.Model):
    """A day the project's benefits are to be reviewed after closure, as its end-project
    report set it (``report_id``) or the project manager or PMO added it."""

    __tablename__ = "benefit_review_dates"
    __table_args__ = (UniqueConstraint("project_id", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    due_on: Mapped[date]
    report_id: Mapped[int | None] = mapped_column(
        ForeignKey("end_project_reports.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
