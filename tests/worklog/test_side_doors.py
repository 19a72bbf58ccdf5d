"""Work logging that leaks nothing and takes no odd value badly: another person's timesheet,
the CSV import's order of checks, a 0 in a cell, and time before a project starts."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.worklog.conftest import MONDAY, TUESDAY
from tests.worklog.test_pages import _grid_form, _line
from tracker.worklog import services
from tracker.worklog.models import TimeEntry


def _count(db) -> int:
    return db.session.scalar(select(func.count(TimeEntry.id)))


def _upload(client, text: str):
    return client.post(
        "/time/import",
        data={"file": (io.BytesIO(text.encode("utf-8")), "time.csv")},
        content_type="multipart/form-data",
    )


# Another person's timesheet ---------------------------------------------------------------


def test_a_manager_sees_only_the_rows_of_projects_they_manage(
    client, login, team, db, log, make_user, make_project
):
    member = team["member"]
    elsewhere = make_project(
        manager=make_user("Someone Else"), members=[(member, "team_member")], code="SECRET-1"
    )
    log(member, team["project"], MONDAY, 2)
    log(member, elsewhere, MONDAY, 5.25)
    url = f"/timesheet?week={MONDAY}&person={member.id}"

    login(team["manager"])
    page = client.get(url).get_data(as_text=True)
    assert team["project"].code in page
    assert "SECRET-1" not in page
    assert "5.25" not in page
    copied = client.get(url + "&copy=last-week").get_data(as_text=True)
    assert "SECRET-1" not in copied

    login(member)
    own = client.get(f"/timesheet?week={MONDAY}").get_data(as_text=True)
    assert "SECRET-1" in own
    assert "5.25" in own

    login(make_user("Portfolio Analyst", global_role="pmo"))
    assert "SECRET-1" in client.get(url).get_data(as_text=True)


# The CSV import checks rights before saying anything --------------------------------------


def _problems(page: str) -> str:
    """The report's table, where each row's problems are listed."""
    return page[page.find("<table") :]


def test_an_unknown_project_and_a_forbidden_one_read_the_same_in_an_import(client, login, team, db):
    code = team["project"].code
    login(team["outsider"])
    response = _upload(
        client,
        "Date,Person email,Project code,Stage,Hours\n"
        f"2026-03-02,{team['member'].email},{code},No such stage,1\n"
        f"2026-03-02,nobody@example.gov.uk,NOPE-1,No such stage,1\n",
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f"You cannot log time on a project with the code {code}: check the code" in page
    assert "You cannot log time on a project with the code NOPE-1: check the code" in page
    # Nothing about the project's stages or about who exists.
    assert "has no stage" not in page
    assert "No active person" not in page
    assert "not on the" not in page
    assert _count(db) == 0


def test_a_team_member_importing_for_others_learns_nothing_about_them(client, login, team, db):
    code = team["project"].code
    login(team["member"])
    response = _upload(
        client,
        "Date,Person email,Project code,Hours\n"
        f"2026-03-02,{team['manager'].email},{code},1\n"
        f"2026-03-02,nobody@example.gov.uk,{code},1\n",
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    message = f"Only {code}&#39;s project manager can log time on behalf of someone else"
    assert page.count(message) == 2
    assert "No active person" not in page
    assert _count(db) == 0


def test_a_manager_still_hears_about_stages_and_people(client, login, team, db):
    code = team["project"].code
    login(team["manager"])
    response = _upload(
        client,
        "Date,Person email,Project code,Stage,Hours\n"
        f"2026-03-02,{team['member'].email},{code},No such stage,1\n"
        f"2026-03-02,nobody@example.gov.uk,{code},,1\n",
    )
    page = response.get_data(as_text=True)
    assert f"{code} has no stage No such stage" in page
    assert "No active person has the email nobody@example.gov.uk" in page
    assert _count(db) == 0


# A 0 in a timesheet cell is an empty cell --------------------------------------------------


def test_a_zero_in_a_new_cell_saves_nothing_and_no_error(client, login, team, db):
    login(team["member"])
    response = client.post(
        f"/timesheet?week={MONDAY}",
        data=_grid_form([(_line(team["project"]), {0: "0", 1: "0.00", 2: "3"})]),
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    hours = db.session.scalars(select(TimeEntry.hours)).all()
    assert hours == [Decimal("3.00")]


def test_a_zero_over_logged_time_clears_the_cell(client, login, team, db, log):
    log(team["member"], team["project"], MONDAY, 2)
    log(team["member"], team["project"], TUESDAY, 4)
    login(team["member"])
    version = str(services.find_week(team["member"].id, MONDAY).version)
    response = client.post(
        f"/timesheet?week={MONDAY}",
        data=_grid_form([(_line(team["project"]), {0: "0", 1: "4"})], version=version),
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert db.session.scalars(select(TimeEntry.work_date)).all() == [TUESDAY]


def test_zero_hours_in_the_single_entry_form_is_a_clear_message(client, login, team, db):
    login(team["member"])
    response = client.post(
        "/time/new",
        data={
            "person_id": team["member"].id,
            "project_id": team["project"].id,
            "work_date": MONDAY.isoformat(),
            "hours": "0",
        },
    )
    assert response.status_code == 400
    assert "Hours must be more than 0" in response.get_data(as_text=True)
    assert _count(db) == 0


# Time before the project's start ---------------------------------------------------------


def _late_project(make_project, team):
    return make_project(
        manager=team["manager"],
        members=[(team["member"], "team_member")],
        code="LATE-1",
        planned_start=date(2026, 3, 3),
    )


def test_time_before_the_start_is_refused_on_the_timesheet(client, login, team, db, make_project):
    late = _late_project(make_project, team)
    login(team["member"])
    response = client.post(
        f"/timesheet?week={MONDAY}",
        data=_grid_form([(_line(late), {0: "2", 1: "3"})]),
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "LATE-1 runs from 3 March 2026 to 31 December 2026: time on 2 March 2026" in page
    assert "govuk-error-summary" in page
    assert _count(db) == 0
    # The start day itself is fine.
    ok = client.post(f"/timesheet?week={MONDAY}", data=_grid_form([(_line(late), {1: "3"})]))
    assert ok.status_code == 302
    assert _count(db) == 1


def test_time_before_the_start_is_refused_on_the_entry_form(client, login, team, db, make_project):
    late = _late_project(make_project, team)
    login(team["member"])
    response = client.post(
        "/time/new",
        data={
            "person_id": team["member"].id,
            "project_id": late.id,
            "work_date": MONDAY.isoformat(),
            "hours": "2",
        },
    )
    assert response.status_code == 400
    assert "LATE-1 runs from 3 March 2026 to 31 December 2026" in response.get_data(as_text=True)
    assert _count(db) == 0


def test_moving_an_entry_before_the_start_is_refused(team, db, log, make_project):
    from tracker.core.errors import RuleError

    late = _late_project(make_project, team)
    entry = log(team["member"], late, TUESDAY, 2)
    data = services.EntryData(
        person_id=team["member"].id, project_id=late.id, work_date=MONDAY, hours=Decimal(2)
    )
    with pytest.raises(RuleError, match="runs from 3 March 2026") as refused:
        services.update_entry(entry, data, version=entry.version, actor=team["member"])
    assert refused.value.field == "work_date"
    db.session.rollback()
    assert db.session.scalar(select(TimeEntry.work_date)) == TUESDAY


def test_time_before_the_start_is_refused_in_an_import(client, login, team, db, make_project):
    _late_project(make_project, team)
    login(team["member"])
    response = _upload(
        client,
        "Date,Person email,Project code,Hours\n"
        f"2026-03-02,{team['member'].email},LATE-1,2\n"
        f"2026-03-03,{team['member'].email},LATE-1,2\n",
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "LATE-1 runs from 3 March 2026 to 31 December 2026" in page
    assert _count(db) == 0
