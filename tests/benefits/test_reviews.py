"""Benefits after closure: reminders of each review date exactly once, to the owner (or,
for an owner outside the tracker, to the Executive and manager); a reviewed benefit is not
reminded; a second measurement the same day is refused."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.benefits.conftest import benefit_data
from tracker.benefits import services, tasks
from tracker.benefits.models import ReviewDate
from tracker.core.errors import RuleError
from tracker.notifications.models import Notification

DUE = date(2027, 6, 30)


def _told(db) -> list[int]:
    return list(
        db.session.scalars(
            select(Notification.user_id)
            .where(Notification.kind == "benefit_review")
            .order_by(Notification.user_id)
        )
    )


@pytest.fixture
def closed(db, project, people, benefit):
    services.add_review_date(project, DUE, actor=people["pmo"])
    project.status = "closed"
    db.session.commit()
    return project


def test_each_review_date_is_reminded_once_to_the_owner(db, closed, people, benefit):
    assert tasks.remind_benefit_reviews(DUE - timedelta(days=1)) == 0
    assert tasks.remind_benefit_reviews(DUE) == 1
    assert tasks.remind_benefit_reviews(DUE) == 0
    assert tasks.remind_benefit_reviews(DUE + timedelta(days=3)) == 0
    assert _told(db) == [people["owner"].id]


def test_a_second_review_date_is_reminded_once_more(db, closed, people, benefit):
    services.add_review_date(closed, DUE + timedelta(days=180), actor=people["pmo"])
    db.session.commit()
    assert tasks.remind_benefit_reviews(DUE + timedelta(days=200)) == 2
    assert tasks.remind_benefit_reviews(DUE + timedelta(days=200)) == 0
    assert len(_told(db)) == 2


def test_a_reviewed_benefit_is_not_reminded(db, closed, people, benefit):
    services.record_review(
        benefit, outcome="realised", evidence="Ledger", due_on=DUE, actor=people["owner"]
    )
    db.session.commit()
    assert tasks.remind_benefit_reviews(DUE) == 0


def test_an_owner_outside_the_tracker_is_asked_for_through_the_manager(
    db, project, people, make_user
):
    external = services.create_benefit(
        project,
        benefit_data(owner_email="sam@partner.org.uk", owner_name="Sam Partner"),
        actor=people["manager"],
    )
    db.session.add(ReviewDate(project_id=project.id, due_on=DUE))
    project.status = "closed"
    db.session.commit()
    assert tasks.remind_benefit_reviews(DUE) == 1
    assert _told(db) == [people["manager"].id]
    body = db.session.scalars(select(Notification.body)).one()
    assert "Sam Partner" in body and "sam@partner.org.uk" in body
    assert external.owner_id is None


def test_an_open_project_is_not_reminded(db, project, people, benefit):
    services.add_review_date(project, DUE, actor=people["manager"])
    db.session.commit()
    assert tasks.remind_benefit_reviews(DUE) == 0


def test_one_measurement_a_day(db, people, benefit):
    services.record_measurement(
        benefit,
        measured_on=date(2026, 6, 1),
        value=Decimal(1),
        actor=people["owner"],
        today=date(2026, 7, 1),
    )
    db.session.commit()
    with pytest.raises(RuleError, match="already has a measurement on that day"):
        services.record_measurement(
            benefit,
            measured_on=date(2026, 6, 1),
            value=Decimal(2),
            actor=people["owner"],
            today=date(2026, 7, 1),
        )


def test_an_older_measurement_does_not_replace_the_latest(db, people, benefit):
    for on, value in ((date(2026, 6, 1), 60000), (date(2026, 3, 1), 1)):
        services.record_measurement(
            benefit,
            measured_on=on,
            value=Decimal(value),
            actor=people["owner"],
            today=date(2026, 7, 1),
        )
    db.session.commit()
    assert (benefit.latest_on, benefit.latest_value) == (date(2026, 6, 1), 60000)
    assert db.session.scalar(select(func.count()).select_from(ReviewDate)) == 0
