"""Hourly rates are edited by PMO staff and carry a version: a save based on a stale version
is refused with "changed by someone else since you opened it", never a silent overwrite."""

from __future__ import annotations

import json
import re
import threading
from datetime import date
from decimal import Decimal

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from tests.conftest import RequestClient, make_app, require_backend
from tracker.audit.models import AuditEntry
from tracker.core.errors import StaleEdit
from tracker.extensions import db as _db
from tracker.worklog import services
from tracker.worklog.models import HourlyRate

VERSION = re.compile(r'name="version"[^>]*value="(\d+)"')


def _rate(db, **overrides) -> HourlyRate:
    data = {"role": "team_member", "rate": Decimal("40.00"), "effective_from": date(2026, 1, 1)}
    rate = HourlyRate(**{**data, **overrides})
    db.session.add(rate)
    db.session.commit()
    return rate


def _browser(app, user):
    app.test_client_class = RequestClient
    browser = app.test_client()
    with browser.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    return browser


def _updates(db, rate_id) -> int:
    return db.session.scalar(
        select(func.count(AuditEntry.id)).where(
            AuditEntry.action == "rate.updated", AuditEntry.object_id == rate_id
        )
    )


def test_two_people_edit_one_rate_and_the_second_is_refused(app, db, make_user):
    rate = _rate(db)
    first = _browser(app, make_user("Priya PMO", global_role="pmo"))
    second = _browser(app, make_user("Sam PMO", global_role="pmo"))
    url = f"/rates/{rate.id}/edit"
    # Both open the form on the same version.
    opened = [VERSION.search(b.get(url).get_data(as_text=True)).group(1) for b in (first, second)]
    assert opened == ["1", "1"]

    saved = first.post(url, data={"rate": "45.50", "effective_from": "2026-01-01", "version": "1"})
    assert saved.status_code == 302
    refused = second.post(
        url, data={"rate": "99.00", "effective_from": "2026-02-01", "version": opened[1]}
    )
    assert refused.status_code == 400
    body = refused.get_data(as_text=True)
    assert "changed by someone else since you opened it" in body
    # The second save changed nothing: the first one's values stand, audited once.
    db.session.expire_all()
    rate = db.session.get(HourlyRate, rate.id)
    assert (rate.rate, rate.effective_from, rate.version) == (
        Decimal("45.50"),
        date(2026, 1, 1),
        2,
    )
    assert _updates(db, rate.id) == 1


def test_editing_a_rate_is_audited_with_what_changed(client, db, login, make_user):
    rate = _rate(db)
    login(make_user(global_role="pmo"))
    page = client.get("/rates")
    assert f"/rates/{rate.id}/edit" in page.get_data(as_text=True)
    response = client.post(
        f"/rates/{rate.id}/edit",
        data={"rate": "42.10", "effective_from": "2026-03-02", "version": "1"},
    )
    assert response.status_code == 302
    entry = db.session.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "rate.updated", AuditEntry.object_id == rate.id
        )
    ).one()
    assert json.loads(entry.changes) == {
        "effective_from": ["2026-01-01", "2026-03-02"],
        "rate": ["40.00", "42.10"],
    }
    assert "£42.10 from" in entry.summary


def test_a_rate_edit_onto_another_rates_day_is_refused_and_changes_nothing(
    client, db, login, make_user
):
    rate = _rate(db)
    _rate(db, effective_from=date(2026, 4, 1), rate=Decimal("50.00"))
    login(make_user(global_role="pmo"))
    response = client.post(
        f"/rates/{rate.id}/edit",
        data={"rate": "41.00", "effective_from": "2026-04-01", "version": "1"},
    )
    assert response.status_code == 400
    assert "already has a rate from" in response.get_data(as_text=True)
    db.session.expire_all()
    rate = db.session.get(HourlyRate, rate.id)
    assert (rate.rate, rate.effective_from, rate.version) == (
        Decimal("40.00"),
        date(2026, 1, 1),
        1,
    )
    assert _updates(db, rate.id) == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"rate": "0", "effective_from": "2026-01-01"}, "more than £0"),
        ({"rate": "-5", "effective_from": "2026-01-01"}, "Hourly rate"),
        ({"rate": "12.345", "effective_from": "2026-01-01"}, "Hourly rate"),
        ({"rate": "40", "effective_from": "2026-02-30"}, "real date"),
        ({"rate": "", "effective_from": ""}, "Enter the hourly rate"),
    ],
)
def test_bad_rate_edits_get_a_message_and_change_nothing(
    client, db, login, make_user, data, message
):
    rate = _rate(db)
    login(make_user(global_role="pmo"))
    response = client.post(f"/rates/{rate.id}/edit", data={**data, "version": "1"})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(HourlyRate, rate.id).version == 1


def test_people_outside_the_pmo_cannot_edit_rates(client, db, login, make_user):
    rate = _rate(db)
    login(make_user())
    response = client.post(
        f"/rates/{rate.id}/edit", data={"rate": "1.00", "effective_from": "2026-01-01"}
    )
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(HourlyRate, rate.id).rate == Decimal("40.00")


# PostgreSQL: two saves at the same moment, in real concurrent sessions -------------------


@pytest.fixture(scope="module")
def pg_app(tmp_path_factory):
    require_backend("postgresql")
    app = make_app("postgresql", tmp_path_factory, "ratesrace")
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        _db.engine.dispose()


@pytest.mark.postgres
def test_two_saves_of_one_rate_at_the_same_moment_one_is_refused(pg_app):
    from tracker.auth import services as users

    with pg_app.app_context():
        pmo = [
            users.create_user(
                email=f"pmo{n}.race@example.gov.uk",
                name=f"PMO {n}",
                password="correct horse battery",
                global_role="pmo",
            ).id
            for n in (1, 2)
        ]
        rate = HourlyRate(role="team_member", rate=Decimal(40), effective_from=date(2026, 1, 1))
        _db.session.add(rate)
        _db.session.commit()
        rate_id = rate.id
        _db.session.remove()

    barrier = threading.Barrier(2)
    results = [""] * 2

    def save(index: int, amount: str) -> None:
        from tracker.auth.models import User

        with pg_app.app_context():
            try:
                actor = _db.session.get(User, pmo[index])
                record = _db.session.get(HourlyRate, rate_id)
                version = record.version  # both opened version 1
                barrier.wait(timeout=10)
                services.update_rate(
                    record,
                    amount=Decimal(amount),
                    effective_from=record.effective_from,
                    version=version,
                    actor=actor,
                )
                _db.session.commit()
                results[index] = "saved"
            except StaleEdit as error:
                _db.session.rollback()
                results[index] = str(error)
            finally:
                _db.session.remove()

    threads = [
        threading.Thread(target=save, args=(0, "41.00")),
        threading.Thread(target=save, args=(1, "42.00")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(results)[1] == "saved", results
    assert "changed by someone else since you opened it" in sorted(results)[0], results
    winner = "41.00" if results[0] == "saved" else "42.00"
    with pg_app.app_context():
        rate = _db.session.get(HourlyRate, rate_id)
        assert (rate.rate, rate.version) == (Decimal(winner), 2)
        assert (
            _db.session.scalar(
                select(func.count(AuditEntry.id)).where(
                    AuditEntry.action == "rate.updated", AuditEntry.object_id == rate_id
                )
            )
            == 1
        )
        _db.session.remove()
