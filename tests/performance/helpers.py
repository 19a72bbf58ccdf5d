"""What the performance tests share."""

from __future__ import annotations

from sqlalchemy import event


def get_counting_queries(db, client, url) -> tuple[int, str]:
    """GET ``url``; the number of SQL queries the request issued (SQLite's ``BEGIN`` is not a
    query), and the page."""
    statements: list[str] = []

    def count(connection, cursor, statement, *args):
        if statement != "BEGIN":
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = client.get(url)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert response.status_code == 200, (url, response.status_code)
    return len(statements), response.get_data(as_text=True)
