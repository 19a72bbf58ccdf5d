"""The evidence's read model: one row per project and method it was delivered under.

Two statements whatever the size of the portfolio: the outcome rows (set-based, from the
portfolio's per-project facts, the method decisions and the checkpoints) and the drivers of
the departures from the recommendation. The statistics are computed in Python
(``rules.py``) from those rows.

**Projects that switched method.** A project's method decisions split its life into
periods: from one decision to the next (the first period starts with the project, the last
runs on). The project counts under each method it was delivered with: its checkpoint
figures (CPI, SPI, within cost tolerance) under a method are those of its latest
checkpoint in that period. The figures that belong to the project as a whole (exceptions,
customer feedback, loops closed, CPI and SPI at closure, finished on time and within
budget) count under the method it finished or is being delivered with (its last period).
A project with one decision (most) has one period and counts once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Float, and_, case, cast, desc, func, or_, select

from tracker.budget.models import Checkpoint
from tracker.core.money import ToleranceStatus
from tracker.extensions import db
from tracker.methods.models import Assessment, MethodDecision, MethodDecisionDriver
from tracker.portfolio import queries as portfolio
from tracker.portfolio.sql import utc_day


@dataclass(frozen=True)
class Filters:
    organisation: int | None = None
    tier: str | None = None
    period_from: date | None = None
    period_to: date | None = None


def _periods():
    """(project, method, from_day, to_day, is_last) for every method decision."""
    day = utc_day(MethodDecision.decided_at)
    ranked = select(
        MethodDecision.project_id,
        MethodDecision.method,
        MethodDecision.sequence,
        day.label("from_day"),
        func.lead(day)
        .over(partition_by=MethodDecision.project_id, order_by=MethodDecision.sequence)
        .label("to_day"),
        func.row_number()
        .over(partition_by=MethodDecision.project_id, order_by=desc(MethodDecision.sequence))
        .label("from_last"),
    ).subquery("periods")
    return ranked


def _period_checkpoints(periods, period_to: date | None):
    """The latest checkpoint within each period (the first period has no start)."""
    in_period = and_(
        Checkpoint.project_id == periods.c.project_id,
        or_(periods.c.sequence == 1, Checkpoint.taken_on >= periods.c.from_day),
        or_(periods.c.to_day.is_(None), Checkpoint.taken_on < periods.c.to_day),
    )
    if period_to is not None:
        in_period = and_(in_period, Checkpoint.taken_on <= period_to)
    ranked = (
        select(
            periods.c.project_id,
            periods.c.sequence,
            Checkpoint.cpi,
            Checkpoint.spi,
            Checkpoint.status,
            func.row_number()
            .over(
                partition_by=(periods.c.project_id, periods.c.sequence),
                order_by=(desc(Checkpoint.taken_on), desc(Checkpoint.id)),
            )
            .label("rn"),
        )
        .select_from(periods)
        .join(Checkpoint, in_period)
        .where(periods.c.to_day.is_not(None))  # the last period is the project's latest
        .subquery("period_checkpoints")
    )
    return select(ranked).where(ranked.c.rn == 1).subquery("period_checkpoint")


def _latest_assessment():
    ranked = select(
        Assessment.project_id,
        Assessment.scores_json.label("scores"),
        Assessment.answers_json.label("answers"),
        func.row_number()
        .over(partition_by=Assessment.project_id, order_by=desc(Assessment.sequence))
        .label("rn"),
    ).subquery("assessment_ranked")
    return select(ranked).where(ranked.c.rn == 1).subquery("latest_assessment")


def outcome_rows(filters: Filters, today: date, *, with_scores: bool = False) -> list[dict]:
    """One dict per (project, method period) with every measure's value (None: not
    counted), its zone, size tier, organisation and whether its latest method decision
    followed the recommendation. ``with_scores`` adds the latest assessment's scores and C1
    (for the bands of the model's dimensions)."""
    facts = portfolio.facts(
        portfolio.Filters(
            organisation=filters.organisation,
            tier=filters.tier,
            period_from=filters.period_from,
            period_to=filters.period_to,
        ),
        today,
    )
    periods = _periods()
    checkpoint = _period_checkpoints(periods, filters.period_to)
    is_last = func.coalesce(periods.c.from_last, 1) == 1
    finished = facts.c.finished == 1
    columns = [
        facts.c.project_id,
        facts.c.code,
        facts.c.name,
        facts.c.organisation,
        facts.c.tier,
        facts.c.zone,
        facts.c.follows,
        facts.c.decision_id,
        func.coalesce(periods.c.method, facts.c.method).label("method"),
        func.coalesce(periods.c.sequence, 1).label("period"),
        case((is_last, 1), else_=0).label("is_last"),
        case((is_last, facts.c.cpi), else_=cast(checkpoint.c.cpi, Float)).label("cpi"),
        case((is_last, facts.c.spi), else_=cast(checkpoint.c.spi, Float)).label("spi"),
        case(
            (is_last, facts.c.within),
            (checkpoint.c.status.is_(None), None),
            (checkpoint.c.status == ToleranceStatus.WITHIN, 1),
            else_=0,
        ).label("within"),
        case((and_(is_last, finished), facts.c.cpi)).label("cpi_closure"),
        case((and_(is_last, finished), facts.c.spi)).label("spi_closure"),
        case((is_last, facts.c.exceptions)).label("exceptions"),
        case(
            (and_(is_last, facts.c.feedback_n > 0), cast(facts.c.rating_sum, Float)),
        ).label("rating_sum"),
        case((is_last, facts.c.feedback_n)).label("feedback_n"),
        case((is_last, facts.c.loops_closed)).label("loops_closed"),
        case((is_last, facts.c.finished_well)).label("on_time_budget"),
    ]
    statement = (
        select(*columns)
        .select_from(facts)
        .outerjoin(periods, periods.c.project_id == facts.c.project_id)
        .outerjoin(
            checkpoint,
            and_(
                checkpoint.c.project_id == periods.c.project_id,
                checkpoint.c.sequence == periods.c.sequence,
            ),
        )
        .where(or_(periods.c.method.is_not(None), facts.c.method != "none"))
    )
    if with_scores:
        assessment = _latest_assessment()
        statement = statement.add_columns(assessment.c.scores, assessment.c.answers).outerjoin(
            assessment, assessment.c.project_id == facts.c.project_id
        )
    rows = []
    for row in db.session.execute(statement.order_by(facts.c.code, "period")).mappings():
        item = dict(row)
        feedback_n = item.pop("feedback_n") or 0
        rating_sum = item.pop("rating_sum")
        loops = item.pop("loops_closed")
        item["rating"] = rating_sum / feedback_n if feedback_n and rating_sum is not None else None
        item["loops"] = loops / feedback_n if feedback_n and loops is not None else None
        if with_scores:
            scores = json.loads(item.pop("scores") or "{}")
            answers = json.loads(item.pop("answers") or "{}")
            item["uncertainty"] = scores.get("uncertainty")
            item["feasibility"] = scores.get("feasibility")
            item["readiness"] = scores.get("readiness")
            item["criticality"] = answers.get("C1")
            item["answers"] = answers
        rows.append(item)
    return rows


def departure_drivers(filters: Filters, today: date) -> list[dict]:
    """(zone, tier, driver, decisions): the drivers cited by the latest method decisions
    that departed from the recommendation, per zone and size tier."""
    facts = portfolio.facts(
        portfolio.Filters(
            organisation=filters.organisation,
            tier=filters.tier,
            period_from=filters.period_from,
            period_to=filters.period_to,
        ),
        today,
    )
    statement = (
        select(
            facts.c.zone,
            facts.c.tier,
            MethodDecisionDriver.driver,
            func.count().label("decisions"),
        )
        .select_from(facts)
        .join(MethodDecisionDriver, MethodDecisionDriver.decision_id == facts.c.decision_id)
        .where(facts.c.follows == "departed")
        .group_by(facts.c.zone, facts.c.tier, MethodDecisionDriver.driver)
    )
    return [dict(row) for row in db.session.execute(statement).mappings()]
