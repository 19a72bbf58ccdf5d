"""Work logging through the pages, as people use them."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from flask_sqlalchemy.record_queries import get_recorded_queries
from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.races import saved_meanwhile
from tests.worklog.conftest import MONDAY, TUESDAY
from tracker.audit.models import AuditEntry
from tracker.core.errors import STALE_MESSAGE
from tracker.worklog import services
from tracker.worklog.models import HourlyRate, TimeEntry


def _count(db) -> int:
    return db.session.scalar(select(func.count(TimeEntry.id)))


def _grid_form(rows, version="0"):
    """Form data for the timesheet: rows of (line text, {day offset: hours})."""
    data = {"version": version}
    for index, (line, cells) in enumerate(rows):
        data[f"rows-{index}-line"] = line
        for offset in range(7):
            data[f"rows-{index}-d{offset}"] = str(cells.get(offset, ""))
    return data


def _line(project) -> str:
    return f"{project.id}:::"


def test_signed_in_home_is_my_work(client, login, team):
    login(team["member"])
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/my-work"
    page = client.get("/my-work").get_data(as_text=True)
    assert "My work" in page
    assert "Nothing is waiting for your decision" in page
    assert 'href="/timesheet"' in page  # in the navigation


def test_my_work_counts_decisions_waiting(client, login, team, db):
    """A board member with a gate waiting sees the count, with a link to the inbox."""
    from tests.stages.helpers import report_data, stage_data
    from tracker.core.waiting import for_person
    from tracker.projects import services as projects
    from tracker.stages import services as stages

    project = team["project"]
    project.delivery_method = "stage_gated"
    projects.add_member(project, team["outsider"], "executive")
    stages.create_stage(project, stage_data(), actor=team["manager"])
    stages.request_gate(project, report_data(), actor=team["manager"])
    db.session.commit()
    assert for_person(team["outsider"]).decisions == 1
    assert for_person(team["member"]).decisions == 0
    login(team["outsider"])
    page = client.get("/my-work").get_data(as_text=True)
    assert "1 decision waits for you" in page
    assert 'href="/decisions"' in page


def test_a_team_member_fills_in_a_week_for_two_projects_in_one_submit(client, login, team, db):
    login(team["member"])
    page = client.get(f"/timesheet?week={MONDAY}").get_data(as_text=True)
    assert team["project"].code in page  # offered as a new line
    response = client.post(
        f"/timesheet?week={MONDAY}",
        data=_grid_form(
            [(_line(team["project"]), {0: "7.5", 1: "7:30"}), (_line(team["other"]), {2: "3"})]
        ),
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert _count(db) == 3
    page = client.get(f"/timesheet?week={MONDAY}").get_data(as_text=True)
    assert "Saved your timesheet." in page
    assert ">18<" in page  # the week's total
    # Submit it; the manager sees it on the project.
    week = services.find_week(team["member"].id, MONDAY)
    response = client.post(f"/timesheet/submit?week={MONDAY}", data={"version": str(week.version)})
    assert response.status_code == 302
    assert services.find_week(team["member"].id, MONDAY).status == "submitted"
    login(team["manager"])
    page = client.get(f"/projects/{team['project'].id}/time").get_data(as_text=True)
    assert team["member"].name in page
    assert "Unlock week" in page
    project_page = client.get(f"/projects/{team['project'].id}").get_data(as_text=True)
    assert "Time logged" in project_page


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-2", "Hours for Monday 2 March must not be negative"),
        ("lots", "Hours for Monday 2 March must be a number of hours"),
        ("30", "Hours for Monday 2 March must be 24 or fewer"),
    ],
)
def test_bad_hours_in_the_grid_save_nothing(client, login, team, db, typed, message):
    login(team["member"])
    response = client.post(
        f"/timesheet?week={MONDAY}",
        data=_grid_form([(_line(team["project"]), {0: typed, 1: "2"})]),
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert team["project"].code in page
    assert "There is a problem" in page
    assert _count(db) == 0


def test_a_day_with_several_entries_keeps_its_hours_when_the_grid_comes_back(
    client, login, team, db, log
):
    """Such a day is not a box in the grid, so the post does not carry it: the page that
    comes back with an error still shows and totals its stored hours."""
    member, project = team["member"], team["project"]
    log(member, project, MONDAY, "1.5", note="morning")
    log(member, project, MONDAY, "2.25", note="afternoon")
    db.session.commit()
    login(member)
    # A new line with hours but nothing chosen: refused before anything is saved.
    response = client.post(
        f"/timesheet?week={MONDAY}",
        data=_grid_form([(_line(project), {1: "2"}), ("", {2: "1"})]),
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Choose what the new line" in page
    assert "None" not in page.split('id="entries"')[0]
    assert "3.75" in page and "(several entries)" in page
    # The row total counts the stored 3.75 hours with the typed 2.
    assert "5.75" in page
    assert _count(db) == 2


def test_a_day_over_24_hours_in_the_grid_saves_nothing(client, login, team, db):
    login(team["member"])
    response = client.post(
        f"/timesheet?week={MONDAY}",
        data=_grid_form([(_line(team["project"]), {0: "20"}), (_line(team["other"]), {0: "5"})]),
    )
    assert response.status_code == 400
    assert "would have 25 hours logged" in response.get_data(as_text=True)
    assert _count(db) == 0


def test_a_stale_timesheet_says_so(client, login, team, db, log):
    login(team["member"])
    log(team["member"], team["project"], MONDAY, 1)
    response = client.post(
        f"/timesheet?week={MONDAY}",
        data=_grid_form([(_line(team["project"]), {0: "2"})], version="0"),
    )
    assert response.status_code == 400
    assert "changed by someone else" in response.get_data(as_text=True)
    assert db.session.scalar(select(TimeEntry.hours)) == Decimal("1.00")


def test_a_locked_week_refuses_changes(client, login, team, db, log):
    login(team["member"])
    log(team["member"], team["project"], MONDAY, 1)
    services.submit_week(team["member"], MONDAY, version=None, actor=team["member"])
    db.session.commit()
    week = services.find_week(team["member"].id, MONDAY)
    response = client.post(
        f"/timesheet?week={MONDAY}",
        data=_grid_form([(_line(team["project"]), {0: "1", 1: "4"})], version=str(week.version)),
    )
    assert response.status_code == 400
    assert "submitted and locked" in response.get_data(as_text=True)
    assert _count(db) == 1
    response = client.post(
        "/time/new",
        data={
            "person_id": team["member"].id,
            "project_id": team["project"].id,
            "work_date": TUESDAY.isoformat(),
            "hours": "2",
        },
    )
    assert response.status_code == 400
    assert "submitted and locked" in response.get_data(as_text=True)
    assert _count(db) == 1


def test_unlocking_from_the_project_log_writes_the_audit(client, login, team, db, log):
    log(team["member"], team["project"], MONDAY, 1)
    week = services.submit_week(team["member"], MONDAY, version=None, actor=team["member"])
    db.session.commit()
    login(team["member"])
    assert (
        client.post(f"/timesheet/weeks/{week.id}/unlock", data={"reason": "x"}).status_code == 403
    )
    login(team["manager"])
    response = client.post(
        f"/timesheet/weeks/{week.id}/unlock?project={team['project'].id}",
        data={"reason": "Booked to the wrong project", "version": str(week.version)},
    )
    assert response.status_code == 302
    assert services.find_week(team["member"].id, MONDAY).status == "open"
    audit = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "timesheet.unlocked")
    ).one()
    assert "Booked to the wrong project" in audit.summary


def test_copy_last_weeks_rows(client, login, team, log):
    log(team["member"], team["other"], MONDAY, 2)
    login(team["member"])
    page = client.get("/timesheet?week=2026-03-09&copy=last-week").get_data(as_text=True)
    assert "Added 1 rows from last week" in page
    assert f'value="{_line(team["other"])}"' in page


def test_log_one_entry_with_a_note_then_change_and_delete_it(client, login, team, db):
    login(team["member"])
    response = client.post(
        "/time/new",
        data={
            "person_id": team["member"].id,
            "project_id": team["project"].id,
            "work_date": MONDAY.isoformat(),
            "hours": "2.5",
            "note": "<script>alert(1)</script>",
        },
    )
    assert response.status_code == 302
    entry = db.session.scalars(select(TimeEntry)).one()
    page = client.get(f"/timesheet?week={MONDAY}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page
    response = client.post(
        f"/time/{entry.id}/edit",
        data={
            "person_id": team["member"].id,
            "project_id": team["project"].id,
            "work_date": MONDAY.isoformat(),
            "hours": "3",
            "version": str(entry.version),
        },
    )
    assert response.status_code == 302
    assert db.session.get(TimeEntry, entry.id).hours == Decimal("3.00")
    stale = client.post(
        f"/time/{entry.id}/edit",
        data={
            "person_id": team["member"].id,
            "project_id": team["project"].id,
            "work_date": MONDAY.isoformat(),
            "hours": "4",
            "version": "1",
        },
    )
    assert stale.status_code == 400
    assert "changed by someone else" in stale.get_data(as_text=True)
    response = client.post(f"/time/{entry.id}/delete", data={"version": str(entry.version)})
    assert response.status_code == 302
    assert _count(db) == 0


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ("", "Enter the hours worked"),
        ("-1", "Hours must not be negative"),
        ("x", "Hours must be a number"),
    ],
)
def test_entry_form_bad_hours(client, login, team, db, hours, message):
    login(team["member"])
    response = client.post(
        "/time/new",
        data={
            "person_id": team["member"].id,
            "project_id": team["project"].id,
            "work_date": MONDAY.isoformat(),
            "hours": hours,
        },
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _count(db) == 0


def test_logging_for_someone_else_without_the_role_is_refused(client, login, team, db, make_user):
    colleague = make_user("Colleague")
    from tracker.projects import services as projects

    projects.add_member(team["project"], colleague, "team_member")
    db.session.commit()
    login(team["member"])
    response = client.post(
        "/time/new",
        data={
            "person_id": colleague.id,
            "project_id": team["project"].id,
            "work_date": MONDAY.isoformat(),
            "hours": "2",
        },
    )
    assert response.status_code == 400
    assert _count(db) == 0


def test_project_log_totals_by_person_stage_and_iteration(
    client, login, team, db, log, make_stage, make_iteration, make_user
):
    stage = make_stage(team["project"])
    iteration = make_iteration(team["project"])
    log(team["member"], team["project"], MONDAY, 2, stage_id=stage.id)
    log(team["member"], team["project"], TUESDAY, 3, iteration_id=iteration.id)
    log(team["manager"], team["project"], TUESDAY, 1)
    pmo = make_user("Analyst", global_role="pmo")
    services.add_rate(
        services.RateData(Decimal(40), date(2026, 1, 1), role="team_member"), actor=pmo
    )
    db.session.commit()
    login(team["manager"])
    page = client.get(f"/projects/{team['project'].id}/time").get_data(as_text=True)
    assert "By person" in page and "By stage" in page and "By iteration" in page
    assert "Stage 1: Stage 1 work" in page
    assert "Sprint 1" in page
    assert "£200.00" in page  # 5 hours at £40
    assert "Hours with no rate" in page  # the manager's hour


def test_project_log_query_count_does_not_grow(client, login, team, db, log, make_user, app):
    """The same number of queries with 4 submitted weeks as with 8: which weeks the manager may
    reopen is one query for all of them (the page once asked once per week)."""
    from tracker.projects import services as projects

    login(team["manager"])
    url = f"/projects/{team['project'].id}/time"

    def queries_for_page() -> tuple[int, str]:
        # The test client starts each request with an empty ``g``, so what is recorded after
        # it is that request's queries alone.
        page = client.get(url).get_data(as_text=True)
        return len(get_recorded_queries()), page

    def submitted_weeks(count):
        for _ in range(count):
            person = make_user()
            projects.add_member(team["project"], person, "team_member")
            db.session.commit()
            log(person, team["project"], MONDAY, 1)
            services.submit_week(person, MONDAY, version=None, actor=person)
            db.session.commit()
        queries_for_page()  # the first view after the commits reloads the signed-in user
        return queries_for_page()

    some, page = submitted_weeks(4)
    assert page.count("Unlock week") == 4
    many, page = submitted_weeks(4)
    assert page.count("Unlock week") == 8
    assert many == some
    assert some <= 15, some


HOSTILE = '=HYPERLINK("http://evil.example","click")'


def _hostile_entries(team, log):
    log(team["member"], team["project"], MONDAY, 2, note=HOSTILE)
    log(team["member"], team["other"], TUESDAY, 1, note="@SUM(A1)")
    log(team["manager"], team["project"], TUESDAY, 4, note="+1")


def test_csv_export_filters_and_neutralises_formulas(client, login, team, log):
    _hostile_entries(team, log)
    login(team["member"])
    response = client.get(f"/time/export?format=csv&project={team['project'].id}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    text = response.get_data().decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0].startswith("Date,Person,Person email,Project code")
    assert len(lines) == 2  # own time on the project only: not the manager's, not OTHER-1
    assert "'=HYPERLINK" in lines[1]
    login(team["manager"])
    text = client.get("/time/export?format=csv&start=2026-03-03").get_data().decode("utf-8-sig")
    assert "'+1" in text and "'@SUM(A1)" in text and "HYPERLINK" not in text


def test_xlsx_export_opens_and_holds_no_formulas(client, login, team, log):
    _hostile_entries(team, log)
    login(team["manager"])
    response = client.get("/time/export?format=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data()))["Time entries"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Date", "Person", "Person email", "Project code")
    assert len(rows) == 4
    notes = {row[9] for row in rows[1:]}
    assert notes == {"'" + HOSTILE, "'@SUM(A1)", "'+1"}
    assert sum(row[8] for row in rows[1:]) == 7
    for row in sheet.iter_rows(min_row=2):
        assert all(cell.data_type != "f" for cell in row)
    first = sheet[2]
    assert first[0].is_date and first[0].number_format == "dd/mm/yyyy"
    assert first[8].data_type == "n" and first[8].number_format == "0.00"
    assert sheet.freeze_panes == "A2"
    about = dict(
        load_workbook(io.BytesIO(response.get_data()))["About"].iter_rows(values_only=True)
    )
    assert about["What"].startswith("Time entries") and about["Filters"] == "None"
    assert team["manager"].email in about["Made by"]


def test_export_with_bad_filters_says_why(client, login, team):
    login(team["member"])
    response = client.get("/time/export?format=csv&start=2026-03-10&end=2026-03-01")
    assert response.status_code == 400
    assert "To must be the same as or after From" in response.get_data(as_text=True)


def _upload(client, text: str):
    return client.post(
        "/time/import",
        data={"file": (io.BytesIO(text.encode("utf-8")), "time.csv")},
        content_type="multipart/form-data",
    )


def test_csv_import_is_all_or_nothing_with_a_report(client, login, team, db):
    login(team["manager"])
    email = team["member"].email
    code = team["project"].code
    csv_text = (
        "Date,Person email,Project code,Hours,Note\n"
        f"2026-03-02,{email},{code},7.5,Fine\n"
        f"2026-03-02,{email},NOPE-1,2,Unknown project\n"
        f"not a date,{email},{code},2,\n"
        f"2026-03-03,{email},{code},-4,\n"
        f"2026-03-04,nobody@example.gov.uk,{code},1,\n"
        f"2026-03-05,{email},{code},20,\n"
        f"2026-03-05,{email},{code},5,\n"
    )
    response = _upload(client, csv_text)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "You cannot log time on a project with the code NOPE-1" in page
    assert "is not a date like 2026-11-16" in page
    assert "Hours must not be negative" in page
    assert "No active person has the email nobody@example.gov.uk" in page
    assert "would have 25 hours logged" in page
    assert _count(db) == 0


def test_csv_import_adds_every_row(client, login, team, db):
    login(team["member"])
    email = team["member"].email
    csv_text = (
        "Date,Person email,Project code,Hours,Note\n"
        f"2026-03-02,{email},{team['project'].code},7.5,Fine\n"
        f"02/03/2026,{email},{team['other'].code},1:30,\n"
    )
    response = _upload(client, csv_text)
    assert response.status_code == 302
    assert _count(db) == 2
    assert db.session.scalar(select(func.sum(TimeEntry.hours))) == Decimal("9.00")


def test_csv_import_refuses_someone_elses_time_without_the_role(client, login, team, db):
    login(team["member"])
    csv_text = (
        "Date,Person email,Project code,Hours\n"
        f"2026-03-02,{team['manager'].email},{team['project'].code},1\n"
    )
    response = _upload(client, csv_text)
    assert response.status_code == 400
    assert "can log time on behalf of" in response.get_data(as_text=True)
    assert _count(db) == 0


def test_csv_import_without_required_columns(client, login, team, db):
    login(team["member"])
    response = _upload(client, "Date,Hours\n2026-03-02,1\n")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Add a column headed Person email" in page
    assert "Add a column headed Project code" in page


def test_rates_are_set_by_pmo(client, login, team, db, make_user):
    login(team["manager"])
    assert client.get("/rates").status_code == 403
    login(make_user("Analyst", global_role="pmo"))
    response = client.post(
        "/rates/new",
        data={
            "applies_to": "role",
            "role": "team_member",
            "rate": "abc",
            "effective_from": "2026-01-01",
        },
    )
    assert response.status_code == 400
    assert "Enter hourly rate as an amount in pounds" in response.get_data(as_text=True)
    response = client.post(
        "/rates/new",
        data={"applies_to": "person", "rate": "40", "effective_from": "2026-01-01"},
    )
    assert response.status_code == 400
    assert "Choose the person the rate is for" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(HourlyRate.id))) == 0
    response = client.post(
        "/rates/new",
        data={
            "applies_to": "role",
            "role": "team_member",
            "rate": "40.50",
            "effective_from": "2026-01-01",
        },
    )
    assert response.status_code == 302
    assert "£40.50" in client.get("/rates").get_data(as_text=True)


def test_managers_read_but_do_not_edit_their_teams_timesheets(client, login, team, db, log):
    log(team["member"], team["project"], MONDAY, 2)
    login(team["manager"])
    url = f"/timesheet?week={MONDAY}&person={team['member'].id}"
    page = client.get(url)
    assert page.status_code == 200
    assert team["member"].name in page.get_data(as_text=True)
    assert "Save timesheet" not in page.get_data(as_text=True)
    response = client.post(url, data=_grid_form([(_line(team["project"]), {0: "9"})], "1"))
    assert response.status_code == 403
    assert db.session.scalar(select(TimeEntry.hours)) == Decimal("2.00")
    login(team["outsider"])
    assert client.get(url).status_code == 403


def _role_rate(db, pmo) -> HourlyRate:
    rate = services.add_rate(
        services.RateData(
            rate=Decimal("40"), effective_from=date(2026, 1, 1), person_id=None, role="team_member"
        ),
        actor=pmo,
    )
    db.session.commit()
    return rate


def test_a_rate_edited_from_an_old_page_shows_the_stale_message(client, login, db, make_user):
    pmo = make_user("Analyst", global_role="pmo")
    login(pmo)
    rate = _role_rate(db, pmo)
    seen = rate.version
    rate.rate = Decimal("45")
    db.session.commit()
    response = client.post(
        f"/rates/{rate.id}/edit",
        data={"rate": "50", "effective_from": "2026-01-01", "version": seen},
    )
    assert response.status_code == 400
    assert STALE_MESSAGE in response.get_data(as_text=True)
    db.session.expire_all()
    assert rate.rate == Decimal("45.00")


def test_a_rate_saved_meanwhile_shows_the_stale_message_not_an_error_page(
    client, login, db, make_user
):
    """Someone else saves the rate after the page loaded it: caught at the save, not a 500."""
    pmo = make_user("Analyst", global_role="pmo")
    login(pmo)
    rate = _role_rate(db, pmo)
    seen = rate.version
    saved_meanwhile(db, rate, rate=Decimal("45"))
    response = client.post(
        f"/rates/{rate.id}/edit",
        data={"rate": "50", "effective_from": "2026-01-01", "version": seen},
    )
    assert response.status_code == 400
    assert STALE_MESSAGE in response.get_data(as_text=True)
    db.session.expire_all()
    assert rate.rate == Decimal("45.00")
