"""A published earned-value worked example, reproduced to the penny.

Source: Paul Govan, vignette "Earned Value Management", section "Examples", in the R
package *PRA: Project Risk Analysis* (``vignettes/evm.Rmd`` of github.com/paulgovan/PRA,
commit 0927cdd; the package's ``R/evm.R`` help examples use the same project). A project
with a budget at completion of 100,000 is planned cumulatively as 10%, 20%, 40%, 70% and
100% of its budget over five periods. At the end of period 3 the work is 35% complete and
the costs of periods 1-3 were 9,000, 18,000 and 36,000. The vignette prints (with R's
``round(x, 2)``):

    PV 40000   EV 35000   AC 63000   SV -5000   CV -28000   SPI 0.88   CPI 0.56
    EAC (typical) 180000   EAC (atypical) 128000   EAC (combined) 196714.29
    ETC 117000   VAC -80000   TCPI 1.76 ("Must achieve 175.7 % efficiency")

Rounding: the source rounds half to even (R), we round half up; no printed figure falls on
a half, so both give the same digits. Indices are compared at the two places the source
prints; money to the penny. The currency is the source's; the arithmetic is the same in
pounds.

The example is run twice: through the pure rules (a five-period stage baseline), and through
the whole product (a stage-gated project with one stage per period, a baseline, three cost
entries and a checkpoint), so the service, the stored checkpoint and the page all agree.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from tests.budget.helpers import cost
from tests.stages.helpers import stage_data
from tracker.budget import rules, services
from tracker.budget.models import Checkpoint
from tracker.stages import services as stages

BAC = D("100000")
# One period per calendar month of 2026: (first day, last day, budget planned in it).
PERIODS = (
    (date(2026, 1, 1), date(2026, 1, 31), D("10000")),  # cumulative 10%
    (date(2026, 2, 1), date(2026, 2, 28), D("10000")),  # 20%
    (date(2026, 3, 1), date(2026, 3, 31), D("20000")),  # 40%
    (date(2026, 4, 1), date(2026, 4, 30), D("30000")),  # 70%
    (date(2026, 5, 1), date(2026, 5, 31), D("30000")),  # 100%
)
PERIOD_COSTS = (D("9000"), D("18000"), D("36000"))
END_OF_PERIOD_3 = date(2026, 3, 31)

# Every figure the source prints, at the precision it prints it.
PRINTED = {
    "pv": D("40000.00"),
    "ev": D("35000.00"),
    "ac": D("63000.00"),
    "sv": D("-5000.00"),
    "cv": D("-28000.00"),
    "spi": D("0.88"),
    "cpi": D("0.56"),
    "eac": D("180000.00"),
    "eac_atypical": D("128000.00"),
    "eac_cpi_spi": D("196714.29"),
    "etc": D("117000.00"),
    "vac": D("-80000.00"),
    "tcpi": D("1.76"),
}


def _plan() -> list[rules.StageBudget]:
    return [
        rules.StageBudget(f"Period {n}", start, finish, budget)
        for n, (start, finish, budget) in enumerate(PERIODS, start=1)
    ]


def _printed_view(point) -> dict:
    """The checkpoint's figures as the source prints them: money to the penny, indices to
    two places."""
    return {
        name: (
            rules.index_on_screen(getattr(point, name))
            if name in ("cpi", "spi", "tcpi")
            else getattr(point, name)
        )
        for name in PRINTED
    }


def test_the_plan_is_the_sources_cumulative_schedule():
    plan = _plan()
    ends = [finish for _, finish, _ in PERIODS]
    assert [rules.stage_planned_value(plan, end) for end in ends] == [
        D("10000.00"),
        D("20000.00"),
        D("40000.00"),
        D("70000.00"),
        D("100000.00"),
    ]
    curve = rules.stage_baseline(plan)
    assert curve.bac == BAC
    assert [rules.planned_value_at(curve, end) for end in ends[:3]] == [
        D("10000.00"),
        D("20000.00"),
        D("40000.00"),
    ]


def test_every_printed_figure_through_the_pure_rules():
    pv = rules.stage_planned_value(_plan(), END_OF_PERIOD_3)
    ev = rules.earned_value([rules.StageProgress(BAC, D("35"))])
    ac = rules.money(sum(PERIOD_COSTS, D(0)))
    point = rules.checkpoint(BAC, pv, ev, ac)

    assert _printed_view(point) == PRINTED
    # Full precision behind the printed indices, and the vignette's closing line.
    assert point.spi == D("0.875000000000")
    assert point.cpi == D("0.555555555556")
    assert point.tcpi == D("1.756756756757")
    assert (point.tcpi * 100).quantize(D("0.1")) == D("175.7")
    # The vignette's ETC is (BAC - EV) / CPI; ours is EAC - AC: the same 117,000.
    assert point.etc == rules.money((BAC - ev) * ac / ev)
    assert point.reasons == ()


def test_the_sources_trend_for_periods_one_to_three():
    """The vignette's trend data (it plots rather than prints them): 5%, 15% and 35%
    complete at the ends of periods 1-3, with cumulative costs."""
    plan = _plan()
    trend = []
    spent = D(0)
    for (_, finish, _), percent, period_cost in zip(
        PERIODS, (D(5), D(15), D(35)), PERIOD_COSTS, strict=False
    ):
        spent += period_cost
        point = rules.checkpoint(
            BAC,
            rules.stage_planned_value(plan, finish),
            rules.earned_value([rules.StageProgress(BAC, percent)]),
            spent,
        )
        trend.append((point.pv, point.ev, point.ac))
    assert trend == [
        (D("10000.00"), D("5000.00"), D("9000.00")),
        (D("20000.00"), D("15000.00"), D("27000.00")),
        (D("40000.00"), D("35000.00"), D("63000.00")),
    ]


def test_every_printed_figure_through_the_whole_product(db, make_user, make_project, client, login):
    """A stage-gated project with one stage per period of the source's plan, its costs
    recorded as cost entries, and a checkpoint at the end of period 3 reporting periods 1
    and 2 done and period 3 three-quarters done (35% of the budget earned)."""
    manager = make_user("Wendy Worked-Example")
    project = make_project(manager=manager, budget_at_completion=BAC)
    project.delivery_method = "stage_gated"
    made = [
        stages.create_stage(
            project,
            stage_data(f"Period {n}", start, (finish - start).days, str(budget)),
            actor=manager,
        )
        for n, (start, finish, budget) in enumerate(PERIODS, start=1)
    ]
    db.session.commit()
    baseline = services.set_baseline(project, services.BaselineData(""), actor=manager)
    db.session.commit()
    assert baseline.bac == BAC
    for (_, finish, _), amount in zip(PERIODS, PERIOD_COSTS, strict=False):
        cost(project, manager, str(amount), on=finish, category="supplier")

    reported = {made[0].id: D(100), made[1].id: D(100), made[2].id: D(75)}
    taken = services.take_checkpoint(
        project,
        services.CheckpointData(taken_on=END_OF_PERIOD_3, progress=reported),
        actor=manager,
        today=date(2026, 4, 1),
    )
    db.session.commit()

    db.session.expire_all()
    stored = db.session.get(Checkpoint, taken.id)
    assert _printed_view(stored) == PRINTED
    assert (stored.cpi, stored.spi) == (D("0.555555555556"), D("0.875000000000"))
    assert stored.status == "breached"  # EAC 180,000 against BAC 100,000

    login(manager)
    page = client.get(f"/projects/{project.id}/budget/checkpoints/{taken.id}").get_data(
        as_text=True
    )
    for text in ("0.56", "0.88", "1.76", "£180,000.00", "£196,714.29", "-£80,000.00"):
        assert text in page, text
    assert "0.556" not in page and "0.875" not in page
