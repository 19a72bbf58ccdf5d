"""Budget services: costs, CSV import, baselines, checkpoints, tolerance and exceptions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from tests.budget.conftest import release_budgets
from tests.budget.helpers import cost
from tests.stages.helpers import report_data
from tracker.audit.models import AuditEntry
from tracker.budget import queries, rules, services
from tracker.budget.models import Baseline, BudgetException, Checkpoint, CostEntry, CostImport
from tracker.core.errors import RuleError
from tracker.stages import services as stages

TODAY = date(2026, 12, 31)


def _count(db, model, *criteria) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*criteria))


def _audits(db, action: str) -> int:
    return _count(db, AuditEntry, AuditEntry.action == action)


def _set_status(db, stage, status):
    stage.status = status
    db.session.commit()


# --- cost entries -------------------------------------------------------------------------


def _data(**overrides) -> services.CostData:
    data = {
        "spent_on": date(2026, 2, 1),
        "amount": D("1250.00"),
        "category": "supplier",
        "supplier": "Acme Ltd",
        "description": "Workshop venue",
    }
    data.update(overrides)
    return services.CostData(**data)


def test_a_cost_is_recorded_and_audited(db, staged):
    entry, created = services.record_cost(
        staged["project"], _data(), token="t1", actor=staged["manager"], today=TODAY
    )
    db.session.commit()
    assert created
    assert entry.amount == D("1250.00")
    assert _audits(db, "cost.recorded") == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"spent_on": None}, "spent_on", "Enter the date"),
        ({"spent_on": date(2027, 1, 1)}, "spent_on", "cannot be in the future"),
        ({"amount": None}, "amount", "Enter the amount"),
        ({"amount": D(0)}, "amount", "more than £0"),
        ({"amount": D(-5)}, "amount", "credit note"),
        ({"category": "travel"}, "category", "Choose a category"),
        ({"supplier": ""}, "supplier", "Enter the supplier for a supplier cost"),
        ({"description": "  "}, "description", "Enter a description"),
        ({"description": "x" * 501}, "description", "500 characters"),
        ({"is_credit": True, "credit_reason": ""}, "credit_reason", "reason for the credit"),
        ({"stage_id": 1, "iteration_id": 1}, "link", "not both"),
    ],
)
def test_bad_costs_are_refused_and_nothing_is_saved(db, staged, overrides, field, message):
    with pytest.raises(RuleError, match=message) as caught:
        services.record_cost(
            staged["project"], _data(**overrides), token=None, actor=staged["manager"], today=TODAY
        )
    db.session.rollback()
    assert caught.value.field == field
    assert _count(db, CostEntry) == 0


def test_a_credit_note_is_stored_negative_with_its_reason(db, staged):
    entry, _ = services.record_cost(
        staged["project"],
        _data(is_credit=True, credit_reason="Venue refunded a cancelled day"),
        token=None,
        actor=staged["manager"],
        today=TODAY,
    )
    assert entry.amount == D("-1250.00")
    assert entry.credit_reason == "Venue refunded a cancelled day"


def test_costs_book_only_to_a_stage_its_gate_has_authorised(db, staged):
    one, _ = staged["stages"]
    with pytest.raises(RuleError, match="booked only to a stage its gate has authorised"):
        services.record_cost(
            staged["project"], _data(stage_id=one.id), token=None, actor=None, today=TODAY
        )
    _set_status(db, one, "active")
    entry, _ = services.record_cost(
        staged["project"], _data(stage_id=one.id), token=None, actor=None, today=TODAY
    )
    assert entry.stage_id == one.id


def test_the_same_form_submitted_twice_records_one_cost(db, staged):
    first, created = services.record_cost(
        staged["project"], _data(), token="same-token", actor=None, today=TODAY
    )
    db.session.commit()
    again, created_again = services.record_cost(
        staged["project"], _data(), token="same-token", actor=None, today=TODAY
    )
    db.session.commit()
    assert (created, created_again) == (True, False)
    assert again.id == first.id
    assert _count(db, CostEntry) == 1


# --- CSV import ---------------------------------------------------------------------------

HEADER = "date,amount,category,supplier,description,stage\n"


def test_a_valid_file_is_imported_whole(db, staged):
    one, _ = staged["stages"]
    _set_status(db, one, "active")
    text = (
        HEADER
        + '2026-01-05,"1,000.00",supplier,Acme,Venue,Discovery\n2026-01-06,50,staff,,Cover,\n'
    )
    batch, created = services.import_costs(
        staged["project"], text, filename="jan.csv", token="imp-1", actor=None, today=TODAY
    )
    db.session.commit()
    assert created and batch.row_count == 2 and batch.total == D("1050.00")
    entries = db.session.scalars(select(CostEntry).order_by(CostEntry.spent_on)).all()
    assert [(e.amount, e.stage_id) for e in entries] == [(D("1000.00"), one.id), (D("50.00"), None)]
    # The same upload sent again imports nothing more.
    _, again = services.import_costs(
        staged["project"], text, filename="jan.csv", token="imp-1", actor=None, today=TODAY
    )
    assert not again
    assert _count(db, CostEntry) == 2


def test_one_bad_row_imports_nothing_and_every_problem_is_named(db, staged):
    text = (
        HEADER
        + "2026-01-05,10,staff,,Fine,\n"
        + "2026-01-32,£3,travel,,,\n"
        + "2026-01-05,10,staff,,Booked to a planned stage,Discovery\n"
    )
    with pytest.raises(rules.CsvImportError) as caught:
        services.import_costs(
            staged["project"], text, filename="bad.csv", token="imp-2", actor=None, today=TODAY
        )
    db.session.rollback()
    assert [(p.row, p.field) for p in caught.value.problems] == [
        (3, "date"),
        (3, "amount"),
        (3, "category"),
        (3, "description"),
    ]
    assert _count(db, CostEntry) == 0
    assert _count(db, CostImport) == 0


def test_a_row_booked_to_an_unauthorised_stage_is_refused(db, staged):
    text = HEADER + "2026-01-05,10,staff,,Cover,Stage 1: Discovery\n"
    with pytest.raises(rules.CsvImportError) as caught:
        services.import_costs(
            staged["project"], text, filename="x.csv", token="imp-3", actor=None, today=TODAY
        )
    assert [(p.row, p.field) for p in caught.value.problems] == [(2, "stage")]
    assert _count(db, CostEntry) == 0


# --- baselines ----------------------------------------------------------------------------


def test_stage_baseline_spreads_each_stage_and_rebaselining_keeps_the_old_one(db, staged):
    project, manager = staged["project"], staged["manager"]
    first = services.set_baseline(project, services.BaselineData(reason=""), actor=manager)
    db.session.commit()
    assert (first.number, first.kind, first.bac) == (1, "stage", D("100000.00"))
    curve = services.curve_of(first)
    assert rules.planned_value_at(curve, date(2026, 1, 10)) == D("40000.00")
    assert rules.planned_value_at(curve, date(2026, 1, 20)) == D("70000.00")

    with pytest.raises(RuleError, match="reason for re-baselining") as caught:
        services.set_baseline(project, services.BaselineData(reason="  "), actor=manager)
    assert caught.value.field == "reason"
    db.session.rollback()

    second = services.set_baseline(
        project, services.BaselineData(reason="Board approved a longer build"), actor=manager
    )
    db.session.commit()
    assert second.number == 2
    assert services.current_baseline(project).id == second.id
    assert _count(db, Baseline) == 2
    assert _audits(db, "baseline.set") == 1
    assert _audits(db, "baseline.rebaselined") == 1


def test_release_baseline_needs_points_and_iteration_budgets(db, agile_project):
    project, manager = agile_project["project"], agile_project["manager"]
    budgets = release_budgets(agile_project["iterations"])
    with pytest.raises(RuleError, match="story points") as caught:
        services.set_baseline(project, services.BaselineData("", None, budgets), actor=manager)
    assert caught.value.field == "planned_points"
    missing = dict(budgets)
    missing[agile_project["iterations"][1].id] = None
    with pytest.raises(RuleError, match="Enter the budget for Sprint 2"):
        services.set_baseline(project, services.BaselineData("", 120, missing), actor=manager)
    baseline = services.set_baseline(
        project, services.BaselineData("", 120, budgets), actor=manager
    )
    assert (baseline.kind, baseline.bac, baseline.planned_points) == (
        "release",
        D("65000.00"),
        120,
    )


def test_a_plan_over_the_project_budget_is_refused(db, agile_project):
    project = agile_project["project"]
    budgets = {it.id: D(40000) for it in agile_project["iterations"]}
    with pytest.raises(RuleError, match=r"£120,000.00, more than the project's budget"):
        services.set_baseline(project, services.BaselineData("", 120, budgets), actor=None)
    db.session.rollback()
    assert _count(db, Baseline) == 0


def test_a_project_without_a_method_cannot_be_baselined(db, make_project):
    project = make_project()
    with pytest.raises(RuleError, match="method decision"):
        services.set_baseline(project, services.BaselineData(""), actor=None)


# --- checkpoints: the worked examples -----------------------------------------------------


def _staged_costs(db, staged):
    """£40,000 booked to Discovery, then £25,000 to Build, by 20 January."""
    one, two = staged["stages"]
    _set_status(db, one, "active")
    cost(staged["project"], None, "40000", on=date(2026, 1, 8), stage_id=one.id)
    _set_status(db, one, "closed")
    _set_status(db, two, "active")
    cost(staged["project"], None, "25000", on=date(2026, 1, 18), stage_id=two.id)
    cost(staged["project"], None, "999", on=date(2026, 1, 21))  # after the checkpoint


def test_stage_gated_checkpoint_matches_the_hand_calculation(db, staged):
    """PV at 20 Jan = £40,000 + 10 days x £3,000 = £70,000. EV = £40,000 (100%) + 30% of
    £60,000 = £58,000. AC = £65,000. CPI = 58/65 = 0.892; SPI = 58/70 = 0.829;
    EAC = 100,000 x 65,000 / 58,000 = £112,068.97; VAC = -£12,068.97.
    Small project: tolerance ±10% = £10,000, so the forecast breaches: red."""
    project = staged["project"]
    one, two = staged["stages"]
    _staged_costs(db, staged)
    services.set_baseline(project, services.BaselineData(""), actor=staged["manager"])
    point = services.take_checkpoint(
        project,
        services.CheckpointData(date(2026, 1, 20), {one.id: D(100), two.id: D(30)}),
        actor=staged["manager"],
        today=TODAY,
    )
    db.session.commit()
    assert (point.pv, point.ev, point.ac) == (D("70000.00"), D("58000.00"), D("65000.00"))
    assert (point.cpi, point.spi) == (D("0.892307692308"), D("0.828571428571"))
    db.session.expire_all()
    stored = db.session.get(Checkpoint, point.id)
    assert (stored.cpi, stored.spi) == (point.cpi, point.spi)  # stored at full precision
    assert point.eac == D("112068.97")
    assert point.vac == D("-12068.97")
    assert point.eac_atypical == D("107000.00")
    assert point.tcpi == D("1.200")  # (100,000 - 58,000) / (100,000 - 65,000)
    assert point.status == "breached"
    assert point.rag == "red"
    # Build's own check: EAC 60,000 x 25,000 / 18,000 = £83,333.33 against ±£6,000.
    assert point.stage_id == two.id
    assert point.stage_eac == D("83333.33")
    assert point.stage_status == "breached"
    db.session.refresh(two)
    assert two.status == "in_exception"
    assert two.forecast_cost == D("83333.33")
    # The stage's exception process took the breach: no separate budget exception.
    assert _count(db, BudgetException) == 0
    assert _audits(db, "checkpoint.taken") == 1


def test_agile_checkpoint_is_agileevm_and_a_breach_raises_a_budget_exception(db, agile_project):
    """Release plan £65,000 for 120 points. At 27 March two sprints have ended: PV £40,000;
    70 points done: EV = 65,000 x 70 / 120 = £37,916.67. AC £42,000.
    CPI = 0.903, SPI = 0.948, EAC = 65,000 x 42,000 / 37,916.67 = £71,999.99;
    tolerance ±10% of £65,000 = £6,500, variance £6,999.99: breached."""
    project, manager = agile_project["project"], agile_project["manager"]
    services.set_baseline(
        project,
        services.BaselineData("", 120, release_budgets(agile_project["iterations"])),
        actor=manager,
    )
    cost(project, None, "42000", on=date(2026, 3, 20))
    point = services.take_checkpoint(
        project, services.CheckpointData(date(2026, 3, 27)), actor=manager, today=TODAY
    )
    db.session.commit()
    assert (point.pv, point.ev, point.ac) == (D("40000.00"), D("37916.67"), D("42000.00"))
    assert (point.cpi, point.spi) == (D("0.902777857143"), D("0.947916750000"))
    assert point.eac == D("71999.99")
    assert (point.completed_points, point.planned_points) == (70, 120)
    assert point.rag == "red"
    report = services.open_budget_exception(project)
    assert report is not None and report.checkpoint_id == point.id
    assert "£71,999.99" in report.breach
    # The executive sees it in the Decisions inbox.
    assert [item.id for item in queries.inbox(agile_project["executive"])] == [report.id]
    assert queries.inbox(manager) == []


def test_the_board_decides_a_budget_exception_once(db, agile_project):
    project, manager = agile_project["project"], agile_project["manager"]
    services.set_baseline(
        project,
        services.BaselineData("", 120, release_budgets(agile_project["iterations"])),
        actor=manager,
    )
    cost(project, None, "60000", on=date(2026, 3, 20))
    services.take_checkpoint(
        project, services.CheckpointData(date(2026, 3, 27)), actor=manager, today=TODAY
    )
    db.session.commit()
    report = services.open_budget_exception(project)
    with pytest.raises(RuleError, match="Only the board members"):
        services.decide_budget_exception(
            report, decision="accept", comment="Fine", version=None, actor=manager
        )
    db.session.rollback()
    with pytest.raises(RuleError, match="reason for your decision"):
        services.decide_budget_exception(
            report, decision="accept", comment="", version=None, actor=agile_project["executive"]
        )
    db.session.rollback()
    services.decide_budget_exception(
        report,
        decision="rebaseline",
        comment="Scope grew; re-plan",
        version=None,
        actor=agile_project["executive"],
    )
    db.session.commit()
    assert report.status == "decided" and report.decided_role == "executive"
    with pytest.raises(RuleError, match="already been decided"):
        services.decide_budget_exception(
            report, decision="accept", comment="x", version=None, actor=agile_project["executive"]
        )
    assert queries.inbox(agile_project["executive"]) == []


def test_undefined_figures_are_stored_as_none_with_reasons(db, staged):
    project = staged["project"]
    services.set_baseline(project, services.BaselineData(""), actor=None)
    point = services.take_checkpoint(
        project, services.CheckpointData(date(2025, 12, 1)), actor=None, today=TODAY
    )
    assert (point.pv, point.ev, point.ac) == (D(0), D(0), D(0))
    assert point.cpi is None and point.spi is None and point.eac is None
    assert point.status is None and point.rag is None
    reasons = queries.reasons_of(point)
    assert "no cost recorded yet" in reasons["cpi"]


def test_a_checkpoint_needs_a_baseline_and_a_date_not_in_the_future(db, staged):
    project = staged["project"]
    with pytest.raises(RuleError, match="Set a budget baseline first"):
        services.take_checkpoint(
            project, services.CheckpointData(date(2026, 1, 5)), actor=None, today=TODAY
        )
    services.set_baseline(project, services.BaselineData(""), actor=None)
    with pytest.raises(RuleError, match="cannot be in the future") as caught:
        services.take_checkpoint(
            project, services.CheckpointData(date(2027, 1, 1)), actor=None, today=TODAY
        )
    assert caught.value.field == "taken_on"
    one, _ = staged["stages"]
    with pytest.raises(RuleError, match="between 0 and 100"):
        services.take_checkpoint(
            project,
            services.CheckpointData(date(2026, 1, 5), {one.id: D(101)}),
            actor=None,
            today=TODAY,
        )


def test_a_gate_approval_takes_a_checkpoint(db, staged):
    project, manager = staged["project"], staged["manager"]
    services.set_baseline(project, services.BaselineData(""), actor=manager)
    gate = stages.request_gate(project, report_data(), actor=manager)
    db.session.commit()
    stages.decide_gate(
        gate, role="executive", decision="approve", comment="", actor=staged["executive"]
    )
    db.session.commit()
    point = db.session.scalars(select(Checkpoint)).one()
    assert (point.trigger, point.gate_id) == ("gate", gate.id)


def test_a_gate_without_a_baseline_takes_no_checkpoint(db, staged):
    gate = stages.request_gate(staged["project"], report_data(), actor=staged["manager"])
    stages.decide_gate(
        gate, role="executive", decision="approve", comment="", actor=staged["executive"]
    )
    db.session.commit()
    assert gate.status == "approved"
    assert _count(db, Checkpoint) == 0


def test_an_iteration_close_takes_a_checkpoint(db, agile_project):
    from tracker.agile import services as agile

    project, manager = agile_project["project"], agile_project["manager"]
    services.set_baseline(
        project,
        services.BaselineData("", 120, release_budgets(agile_project["iterations"])),
        actor=manager,
    )
    sprint = agile_project["iterations"][2]
    agile.start_iteration(project, sprint, version=None)
    agile.add_feedback(project, sprint, agile.FeedbackData("citizen", "", 4, "Good", "yes"))
    agile.close_iteration(project, sprint, version=None)
    db.session.commit()
    point = db.session.scalars(select(Checkpoint)).one()
    assert (point.trigger, point.iteration_id) == ("iteration", sprint.id)


# --- the monthly job ----------------------------------------------------------------------


def test_the_monthly_job_takes_one_checkpoint_per_project_per_month(db, staged, make_project):
    from tracker.budget.tasks import run_monthly_checkpoints

    make_project()  # no method, no baseline: skipped
    services.set_baseline(staged["project"], services.BaselineData(""), actor=None)
    db.session.commit()
    assert run_monthly_checkpoints(date(2026, 1, 15)) == 1
    assert run_monthly_checkpoints(date(2026, 1, 15)) == 0
    assert run_monthly_checkpoints(date(2026, 1, 31)) == 0
    assert run_monthly_checkpoints(date(2026, 2, 1)) == 1
    periods = db.session.scalars(select(Checkpoint.period).order_by(Checkpoint.id)).all()
    assert periods == ["2026-01", "2026-02"]


# --- hybrid: iterations inside stages -----------------------------------------------------


@pytest.fixture
def hybrid(db, staged):
    staged["project"].delivery_method = "hybrid"
    db.session.commit()
    return staged


def _iteration(project, stage, start, end, name="It 1"):
    from tracker.agile import services as agile

    return agile.create_iteration(
        project,
        agile.IterationData(name, "Goal", start, end, 10, stage.id if stage else None),
    )


def test_a_hybrid_iteration_needs_an_authorised_stage(db, hybrid):
    one, _ = hybrid["stages"]
    with pytest.raises(RuleError, match="is planned: iterations can be planned only") as caught:
        _iteration(hybrid["project"], one, date(2026, 1, 2), date(2026, 1, 5))
    assert caught.value.field == "stage_id"
    _set_status(db, one, "authorised")
    iteration = _iteration(hybrid["project"], one, date(2026, 1, 2), date(2026, 1, 5))
    assert iteration.stage_id == one.id


def test_a_hybrid_iteration_must_fall_within_its_stage(db, hybrid):
    one, _ = hybrid["stages"]
    _set_status(db, one, "active")
    with pytest.raises(RuleError, match="must fall within Stage 1: Discovery") as caught:
        _iteration(hybrid["project"], one, date(2026, 1, 8), date(2026, 1, 12))
    assert caught.value.field == "end_on"


def test_only_hybrid_projects_put_iterations_in_stages(db, staged, agile_project):
    one, _ = staged["stages"]
    with pytest.raises(RuleError, match="Only hybrid projects"):
        _iteration(agile_project["project"], one, date(2026, 5, 1), date(2026, 5, 5), "X")


def test_hybrid_baseline_and_ev_from_iteration_points(db, hybrid):
    project = hybrid["project"]
    one, _ = hybrid["stages"]
    _set_status(db, one, "active")
    iteration = _iteration(project, one, date(2026, 1, 1), date(2026, 1, 5))
    iteration.status, iteration.completed_points = "closed", 5  # of 10 committed
    db.session.commit()
    baseline = services.set_baseline(
        project, services.BaselineData("", None, {iteration.id: D(15000)}), actor=None
    )
    assert baseline.kind == "hybrid" and baseline.bac == D("100000.00")
    progress = services.default_progress(project, baseline, TODAY)
    assert progress[one.id] == D("50.0")


def test_a_hybrid_iteration_planning_more_than_its_stage_is_refused(db, hybrid):
    project = hybrid["project"]
    one, _ = hybrid["stages"]
    _set_status(db, one, "active")
    iteration = _iteration(project, one, date(2026, 1, 1), date(2026, 1, 5))
    with pytest.raises(RuleError, match="more than the stage budget"):
        services.set_baseline(
            project, services.BaselineData("", None, {iteration.id: D(40001)}), actor=None
        )
