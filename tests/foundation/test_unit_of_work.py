"""The one unit of work: savepoint, one commit, refusals turned into messages, and work
that waits for the commit."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update
from wtforms import Form, StringField

from tracker.core.errors import STALE_MESSAGE, RuleError, StaleEdit
from tracker.core.unit_of_work import CONFLICT_MESSAGE, form_work, unit_of_work
from tracker.orgs.models import Organisation


class NameForm(Form):
    name = StringField("Name")


def _names(db) -> list[str]:
    return list(db.session.scalars(select(Organisation.name).order_by(Organisation.name)))


def test_a_change_is_committed_and_after_commit_work_runs(db, make_org):
    org = make_org("Westshire Council")
    ran = []
    with unit_of_work() as work:
        org.name = "Westshire County Council"
        work.after_commit(lambda: ran.append("after"))
    assert work.ok and work.error is None
    assert ran == ["after"]
    db.session.expire_all()
    assert _names(db) == ["Westshire County Council"]


def test_a_rule_error_undoes_only_the_service_and_keeps_what_the_view_loaded(db, make_org):
    org = make_org("Westshire Council")
    ran = []
    with unit_of_work() as work:
        org.name = "Renamed"
        db.session.flush()
        work.after_commit(lambda: ran.append("after"))
        raise RuleError("Names must be unique.", field="name")
    assert not work.ok
    assert str(work.error) == "Names must be unique." and work.error.field == "name"
    assert ran == []
    # The record the view loaded is still usable (expired and reloaded, not detached).
    assert org.name == "Westshire Council"
    assert _names(db) == ["Westshire Council"]


def test_an_integrity_error_becomes_the_conflict_message(db, make_org):
    make_org("Westshire Council")
    other = make_org("Eastshire Council")
    with unit_of_work() as work:
        other.name = "Westshire Council"
        db.session.flush()
    assert str(work.error) == CONFLICT_MESSAGE
    assert _names(db) == ["Eastshire Council", "Westshire Council"]


def test_a_version_moved_by_someone_else_becomes_the_stale_message(db, make_org):
    org = make_org("Westshire Council")
    assert org.version == 1  # loaded by this request
    # Someone else saves the organisation after this request loaded it.
    db.session.execute(
        update(Organisation)
        .where(Organisation.id == org.id)
        .values(version=Organisation.version + 1, name="Changed meanwhile")
        .execution_options(synchronize_session=False)
    )
    with unit_of_work() as work:
        org.name = "Mine"
    assert str(work.error) == STALE_MESSAGE
    db.session.expire_all()
    assert _names(db) == ["Changed meanwhile"]


def test_a_stale_edit_raised_by_a_service_is_the_same_message(db):
    with unit_of_work() as work:
        raise StaleEdit()
    assert str(work.error) == STALE_MESSAGE


def test_anything_else_propagates_and_nothing_is_stored(db, make_org):
    org = make_org("Westshire Council")
    with pytest.raises(ZeroDivisionError), unit_of_work():
        org.name = "Half done"
        db.session.flush()
        _ = 1 / 0
    db.session.rollback()
    assert _names(db) == ["Westshire Council"]


def test_form_work_puts_the_refusal_on_the_named_field_or_the_summary(app, db):
    with app.test_request_context():
        form = NameForm()
        form.form_errors = []
        with form_work(form):
            raise RuleError("Enter a shorter name.", field="name")
        assert form.name.errors == ["Enter a shorter name."]
        with form_work(form):
            raise RuleError("The project is closed.")
        assert form.form_errors == ["The project is closed."]


def test_form_work_without_a_form_flashes_the_refusal(app, db):
    from flask import get_flashed_messages

    with app.test_request_context():
        with form_work() as work:
            raise RuleError("The gate has been decided already.")
        assert not work.ok
        assert get_flashed_messages(with_categories=True) == [
            ("error", "The gate has been decided already.")
        ]
