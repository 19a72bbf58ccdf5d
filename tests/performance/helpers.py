"""What the performance tests share."""

from __future__ import annotations

import re

from sqlalchemy import event

# A CSRF token is signed with the time it was made, so two requests a second apart carry
# different tokens on the same page. Pages are compared with the tokens' values masked
# (their places and number still count).
_CSRF_VALUE = re.compile(r'(name="csrf_token"[^>]*?value=")[^"]*(")')


def without_csrf_tokens(page: str) -> str:
    return _CSRF_VALUE.sub(r"\1…\2", page)


def get_counting_queries(db, client, url) -> tuple[int, str]:
    """GET ``url``; the number of SQL queries the request issued (SQLite's ``BEGIN`` is not a
    query), and the page with its CSRF tokens masked (``without_csrf_tokens``), so that two
    views of one page compare equal whatever second they fell in."""
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
    return len(statements), without_csrf_tokens(response.get_data(as_text=True))
