"""The demo portfolio gains benefits registers, once: a benefit behind its trajectory on an
open project, and a closed project whose benefits are part realised."""

from __future__ import annotations

from sqlalchemy import func, select

from tracker.benefits.models import Benefit, BenefitReview, ReviewDate
from tracker.demo import data
from tracker.projects.models import Project


def test_demo_benefits_load_once_with_a_closed_project_part_realised(db):
    data.load("demo password long enough")
    rows = db.session.execute(
        select(Project.code, Project.status, Benefit.off_track, Benefit.review_outcome).join(
            Benefit, Benefit.project_id == Project.id
        )
    ).all()
    assert any(code == "ASC-2026-01" and off for code, _, off, _ in rows)
    closed = [(status, outcome) for code, status, _, outcome in rows if code == "ENV-2026-10"]
    assert {status for status, _ in closed} == {"closed"}
    assert {outcome for _, outcome in closed} == {"realised", "partly", "not_realised"}
    assert db.session.scalar(select(func.count(ReviewDate.id))) == 2
    assert (
        db.session.scalar(select(func.count(Benefit.id)).where(Benefit.owner_id.is_(None))) == 2
    )  # owners outside the tracker, named with their email
    # The care project's benefits came from its business case's preferred option.
    linked = db.session.scalars(
        select(Benefit.option_id)
        .join(Project, Project.id == Benefit.project_id)
        .where(Project.code == "ASC-2026-01", Benefit.kind == "benefit")
    ).all()
    assert linked and all(option_id is not None for option_id in linked)
    before = db.session.scalar(select(func.count(Benefit.id)))
    reviews = db.session.scalar(select(func.count(BenefitReview.id)))
    data.load("demo password long enough")
    assert db.session.scalar(select(func.count(Benefit.id))) == before
    assert db.session.scalar(select(func.count(BenefitReview.id))) == reviews
