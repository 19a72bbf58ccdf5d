"""Read models for the benefits pages, My work and the scheduler: set-based, a fixed
number of statements whatever the size of the register."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, and_, case, exists, func, or_, select

from tracker.benefits.models import Benefit, BenefitReview, Measurement, ReviewDate
from tracker.benefits.rules import BenefitCategory, BenefitKind, ReviewOutcome
from tracker.extensions import db
from tracker.projects.models import Project
from tracker.projects.rules import FINISHED_STATUSES


def register(project_id: int) -> Select:
    """The project's benefits, benefits before dis-benefits, by target date."""
    return (
        select(Benefit)
        .where(Benefit.project_id == project_id)
        .order_by(Benefit.kind, Benefit.target_on, Benefit.id)
    )


def measurements(benefit_id: int) -> list[Measurement]:
    return list(
        db.session.scalars(
            select(Measurement)
            .where(Measurement.benefit_id == benefit_id)
            .order_by(Measurement.measured_on.desc())
        )
    )


def reviews(benefit_id: int) -> list[BenefitReview]:
    return list(
        db.session.scalars(
            select(BenefitReview)
            .where(BenefitReview.benefit_id == benefit_id)
            .order_by(BenefitReview.reviewed_at.desc(), BenefitReview.id.desc())
        )
    )


def review_dates(project_id: int) -> list[ReviewDate]:
    return list(
        db.session.scalars(
            select(ReviewDate)
            .where(ReviewDate.project_id == project_id)
            .order_by(ReviewDate.due_on)
        )
    )


def next_review_on(project_id: int, today: date) -> date | None:
    return db.session.scalar(
        select(ReviewDate.due_on)
        .where(ReviewDate.project_id == project_id, ReviewDate.due_on >= today)
        .order_by(ReviewDate.due_on)
        .limit(1)
    )


def off_track_owned(user_id: int) -> list[tuple[Benefit, Project]]:
    """Benefits the person owns whose latest measurement is off the trajectory."""
    return list(
        db.session.execute(
            select(Benefit, Project)
            .join(Project, Project.id == Benefit.project_id)
            .where(Benefit.owner_id == user_id, Benefit.off_track.is_(True))
            .order_by(Project.code, Benefit.id)
        ).all()
    )


def _reviewed_for(due_on):
    return exists().where(BenefitReview.benefit_id == Benefit.id, BenefitReview.due_on == due_on)


def reviews_due(*, today: date, owner_id: int | None = None) -> Select:
    """(benefit, project, review date) for each benefit of a closed project whose review
    date has come and that has no review answering that date."""
    statement = (
        select(Benefit, Project, ReviewDate.due_on)
        .join(Project, Project.id == Benefit.project_id)
        .join(ReviewDate, ReviewDate.project_id == Benefit.project_id)
        .where(
            Project.status.in_(FINISHED_STATUSES),
            ReviewDate.due_on <= today,
            ~_reviewed_for(ReviewDate.due_on),
        )
        .order_by(ReviewDate.due_on, Project.code, Benefit.id)
    )
    if owner_id is not None:
        statement = statement.where(Benefit.owner_id == owner_id)
    return statement


def needing_attention(user_id: int, today: date) -> tuple[list, list]:
    """What the person's benefits ask of them, in one statement (My work's query budget):
    (benefits off their trajectory as (benefit, project), and reviews due as (benefit,
    project, review date)), the rows of ``off_track_owned`` and ``reviews_due``."""
    due_dates = and_(
        ReviewDate.project_id == Benefit.project_id,
        Project.status.in_(FINISHED_STATUSES),
        ReviewDate.due_on <= today,
        ~_reviewed_for(ReviewDate.due_on),
    )
    rows = db.session.execute(
        select(Benefit, Project, ReviewDate.due_on)
        .join(Project, Project.id == Benefit.project_id)
        .outerjoin(ReviewDate, due_dates)
        .where(
            Benefit.owner_id == user_id,
            or_(Benefit.off_track.is_(True), ReviewDate.due_on.is_not(None)),
        )
        .order_by(Project.code, Benefit.id, ReviewDate.due_on)
    ).all()
    off, seen = [], set()
    for benefit, project, _ in rows:
        if benefit.off_track and benefit.id not in seen:
            seen.add(benefit.id)
            off.append((benefit, project))
    due = sorted(
        ((benefit, project, due_on) for benefit, project, due_on in rows if due_on is not None),
        key=lambda row: (row[2], row[1].code, row[0].id),
    )
    return off, due


def open_review_date(benefit: Benefit, today: date) -> date | None:
    """The earliest review date that has come for ``benefit`` and is not yet answered."""
    return db.session.scalar(
        select(ReviewDate.due_on)
        .where(
            ReviewDate.project_id == benefit.project_id,
            ReviewDate.due_on <= today,
            ~exists().where(
                and_(
                    BenefitReview.benefit_id == benefit.id,
                    BenefitReview.due_on == ReviewDate.due_on,
                )
            ),
        )
        .order_by(ReviewDate.due_on)
        .limit(1)
    )


def per_project():
    """One row per project with benefits: counts and cashable amounts (benefits only, not
    dis-benefits; realised cashable: the latest measurement's share of the planned change,
    never below nothing nor above the plan, as ``rules.realised_amount``)."""
    is_benefit = Benefit.kind == BenefitKind.BENEFIT
    rising = Benefit.target_value >= Benefit.baseline_value
    planned = case(
        (rising, Benefit.target_value - Benefit.baseline_value),
        else_=Benefit.baseline_value - Benefit.target_value,
    )
    gained = case(
        (rising, Benefit.latest_value - Benefit.baseline_value),
        else_=Benefit.baseline_value - Benefit.latest_value,
    )
    realised = case(
        (Benefit.latest_value.is_(None), 0),
        (gained <= 0, 0),
        (gained >= planned, planned),
        else_=gained,
    )
    cashable = (Benefit.category == BenefitCategory.CASHABLE) & is_benefit

    def count_if(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    return (
        select(
            Benefit.project_id,
            count_if(is_benefit).label("planned"),
            count_if(is_benefit & Benefit.review_outcome.is_not(None)).label("reviewed"),
            count_if(is_benefit & (Benefit.review_outcome == ReviewOutcome.REALISED)).label(
                "realised"
            ),
            count_if(is_benefit & (Benefit.review_outcome == ReviewOutcome.PARTLY)).label("partly"),
            func.coalesce(func.sum(case((cashable, planned), else_=0)), 0).label("planned_cash"),
            func.coalesce(func.sum(case((cashable, realised), else_=0)), 0).label("realised_cash"),
            count_if(cashable).label("cashable"),
        )
        .group_by(Benefit.project_id)
        .subquery("project_benefits")
    )
