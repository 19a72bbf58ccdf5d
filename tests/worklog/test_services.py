"""Logging, changing, locking and costing time through the services."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.worklog.conftest import MONDAY, TUESDAY
from tracker.audit.models import AuditEntry
from tracker.core.errors import RuleError, StaleEdit
from tracker.worklog import services
from tracker.worklog.models import TimeEntry, TimesheetWeek


def _count(db) -> int:
    return db.session.scalar(select(func.count(TimeEntry.id)))


def _audits(db, action) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_logging_time_records_the_role_and_an_audit_entry(db, team, log):
    entry = log(team["member"], team["project"], MONDAY, "7.5", note="Workshop")
    assert entry.hours == Decimal("7.50")
    assert entry.role == "team_member"
    assert entry.week.week_start == MONDAY
    [audit] = _audits(db, "time.logged")
    assert audit.project_id == team["project"].id
    assert "7.5 hours" in audit.summary


def test_a_day_cannot_pass_24_hours_across_projects(db, team, log):
    log(team["member"], team["project"], MONDAY, 20)
    with pytest.raises(RuleError, match=r"would have 24\.25 hours logged"):
        log(team["member"], team["other"], MONDAY, "4.25")
    db.session.rollback()
    assert _count(db) == 1
    log(team["member"], team["other"], MONDAY, 4)  # exactly 24 is fine
    assert _count(db) == 2


@pytest.mark.parametrize("hours", ["0", "-1", "24.5"])
def test_hours_out_of_range_are_refused(db, team, log, hours):
    with pytest.raises(RuleError) as error:
        log(team["member"], team["project"], MONDAY, hours)
    assert error.value.field == "hours"
    db.session.rollback()
    assert _count(db) == 0


def test_no_time_for_days_to_come(db, team, log):
    with pytest.raises(RuleError, match="today or earlier"):
        log(team["member"], team["project"], services.today() + timedelta(days=1), 1)


def test_closed_project_refused_with_the_reason(db, team, log):
    team["project"].status = "closed"
    db.session.commit()
    with pytest.raises(RuleError, match="is closed: time can no longer be logged"):
        log(team["member"], team["project"], MONDAY, 1)
    db.session.rollback()
    assert _count(db) == 0


@pytest.mark.parametrize("status", ["planned", "closed"])
def test_stage_not_authorised_is_refused_with_the_reason(db, team, log, make_stage, status):
    stage = make_stage(team["project"], status=status)
    with pytest.raises(RuleError, match="only to a stage its gate has authorised") as error:
        log(team["member"], team["project"], MONDAY, 1, stage_id=stage.id)
    assert error.value.field == "stage_id"


@pytest.mark.parametrize("status", ["authorised", "active"])
def test_authorised_or_active_stage_takes_time(db, team, log, make_stage, status):
    stage = make_stage(team["project"], status=status)
    assert log(team["member"], team["project"], MONDAY, 1, stage_id=stage.id).stage_id == stage.id


def test_closed_iteration_is_refused_with_the_reason(db, team, log, make_iteration):
    iteration = make_iteration(team["project"], status="closed")
    with pytest.raises(RuleError, match="Sprint 1 is closed") as error:
        log(team["member"], team["project"], MONDAY, 1, iteration_id=iteration.id)
    assert error.value.field == "iteration_id"


def test_another_projects_stage_is_refused(db, team, log, make_stage):
    stage = make_stage(team["other"])
    with pytest.raises(RuleError, match="Choose a stage of"):
        log(team["member"], team["project"], MONDAY, 1, stage_id=stage.id)


def test_logging_for_someone_else_needs_the_manager_role(db, team, log, make_user):
    colleague = make_user("Colleague")
    from tracker.projects import services as projects

    projects.add_member(team["project"], colleague, "team_member")
    db.session.commit()
    with pytest.raises(RuleError, match=r"Only .* project manager can log time on behalf"):
        log(colleague, team["project"], MONDAY, 1, actor=team["member"])
    db.session.rollback()
    assert _count(db) == 0
    entry = log(colleague, team["project"], MONDAY, 1, actor=team["manager"])
    assert entry.created_by_id == team["manager"].id


def test_people_not_on_the_team_cannot_log_to_it(db, team, log):
    with pytest.raises(RuleError, match=r"is not on the .* team"):
        log(team["outsider"], team["project"], MONDAY, 1)


def test_edit_and_delete_own_entry(db, team, log):
    entry = log(team["member"], team["project"], MONDAY, 2)
    services.update_entry(
        entry,
        services.EntryData(team["member"].id, team["project"].id, TUESDAY, Decimal(3), note="x"),
        version=entry.version,
        actor=team["member"],
    )
    db.session.commit()
    assert (entry.work_date, entry.hours, entry.note) == (TUESDAY, Decimal(3), "x")
    services.delete_entry(entry, version=entry.version, actor=team["member"])
    db.session.commit()
    assert _count(db) == 0
    assert len(_audits(db, "time.deleted")) == 1


def test_someone_else_cannot_delete_my_entry(db, team, log, make_user):
    entry = log(team["member"], team["project"], MONDAY, 2)
    colleague = make_user()
    with pytest.raises(RuleError, match="only your own time"):
        services.delete_entry(entry, version=entry.version, actor=colleague)


def test_stale_entry_edit_is_refused(db, team, log):
    entry = log(team["member"], team["project"], MONDAY, 2)
    old = entry.version
    services.update_entry(
        entry,
        services.EntryData(team["member"].id, team["project"].id, MONDAY, Decimal(3)),
        version=old,
        actor=team["member"],
    )
    db.session.commit()
    with pytest.raises(StaleEdit):
        services.update_entry(
            entry,
            services.EntryData(team["member"].id, team["project"].id, MONDAY, Decimal(5)),
            version=old,
            actor=team["member"],
        )
    db.session.rollback()
    assert db.session.get(TimeEntry, entry.id).hours == Decimal(3)


def _grid(project, **days):
    """A grid row for a project: {0: hours on Monday, ...}."""
    values = [None] * 7
    for key, value in days.items():
        values[int(key[1:])] = Decimal(str(value))
    return ((project.id, None, None, None), values)


def test_a_week_for_two_projects_saves_in_one_go(db, team):
    result = services.save_week(
        team["member"],
        MONDAY,
        [_grid(team["project"], d0=7, d1=6.5), _grid(team["other"], d1=1)],
        version=0,
        actor=team["member"],
    )
    db.session.commit()
    assert (result.created, result.updated, result.deleted) == (3, 0, 0)
    assert _count(db) == 3
    # Emptying a cell removes its time; changing one updates it.
    week = services.find_week(team["member"].id, MONDAY)
    services.save_week(
        team["member"],
        MONDAY,
        [_grid(team["project"], d0=8), _grid(team["other"], d1=1)],
        version=week.version,
        actor=team["member"],
    )
    db.session.commit()
    hours = sorted(db.session.scalars(select(TimeEntry.hours)))
    assert hours == [Decimal(1), Decimal(8)]


def test_a_grid_over_24_hours_saves_nothing(db, team):
    with pytest.raises(services.TimesheetError) as error:
        services.save_week(
            team["member"],
            MONDAY,
            [_grid(team["project"], d0=20, d1=1), _grid(team["other"], d0=5)],
            version=0,
            actor=team["member"],
        )
    assert "would have 25 hours logged" in error.value.problems[0].message
    db.session.rollback()
    assert _count(db) == 0


def test_a_stale_timesheet_is_refused(db, team, log):
    services.save_week(
        team["member"], MONDAY, [_grid(team["project"], d0=1)], version=0, actor=team["member"]
    )
    db.session.commit()
    log(team["member"], team["other"], TUESDAY, 2)  # someone changes the week meanwhile
    with pytest.raises(StaleEdit):
        services.save_week(
            team["member"], MONDAY, [_grid(team["project"], d0=3)], version=1, actor=team["member"]
        )


def test_submitted_week_is_locked_until_its_manager_unlocks_it(db, team, log, make_user):
    entry = log(team["member"], team["project"], MONDAY, 2)
    services.submit_week(team["member"], MONDAY, version=None, actor=team["member"])
    db.session.commit()
    with pytest.raises(RuleError, match="submitted and locked"):
        log(team["member"], team["project"], TUESDAY, 1)
    db.session.rollback()
    with pytest.raises(RuleError, match="submitted and locked"):
        services.delete_entry(entry, version=entry.version, actor=team["member"])
    db.session.rollback()
    week = services.find_week(team["member"].id, MONDAY)
    # Not the team member, not PMO: only the project manager or an administrator.
    for someone in (team["member"], make_user("Analyst", global_role="pmo")):
        with pytest.raises(RuleError, match="Only the project manager"):
            services.unlock_week(week, reason="Typo", version=week.version, actor=someone)
        db.session.rollback()
    with pytest.raises(RuleError, match="Enter why"):
        services.unlock_week(week, reason=" ", version=week.version, actor=team["manager"])
    db.session.rollback()
    services.unlock_week(week, reason="Wrong project", version=week.version, actor=team["manager"])
    db.session.commit()
    assert week.status == "open"
    [audit] = _audits(db, "timesheet.unlocked")
    assert "Wrong project" in audit.summary
    assert audit.actor_id == team["manager"].id
    log(team["member"], team["project"], TUESDAY, 1)  # open again


def test_an_admin_can_unlock_any_week(db, team, log, make_user):
    log(team["member"], team["project"], MONDAY, 2)
    week = services.submit_week(team["member"], MONDAY, version=None, actor=team["member"])
    db.session.commit()
    admin = make_user("Admin", global_role="admin")
    services.unlock_week(week, reason="Asked to", version=week.version, actor=admin)
    assert week.status == "open"


def test_an_empty_week_cannot_be_submitted(db, team):
    with pytest.raises(RuleError, match="Log some time"):
        services.submit_week(team["member"], MONDAY, version=None, actor=team["member"])


def _rate(db, actor, amount, start, **who):
    rate = services.add_rate(
        services.RateData(rate=Decimal(amount), effective_from=start, **who), actor=actor
    )
    db.session.commit()
    return rate


def test_labour_cost_uses_the_rate_in_force_each_day(db, team, log, make_user):
    pmo = make_user("Analyst", global_role="pmo")
    _rate(db, pmo, "40", date(2026, 1, 1), role="team_member")
    _rate(db, pmo, "50", date(2026, 3, 3), role="team_member")
    _rate(db, pmo, "60", date(2026, 1, 1), role="project_manager")
    log(team["member"], team["project"], MONDAY, 2)  # 2 x 40
    log(team["member"], team["project"], TUESDAY, "1.5")  # 1.5 x 50
    log(team["manager"], team["project"], TUESDAY, 1)  # 1 x 60
    log(team["member"], team["other"], TUESDAY, 8)  # another project: not counted
    assert services.labour_cost(team["project"].id, date(2026, 3, 2)) == Decimal("80.00")
    assert services.labour_cost(team["project"].id, date(2026, 3, 31)) == Decimal("215.00")
    # A person's own rate beats their role's, from its start.
    _rate(db, pmo, "100", date(2026, 3, 3), person_id=team["member"].id)
    assert services.labour_cost(team["project"].id, date(2026, 3, 31)) == Decimal("290.00")


def test_time_without_a_rate_costs_nothing_and_is_reported(db, team, log):
    log(team["member"], team["project"], MONDAY, 3)
    assert services.labour_cost(team["project"].id, MONDAY) == Decimal("0.00")
    assert services.unpriced_hours(team["project"].id, MONDAY) == Decimal("3.00")


def test_only_pmo_or_admin_set_rates_and_one_per_day(db, team, make_user):
    with pytest.raises(RuleError, match="Only PMO"):
        _rate(db, team["manager"], "40", MONDAY, role="team_member")
    db.session.rollback()
    pmo = make_user("Analyst", global_role="pmo")
    _rate(db, pmo, "40", MONDAY, role="team_member")
    with pytest.raises(RuleError, match="already has a rate from"):
        _rate(db, pmo, "45", MONDAY, role="team_member")
    db.session.rollback()
    assert len(_audits(db, "rate.set")) == 1


def test_lock_week_creates_one_row_per_person_and_week(db, team):
    first, created = services.lock_week(team["member"].id, TUESDAY)
    second, created_again = services.lock_week(team["member"].id, MONDAY)
    assert created and not created_again
    assert first.id == second.id
    assert db.session.scalar(select(func.count(TimesheetWeek.id))) == 1


def test_a_cell_holding_several_entries_is_left_to_single_edits(db, team, log):
    log(team["member"], team["project"], MONDAY, 2, note="Morning")
    log(team["member"], team["project"], MONDAY, 3, note="Afternoon")
    week = services.find_week(team["member"].id, MONDAY)
    result = services.save_week(
        team["member"],
        MONDAY,
        [_grid(team["project"], d1=1)],  # Monday's box is not in the grid: it stays as it is
        version=week.version,
        actor=team["member"],
    )
    db.session.commit()
    assert (result.created, result.deleted) == (1, 0)
    assert sorted(db.session.scalars(select(TimeEntry.note))) == ["", "Afternoon", "Morning"]
