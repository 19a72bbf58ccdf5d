"""Cost entries, time entries and budget checkpoints through the API: the same rules and
audit trail as the pages, batches all or nothing, retries recorded once."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select

from tracker.audit.models import AuditEntry
from tracker.budget.models import Checkpoint, CostEntry
from tracker.worklog import services as worklog
from tracker.worklog.models import TimeEntry, TimesheetWeek

PROBLEM = "application/problem+json"


def _count(db, model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _day(days_ago: int = 1) -> str:
    return (worklog.today() - timedelta(days=days_ago)).isoformat()


def _cost(**overrides) -> dict:
    body = {
        "spent_on": _day(),
        "amount": "250.00",
        "category": "supplier",
        "supplier": "Acme Ltd",
        "description": "Hosting",
    }
    body.update(overrides)
    return body


def _actions(db, project_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.project_id == project_id)
            .order_by(AuditEntry.seq)
        )
    )


# --------------------------------------------------------------------------------------
# Cost entries
# --------------------------------------------------------------------------------------


def test_no_token_is_401_and_a_team_member_cannot_record_costs(db, client, api_as, governed):
    project = governed["project"]
    before = _count(db, CostEntry)
    response = client.post(f"/api/v1/projects/{project.id}/costs", json=_cost())
    assert response.status_code == 401
    assert response.mimetype == PROBLEM
    for person in ("member", "executive", "outsider"):
        response = api_as(governed[person]).post(
            f"/projects/{project.id}/costs/batch", json={"items": [_cost()]}
        )
        assert response.status_code == 403, person
    assert _count(db, CostEntry) == before


def test_a_cost_is_recorded_audited_and_listed(db, api_as, governed):
    project = governed["project"]
    api = api_as(governed["manager"])
    response = api.post(f"/projects/{project.id}/costs", json=_cost(description="Servers"))
    assert response.status_code == 201
    body = response.get_json()
    assert body["amount"] == "250.00"
    assert body["recorded_by_id"] == governed["manager"].id
    assert "cost.recorded" in _actions(db, project.id)
    listed = api.get(f"/projects/{project.id}/costs?category=supplier&supplier=acme&per_page=1")
    assert listed.status_code == 200
    assert listed.get_json()["meta"]["total"] == 2  # the fixture's and this one
    assert len(listed.get_json()["items"]) == 1
    assert api.get(f"/projects/{project.id}/costs/{body['id']}").get_json() == body
    # A reader may list; another project's cost id is not found through this project.
    reader = api_as(governed["customer"])
    assert reader.get(f"/projects/{project.id}/costs").status_code == 200
    other = governed["other"]
    api_other = api_as(governed["other_manager"])
    assert api_other.get(f"/projects/{other.id}/costs/{body['id']}").status_code == 404


def test_a_bad_cost_is_422_naming_the_field(db, api_as, governed):
    project = governed["project"]
    before = _count(db, CostEntry)
    response = api_as(governed["manager"]).post(
        f"/projects/{project.id}/costs", json=_cost(supplier="", spent_on=_day(-3))
    )
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "spent_on"
    assert "future" in response.get_json()["errors"][0]["message"]
    assert _count(db, CostEntry) == before


def test_a_batch_with_a_bad_entry_records_nothing_and_names_every_problem(db, api_as, governed):
    project = governed["project"]
    api = api_as(governed["manager"])
    before = _count(db, CostEntry)
    audit_before = _count(db, AuditEntry)
    items = [
        _cost(),
        _cost(supplier=""),  # a supplier cost needs its supplier
        _cost(description="Licences"),
        _cost(amount="0.00"),
        _cost(is_credit=True),  # a credit note needs its reason
    ]
    response = api.post(f"/projects/{project.id}/costs/batch", json={"items": items})
    assert response.status_code == 422
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["detail"].startswith("Nothing was recorded: 3 of the costs have problems")
    assert [e["field"] for e in body["errors"]] == [
        "items.1.supplier",
        "items.3.amount",
        "items.4.credit_reason",
    ]
    assert body["errors"][0]["message"] == "Enter the supplier for a supplier cost"
    assert _count(db, CostEntry) == before
    assert _count(db, AuditEntry) == audit_before


def test_a_batch_with_a_malformed_entry_is_refused_before_the_service(db, api_as, governed):
    project = governed["project"]
    before = _count(db, CostEntry)
    response = api_as(governed["manager"]).post(
        f"/projects/{project.id}/costs/batch",
        json={"items": [_cost(), _cost(amount=12.5)]},
    )
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "items.1.amount"
    assert _count(db, CostEntry) == before


def test_a_good_batch_is_recorded_whole_and_each_cost_audited(db, api_as, governed):
    project = governed["project"]
    before = _count(db, CostEntry)
    items = [_cost(description=f"Invoice {n}") for n in range(3)]
    items.append(_cost(amount="40.00", is_credit=True, credit_reason="Refund"))
    response = api_as(governed["pmo"]).post(
        f"/projects/{project.id}/costs/batch", json={"items": items}
    )
    assert response.status_code == 201
    amounts = [item["amount"] for item in response.get_json()["items"]]
    assert amounts == ["250.00", "250.00", "250.00", "-40.00"]
    assert _count(db, CostEntry) == before + 4
    assert _actions(db, project.id).count("cost.recorded") == 1 + 4  # the fixture's and these


def test_a_retried_batch_with_the_same_key_is_recorded_once(db, api_as, governed):
    project = governed["project"]
    api = api_as(governed["manager"])
    before = _count(db, CostEntry)
    batch = {"items": [_cost(description="Licences"), _cost(description="Support")]}
    headers = {"Idempotency-Key": "finance-run-2026-11-22"}
    first = api.post(f"/projects/{project.id}/costs/batch", json=batch, headers=headers)
    again = api.post(f"/projects/{project.id}/costs/batch", json=batch, headers=headers)
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.get_json() == first.get_json()
    assert _count(db, CostEntry) == before + 2
    # The same key with different costs is refused, and records nothing.
    changed = {"items": [_cost(description="Licences", amount="999.00"), _cost()]}
    response = api.post(f"/projects/{project.id}/costs/batch", json=changed, headers=headers)
    assert response.status_code == 409
    assert "different costs" in response.get_json()["detail"]
    assert _count(db, CostEntry) == before + 2
    # A new key is a new batch.
    response = api.post(
        f"/projects/{project.id}/costs/batch", json=batch, headers={"Idempotency-Key": "run-2"}
    )
    assert response.status_code == 201
    assert _count(db, CostEntry) == before + 4


def test_a_retried_single_cost_is_recorded_once(db, api_as, governed):
    project = governed["project"]
    api = api_as(governed["manager"])
    before = _count(db, CostEntry)
    headers = {"Idempotency-Key": "c0ffee"}
    first = api.post(f"/projects/{project.id}/costs", json=_cost(), headers=headers)
    again = api.post(f"/projects/{project.id}/costs", json=_cost(), headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json()["id"] == again.get_json()["id"]
    assert _count(db, CostEntry) == before + 1
    other = _cost(amount="1.00")
    different = api.post(f"/projects/{project.id}/costs", json=other, headers=headers)
    assert different.status_code == 409
    assert _count(db, CostEntry) == before + 1


def test_a_cost_recorded_by_the_api_shows_on_the_budget_page(client, login, api_as, governed):
    project = governed["project"]
    response = api_as(governed["manager"]).post(
        f"/projects/{project.id}/costs", json=_cost(description="Posted by the finance system")
    )
    assert response.status_code == 201
    login(governed["manager"])
    page = client.get(f"/projects/{project.id}/budget").get_data(as_text=True)
    assert "Posted by the finance system" in page


def test_an_unusable_idempotency_key_is_422(api_as, governed):
    project = governed["project"]
    response = api_as(governed["manager"]).post(
        f"/projects/{project.id}/costs",
        json=_cost(),
        headers={"Idempotency-Key": "x" * 201},
    )
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["location"] == "headers"


# --------------------------------------------------------------------------------------
# Checkpoints
# --------------------------------------------------------------------------------------


def test_a_checkpoint_is_taken_audited_and_read(db, api_as, governed):
    project = governed["project"]
    stage = governed["stages"][0]
    api = api_as(governed["manager"])
    response = api.post(
        f"/projects/{project.id}/checkpoints",
        json={"progress": [{"stage_id": stage.id, "percent_complete": 25}], "note": "Mid"},
        headers={"Idempotency-Key": "cp-1"},
    )
    assert response.status_code == 201
    body = response.get_json()
    assert body["trigger"] == "manual"
    assert body["ev"] == "2500.00"  # 25% of a £10,000 stage
    row = next(r for r in body["progress"] if r["stage_id"] == stage.id)
    assert row["percent_complete"] == "25.0"
    again = api.post(
        f"/projects/{project.id}/checkpoints",
        json={"progress": [{"stage_id": stage.id, "percent_complete": 25}], "note": "Mid"},
        headers={"Idempotency-Key": "cp-1"},
    )
    assert again.status_code == 200
    assert again.get_json()["id"] == body["id"]
    assert _count(db, Checkpoint, Checkpoint.project_id == project.id) == 2
    assert _actions(db, project.id).count("checkpoint.taken") == 2
    listed = api_as(governed["executive"]).get(f"/projects/{project.id}/checkpoints")
    assert [c["id"] for c in listed.get_json()["items"]][-1] == body["id"]
    assert api.get(f"/projects/{project.id}/checkpoints/{body['id']}").get_json() == body


def test_checkpoint_refusals(db, api_as, governed):
    other = governed["other"]
    project = governed["project"]
    # No baseline on the other project: a conflict with its state.
    response = api_as(governed["other_manager"]).post(f"/projects/{other.id}/checkpoints", json={})
    assert response.status_code == 409
    assert "baseline" in response.get_json()["detail"]
    api = api_as(governed["manager"])
    response = api.post(f"/projects/{project.id}/checkpoints", json={"taken_on": _day(-2)})
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "taken_on"
    response = api.post(
        f"/projects/{project.id}/checkpoints",
        json={"progress": [{"stage_id": 1, "percent_complete": 101}]},
    )
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "progress.0.percent_complete"
    assert (
        api_as(governed["member"]).post(f"/projects/{project.id}/checkpoints", json={}).status_code
        == 403
    )
    assert _count(db, Checkpoint, Checkpoint.project_id == project.id) == 1


# --------------------------------------------------------------------------------------
# Time entries
# --------------------------------------------------------------------------------------


def _time(project_id: int, **overrides) -> dict:
    body = {"project_id": project_id, "work_date": _day(2), "hours": "7.5", "note": "Build"}
    body.update(overrides)
    return body


def test_people_see_only_the_time_they_may(api_as, governed):
    entry = governed["entry"]
    mine = api_as(governed["member"]).get("/time-entries").get_json()
    assert {e["person_id"] for e in mine["items"]} == {governed["member"].id}
    managed = api_as(governed["manager"]).get(f"/time-entries?person_id={entry.person_id}")
    assert managed.get_json()["meta"]["total"] == 2
    outsider = api_as(governed["outsider"])
    assert outsider.get("/time-entries").get_json()["meta"]["total"] == 0
    assert outsider.get(f"/time-entries/{entry.id}").status_code == 403
    assert api_as(governed["executive"]).get(f"/time-entries/{entry.id}").status_code == 403
    assert api_as(governed["member"]).get(f"/time-entries/{entry.id}").status_code == 200


def test_time_is_logged_changed_and_deleted_with_an_audit_trail(db, api_as, governed):
    project = governed["project"]
    api = api_as(governed["member"])
    response = api.post("/time-entries", json=_time(project.id))
    assert response.status_code == 201
    entry = response.get_json()
    assert (entry["hours"], entry["person_id"], entry["week_status"]) == (
        "7.50",
        governed["member"].id,
        "open",
    )
    changed = api.patch(
        f"/time-entries/{entry['id']}", json={"version": entry["version"], "hours": "6"}
    )
    assert changed.status_code == 200
    assert changed.get_json()["hours"] == "6.00"
    stale = api.patch(f"/time-entries/{entry['id']}", json={"version": entry["version"]})
    assert stale.status_code == 409
    deleted = api.delete(f"/time-entries/{entry['id']}?version={changed.get_json()['version']}")
    assert deleted.status_code == 204
    assert db.session.get(TimeEntry, entry["id"]) is None
    actions = _actions(db, project.id)
    assert [a for a in actions if a.startswith("time.")][-3:] == [
        "time.logged",
        "time.updated",
        "time.deleted",
    ]


def test_more_than_24_hours_a_day_is_refused(db, api_as, governed):
    project = governed["project"]
    before = _count(db, TimeEntry)
    # The member already has 8.5 hours yesterday.
    response = api_as(governed["member"]).post(
        "/time-entries", json=_time(project.id, work_date=_day(1), hours="16")
    )
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "hours"
    assert _count(db, TimeEntry) == before


def test_a_submitted_week_is_locked(db, api_as, governed):
    entry = governed["entry"]
    member = governed["member"]
    week = db.session.get(TimesheetWeek, entry.week_id)
    worklog.submit_week(member, week.week_start, version=None, actor=member)
    db.session.commit()
    api = api_as(governed["member"])
    response = api.patch(f"/time-entries/{entry.id}", json={"version": entry.version, "hours": "1"})
    assert response.status_code == 422
    assert "submitted and locked" in response.get_json()["detail"]
    response = api.delete(f"/time-entries/{entry.id}?version={entry.version}")
    assert response.status_code == 409
    assert db.session.get(TimeEntry, entry.id).hours == Decimal("7.50")


def test_time_on_someone_else_or_a_hidden_project_is_refused(db, api_as, governed):
    project = governed["project"]
    before = _count(db, TimeEntry)
    member = api_as(governed["member"])
    response = member.post(
        "/time-entries", json=_time(project.id, person_id=governed["customer"].id)
    )
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "person_id"
    response = member.post("/time-entries", json=_time(governed["other"].id))
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["message"] == "Choose a project from the list"
    # Another person's entry cannot be changed or deleted by a team member.
    spare = governed["spare_entry"]
    customer = api_as(governed["customer"])
    assert customer.patch(f"/time-entries/{spare.id}", json={}).status_code == 403
    assert customer.delete(f"/time-entries/{spare.id}?version=1").status_code == 403
    # The manager may log time for a team member.
    response = api_as(governed["manager"]).post(
        "/time-entries",
        json=_time(project.id, person_id=governed["member"].id, work_date=_day(3), hours="2"),
    )
    assert response.status_code == 201
    assert response.get_json()["created_by_id"] == governed["manager"].id
    assert _count(db, TimeEntry) == before + 1
