"""Temporary lockout after repeated failed sign-ins, counted per account in the database."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tracker.audit.models import AuditEntry
from tracker.auth import lockout
from tracker.auth.models import LoginThrottle
from tracker.db import utcnow

GENERIC = "Email address or password is not correct"
LOCKED = "Too many failed attempts to sign in with this email address"


def _sign_in(client, email, password):
    return client.post("/login", data={"email": email, "password": password})


def _fail(client, email, times):
    return [_sign_in(client, email, "wrong password here") for _ in range(times)]


def test_five_failures_lock_the_account_even_with_the_right_password(client, make_user):
    user = make_user(password="correct horse battery")
    responses = _fail(client, user.email, 5)
    assert all(r.status_code == 400 for r in responses)
    assert GENERIC in responses[3].get_data(as_text=True)
    assert LOCKED in responses[4].get_data(as_text=True)
    response = _sign_in(client, user.email, "correct horse battery")
    assert response.status_code == 400
    assert LOCKED in response.get_data(as_text=True)


def test_four_failures_then_the_right_password_signs_in_and_clears_the_count(client, db, make_user):
    user = make_user(password="correct horse battery")
    _fail(client, user.email, 4)
    assert _sign_in(client, user.email, "correct horse battery").status_code == 302
    assert db.session.get(LoginThrottle, lockout.email_key(user.email)) is None


def test_an_unknown_email_is_locked_with_the_same_message(client, make_user):
    known = make_user()
    known_pages = [r.get_data(as_text=True) for r in _fail(client, known.email, 6)]
    unknown_pages = [r.get_data(as_text=True) for r in _fail(client, "nobody@example.gov.uk", 6)]
    for known_page, unknown_page in zip(known_pages, unknown_pages, strict=True):
        assert (GENERIC in known_page) == (GENERIC in unknown_page)
        assert (LOCKED in known_page) == (LOCKED in unknown_page)
    assert LOCKED in unknown_pages[-1]


def test_lockout_is_counted_per_account_and_case_insensitively(client, make_user):
    victim = make_user(password="correct horse battery")
    other = make_user(password="correct horse battery")
    _fail(client, victim.email.upper(), 5)
    assert _sign_in(client, other.email, "correct horse battery").status_code == 302


def test_lockout_is_audited(client, db, make_user):
    user = make_user()
    _fail(client, user.email, 5)
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "auth.locked_out")
    ).one()
    assert entry.object_id == user.id
    assert "5 failed attempts" in entry.summary


def test_the_lock_expires(client, db, make_user):
    user = make_user(password="correct horse battery")
    _fail(client, user.email, 5)
    row = db.session.get(LoginThrottle, lockout.email_key(user.email))
    row.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert _sign_in(client, user.email, "correct horse battery").status_code == 302


def test_old_failures_fall_out_of_the_window(app, db, make_user):
    user = make_user()
    start = utcnow()
    with app.test_request_context():
        for minute in range(4):
            assert not lockout.record_failure(user.email, user, start + timedelta(minutes=minute))
        # The fifth failure comes after the 15-minute window: the count starts again.
        assert not lockout.record_failure(user.email, user, start + timedelta(minutes=16))
        row = db.session.get(LoginThrottle, lockout.email_key(user.email))
        assert row.failures == 1
        assert row.locked_until is None
