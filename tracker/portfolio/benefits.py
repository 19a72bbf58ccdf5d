"""Benefits across the portfolio: planned and realised by delivery method, uncertainty zone,
lead organisation, size tier and whether the method followed the recommendation, each with
n; value for money (realised cashable benefit per pound spent).

Read from the benefits' stored facts (each benefit's latest measurement and latest review
outcome, kept on its row by ``tracker.benefits.services``) and the stored portfolio facts
(zone, recommendation followed, actual cost at the latest checkpoint): one grouped
statement per dimension, whatever the portfolio's size. Dis-benefits are not counted here.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import case, func, literal, select

from tracker.benefits.queries import per_project
from tracker.extensions import db
from tracker.orgs.models import Organisation
from tracker.portfolio import rules
from tracker.portfolio.models import PortfolioSummary
from tracker.projects.models import Project
from tracker.projects.queries import size_tier_expression

DIMENSIONS = ("method", "zone", "organisation", "tier", "follows")


@dataclass(frozen=True)
class Row:
    key: str | None
    projects: int
    planned: int
    reviewed: int
    realised: int
    partly: int
    planned_cash: Decimal
    realised_cash: Decimal
    spent: Decimal

    @property
    def share_realised(self) -> rules.Figure:
        """Of the benefits reviewed, the share reviewed as realised (n: those reviewed)."""
        return rules.figure(rules.share(self.realised, self.reviewed), self.reviewed, "share")

    @property
    def share_partly(self) -> rules.Figure:
        return rules.figure(rules.share(self.partly, self.reviewed), self.reviewed, "share")

    @property
    def value_for_money(self) -> Decimal | None:
        """Realised cashable benefit per pound spent on the projects with cashable benefits."""
        if not self.spent:
            return None
        return self.realised_cash / self.spent


# One row per project with benefits: shared with the programme page's roll-up.
_per_project = per_project


def by(dimension: str) -> list[Row]:
    """``dimension``: one of ``DIMENSIONS``."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}")
    per = _per_project()
    column = {
        "method": func.coalesce(Project.delivery_method, literal("none")),
        "zone": func.coalesce(PortfolioSummary.zone, literal("none")),
        "organisation": Organisation.name,
        "tier": size_tier_expression(),
        "follows": func.coalesce(PortfolioSummary.follows, literal("none")),
    }[dimension]
    spent = case((per.c.cashable > 0, func.coalesce(PortfolioSummary.ac, 0)), else_=0)
    statement = (
        select(
            column.label("key"),
            func.count(Project.id),
            func.sum(per.c.planned),
            func.sum(per.c.reviewed),
            func.sum(per.c.realised),
            func.sum(per.c.partly),
            func.sum(per.c.planned_cash),
            func.sum(per.c.realised_cash),
            func.sum(spent),
        )
        .select_from(per)
        .join(Project, Project.id == per.c.project_id)
        .outerjoin(PortfolioSummary, PortfolioSummary.project_id == Project.id)
        .group_by(column)
        .order_by(column)
    )
    if dimension == "organisation":
        statement = statement.join(Organisation, Organisation.id == Project.lead_organisation_id)
    return [
        Row(
            key,
            int(n),
            int(planned or 0),
            int(reviewed or 0),
            int(realised or 0),
            int(partly or 0),
            Decimal(str(planned_cash or 0)),
            Decimal(str(realised_cash or 0)),
            Decimal(str(spent or 0)),
        )
        for key, n, planned, reviewed, realised, partly, planned_cash, realised_cash, spent in (
            db.session.execute(statement)
        )
    ]
