"""Migrations 0012_budget and back: checkpoint indices recomputed from the stored amounts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from tests.budget.test_concurrency import _setup
from tests.conftest import make_app
from tracker.budget import services
from tracker.extensions import db
from tracker.projects.models import Project


def _indices(checkpoint_id: int) -> tuple:
    return tuple(
        db.session.execute(
            text("SELECT cpi, spi, tcpi FROM budget_checkpoints WHERE id = :id"),
            {"id": checkpoint_id},
        ).one()
    )


def test_indices_are_recomputed_at_full_precision_and_back(backend, tmp_path_factory):
    app = make_app(backend, tmp_path_factory, "budgetmigration")
    try:
        with app.app_context():
            upgrade()
        project_id = _setup(app, "migration")
        with app.app_context():
            project = db.session.get(Project, project_id)
            services.record_cost(
                project,
                services.CostData(date(2026, 1, 5), D("700.00"), "staff", "", "Analyst"),
                token=None,
                actor=None,
                today=date(2026, 12, 31),
            )
            point = services.take_checkpoint(
                project,
                services.CheckpointData(date(2026, 1, 20), {}),
                actor=None,
                today=date(2026, 12, 31),
            )
            db.session.commit()
            checkpoint_id, ev, ac = point.id, point.ev, point.ac
            assert ev == 0 or ac > 0
            # Amounts whose ratios do not terminate, and indices that disagree with them: the
            # migration derives the indices from the amounts each way.
            db.session.execute(
                text(
                    "UPDATE budget_checkpoints SET ev = 300, pv = 900, cpi = 0.5, "
                    "spi = 0.5, tcpi = 1 WHERE id = :id"
                ),
                {"id": checkpoint_id},
            )
            db.session.commit()
            db.session.remove()

            downgrade(revision="0009_reliability")
            narrow = tuple(D(str(v)) for v in _indices(checkpoint_id))
            db.session.remove()
            assert narrow == (D("0.429"), D("0.333"), D("1.043"))
            upgrade()
            cpi, spi, tcpi = (D(str(v)) for v in _indices(checkpoint_id))
            db.session.remove()
            # 300 / 700, 300 / 900 and (10,000 - 300) / (10,000 - 700), to 12 places (BAC is
            # the one stage's £10,000).
            assert cpi.quantize(D("1e-12")) == D("0.428571428571")
            assert spi.quantize(D("1e-12")) == D("0.333333333333")
            assert tcpi.quantize(D("1e-12")) == D("1.043010752688")
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
