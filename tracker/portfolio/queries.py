"""The portfolio's read model: one row of facts per project, built by set-based SQL, and
grouped figures computed from it by aggregate and window functions.

Every page issues a fixed number of statements whatever the size of the portfolio: the
per-project facts are a subquery, never a Python loop, and medians come from window
functions (row_number/count over the group) that SQLite and PostgreSQL both support.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import (
    Date,
    Float,
    Select,
    String,
    and_,
    asc,
    case,
    cast,
    desc,
    exists,
    func,
    literal,
    or_,
    select,
    union_all,
)

from tracker.agile.models import Feedback, Iteration
from tracker.budget.models import BudgetException, Checkpoint
from tracker.extensions import db
from tracker.methods.models import Assessment, MethodDecision, MethodDecisionDriver
from tracker.orgs.models import Organisation
from tracker.portfolio import rules
from tracker.portfolio.sql import days_between, utc_day
from tracker.projects.models import Project, project_partners
from tracker.projects.queries import size_tier_expression
from tracker.stages.models import ExceptionReport, GateReview

FINISHED_STATUSES = ("closed", "closed_early")
OPEN_STATUSES = ("proposed", "active")


@dataclass(frozen=True)
class Filters:
    organisation: int | None = None
    tier: str | None = None
    zone: str | None = None
    status: str | None = None
    method: str | None = None
    period_from: date | None = None
    period_to: date | None = None


def _latest(statement: Select, partition, *order) -> Select:
    """Keep the latest row per ``partition`` of ``statement`` (row_number() = 1)."""
    ranked = statement.add_columns(
        func.row_number()
        .over(partition_by=partition, order_by=[desc(o) for o in order])
        .label("rn")
    ).subquery()
    return select(*[c for c in ranked.c if c.name != "rn"]).where(ranked.c.rn == 1).subquery()


def _latest_checkpoints(period_to: date | None):
    statement = select(
        Checkpoint.project_id,
        Checkpoint.cpi,
        Checkpoint.spi,
        Checkpoint.status,
        Checkpoint.ac,
        Checkpoint.bac,
    )
    if period_to is not None:
        statement = statement.where(Checkpoint.taken_on <= period_to)
    return _latest(statement, Checkpoint.project_id, Checkpoint.taken_on, Checkpoint.id)


def _latest_assessments():
    return _latest(
        select(Assessment.project_id, Assessment.zone), Assessment.project_id, Assessment.sequence
    )


def _latest_decisions():
    return _latest(
        select(
            MethodDecision.project_id,
            MethodDecision.id.label("decision_id"),
            MethodDecision.follows_recommendation,
        ),
        MethodDecision.project_id,
        MethodDecision.sequence,
    )


def _exceptions():
    """Stage exception reports and budget exceptions per project, and how many are open."""
    stage = select(
        ExceptionReport.project_id.label("project_id"),
        case((ExceptionReport.status != "decided", 1), else_=0).label("is_open"),
    )
    budget = select(
        BudgetException.project_id.label("project_id"),
        case((BudgetException.status == "open", 1), else_=0).label("is_open"),
    )
    both = union_all(stage, budget).subquery()
    return (
        select(
            both.c.project_id,
            func.count().label("exceptions"),
            func.sum(both.c.is_open).label("open_exceptions"),
        )
        .group_by(both.c.project_id)
        .subquery()
    )


def _feedback():
    return (
        select(
            Feedback.project_id,
            func.count().label("feedback_n"),
            func.sum(Feedback.rating).label("rating_sum"),
            func.sum(case((Feedback.loop_closed, 1), else_=0)).label("loops_closed"),
        )
        .group_by(Feedback.project_id)
        .subquery()
    )


def review_waits():
    """One row per decided review: a gate's days from request to resolution, an iteration's
    days from its planned end to its close (the customer's agreement), never negative."""
    gate_days = days_between(utc_day(GateReview.requested_at), utc_day(GateReview.resolved_at))
    iteration_days = days_between(Iteration.end_on, utc_day(Iteration.closed_at))
    gates = select(
        GateReview.project_id.label("project_id"),
        gate_days.label("days"),
        utc_day(GateReview.resolved_at).label("decided_on"),
    ).where(GateReview.resolved_at.is_not(None))
    iterations = select(
        Iteration.project_id.label("project_id"),
        case((iteration_days < 0, 0), else_=iteration_days).label("days"),
        utc_day(Iteration.closed_at).label("decided_on"),
    ).where(Iteration.closed_at.is_not(None))
    return union_all(gates, iterations).subquery()


def _reviews(waits):
    return (
        select(
            waits.c.project_id,
            func.count().label("reviews"),
            func.max(waits.c.decided_on).label("last_decided_on"),
        )
        .group_by(waits.c.project_id)
        .subquery()
    )


def _waiting_now(today: date):
    """Days the oldest undecided review has waited: a pending gate since its request, an
    active iteration since its planned end."""
    today_ = literal(today, Date)
    gates = select(
        GateReview.project_id.label("project_id"),
        days_between(utc_day(GateReview.requested_at), today_).label("days"),
    ).where(GateReview.status == "pending")
    iterations = select(
        Iteration.project_id.label("project_id"),
        days_between(Iteration.end_on, today_).label("days"),
    ).where(Iteration.status == "active", Iteration.end_on < today)
    both = union_all(gates, iterations).subquery()
    return (
        select(both.c.project_id, func.max(both.c.days).label("waiting_days"))
        .group_by(both.c.project_id)
        .subquery()
    )


def facts(filters: Filters, today: date):
    """One row per project in the filter, with everything the portfolio shows about it."""
    checkpoint = _latest_checkpoints(filters.period_to)
    assessment = _latest_assessments()
    decision = _latest_decisions()
    exceptions = _exceptions()
    feedback = _feedback()
    waits = review_waits()
    reviews = _reviews(waits)
    waiting = _waiting_now(today)
    zone = func.coalesce(assessment.c.zone, "none")
    tier = size_tier_expression()
    finished = Project.status.in_(FINISHED_STATUSES)
    finished_on = func.coalesce(reviews.c.last_decided_on, utc_day(Project.updated_at))
    finished_well = case(
        (~finished, None),
        (
            and_(
                Project.status == "closed",
                finished_on <= Project.planned_finish,
                checkpoint.c.ac.is_not(None),
                checkpoint.c.ac <= checkpoint.c.bac,
            ),
            1,
        ),
        else_=0,
    )
    statement = (
        select(
            Project.id.label("project_id"),
            Project.code,
            Project.name,
            Project.lead_organisation_id.label("organisation_id"),
            func.coalesce(Organisation.short_name, Organisation.name).label("organisation"),
            func.coalesce(Project.delivery_method, "none").label("method"),
            Project.status,
            tier.label("tier"),
            zone.label("zone"),
            case(
                (decision.c.follows_recommendation.is_(None), "none"),
                (decision.c.follows_recommendation, "followed"),
                else_="departed",
            ).label("follows"),
            decision.c.decision_id,
            Project.budget_at_completion.label("budget"),
            Project.planned_finish,
            cast(checkpoint.c.cpi, Float).label("cpi"),
            cast(checkpoint.c.spi, Float).label("spi"),
            checkpoint.c.status.label("cost_status"),
            case(
                (checkpoint.c.status.is_(None), None),
                (checkpoint.c.status == "within", 1),
                else_=0,
            ).label("within"),
            func.coalesce(exceptions.c.exceptions, 0).label("exceptions"),
            func.coalesce(exceptions.c.open_exceptions, 0).label("open_exceptions"),
            func.coalesce(feedback.c.feedback_n, 0).label("feedback_n"),
            feedback.c.rating_sum,
            func.coalesce(feedback.c.loops_closed, 0).label("loops_closed"),
            func.coalesce(reviews.c.reviews, 0).label("reviews"),
            waiting.c.waiting_days,
            case((finished, 1), else_=0).label("finished"),
            finished_well.label("finished_well"),
            case(
                (and_(Project.status.in_(OPEN_STATUSES), Project.planned_finish < today), 1),
                else_=0,
            ).label("overdue"),
        )
        .join(Organisation, Organisation.id == Project.lead_organisation_id)
        .outerjoin(checkpoint, checkpoint.c.project_id == Project.id)
        .outerjoin(assessment, assessment.c.project_id == Project.id)
        .outerjoin(decision, decision.c.project_id == Project.id)
        .outerjoin(exceptions, exceptions.c.project_id == Project.id)
        .outerjoin(feedback, feedback.c.project_id == Project.id)
        .outerjoin(reviews, reviews.c.project_id == Project.id)
        .outerjoin(waiting, waiting.c.project_id == Project.id)
    )
    if filters.organisation is not None:
        statement = statement.where(
            or_(
                Project.lead_organisation_id == filters.organisation,
                exists().where(
                    project_partners.c.project_id == Project.id,
                    project_partners.c.organisation_id == filters.organisation,
                ),
            )
        )
    if filters.tier:
        statement = statement.where(tier == filters.tier)
    if filters.zone:
        statement = statement.where(zone == filters.zone)
    if filters.status:
        statement = statement.where(Project.status == filters.status)
    if filters.method == "none":
        statement = statement.where(Project.delivery_method.is_(None))
    elif filters.method:
        statement = statement.where(Project.delivery_method == filters.method)
    if filters.period_from is not None:
        statement = statement.where(Project.planned_finish >= filters.period_from)
    if filters.period_to is not None:
        statement = statement.where(Project.planned_start <= filters.period_to)
    return statement.subquery("facts")


# --- grouped figures -------------------------------------------------------------------------


def _ranked_median(column, keys, *, n_label: str, label: str):
    """Window columns for a median of ``column`` within ``keys``: its rank (nulls last) and
    the number of known values."""
    order = [case((column.is_(None), 1), else_=0), column]
    return (
        func.row_number().over(partition_by=keys, order_by=order).label(f"rn_{label}"),
        func.count(column).over(partition_by=keys).label(n_label),
    )


def _median(ranked, label: str):
    rn, n, value = ranked.c[f"rn_{label}"], ranked.c[f"n_{label}"], ranked.c[label]
    middle = and_(value.is_not(None), 2 * rn >= n, 2 * rn <= n + 2)
    return func.avg(cast(case((middle, value)), Float)).label(f"median_{label}")


def grouped(source, keys: list[str]) -> Select:
    """Every comparison figure per group of ``source`` rows (facts, or facts joined to
    something), in one statement: counts and sums by GROUP BY, medians by window functions.

    Group keys must not be NULL (the facts coalesce them), so the review-wait medians can be
    joined back on them.
    """
    key_cols = [source.c[k] for k in keys]
    ranked = select(
        source,
        *_ranked_median(source.c.cpi, key_cols, n_label="n_cpi", label="cpi"),
        *_ranked_median(source.c.spi, key_cols, n_label="n_spi", label="spi"),
    ).subquery("ranked")
    rkeys = [ranked.c[k] for k in keys]
    main = (
        select(
            *rkeys,
            func.count().label("projects"),
            _median(ranked, "cpi"),
            func.max(ranked.c.n_cpi).label("n_cpi"),
            _median(ranked, "spi"),
            func.max(ranked.c.n_spi).label("n_spi"),
            func.sum(ranked.c.within).label("within"),
            func.count(ranked.c.within).label("n_within"),
            func.sum(ranked.c.exceptions).label("exceptions"),
            func.sum(ranked.c.rating_sum).label("rating_sum"),
            func.sum(ranked.c.feedback_n).label("feedback_n"),
            func.sum(ranked.c.loops_closed).label("loops_closed"),
            func.sum(ranked.c.finished).label("finished"),
            func.sum(ranked.c.finished_well).label("finished_well"),
        )
        .group_by(*rkeys)
        .subquery("main")
    )
    waits = review_waits()
    per_review = select(
        *key_cols,
        waits.c.days.label("wait"),
        *_ranked_median(waits.c.days, key_cols, n_label="n_wait", label="wait"),
    ).join(waits, waits.c.project_id == source.c.project_id)
    wait_ranked = per_review.subquery("wait_ranked")
    wait_keys = [wait_ranked.c[k] for k in keys]
    wait = (
        select(
            *wait_keys,
            _median(wait_ranked, "wait"),
            func.max(wait_ranked.c.n_wait).label("n_wait"),
        )
        .group_by(*wait_keys)
        .subquery("wait")
    )
    return select(main, wait.c.median_wait, wait.c.n_wait).outerjoin(
        wait, and_(*[main.c[k] == wait.c[k] for k in keys])
    )


def with_drivers(source):
    """Facts joined to the drivers of each project's latest method decision: a project
    appears once per driver it cites."""
    return (
        select(source, cast(MethodDecisionDriver.driver, String).label("driver"))
        .join(MethodDecisionDriver, MethodDecisionDriver.decision_id == source.c.decision_id)
        .subquery("by_driver")
    )


def decision_counts(filters: Filters, today: date) -> Select:
    """How methods were chosen, per lead organisation: the number of method decisions on its
    projects (every decision, not only the latest) and how many cited each driver."""
    source = facts(filters, today)
    rows = (
        select(
            source.c.organisation,
            MethodDecision.id.label("decision_id"),
            MethodDecisionDriver.driver,
        )
        .select_from(source)
        .join(MethodDecision, MethodDecision.project_id == source.c.project_id)
        .outerjoin(MethodDecisionDriver, MethodDecisionDriver.decision_id == MethodDecision.id)
        .subquery()
    )
    return (
        select(
            rows.c.organisation,
            func.count(func.distinct(rows.c.decision_id)).label("decisions"),
            *[
                func.sum(case((rows.c.driver == driver, 1), else_=0)).label(driver)
                for driver in _drivers()
            ],
        )
        .group_by(rows.c.organisation)
        .order_by(rows.c.organisation)
    )


def _drivers():
    from tracker.methods.model import DECISION_DRIVERS

    return tuple(DECISION_DRIVERS)


# --- the portfolio table -----------------------------------------------------------------------

SORT_COLUMNS = {
    "code": "code",
    "name": "name",
    "organisation": "organisation",
    "method": "method",
    "status": "status",
    "cpi": "cpi",
    "spi": "spi",
    "exceptions": "exceptions",
    "rating": "mean_rating",
}


def table(filters: Filters, today: date, *, sort: str = "code", direction: str = "asc") -> Select:
    source = facts(filters, today)
    mean_rating = (cast(source.c.rating_sum, Float) / func.nullif(source.c.feedback_n, 0)).label(
        "mean_rating"
    )
    statement = select(source, mean_rating)
    column = SORT_COLUMNS.get(sort, "code")
    expression = mean_rating if column == "mean_rating" else source.c[column]
    order = desc if direction == "desc" else asc
    # Unknown values sort last either way, so "worst CPI first" never starts with blanks.
    return statement.order_by(
        case((expression.is_(None), 1), else_=0), order(expression), asc(source.c.code)
    )


# --- what the pages read: a fixed number of statements ------------------------------------

SCATTER_LIMIT = 300


@dataclass(frozen=True)
class Dashboard:
    by_method: dict[str, dict[str, rules.Figure]]
    by_follows: dict[str, dict[str, rules.Figure]]
    by_driver: dict[str, dict[str, rules.Figure]]
    matrix: dict[tuple[str, str], dict[str, rules.Figure]]
    decisions: list[dict]
    scatter_rows: list[tuple[str, str, float, float]]
    scatter_total: int


def _by(statement: Select, keys: list[str]) -> dict:
    found = {}
    for row in db.session.execute(statement).mappings():
        key = tuple(row[k] for k in keys)
        found[key[0] if len(keys) == 1 else key] = rules.figures_from(row)
    return found


def dashboard(filters: Filters, today: date) -> Dashboard:
    """Everything on the dashboard in six statements, whatever the number of projects."""
    by_method = _by(grouped(facts(filters, today), ["method"]), ["method"])
    by_follows = _by(grouped(facts(filters, today), ["follows"]), ["follows"])
    by_driver = _by(grouped(with_drivers(facts(filters, today)), ["driver"]), ["driver"])
    matrix = _by(grouped(facts(filters, today), ["zone", "method"]), ["zone", "method"])
    counts = [dict(row) for row in db.session.execute(decision_counts(filters, today)).mappings()]
    drivers = _drivers()
    decisions = [
        {
            "organisation": row["organisation"],
            "decisions": row["decisions"],
            "shares": rules.driver_shares(row, drivers),
        }
        for row in counts
    ]
    if len(counts) > 1:
        total = rules.total_counts(counts, drivers)
        decisions.append(
            {
                "organisation": "All organisations",
                "decisions": total["decisions"],
                "shares": rules.driver_shares(total, drivers),
                "is_total": True,
            }
        )
    source = facts(filters, today)
    scatter = (
        select(
            source.c.code,
            source.c.method,
            source.c.cpi,
            source.c.spi,
            func.count().over().label("total"),
        )
        .where(
            source.c.cpi.is_not(None),
            source.c.spi.is_not(None),
            source.c.method != "none",
        )
        .order_by(source.c.code)
        .limit(SCATTER_LIMIT)
    )
    scatter_rows = db.session.execute(scatter).all()
    return Dashboard(
        by_method=by_method,
        by_follows=by_follows,
        by_driver=by_driver,
        matrix=matrix,
        decisions=decisions,
        scatter_rows=[(r.code, r.method, r.cpi, r.spi) for r in scatter_rows],
        scatter_total=scatter_rows[0].total if scatter_rows else 0,
    )
