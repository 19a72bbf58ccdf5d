"""The registers across the portfolio: open high risks and escalations waiting for a board,
by delivery method, lead organisation and uncertainty zone, each with n (the open projects
in the group). One grouped statement per dimension, whatever the portfolio's size."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from tracker.extensions import db
from tracker.orgs.models import Organisation
from tracker.portfolio.models import PortfolioSummary
from tracker.projects.models import Project
from tracker.projects.rules import FINISHED_STATUSES
from tracker.registers.models import Escalation, Risk
from tracker.registers.rules import HIGH_SCORE, EscalationStatus, RiskStatus


@dataclass(frozen=True)
class Row:
    key: str | None
    n: int
    high_risks: int
    escalations: int


def _counts():
    high = (
        select(Risk.project_id, func.count(Risk.id).label("n"))
        .where(Risk.status == RiskStatus.OPEN, Risk.likelihood * Risk.impact >= HIGH_SCORE)
        .group_by(Risk.project_id)
        .subquery()
    )
    waiting = (
        select(Escalation.project_id, func.count(Escalation.id).label("n"))
        .where(Escalation.status == EscalationStatus.AWAITING)
        .group_by(Escalation.project_id)
        .subquery()
    )
    return high, waiting


def by(dimension: str) -> list[Row]:
    """``dimension``: "method", "organisation" or "zone"."""
    high, waiting = _counts()
    column = {
        "method": Project.delivery_method,
        "organisation": Organisation.name,
        "zone": PortfolioSummary.zone,
    }[dimension]
    statement = (
        select(
            column.label("key"),
            func.count(Project.id),
            func.coalesce(func.sum(high.c.n), 0),
            func.coalesce(func.sum(waiting.c.n), 0),
        )
        .select_from(Project)
        .outerjoin(high, high.c.project_id == Project.id)
        .outerjoin(waiting, waiting.c.project_id == Project.id)
        .where(Project.status.not_in(FINISHED_STATUSES))
        .group_by(column)
        .order_by(column)
    )
    if dimension == "organisation":
        statement = statement.join(Organisation, Organisation.id == Project.lead_organisation_id)
    if dimension == "zone":
        statement = statement.outerjoin(PortfolioSummary, PortfolioSummary.project_id == Project.id)
    return [Row(key, int(n), int(h), int(e)) for key, n, h, e in db.session.execute(statement)]
