"""The portfolio's read model: one row of facts per project, built by set-based SQL, and
grouped figures computed from it by aggregate and window functions.

Every page issues a fixed number of statements whatever the size of the portfolio: the
per-project facts are a subquery, never a Python loop; medians of CPI and SPI are an
aggregate function (``sql.median``), the median wait a running total over stored counts.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import (
    Date,
    Float,
    Integer,
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
    null,
    or_,
    select,
    true,
    union,
    union_all,
)

from tracker.agile.models import Feedback, Iteration
from tracker.agile.rules import IterationStatus
from tracker.audit.models import AuditEntry
from tracker.budget.models import BudgetException, Checkpoint
from tracker.budget.rules import BudgetExceptionStatus, CheckpointStatus
from tracker.extensions import db
from tracker.methods.model import DECISION_DRIVERS
from tracker.methods.models import (
    Assessment,
    MethodDecision,
    MethodDecisionDriver,
    MethodSwitch,
)
from tracker.methods.switching import SwitchStatus
from tracker.orgs.models import Organisation
from tracker.portfolio import rules
from tracker.portfolio.models import PortfolioReviewWait, PortfolioSummary
from tracker.portfolio.sql import days_between, median, utc_day
from tracker.programmes.models import Programme, ProgrammeProject
from tracker.programmes.queries import tree_ids as programme_tree
from tracker.projects.models import Project, ProjectMembership, project_partners
from tracker.projects.queries import size_tier_expression
from tracker.projects.rules import FINISHED_STATUSES, OPEN_STATUSES, ProjectStatus
from tracker.stages.models import ExceptionReport, GateReview
from tracker.stages.rules import ExceptionStatus, GateStatus


@dataclass(frozen=True)
class Filters:
    organisation: int | None = None
    # Projects in a portfolio's programmes, or in a programme (and its sub-programmes), today.
    portfolio: int | None = None
    programme: int | None = None
    tier: str | None = None
    zone: str | None = None
    status: str | None = None
    method: str | None = None
    period_from: date | None = None
    period_to: date | None = None
    # Only projects this person is a member of (any role); None: every project.
    member: int | None = None


def _latest(statement: Select, partition, *order) -> Select:
    """Keep the latest row per ``partition`` of ``statement`` (row_number() = 1)."""
    ranked = statement.add_columns(
        func.row_number()
        .over(partition_by=partition, order_by=[desc(o) for o in order])
        .label("rn")
    ).subquery()
    return select(*[c for c in ranked.c if c.name != "rn"]).where(ranked.c.rn == 1).subquery()


def _scoped(statement: Select, column, ids) -> Select:
    """Restrict a per-project fact to some projects (``ids`` None: every project)."""
    return statement if ids is None else statement.where(column.in_(ids))


def latest_checkpoints(period_to: date | None = None, ids=None):
    statement = select(
        Checkpoint.project_id,
        Checkpoint.taken_on,
        Checkpoint.cpi,
        Checkpoint.spi,
        Checkpoint.status,
        Checkpoint.ac,
        Checkpoint.bac,
    )
    if period_to is not None:
        statement = statement.where(Checkpoint.taken_on <= period_to)
    statement = _scoped(statement, Checkpoint.project_id, ids)
    return _latest(statement, Checkpoint.project_id, Checkpoint.taken_on, Checkpoint.id)


def _latest_assessments(ids=None):
    return _latest(
        _scoped(select(Assessment.project_id, Assessment.zone), Assessment.project_id, ids),
        Assessment.project_id,
        Assessment.sequence,
    )


def _latest_decisions(ids=None):
    return _latest(
        _scoped(
            select(
                MethodDecision.project_id,
                MethodDecision.id.label("decision_id"),
                MethodDecision.follows_recommendation,
            ),
            MethodDecision.project_id,
            ids,
        ),
        MethodDecision.project_id,
        MethodDecision.sequence,
    )


def _exceptions(ids=None):
    """Stage exception reports and budget exceptions per project, and how many are open."""
    stage = _scoped(
        select(
            ExceptionReport.project_id.label("project_id"),
            case((ExceptionReport.status != ExceptionStatus.DECIDED, 1), else_=0).label("is_open"),
        ),
        ExceptionReport.project_id,
        ids,
    )
    budget = _scoped(
        select(
            BudgetException.project_id.label("project_id"),
            case((BudgetException.status == BudgetExceptionStatus.OPEN, 1), else_=0).label(
                "is_open"
            ),
        ),
        BudgetException.project_id,
        ids,
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


def _feedback(ids=None):
    statement = select(
        Feedback.project_id,
        func.count().label("feedback_n"),
        func.sum(Feedback.rating).label("rating_sum"),
        func.sum(case((Feedback.loop_closed, 1), else_=0)).label("loops_closed"),
    )
    return _scoped(statement, Feedback.project_id, ids).group_by(Feedback.project_id).subquery()


def review_waits(ids=None):
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
    return union_all(
        _scoped(gates, GateReview.project_id, ids),
        _scoped(iterations, Iteration.project_id, ids),
    ).subquery()


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


def wait_counts(ids=None) -> Select:
    """How many decided reviews of each project waited each number of days."""
    waits = review_waits(ids)
    return select(waits.c.project_id, waits.c.days, func.count().label("reviews")).group_by(
        waits.c.project_id, waits.c.days
    )


def _waiting_since(ids=None):
    """When each project's oldest undecided review started waiting: a pending gate since its
    request, an active iteration since its planned end (which may still be ahead)."""
    gates = (
        _scoped(
            select(
                GateReview.project_id,
                func.min(utc_day(GateReview.requested_at)).label("gate_waiting_since"),
            ).where(GateReview.status == GateStatus.PENDING),
            GateReview.project_id,
            ids,
        )
        .group_by(GateReview.project_id)
        .subquery()
    )
    iterations = (
        _scoped(
            select(
                Iteration.project_id,
                func.min(Iteration.end_on).label("iteration_waiting_since"),
            ).where(Iteration.status == IterationStatus.ACTIVE),
            Iteration.project_id,
            ids,
        )
        .group_by(Iteration.project_id)
        .subquery()
    )
    return gates, iterations


def stored_facts(ids=None) -> Select:
    """Each project's facts as ``portfolio_summaries`` stores them, computed from the history
    tables (for ``ids``, or every project): what ``summary.refresh`` writes, and what the
    stored rows are checked against."""
    checkpoint = latest_checkpoints(ids=ids)
    assessment = _latest_assessments(ids)
    decision = _latest_decisions(ids)
    exceptions = _exceptions(ids)
    feedback = _feedback(ids)
    reviews = _reviews(review_waits(ids))
    gates_waiting, iterations_waiting = _waiting_since(ids)
    statement = (
        select(
            Project.id.label("project_id"),
            func.coalesce(assessment.c.zone, "none").label("zone"),
            decision.c.decision_id,
            case(
                (decision.c.follows_recommendation.is_(None), "none"),
                (decision.c.follows_recommendation, "followed"),
                else_="departed",
            ).label("follows"),
            checkpoint.c.taken_on.label("checkpoint_on"),
            checkpoint.c.cpi,
            checkpoint.c.spi,
            checkpoint.c.status.label("cost_status"),
            checkpoint.c.ac,
            checkpoint.c.bac,
            func.coalesce(exceptions.c.exceptions, 0).label("exceptions"),
            func.coalesce(exceptions.c.open_exceptions, 0).label("open_exceptions"),
            func.coalesce(feedback.c.feedback_n, 0).label("feedback_n"),
            feedback.c.rating_sum,
            func.coalesce(feedback.c.loops_closed, 0).label("loops_closed"),
            func.coalesce(reviews.c.reviews, 0).label("reviews"),
            reviews.c.last_decided_on,
            gates_waiting.c.gate_waiting_since,
            iterations_waiting.c.iteration_waiting_since,
        )
        .select_from(Project)
        .outerjoin(checkpoint, checkpoint.c.project_id == Project.id)
        .outerjoin(assessment, assessment.c.project_id == Project.id)
        .outerjoin(decision, decision.c.project_id == Project.id)
        .outerjoin(exceptions, exceptions.c.project_id == Project.id)
        .outerjoin(feedback, feedback.c.project_id == Project.id)
        .outerjoin(reviews, reviews.c.project_id == Project.id)
        .outerjoin(gates_waiting, gates_waiting.c.project_id == Project.id)
        .outerjoin(iterations_waiting, iterations_waiting.c.project_id == Project.id)
    )
    # Always a WHERE: SQLite needs one to tell INSERT ... SELECT ... JOIN ... ON from an
    # upsert's ON CONFLICT.
    return statement.where(Project.id.in_(ids) if ids is not None else true())


def _waiting_days(summary, today: date):
    """Days the oldest undecided review has waited, as of ``today``: the later of a pending
    gate's wait and an overdue active iteration's, or NULL when nothing waits."""
    today_ = literal(today, Date)
    gate = case(
        (summary.gate_waiting_since.is_not(None), days_between(summary.gate_waiting_since, today_))
    )
    iteration = case(
        (
            summary.iteration_waiting_since < today,
            days_between(summary.iteration_waiting_since, today_),
        )
    )
    return case(
        (gate.is_(None), iteration),
        (iteration.is_(None), gate),
        (gate >= iteration, gate),
        else_=iteration,
    )


def facts(filters: Filters, today: date, *, name: str = "facts", as_cte: bool = False):
    """One row per project in the filter, with everything the portfolio shows about it, read
    from the stored summaries (``portfolio_summaries``). Only a period end needs history: the
    latest checkpoint on or before it then comes from the checkpoints themselves."""
    summary = PortfolioSummary
    zone = func.coalesce(summary.zone, "none")
    follows = func.coalesce(summary.follows, "none")
    if filters.period_to is not None:
        point = latest_checkpoints(filters.period_to)
        cpi, spi, cost_status, ac, bac = (
            point.c.cpi,
            point.c.spi,
            point.c.status,
            point.c.ac,
            point.c.bac,
        )
    else:
        point = None
        cpi, spi = summary.cpi, summary.spi
        cost_status, ac, bac = summary.cost_status, summary.ac, summary.bac
    tier = size_tier_expression()
    finished = Project.status.in_(FINISHED_STATUSES)
    finished_well = case(
        (~finished, None),
        (
            and_(
                Project.status == ProjectStatus.CLOSED,
                Project.finished_on.is_not(None),
                Project.finished_on <= Project.planned_finish,
                ac.is_not(None),
                ac <= bac,
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
            Programme.code.label("programme"),
            tier.label("tier"),
            zone.label("zone"),
            follows.label("follows"),
            summary.decision_id,
            Project.budget_at_completion.label("budget"),
            Project.planned_finish,
            Project.finished_on,
            cast(cpi, Float).label("cpi"),
            cast(spi, Float).label("spi"),
            cost_status.label("cost_status"),
            case(
                (cost_status.is_(None), None), (cost_status == CheckpointStatus.WITHIN, 1), else_=0
            ).label("within"),
            func.coalesce(summary.exceptions, 0).label("exceptions"),
            func.coalesce(summary.open_exceptions, 0).label("open_exceptions"),
            func.coalesce(summary.feedback_n, 0).label("feedback_n"),
            summary.rating_sum,
            func.coalesce(summary.loops_closed, 0).label("loops_closed"),
            func.coalesce(summary.reviews, 0).label("reviews"),
            _waiting_days(summary, today).label("waiting_days"),
            case((finished, 1), else_=0).label("finished"),
            finished_well.label("finished_well"),
            case(
                (and_(Project.status.in_(OPEN_STATUSES), Project.planned_finish < today), 1),
                else_=0,
            ).label("overdue"),
        )
        .join(Organisation, Organisation.id == Project.lead_organisation_id)
        .outerjoin(summary, summary.project_id == Project.id)
        # A project is in at most one programme at a time (a partial unique index).
        .outerjoin(
            ProgrammeProject,
            and_(ProgrammeProject.project_id == Project.id, ProgrammeProject.to_on.is_(None)),
        )
        .outerjoin(Programme, Programme.id == ProgrammeProject.programme_id)
    )
    if filters.programme is not None:
        tree = programme_tree(filters.programme)
        statement = statement.where(ProgrammeProject.programme_id.in_(select(tree.c.id)))
    if filters.portfolio is not None:
        statement = statement.where(Programme.portfolio_id == filters.portfolio)
    if point is not None:
        statement = statement.outerjoin(point, point.c.project_id == Project.id)
    if filters.member is not None:
        statement = statement.where(
            Project.id.in_(
                select(ProjectMembership.project_id).where(
                    ProjectMembership.user_id == filters.member
                )
            )
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
    return statement.cte(name) if as_cte else statement.subquery(name)


# --- grouped figures -------------------------------------------------------------------------


def _counted_median(counts, keys: list[str], *, value: str, n: str, label: str):
    """The median of ``value`` per group of ``keys``, from rows of (keys, value, n): n is how
    many times the value occurs in the group. The counts are summed in a running total over
    the values, and the median is the mean of the values at the lower and upper middle
    positions. Sorting the distinct values of a group instead of every row keeps this cheap
    however many projects there are."""
    key_cols = [counts.c[k] for k in keys]
    # PostgreSQL sums integers to numeric: cast back, so the positions divide as integers.
    running = select(
        *key_cols,
        counts.c[value].label("value"),
        counts.c[n].label("n"),
        cast(
            func.sum(counts.c[n]).over(partition_by=key_cols, order_by=counts.c[value]), Integer
        ).label("upto"),
        cast(func.sum(counts.c[n]).over(partition_by=key_cols), Integer).label("total"),
    ).subquery(f"running_{label}")
    run_keys = [running.c[k] for k in keys]
    total, upto = running.c.total, running.c.upto

    def at(position):
        """The value at 1-based ``position`` in the group's order."""
        holds = and_(upto - running.c.n < position, position <= upto)
        return func.max(case((holds, running.c.value)))

    lower, upper = (total + 1) // 2, total // 2 + 1
    return (
        select(
            *run_keys,
            (cast(at(lower) + at(upper), Float) / 2).label(f"median_{label}"),
            func.max(total).label(f"n_{label}"),
        )
        .group_by(*run_keys)
        .subquery(label)
    )


def grouped(source, keys: list[str], medians=("cpi", "spi", "wait")) -> Select:
    """Every comparison figure per group of ``source`` rows (facts, or facts joined to
    something), in one statement: counts, sums and the medians of CPI and SPI by one GROUP
    BY (``median`` is an aggregate function on both engines), and the median wait from the
    stored counts of reviews per number of days (see ``_counted_median``).

    Group keys must not be NULL (the facts coalesce them), so the wait medians can be joined
    back on them. ``source`` is read more than once: pass a CTE so it is computed once.
    """
    key_cols = [source.c[k] for k in keys]
    columns = []
    for label in ("cpi", "spi"):
        if label in medians:
            columns += [
                median(source.c[label]).label(f"median_{label}"),
                func.count(source.c[label]).label(f"n_{label}"),
            ]
        else:  # not shown for this comparison: skip the work
            columns += [
                cast(null(), Float).label(f"median_{label}"),
                cast(literal(0), Integer).label(f"n_{label}"),
            ]
    main = (
        select(
            *key_cols,
            func.count().label("projects"),
            func.sum(source.c.within).label("within"),
            func.count(source.c.within).label("n_within"),
            func.sum(source.c.exceptions).label("exceptions"),
            func.sum(source.c.rating_sum).label("rating_sum"),
            func.sum(source.c.feedback_n).label("feedback_n"),
            func.sum(source.c.loops_closed).label("loops_closed"),
            func.sum(source.c.finished).label("finished"),
            func.sum(source.c.finished_well).label("finished_well"),
            # Projects the scatter can plot (both indices known).
            func.count(case((and_(source.c.cpi.is_not(None), source.c.spi.is_not(None)), 1))).label(
                "plotted"
            ),
            *columns,
        )
        .group_by(*key_cols)
        .subquery("main")
    )
    if "wait" not in medians:
        return select(
            main,
            cast(null(), Float).label("median_wait"),
            cast(literal(0), Integer).label("n_wait"),
        )
    wait = _median_wait(source, keys)
    return select(
        main,
        wait.c.median_wait,
        cast(func.coalesce(wait.c.n_wait, 0), Integer).label("n_wait"),
    ).outerjoin(wait, and_(*[main.c[k] == wait.c[k] for k in keys]))


def _median_wait(source, keys: list[str]):
    """The median days a decided review waited, per group of ``source`` rows, from the
    stored counts of reviews per (project, days)."""
    waits = PortfolioReviewWait
    key_cols = [source.c[k] for k in keys]
    per_day = (
        select(*key_cols, waits.days, func.sum(waits.reviews).label("n"))
        .join(waits, waits.project_id == source.c.project_id)
        .group_by(*key_cols, waits.days)
        .subquery("per_day")
    )
    return _counted_median(per_day, keys, value="days", n="n", label="wait")


def with_past_methods(source):
    """Facts with a row for each method a project was delivered with: its current method,
    and the method it left at each approved switch at a boundary (``methods.switches``).
    A switched project counts under each method it spent time in; its figures are the
    project's own (the checkpoint, exceptions and feedback are not split by date).
    ``UNION`` keeps a project once per method, even one that switched back."""
    columns = list(source.c)
    past = select(
        *[
            cast(MethodSwitch.from_method, String).label("method") if c.name == "method" else c
            for c in columns
        ]
    ).join(
        MethodSwitch,
        and_(
            MethodSwitch.project_id == source.c.project_id,
            MethodSwitch.status == SwitchStatus.APPROVED,
            MethodSwitch.from_method != source.c.method,
        ),
    )
    return union(select(*columns), past).cte("by_method_history")


def with_drivers(source):
    """Facts joined to the drivers of each project's latest method decision: a project
    appears once per driver it cites."""
    return (
        select(source, cast(MethodDecisionDriver.driver, String).label("driver"))
        .join(MethodDecisionDriver, MethodDecisionDriver.decision_id == source.c.decision_id)
        .cte("by_driver")
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
    return tuple(DECISION_DRIVERS)


# --- the portfolio table -----------------------------------------------------------------------

SORT_COLUMNS = {
    "code": "code",
    "name": "name",
    "organisation": "organisation",
    "programme": "programme",
    "method": "method",
    "status": "status",
    "cpi": "cpi",
    "spi": "spi",
    "exceptions": "exceptions",
    "rating": "mean_rating",
}


def scoped(filters: Filters, viewer=None) -> Filters:
    """The filters as ``viewer`` may use them: PMO staff and administrators see every
    project, anyone else only the projects they are a member of (any role)."""
    if viewer is None or getattr(viewer, "is_pmo", False):
        return filters
    return replace(filters, member=viewer.id)


def table(
    filters: Filters,
    today: date,
    *,
    sort: str = "code",
    direction: str = "asc",
    viewer=None,
) -> Select:
    source = facts(scoped(filters, viewer), today)
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


FIGURE_COLUMNS = (
    "projects",
    "within",
    "n_within",
    "exceptions",
    "rating_sum",
    "feedback_n",
    "loops_closed",
    "finished",
    "finished_well",
    "median_cpi",
    "n_cpi",
    "median_spi",
    "n_spi",
    "median_wait",
    "n_wait",
    "plotted",
)


COMPARED = (
    "project_id",
    "method",
    "follows",
    "zone",
    "decision_id",
    "cpi",
    "spi",
    "within",
    "exceptions",
    "rating_sum",
    "feedback_n",
    "loops_closed",
    "finished",
    "finished_well",
)


def comparisons(filters: Filters, today: date) -> Select:
    """The four comparisons (by method, by following the recommendation, by decision driver,
    by zone and method) in one statement, so the projects' facts are read once: a row per
    group, tagged with its comparison and keyed by ``k1`` (and ``k2`` for the matrix)."""
    every = facts(filters, today)
    # Only what the figures need, computed once: the CTE is read by every comparison
    # (SQLite would otherwise compute it again for each), and narrow rows are cheaper.
    source = select(*[every.c[name] for name in COMPARED]).cte("facts").prefix_with("MATERIALIZED")
    parts = []
    every_median = ("cpi", "spi", "wait")
    for name, rows, keys, medians in (
        ("method", with_past_methods(source), ["method"], every_median),
        ("follows", source, ["follows"], every_median),
        ("driver", with_drivers(source), ["driver"], every_median),
        # The matrix shows counts, the median CPI and the share finished well.
        ("matrix", source, ["zone", "method"], ("cpi",)),
    ):
        group = grouped(rows, keys, medians).subquery(f"by_{name}")
        second = group.c[keys[1]] if len(keys) > 1 else literal("", String)
        parts.append(
            select(
                literal(name, String).label("grouping"),
                cast(group.c[keys[0]], String).label("k1"),
                cast(second, String).label("k2"),
                *[group.c[column] for column in FIGURE_COLUMNS],
            )
        )
    return union_all(*parts)


def dashboard(filters: Filters, today: date, *, viewer=None) -> Dashboard:
    """Everything on the dashboard in four statements, whatever the number of projects.

    ``viewer`` (optional) limits it to what that person may see (see ``scoped``); without
    it, the figures cover every project the filters select."""
    filters = scoped(filters, viewer)
    found: dict[str, dict] = {"method": {}, "follows": {}, "driver": {}, "matrix": {}}
    plotted = 0  # projects with a method and both indices: what the scatter could show
    for row in db.session.execute(comparisons(filters, today)).mappings():
        key = (row["k1"], row["k2"]) if row["grouping"] == "matrix" else row["k1"]
        found[row["grouping"]][key] = rules.figures_from(row)
        # The matrix counts each project once, under its current method (the method
        # comparison counts a switched project under each method it was delivered with).
        if row["grouping"] == "matrix" and row["k2"] != "none":
            plotted += int(row["plotted"] or 0)
    by_method, by_follows = found["method"], found["follows"]
    by_driver, matrix = found["driver"], found["matrix"]
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
    # The first projects by code only: the total comes from the comparisons above, so the
    # database can stop after SCATTER_LIMIT rows (projects.code is indexed).
    scatter = (
        select(source.c.code, source.c.method, source.c.cpi, source.c.spi)
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
        scatter_total=plotted,
    )


# --- when a closed project finished, from the evidence its history holds ---------------------


def finished_on_evidence(ids=None) -> Select:
    """(project_id, day) for every closed project: the best evidence of the day it finished,
    for projects closed before ``projects.finished_on`` existed (and for generated data):

    1. the last audit entry that closed it (closed early, a gate resolution that closed the
       project, or an edit of its status): nothing can be done to a closed project after;
    2. otherwise the day its last gate or iteration review was decided;
    3. otherwise the day the project row was last updated.
    """
    closing = or_(
        AuditEntry.action == "project.closed_early",
        and_(AuditEntry.action == "gate.resolved", AuditEntry.changes.like('%"project"%')),
        and_(AuditEntry.action == "project.updated", AuditEntry.changes.like('%"status"%')),
    )
    audited = (
        select(func.max(utc_day(AuditEntry.created_at)))
        .where(AuditEntry.project_id == Project.id, closing)
        .scalar_subquery()
    )
    waits = review_waits(ids)
    reviewed = (
        select(func.max(waits.c.decided_on))
        .where(waits.c.project_id == Project.id)
        .scalar_subquery()
    )
    statement = select(
        Project.id.label("project_id"),
        func.coalesce(audited, reviewed, utc_day(Project.updated_at)).label("day"),
    ).where(Project.status.in_(FINISHED_STATUSES))
    return _scoped(statement, Project.id, ids)
