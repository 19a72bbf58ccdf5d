"""The deferral reminder (on the date, exactly once) and the proposals API."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from tests.proposals.conftest import submitted
from tracker.notifications.models import Notification
from tracker.proposals import services
from tracker.proposals.tasks import remind_deferred_proposals


def _reminders(db) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.title.like("Proposal % is back for the prioritisation board"))
    )


def test_a_deferred_proposal_reminds_the_pmo_on_its_date_exactly_once(db, pipeline):
    proposal = submitted(db, pipeline)
    services.decide(
        proposal,
        services.DecisionData("defer", reason="After the budget", defer_until=date(2027, 2, 1)),
        version=None,
        actor=pipeline["chair"],
        today=date(2026, 12, 7),
    )
    db.session.commit()
    assert remind_deferred_proposals(date(2027, 1, 31)) == 0
    assert _reminders(db) == 0
    assert remind_deferred_proposals(date(2027, 2, 1)) == 1
    # Both PMO analysts, once each; running again (or the next day) adds nothing.
    assert _reminders(db) == 2
    assert remind_deferred_proposals(date(2027, 2, 1)) == 0
    assert remind_deferred_proposals(date(2027, 2, 2)) == 0
    assert _reminders(db) == 2


def test_the_api_drafts_and_reads_proposals(db, pipeline, api_as):
    api = api_as(pipeline["proposer"])
    response = api.post(
        "/proposals",
        json={
            "title": "Warm homes",
            "problem": "Cold homes make people ill.",
            "lead_organisation_id": pipeline["lead"].id,
            "rough_cost": "90000.00",
            "funding": [{"source": "grant", "amount": "90000.00", "is_confirmed": True}],
        },
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "draft"
    assert body["funding"] == [{"source": "grant", "amount": "90000.00", "is_confirmed": True}]
    assert api.get(f"/proposals/{body['id']}").status_code == 200
    # The PMO sees the whole pipeline (drafts too, as on its page); an outsider sees none.
    assert api_as(pipeline["pmo"]).get("/proposals").get_json()["meta"]["total"] == 1
    assert api_as(pipeline["partner_person"]).get("/proposals").get_json()["meta"]["total"] == 0
    assert api_as(pipeline["partner_person"]).get(f"/proposals/{body['id']}").status_code == 403


def test_the_api_refuses_a_bad_funding_source(db, pipeline, api_as):
    response = api_as(pipeline["proposer"]).post(
        "/proposals",
        json={"title": "X", "funding": [{"source": "lottery", "amount": "1.00"}]},
    )
    assert response.status_code == 422
