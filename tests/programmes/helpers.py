"""Builders for programme tests: checkpoints written directly so each test states the
money it expects back."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tracker.budget.models import Baseline, Checkpoint
from tracker.extensions import db


def checkpoint(project, *, on: date, bac, pv, ev, ac, tolerance_limit=None) -> Checkpoint:
    baseline = db.session.query(Baseline).filter_by(project_id=project.id).first()
    if baseline is None:
        baseline = Baseline(
            project_id=project.id,
            number=1,
            kind="stage",
            bac=Decimal(bac),
            starts_on=project.planned_start,
            finishes_on=project.planned_finish,
            reason="First baseline",
        )
        db.session.add(baseline)
        db.session.flush()
    bac, pv, ev, ac = (Decimal(str(v)) for v in (bac, pv, ev, ac))
    point = Checkpoint(
        project_id=project.id,
        baseline_id=baseline.id,
        taken_on=on,
        trigger="manual",
        bac=bac,
        pv=pv,
        ev=ev,
        ac=ac,
        cv=ev - ac,
        sv=ev - pv,
        cpi=(ev / ac) if ac else None,
        spi=(ev / pv) if pv else None,
        eac_atypical=bac,
        status="within",
        tolerance_limit=None if tolerance_limit is None else Decimal(str(tolerance_limit)),
    )
    db.session.add(point)
    db.session.commit()
    return point
