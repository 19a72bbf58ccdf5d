"""Someone else's save landing while a request is under way, for the page tests of the one
unit of work (``tracker.core.unit_of_work``)."""

from __future__ import annotations

from sqlalchemy import update


def saved_meanwhile(db, record, **values) -> None:
    """Someone else saves ``record`` after this request loaded it: the row's version moves on
    (with ``values``) while the copy in the session keeps the version the page showed, so
    the request's own save is the one that finds the row changed."""
    model = type(record)
    assert record.version  # loaded into the session before the other save
    db.session.execute(
        update(model)
        .where(model.id == record.id)
        .values(version=model.version + 1, **values)
        .execution_options(synchronize_session=False)
    )
