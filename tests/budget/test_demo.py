"""The demo loads budgets once: a baseline, costs and checkpoints for every demo project
with stages or iterations, and one overspending project in exception."""

from __future__ import annotations

from sqlalchemy import func, select

from tracker.agile.models import Iteration
from tracker.budget.demo import OVERSPENDING
from tracker.budget.models import Baseline, BudgetException, Checkpoint, CostEntry
from tracker.demo import data
from tracker.projects.models import Project
from tracker.stages.models import Stage


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_demo_budgets_are_loaded_once_and_one_project_overspends(db):
    data.load("demo password for tests")
    db.session.commit()
    planned = set(db.session.scalars(select(Stage.project_id))) | set(
        db.session.scalars(select(Iteration.project_id))
    )
    baselined = set(db.session.scalars(select(Baseline.project_id)))
    assert len(baselined) >= 6
    assert baselined <= planned
    counts = {model: _count(db, model) for model in (Baseline, Checkpoint, CostEntry)}
    assert all(counts.values())
    for project_id in baselined:
        taken = db.session.scalar(
            select(func.count(Checkpoint.id)).where(Checkpoint.project_id == project_id)
        )
        assert taken >= 2, project_id
    report = db.session.scalars(select(BudgetException)).one()
    overspending = db.session.scalars(select(Project).where(Project.code == OVERSPENDING)).one()
    assert report.project_id == overspending.id
    latest = db.session.scalars(
        select(Checkpoint)
        .where(Checkpoint.project_id == overspending.id)
        .order_by(Checkpoint.taken_on.desc(), Checkpoint.id.desc())
    ).first()
    assert latest.rag == "red"
    reds = db.session.scalar(
        select(func.count(Checkpoint.id)).where(
            Checkpoint.status == "breached", Checkpoint.project_id != overspending.id
        )
    )
    assert reds == 0
    data.load("demo password for tests")
    assert {model: _count(db, model) for model in counts} == counts
