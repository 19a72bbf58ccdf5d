"""The portfolio's stored read model: each project's facts, kept up to date when they change.

``portfolio_summaries`` holds one row per project with everything the dashboard and the
portfolio table need that would otherwise be recomputed from the history tables on every
request (latest checkpoint, latest assessment, latest method decision, exceptions, feedback,
reviews). ``portfolio_review_waits`` holds, per project, how many decided reviews waited
each number of days, so the median wait of any group of projects can be read without
touching the review tables.

Nothing here depends on today's date: waits still open are stored as the day they started
and turned into days at read time. The rows are written only by
``tracker.portfolio.summary.refresh`` (see there for how they are kept from drifting).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db


class PortfolioSummary(db.Model):
    __tablename__ = "portfolio_summaries"

    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    # Latest assessment and latest method decision.
    zone: Mapped[str] = mapped_column(String(20), default="none")
    decision_id: Mapped[int | None]
    follows: Mapped[str] = mapped_column(String(10), default="none")
    # Latest checkpoint.
    checkpoint_on: Mapped[date | None]
    cpi: Mapped[Decimal | None] = mapped_column(Numeric(28, 12))  # as stored on checkpoints
    spi: Mapped[Decimal | None] = mapped_column(Numeric(28, 12))
    cost_status: Mapped[str | None] = mapped_column(String(20))
    ac: Mapped[Decimal | None]
    bac: Mapped[Decimal | None]
    # Counts.
    exceptions: Mapped[int] = mapped_column(default=0)
    open_exceptions: Mapped[int] = mapped_column(default=0)
    feedback_n: Mapped[int] = mapped_column(default=0)
    rating_sum: Mapped[int | None]
    loops_closed: Mapped[int] = mapped_column(default=0)
    reviews: Mapped[int] = mapped_column(default=0)
    last_decided_on: Mapped[date | None]
    # Waits still open, as the day they started (days are counted at read time).
    gate_waiting_since: Mapped[date | None]
    iteration_waiting_since: Mapped[date | None]


class PortfolioReviewWait(db.Model):
    __tablename__ = "portfolio_review_waits"

    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    days: Mapped[int] = mapped_column(primary_key=True)
    reviews: Mapped[int]
