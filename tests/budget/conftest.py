"""Fixtures for the budget domain: a stage-gated project with a two-stage plan and a
board, and an agile project with a three-sprint release plan."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from tests.stages.helpers import stage_data
from tracker.agile import services as agile
from tracker.agile.models import Iteration
from tracker.stages import services as stages


@pytest.fixture
def staged(db, make_user, make_project):
    """BAC £100,000: Stage 1 £40,000 over 1-10 Jan 2026, Stage 2 £60,000 over 11-30 Jan."""
    manager = make_user("Maya Manager")
    executive = make_user("Ezra Executive")
    member = make_user("Tess Team")
    outsider = make_user("Olly Outsider")
    project = make_project(
        manager=manager,
        members=[(executive, "executive"), (member, "team_member")],
        budget_at_completion=Decimal("100000.00"),
    )
    project.delivery_method = "stage_gated"
    one = stages.create_stage(
        project,
        stage_data("Discovery", date(2026, 1, 1), 9, "40000", cost_value="10"),
        actor=manager,
    )
    two = stages.create_stage(
        project,
        stage_data("Build", date(2026, 1, 11), 19, "60000", cost_value="10"),
        actor=manager,
    )
    db.session.commit()
    return {
        "project": project,
        "manager": manager,
        "executive": executive,
        "member": member,
        "outsider": outsider,
        "stages": (one, two),
    }


SPRINTS = (
    ("Sprint 1", date(2026, 3, 2), date(2026, 3, 13), Decimal(20000), 30),
    ("Sprint 2", date(2026, 3, 16), date(2026, 3, 27), Decimal(20000), 40),
    ("Sprint 3", date(2026, 3, 30), date(2026, 4, 10), Decimal(25000), None),
)


@pytest.fixture
def agile_project(db, make_user, make_project):
    """An agile project whose first two sprints closed with 30 and 40 points completed."""
    manager = make_user("Mo Manager")
    executive = make_user("Eve Executive")
    project = make_project(
        manager=manager,
        members=[(executive, "executive")],
        budget_at_completion=Decimal("100000.00"),
    )
    project.delivery_method = "agile"
    db.session.commit()
    iterations = []
    for name, start, end, _budget, completed in SPRINTS:
        iteration = agile.create_iteration(
            project, agile.IterationData(name, "Goal", start, end, 40)
        )
        if completed is not None:
            iteration.status = "closed"
            iteration.completed_points = completed
            iteration.closed_at = datetime(end.year, end.month, end.day, 16, tzinfo=UTC)
        iterations.append(iteration)
    db.session.commit()
    return {
        "project": project,
        "manager": manager,
        "executive": executive,
        "iterations": iterations,
    }


def release_budgets(iterations: list[Iteration]) -> dict[int, Decimal]:
    return {it.id: budget for it, (_, _, _, budget, _) in zip(iterations, SPRINTS, strict=True)}
