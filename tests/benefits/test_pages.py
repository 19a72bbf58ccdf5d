"""The benefits register through the pages: add, measure (flagged off its trajectory),
review after closure by an owner outside the team, refusals that save nothing, stale
edits, and who may act."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from tests.benefits.conftest import benefit_form
from tests.races import saved_meanwhile
from tracker.audit.models import AuditEntry
from tracker.benefits.models import Benefit, BenefitReview, Measurement, ReviewDate
from tracker.core.errors import STALE_MESSAGE


def _count(db, model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def test_manager_adds_a_benefit_owned_by_someone_outside_the_team(
    client, login, db, project, people
):
    login(people["manager"])
    response = client.post(f"/projects/{project.id}/benefits/new", data=benefit_form())
    assert response.status_code == 302
    benefit = db.session.scalars(select(Benefit)).one()
    assert benefit.owner_id == people["owner"].id
    assert (benefit.unit, benefit.target_value) == ("£ a year", 120000)
    page = client.get(f"/projects/{project.id}/benefits").get_data(as_text=True)
    assert "Fewer calls to the contact centre" in page and "Olu Owner" in page
    assert (
        db.session.scalar(
            select(func.count(AuditEntry.id)).where(AuditEntry.action == "benefit.created")
        )
        == 1
    )


def test_an_owner_without_an_account_is_named_with_an_email(client, login, db, project, people):
    login(people["manager"])
    form = benefit_form(owner_email="sam@partner.org.uk", owner_name="Sam Partner")
    assert client.post(f"/projects/{project.id}/benefits/new", data=form).status_code == 302
    benefit = db.session.scalars(select(Benefit)).one()
    assert benefit.owner_id is None
    assert (benefit.owner_name, benefit.owner_email) == ("Sam Partner", "sam@partner.org.uk")


def test_bad_input_is_refused_with_a_clear_message_and_nothing_saved(
    client, login, db, project, people
):
    login(people["manager"])
    cases = [
        (benefit_form(unit=""), "Give the unit the target is measured in"),
        (benefit_form(unit="hours"), "A cashable benefit is measured in pounds"),
        (benefit_form(owner_email="", owner_name=""), "Enter the benefit owner&#39;s email"),
        (
            benefit_form(owner_email="nobody@partner.org.uk", owner_name=""),
            "Nobody has an account with that email",
        ),
        (benefit_form(target_on="2025-06-01"), "The target date must be after"),
        (
            benefit_form(trajectory="points", points="soon, 5"),
            "Line 1 of the trajectory is not a date and a value",
        ),
    ]
    for data, message in cases:
        response = client.post(f"/projects/{project.id}/benefits/new", data=data)
        assert response.status_code == 400, message
        assert message in response.get_data(as_text=True)
    assert _count(db, Benefit) == 0


def test_owner_measures_and_a_shortfall_beyond_tolerance_is_flagged(
    client, login, db, project, people, benefit
):
    login(people["owner"])
    url = f"/projects/{project.id}/benefits/{benefit.id}/measure"
    # Half way (1 July 2026: 181 of 365 days) about 59,500 is expected; 20,000 is far behind.
    response = client.post(
        url, data={"measured_on": "2026-07-01", "value": "20000", "version": benefit.version}
    )
    assert response.status_code == 302
    db.session.refresh(benefit)
    assert benefit.off_track and benefit.latest_value == 20000
    measurement = db.session.scalars(select(Measurement)).one()
    assert 59000 < measurement.expected_value < 60000 and measurement.off_track
    # The owner sees it on My work; the project page says so.
    assert "benefit you own off its trajectory" in client.get("/my-work").get_data(as_text=True)
    login(people["manager"])
    page = client.get(f"/projects/{project.id}/benefits").get_data(as_text=True)
    assert "1 benefit is off the trajectory beyond the benefit tolerance" in page
    assert "Off trajectory" in page
    overview = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert f"/projects/{project.id}/benefits" in overview


def test_a_measurement_before_the_baseline_saves_nothing(
    client, login, db, project, people, benefit
):
    login(people["owner"])
    response = client.post(
        f"/projects/{project.id}/benefits/{benefit.id}/measure",
        data={"measured_on": "2025-12-31", "value": "5", "version": benefit.version},
    )
    assert response.status_code == 400
    assert "cannot be dated before the baseline was taken" in response.get_data(as_text=True)
    assert _count(db, Measurement) == 0


def test_a_stale_edit_is_refused_and_saves_nothing(client, login, db, project, people, benefit):
    login(people["manager"])
    client.get(f"/projects/{project.id}/benefits/{benefit.id}/edit")
    version = benefit.version
    saved_meanwhile(db, benefit, title="Changed meanwhile")
    response = client.post(
        f"/projects/{project.id}/benefits/{benefit.id}/edit",
        data=benefit_form(title="My change", version=str(version)),
    )
    assert response.status_code == 400
    assert STALE_MESSAGE.split(".")[0].replace("'", "&#39;") in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Benefit, benefit.id).title == "Changed meanwhile"


def test_after_closure_the_owner_measures_and_reviews_the_manager_no_longer_keeps(
    client, login, db, project, people, benefit
):
    db.session.add(ReviewDate(project_id=project.id, due_on=date(2026, 3, 1)))
    project.status = "closed"
    db.session.commit()
    login(people["manager"])
    assert client.get(f"/projects/{project.id}/benefits/new").status_code == 403
    assert client.get(f"/projects/{project.id}/benefits/{benefit.id}/measure").status_code == 403
    login(people["owner"])
    # The owner is not on the team but reads the register of the benefit they own.
    assert client.get(f"/projects/{project.id}/benefits").status_code == 200
    assert "benefits review due" in client.get("/my-work").get_data(as_text=True)
    response = client.post(
        f"/projects/{project.id}/benefits/{benefit.id}/measure",
        data={"measured_on": "2026-03-01", "value": "40000", "version": benefit.version},
    )
    assert response.status_code == 302
    db.session.refresh(benefit)
    missing = client.post(
        f"/projects/{project.id}/benefits/{benefit.id}/review",
        data={"outcome": "partly", "evidence": "", "version": benefit.version},
    )
    assert missing.status_code == 400 and "Give the evidence" in missing.get_data(as_text=True)
    response = client.post(
        f"/projects/{project.id}/benefits/{benefit.id}/review",
        data={
            "outcome": "partly",
            "evidence": "Finance ledger, March 2026",
            "version": benefit.version,
        },
    )
    assert response.status_code == 302
    review = db.session.scalars(select(BenefitReview)).one()
    assert (review.outcome, review.due_on) == ("partly", date(2026, 3, 1))
    db.session.refresh(benefit)
    assert benefit.review_outcome == "partly"
    assert "benefits review due" not in client.get("/my-work").get_data(as_text=True)


def test_people_outside_the_project_who_own_nothing_are_refused(
    client, login, project, people, benefit
):
    login(people["outsider"])
    assert client.get(f"/projects/{project.id}/benefits").status_code == 403
    assert client.get(f"/projects/{project.id}/benefits/{benefit.id}").status_code == 403
    assert client.get(f"/projects/{project.id}/benefits/{benefit.id}/review").status_code == 403
    login(people["team"])
    assert client.get(f"/projects/{project.id}/benefits").status_code == 200
    assert client.get(f"/projects/{project.id}/benefits/{benefit.id}/measure").status_code == 403


def test_review_dates_from_the_end_project_report(client, login, db, project, people, benefit):
    from tracker.closure.models import EndProjectReport

    fields = {
        name: "–"
        for name in [
            "delivered_vs_business_case",
            "time_performance",
            "cost_performance",
            "scope_performance",
            "quality_performance",
            "risk_performance",
            "benefit_performance",
            "sustainability_performance",
            "lessons",
            "handover",
            "follow_on_actions",
        ]
    }
    db.session.add(
        EndProjectReport(
            project_id=project.id,
            round=1,
            gate_name="Closure",
            required_roles="executive",
            status="approved",
            benefits_to_review="Channel shift: 30 June 2027, then 2027-12-31.",
            submitted_by_id=people["manager"].id,
            **fields,
        )
    )
    project.status = "closed"
    db.session.commit()
    login(people["pmo"])
    response = client.post(f"/projects/{project.id}/benefits/review-dates/from-report")
    assert response.status_code == 302
    dates = db.session.scalars(select(ReviewDate.due_on).order_by(ReviewDate.due_on)).all()
    assert dates == [date(2027, 6, 30), date(2027, 12, 31)]
    # Again: nothing more.
    client.post(f"/projects/{project.id}/benefits/review-dates/from-report")
    assert _count(db, ReviewDate) == 2


def test_exports(client, login, project, people, benefit):
    login(people["team"])
    csv = client.get(f"/projects/{project.id}/benefits.csv")
    assert csv.status_code == 200 and "Fewer calls to the contact centre" in csv.get_data(
        as_text=True
    )
    xlsx = client.get(f"/projects/{project.id}/benefits.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"


def test_a_measurement_on_a_benefit_changed_meanwhile_is_refused(
    client, login, db, project, people, benefit
):
    login(people["owner"])
    version = benefit.version
    saved_meanwhile(db, benefit, title="Changed meanwhile")
    response = client.post(
        f"/projects/{project.id}/benefits/{benefit.id}/measure",
        data={"measured_on": "2026-07-01", "value": "5", "version": str(version)},
    )
    assert response.status_code == 400
    assert "Reload the page" in response.get_data(as_text=True)
    assert _count(db, Measurement) == 0
