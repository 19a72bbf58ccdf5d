"""Pagination for every list that can grow.

Flask-SQLAlchemy's paginate returns only the first column of each row; our list pages select
rows with extra columns (the project manager's name, counts), so pages hold whole rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import Select, func, select

from tracker.extensions import db


@dataclass(frozen=True)
class Page:
    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(math.ceil(self.total / self.per_page), 1)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def first_index(self) -> int:
        return 0 if self.total == 0 else (self.page - 1) * self.per_page + 1

    @property
    def last_index(self) -> int:
        return min(self.page * self.per_page, self.total)


def page_number(raw: str | int | None) -> int:
    try:
        return min(max(int(raw or 1), 1), 1_000_000)
    except (TypeError, ValueError):
        return 1


def paginate(
    statement: Select,
    page: str | int | None,
    per_page: int | None = None,
    *,
    scalars=None,
    counted_with_rows: bool = False,
) -> Page:
    """One count and one page query; a malformed or too-large page number shows the nearest.

    Rows with one selected entity come back as that entity, others as row tuples.

    ``counted_with_rows`` counts with a window function in the page query itself (one query
    instead of two; a second only when the page asked for is past the end). Use it for short
    lists such as one project's history: the window makes the database read every matching
    row, which a long list's count-then-limit avoids.
    """
    size = per_page or current_app.config["PAGE_SIZE"]
    single = len(statement.column_descriptions) == 1 if scalars is None else scalars
    if counted_with_rows:
        number = page_number(page)
        total_column = func.count().over().label("_page_total")
        rows = db.session.execute(
            statement.add_columns(total_column).limit(size).offset((number - 1) * size)
        ).all()
        if rows or number == 1:
            total = rows[0][-1] if rows else 0
            items = [row[0] if single else row[:-1] for row in rows]
            return Page(items=items, page=number, per_page=size, total=total)
    total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    number = min(page_number(page), max(math.ceil(total / size), 1))
    limited = statement.limit(size).offset((number - 1) * size)
    result = db.session.execute(limited)
    items = list(result.scalars() if single else result.all())
    return Page(items=items, page=number, per_page=size, total=total)
