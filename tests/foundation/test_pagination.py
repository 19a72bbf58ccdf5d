"""Both ways of paginating give the same page: count then limit, or one query counting with
a window function."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tracker.core.pagination import paginate
from tracker.projects.models import Project


@pytest.mark.parametrize("page", [None, "1", "2", "3", "4", "99", "-1", "x"])
@pytest.mark.parametrize("how_many", [0, 1, 5, 6])
def test_counting_with_the_rows_gives_the_same_page(app, db, make_project, page, how_many):
    before = db.session.scalar(select(Project.id).order_by(Project.id.desc()).limit(1)) or 0
    for _ in range(how_many):
        make_project()
    statement = select(Project).where(Project.id > before).order_by(Project.id)
    with app.test_request_context():
        classic = paginate(statement, page, 2)
        windowed = paginate(statement, page, 2, counted_with_rows=True)
        rows = paginate(
            select(Project.id, Project.code).where(Project.id > before).order_by(Project.id),
            page,
            2,
            counted_with_rows=True,
        )
    assert windowed == classic
    assert windowed.total == how_many
    assert [tuple(row) for row in rows.items] == [(p.id, p.code) for p in classic.items]
