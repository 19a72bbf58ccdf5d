"""Read models for the budget pages: set-based, a fixed number of queries per page."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Select, and_, func, literal, select

from tracker.agile.models import Iteration
from tracker.auth.models import User
from tracker.budget import rules
from tracker.budget.models import Baseline, BudgetException, Checkpoint, CostEntry
from tracker.budget.rules import BudgetExceptionStatus
from tracker.core.charts import Chart, index, line_chart, pounds, pounds_and_pence
from tracker.db import utcnow
from tracker.extensions import db
from tracker.projects.models import Project, ProjectMembership
from tracker.stages.models import Stage


@dataclass(frozen=True)
class CostFilters:
    category: str | None = None
    link: str | None = None  # "stage:ID" or "iteration:ID"
    supplier: str | None = None
    date_from: date | None = None
    date_to: date | None = None

    def as_args(self) -> dict[str, str]:
        args = {
            "category": self.category,
            "link": self.link,
            "supplier": self.supplier,
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
        }
        return {key: value for key, value in args.items() if value}


def _parse_day(raw: str | None) -> date | None:
    try:
        return date.fromisoformat((raw or "").strip())
    except ValueError:
        return None


def cost_filters(args) -> CostFilters:
    """Filters from the query string; anything malformed is ignored, not an error page."""
    category = args.get("category")
    link = args.get("link") or ""
    kind, _, number = link.partition(":")
    return CostFilters(
        category=category if category in rules.COST_CATEGORIES else None,
        link=link if kind in ("stage", "iteration") and number.isdigit() else None,
        supplier=(args.get("supplier") or "").strip()[:200] or None,
        date_from=_parse_day(args.get("from")),
        date_to=_parse_day(args.get("to")),
    )


def cost_entries(project_id: int, filters: CostFilters) -> Select:
    """Cost entries newest first, with the stage or iteration name and who recorded them."""
    query = (
        select(CostEntry, Stage.sequence, Stage.name, Iteration.name, User.name)
        .outerjoin(Stage, Stage.id == CostEntry.stage_id)
        .outerjoin(Iteration, Iteration.id == CostEntry.iteration_id)
        .outerjoin(User, User.id == CostEntry.recorded_by_id)
        .where(CostEntry.project_id == project_id)
    )
    if filters.category:
        query = query.where(CostEntry.category == filters.category)
    if filters.link:
        kind, _, number = filters.link.partition(":")
        column = CostEntry.stage_id if kind == "stage" else CostEntry.iteration_id
        query = query.where(column == int(number))
    if filters.supplier:
        query = query.where(func.lower(CostEntry.supplier).contains(filters.supplier.lower()))
    if filters.date_from:
        query = query.where(CostEntry.spent_on >= filters.date_from)
    if filters.date_to:
        query = query.where(CostEntry.spent_on <= filters.date_to)
    return query.order_by(CostEntry.spent_on.desc(), CostEntry.id.desc())


def cost_total(project_id: int, filters: CostFilters) -> Decimal:
    query = cost_entries(project_id, filters).order_by(None).subquery()
    total = db.session.scalar(select(func.coalesce(func.sum(query.c.amount), 0)))
    return rules.money(Decimal(total))


def checkpoints(project_id: int) -> list[Checkpoint]:
    return list(
        db.session.scalars(
            select(Checkpoint)
            .where(Checkpoint.project_id == project_id)
            .order_by(Checkpoint.taken_on, Checkpoint.id)
        )
    )


def baselines(project_id: int) -> list[Baseline]:
    return list(
        db.session.scalars(
            select(Baseline)
            .where(Baseline.project_id == project_id)
            .order_by(Baseline.number.desc())
        ).unique()
    )


def reasons_of(checkpoint: Checkpoint) -> dict[str, str]:
    return json.loads(checkpoint.reasons or "{}")


def _label(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def s_curve(points: list[Checkpoint], curve: rules.Baseline | None) -> Chart | None:
    """PV, EV and AC at each checkpoint, with PV at the start and finish of the baseline and
    the EAC projection from the latest checkpoint's AC to EAC at the planned finish."""
    if not points and (curve is None or not curve.points):
        return None
    rows: list[tuple[date, Decimal | None, Decimal | None, Decimal | None, Decimal | None]] = []
    if curve is not None and curve.points and (not points or curve.start < points[0].taken_on):
        rows.append((curve.start, rules.planned_value_at(curve, curve.start), None, None, None))
    for point in points:
        rows.append((point.taken_on, point.pv, point.ev, point.ac, None))
    last = points[-1] if points else None
    if curve is not None and curve.finish is not None:
        finish = curve.finish
        if last is None or finish > last.taken_on:
            eac = last.eac if last is not None else None
            rows.append((finish, curve.bac, None, None, eac))
            if last is not None and eac is not None:
                # The projection starts from the latest actual cost.
                day, pv, ev, ac, _ = rows[-2]
                rows[-2] = (day, pv, ev, ac, ac)
    if last is not None:
        description = (
            f"At the checkpoint of {_label(last.taken_on)}: planned value {pounds(last.pv)}, "
            f"earned value {pounds(last.ev)}, actual cost {pounds(last.ac)}"
            + (f", forecast at completion {pounds(last.eac)}." if last.eac is not None else ".")
        )
    else:
        description = "No checkpoint yet: the planned value alone."
    return line_chart(
        [_label(row[0]) for row in rows],
        {
            "Planned value (PV)": [row[1] for row in rows],
            "Earned value (EV)": [row[2] for row in rows],
            "Actual cost (AC)": [row[3] for row in rows],
            "Forecast to EAC": [row[4] for row in rows],
        },
        x_values=[row[0] for row in rows],
        y_format=pounds,
        table_format=pounds_and_pence,
        x_title="Date (to scale)",
        y_title="Pounds",
        description=description,
    )


def _two_places(value: Decimal | None) -> Decimal | None:
    """Indices on screen have two decimal places (full precision is stored)."""
    return None if value is None else value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def index_chart(points: list[Checkpoint]) -> Chart | None:
    if len(points) < 1:
        return None
    last = points[-1]
    return line_chart(
        [_label(point.taken_on) for point in points],
        {
            "CPI": [_two_places(point.cpi) for point in points],
            "SPI": [_two_places(point.spi) for point in points],
        },
        x_values=[point.taken_on for point in points],
        y_format=index,
        reference=(1, "1.00: on plan"),
        y_domain=(Decimal("0.8"), Decimal("1.2")),
        x_title="Checkpoint date (to scale)",
        y_title="Index",
        description=(
            f"At the checkpoint of {_label(last.taken_on)}: CPI "
            f"{'not known' if last.cpi is None else index(_two_places(last.cpi))}, SPI "
            f"{'not known' if last.spi is None else index(_two_places(last.spi))}. "
            "1.00 is on plan; below it is over cost or behind schedule."
        ),
    )


def project_summary(project_id: int) -> dict:
    """The project page's budget section: spent to date and the latest checkpoint."""
    row = db.session.execute(
        select(
            select(func.coalesce(func.sum(CostEntry.amount), 0))
            .where(CostEntry.project_id == project_id)
            .scalar_subquery(),
            select(func.count(Baseline.id))
            .where(Baseline.project_id == project_id)
            .scalar_subquery(),
        )
    ).one()
    latest = db.session.scalars(
        select(Checkpoint)
        .where(Checkpoint.project_id == project_id)
        .order_by(Checkpoint.taken_on.desc(), Checkpoint.id.desc())
        .limit(1)
    ).first()
    return {"spent": rules.money(Decimal(row[0])), "has_baseline": row[1] > 0, "latest": latest}


@dataclass(frozen=True)
class InboxItem:
    id: int
    project_id: int
    project_code: str
    project_name: str
    role: str
    waiting_since: datetime

    @property
    def days_waiting(self) -> int:
        return max((utcnow().date() - self.waiting_since.date()).days, 0)


def _role_required(roles_column, role_column):
    """``role`` is one of a comma-separated roles snapshot (as the stage inbox does it)."""
    return (literal(",") + roles_column + literal(",")).contains(
        literal(",") + role_column + literal(",")
    )


def inbox(user) -> list[InboxItem]:
    """Open budget exceptions waiting for a board role this person holds, oldest first."""
    rows = db.session.execute(
        select(
            BudgetException.id,
            BudgetException.project_id,
            Project.code,
            Project.name,
            ProjectMembership.role,
            BudgetException.raised_at,
        )
        .join(Project, Project.id == BudgetException.project_id)
        .join(
            ProjectMembership,
            and_(
                ProjectMembership.project_id == BudgetException.project_id,
                ProjectMembership.user_id == user.id,
            ),
        )
        .where(
            BudgetException.status == BudgetExceptionStatus.OPEN,
            _role_required(BudgetException.required_roles, ProjectMembership.role),
        )
        .order_by(BudgetException.raised_at, BudgetException.id)
    )
    items: dict[int, InboxItem] = {}
    for row in rows:
        items.setdefault(row[0], InboxItem(*row))  # two roles held: listed once
    return list(items.values())
