"""Builders for budget tests: baselines, costs and checkpoints through the services, and
records written directly for the access table."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tracker.budget import services
from tracker.budget.models import Baseline, BaselineLine, BudgetException, Checkpoint
from tracker.extensions import db


def cost(project, actor, amount="100", *, on=date(2026, 2, 1), category="staff", **kwargs):
    entry, _ = services.record_cost(
        project,
        services.CostData(
            spent_on=on,
            amount=Decimal(amount),
            category=category,
            supplier=kwargs.pop("supplier", "Acme Ltd"),
            description=kwargs.pop("description", "Work"),
            **kwargs,
        ),
        token=None,
        actor=actor,
        today=date(2026, 12, 31),
    )
    db.session.commit()
    return entry


def access_ids(project, manager) -> dict:
    """A baseline, a checkpoint and an open budget exception on ``project``, written
    directly, for the access table in the foundation tests."""
    baseline = Baseline(
        project_id=project.id,
        number=1,
        kind="stage",
        bac=Decimal(1000),
        starts_on=project.planned_start,
        finishes_on=project.planned_start,
        reason="First baseline",
        lines=[
            BaselineLine(
                kind="stage",
                name="Stage 1",
                start_on=project.planned_start,
                end_on=project.planned_start,
                budget=Decimal(1000),
            )
        ],
    )
    db.session.add(baseline)
    db.session.flush()
    zero = Decimal(0)
    checkpoint = Checkpoint(
        project_id=project.id,
        baseline_id=baseline.id,
        taken_on=project.planned_start,
        trigger="manual",
        bac=Decimal(1000),
        pv=zero,
        ev=zero,
        ac=zero,
        cv=zero,
        sv=zero,
        eac_atypical=Decimal(1000),
    )
    db.session.add(checkpoint)
    db.session.flush()
    exception = BudgetException(
        project_id=project.id,
        checkpoint_id=checkpoint.id,
        breach="Over",
        required_roles="executive",
        status="open",
    )
    db.session.add(exception)
    db.session.commit()
    return {"checkpoint_id": checkpoint.id, "exception_id": exception.id}
