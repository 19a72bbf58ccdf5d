"""The API refuses time before a project's start with a problem naming the project's dates."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from tracker.worklog.models import TimeEntry


def test_time_before_the_project_start_is_a_422_naming_the_dates(
    api_as, db, make_user, make_project
):
    member = make_user("Tariq Team")
    project = make_project(
        members=[(member, "team_member")], code="LATE-2", planned_start=date(2026, 3, 3)
    )
    api = api_as(member)
    body = {"project_id": project.id, "work_date": "2026-03-02", "hours": "2"}
    response = api.post("/time-entries", json=body)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["errors"][0]["field"] == "work_date"
    assert "LATE-2 runs from 3 March 2026 to 31 December 2026" in problem["detail"]
    assert db.session.scalar(select(func.count(TimeEntry.id))) == 0

    created = api.post("/time-entries", json={**body, "work_date": "2026-03-03"})
    assert created.status_code == 201
    moved = api.patch(
        f"/time-entries/{created.get_json()['id']}",
        json={"version": created.get_json()["version"], "work_date": "2026-02-27"},
    )
    assert moved.status_code == 422
    assert "runs from 3 March 2026" in moved.get_json()["detail"]
    assert db.session.scalar(select(TimeEntry.work_date)) == date(2026, 3, 3)
