"""Keeping the stored portfolio facts (``portfolio_summaries``, ``portfolio_review_waits``)
equal to what the history tables say.

One function writes them: ``refresh(project_ids)``, a set-based statement group (lock,
delete and re-insert the review-wait counts, upsert the summaries) built from the same
facts SQL the portfolio used to run per request (``queries.stored_facts``), for any number
of projects. It is called:

- automatically, once per transaction: a session hook collects the project of every ORM
  object of a model the facts come from (checkpoints, assessments, method decisions and
  their drivers, gate reviews, iterations, exception reports, budget exceptions, feedback,
  projects) that is inserted, changed or deleted, including bulk ORM inserts through
  ``session.execute(insert(Model), rows)``, and refreshes them just before the commit; a
  bulk UPDATE or DELETE statement on those models, whose projects cannot be known, makes
  the hook refresh every project;
- explicitly by code that writes with Core statements outside the ORM (the national demo
  loader; bulk jobs should call ``refresh(project_ids)``, or ``refresh()`` for all);
- by ``flask portfolio refresh``, which rebuilds every row.

Every refresh moves the ``portfolio`` change stamp at its commit, so the dashboard's kept
figures (``tracker.portfolio.views``) are never older than the stored facts.

Nothing stored depends on today's date; the pages turn stored dates into days.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, event, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from tracker.agile.models import Feedback, Iteration
from tracker.budget.models import BudgetException, Checkpoint
from tracker.core import stamps
from tracker.extensions import db
from tracker.methods.models import Assessment, MethodDecision, MethodDecisionDriver
from tracker.portfolio import queries
from tracker.portfolio.models import PortfolioReviewWait, PortfolioSummary
from tracker.projects.models import Project
from tracker.stages.models import ExceptionReport, GateReview

# Models whose rows carry a ``project_id`` the stored facts are computed from.
BY_PROJECT_ID = (
    Checkpoint,
    Assessment,
    MethodDecision,
    GateReview,
    Iteration,
    ExceptionReport,
    BudgetException,
    Feedback,
)
TRACKED = (*BY_PROJECT_ID, MethodDecisionDriver, Project)
TRACKED_TABLES = {model.__table__.name for model in TRACKED}

CHUNK = 500  # projects per statement group (keeps bound parameters well under limits)

_PENDING = "portfolio_refresh"  # session.info key: project ids, or ALL
_DECISIONS = "portfolio_refresh_decisions"  # session.info key: decision ids (drivers)
ALL = "all"


def refresh(project_ids: Iterable[int] | None = None, *, session: Session | None = None) -> int:
    """Recompute the stored facts of ``project_ids`` (every project when None) in the
    session's transaction; returns the number of projects asked for (or of all projects).

    Safe to call with ids of projects that no longer exist, and from concurrent
    transactions: on PostgreSQL the summary rows are locked first, so the second of two
    refreshes of a project waits and then recomputes from what the first committed."""
    session = session or db.session
    # The dashboard keeps its figures until the portfolio stamp moves: it moves with this
    # transaction's commit, after every other lock it takes (``stamps.bump_at_end``).
    stamps.bump_at_end([stamps.PORTFOLIO], session=session)
    if project_ids is None:
        _refresh(session, None)
        return session.scalar(select(db.func.count()).select_from(Project)) or 0
    ids = sorted({int(i) for i in project_ids if i is not None})
    if not ids:
        return 0
    for start in range(0, len(ids), CHUNK):
        _refresh(session, ids[start : start + CHUNK])
    return len(ids)


def backfill_finished_on(project_ids: Iterable[int] | None = None, *, session=None) -> None:
    """Give closed projects without a finished day the best evidence their history holds
    (``queries.finished_on_evidence``): for data written past the services (the migration,
    bulk loaders)."""
    session = session or db.session
    ids = None if project_ids is None else sorted(set(project_ids))
    chunks = [None] if ids is None else [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]
    projects = Project.__table__
    for chunk in chunks:
        evidence = queries.finished_on_evidence(chunk).subquery()
        session.execute(
            projects.update()
            .where(
                projects.c.finished_on.is_(None), projects.c.status.in_(queries.FINISHED_STATUSES)
            )
            .values(
                finished_on=select(evidence.c.day)
                .where(evidence.c.project_id == projects.c.id)
                .scalar_subquery()
            )
        )


def _upsert(session: Session):
    dialect = session.get_bind().dialect.name
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(PortfolioSummary)


def _refresh(session: Session, ids: list[int] | None) -> None:
    summaries = PortfolioSummary.__table__
    waits = PortfolioReviewWait.__table__
    if ids is not None and session.get_bind().dialect.name == "postgresql":
        session.execute(
            select(summaries.c.project_id)
            .where(summaries.c.project_id.in_(ids))
            .order_by(summaries.c.project_id)
            .with_for_update()
        ).all()
    wait_rows = queries.wait_counts(ids)
    gone = delete(waits)
    if ids is not None:
        gone = gone.where(waits.c.project_id.in_(ids))
    session.execute(gone)
    session.execute(
        insert(waits).from_select(["project_id", "days", "reviews"], wait_rows.subquery().select())
    )
    facts = queries.stored_facts(ids)
    names = [column.name for column in facts.selected_columns]
    upsert = _upsert(session).from_select(names, facts)
    session.execute(
        upsert.on_conflict_do_update(
            index_elements=[summaries.c.project_id],
            set_={name: upsert.excluded[name] for name in names if name != "project_id"},
        )
    )


def differences(session: Session | None = None) -> list[dict]:
    """Projects whose stored facts differ from a fresh computation (empty when in step):
    what the tests, and anyone doubting the stored rows, check."""
    session = session or db.session
    fresh = {row.project_id: dict(row._mapping) for row in session.execute(queries.stored_facts())}
    stored_columns = [PortfolioSummary.__table__.c[name] for name in _fact_names()]
    stored = {
        row.project_id: dict(row._mapping) for row in session.execute(select(*stored_columns))
    }
    found = []
    for project_id in sorted(set(fresh) | set(stored)):
        if fresh.get(project_id) != stored.get(project_id):
            found.append(
                {
                    "project_id": project_id,
                    "stored": stored.get(project_id),
                    "fresh": fresh.get(project_id),
                }
            )
    waits = PortfolioReviewWait
    fresh_waits = {tuple(row) for row in session.execute(queries.wait_counts())}
    stored_waits = {
        tuple(row) for row in session.execute(select(waits.project_id, waits.days, waits.reviews))
    }
    for project_id, days, reviews in sorted(fresh_waits ^ stored_waits):
        found.append({"project_id": project_id, "review_waits": (days, reviews)})
    return found


def _fact_names() -> list[str]:
    return [column.name for column in queries.stored_facts().selected_columns]


# --- the hook: refresh the projects a transaction touched, once, before it commits ----------


def _pending(session: Session) -> set | str:
    return session.info.setdefault(_PENDING, set())


def _note(session: Session, project_id) -> None:
    pending = _pending(session)
    if pending != ALL and project_id is not None:
        pending.add(project_id)


def _note_all(session: Session) -> None:
    session.info[_PENDING] = ALL


def _note_object(session: Session, obj) -> None:
    if isinstance(obj, BY_PROJECT_ID):
        _note(session, obj.project_id)
    elif isinstance(obj, Project):
        _note(session, obj.id)
    elif isinstance(obj, MethodDecisionDriver):
        session.info.setdefault(_DECISIONS, set()).add(obj.decision_id)


@event.listens_for(Session, "after_flush")
def _collect(session: Session, flush_context) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, TRACKED):
            _note_object(session, obj)


@event.listens_for(Session, "do_orm_execute")
def _collect_bulk(state) -> None:
    """Bulk ORM statements bypass the flush: read the projects from their rows."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if table is None or table.name not in TRACKED_TABLES:
        return
    session = state.session
    column = "id" if table.name == Project.__table__.name else "project_id"
    rows = state.parameters
    if isinstance(rows, dict):
        rows = [rows]
    is_driver = table.name == MethodDecisionDriver.__table__.name
    if state.is_insert and rows and not is_driver and all(column in row for row in rows):
        for row in rows:
            _note(session, row[column])
        return
    if state.is_insert and rows and is_driver:
        session.info.setdefault(_DECISIONS, set()).update(row.get("decision_id") for row in rows)
        return
    _note_all(session)


@stamps.at_commit
def _refresh_before_commit(session: Session) -> None:
    # Called once per real commit, after the last flush (not for savepoints).
    if not session.info.get(_PENDING) and not session.info.get(_DECISIONS):
        return
    pending = session.info.pop(_PENDING, set())
    decisions = session.info.pop(_DECISIONS, set())
    if decisions and pending != ALL:
        pending |= set(
            session.scalars(
                select(MethodDecision.project_id).where(MethodDecision.id.in_(decisions))
            )
        )
    if pending == ALL:
        refresh(None, session=session)
    elif pending:
        refresh(pending, session=session)
    # The refresh itself is Core SQL on untracked tables: nothing new to collect. Ids noted
    # in a transaction that rolls back are refreshed at the next commit instead: harmless.
    session.info.pop(_PENDING, None)
