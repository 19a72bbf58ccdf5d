"""Building the hierarchy, moving projects, and the refusals that save nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.programmes.conftest import make_programme
from tests.programmes.helpers import checkpoint
from tracker.audit.models import AuditEntry
from tracker.core.errors import RuleError
from tracker.core.unit_of_work import unit_of_work
from tracker.programmes import queries, services
from tracker.programmes.models import Programme, ProgrammeGate, ProgrammeProject

MARCH, JUNE, JULY = date(2026, 3, 31), date(2026, 6, 30), date(2026, 7, 1)


def _count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_cycle_in_the_hierarchy_is_refused_and_nothing_saved(db, portfolio, people):
    top = make_programme(db, portfolio, people, "TOP")
    middle = make_programme(db, portfolio, people, "MID", parent=top)
    data = services.ProgrammeData(
        code="TOP", name="Top", portfolio_id=portfolio.id, parent_id=middle.id
    )
    with unit_of_work() as work:
        services.update_programme(top, data, version=top.version, actor=people["pmo"])
    assert "under itself" in str(work.error)
    db.session.refresh(top)
    assert top.parent_id is None


def test_a_project_in_two_programmes_is_refused(db, make_project, portfolio, people, programme):
    other = make_programme(db, portfolio, people, "PRG-2", manager=people["other_manager"])
    project = make_project()
    services.add_project(programme, project, actor=people["manager"], today=MARCH)
    db.session.commit()
    with unit_of_work() as work:
        services.add_project(other, project, actor=people["other_manager"], today=JULY)
    assert "already in programme PRG-1" in str(work.error)
    assert "at most one programme" in str(work.error)
    assert queries.project_programme(project.id).code == "PRG-1"
    assert _count(db, ProgrammeProject) == 1


def test_moving_needs_the_receiving_programmes_manager(
    db, make_project, portfolio, people, programme
):
    other = make_programme(db, portfolio, people, "PRG-2", manager=people["other_manager"])
    no_manager = make_programme(db, portfolio, people, "PRG-3")
    project = make_project()
    services.add_project(programme, project, actor=people["manager"], today=MARCH)
    db.session.commit()
    # The sending programme's manager cannot push it into someone else's programme.
    with unit_of_work() as work:
        services.add_project(other, project, actor=people["manager"], move=True, today=JULY)
    assert "Only PRG-2's programme manager (Oscar Other) or the PMO" in str(work.error)
    # A programme without a manager cannot receive it at all, not even from the PMO.
    with unit_of_work() as work:
        services.add_project(no_manager, project, actor=people["pmo"], move=True, today=JULY)
    assert "has no programme manager yet" in str(work.error)
    assert _count(db, ProgrammeProject) == 1


def test_a_move_keeps_history_and_roll_ups_change_from_that_day(
    db, make_project, portfolio, people, programme
):
    other = make_programme(db, portfolio, people, "PRG-2", manager=people["other_manager"])
    moving, staying = make_project(), make_project()
    for project in (moving, staying):
        services.add_project(programme, project, actor=people["pmo"], today=MARCH)
    checkpoint(moving, on=MARCH, bac=100_000, pv=40_000, ev=30_000, ac=40_000)
    checkpoint(staying, on=MARCH, bac=50_000, pv=10_000, ev=10_000, ac=10_000)
    db.session.commit()

    services.add_project(other, moving, actor=people["other_manager"], move=True, today=JULY)
    db.session.commit()

    before = queries.rollup(programme.id, JUNE)
    assert (before.projects, before.ev, before.ac) == (2, Decimal("40000.00"), Decimal("50000.00"))
    after = queries.rollup(programme.id, JULY)
    assert (after.projects, after.ev) == (1, Decimal("10000.00"))
    assert queries.rollup(other.id, JUNE).projects == 0
    received = queries.rollup(other.id, JULY)
    assert (received.projects, received.ev, received.cpi) == (
        1,
        Decimal("30000.00"),
        Decimal("0.75"),
    )

    rows = db.session.scalars(
        select(ProgrammeProject)
        .where(ProgrammeProject.project_id == moving.id)
        .order_by(ProgrammeProject.from_on)
    ).all()
    assert [(r.programme_id, r.from_on, r.to_on) for r in rows] == [
        (programme.id, MARCH, JULY),
        (other.id, JULY, None),
    ]
    assert rows[1].agreed_by_id == people["other_manager"].id
    moved = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "programme.project_moved")
    )
    assert "moved from PRG-1 to PRG-2" in moved.summary


def test_the_roll_up_sums_money_and_names_projects_without_a_checkpoint(
    db, make_project, people, programme
):
    big, small, silent = make_project(), make_project(), make_project(name="Silent one")
    for project in (big, small, silent):
        services.add_project(programme, project, actor=people["pmo"], today=MARCH)
    checkpoint(big, on=date(2026, 2, 1), bac=1_000_000, pv=100_000, ev=90_000, ac=100_000)
    # The later checkpoint is the one that counts; one after the day does not.
    checkpoint(big, on=MARCH, bac=1_000_000, pv=500_000, ev=400_000, ac=800_000)
    checkpoint(big, on=JULY, bac=1_000_000, pv=600_000, ev=600_000, ac=600_000)
    checkpoint(small, on=MARCH, bac=10_000, pv=5_000, ev=5_000, ac=2_500)
    db.session.commit()

    total = queries.rollup(programme.id, JUNE)
    assert (total.projects, total.covered) == (3, 2)
    assert total.ev == Decimal("405000.00") and total.ac == Decimal("802500.00")
    assert total.cpi == Decimal("0.50")
    rows = queries.contributions(programme.id, JUNE)
    assert [r.name for r in queries.missing_from(rows)] == ["Silent one"]
    shares = {r.project_id: r.ev_share for r in queries.with_shares(rows, total)}
    assert shares[big.id] == Decimal("98.8") and shares[silent.id] is None


def test_sub_programmes_roll_up_into_their_parent(db, make_project, portfolio, people, programme):
    child = make_programme(
        db, portfolio, people, "SUB", manager=people["other_manager"], parent=programme
    )
    a, b = make_project(), make_project()
    services.add_project(programme, a, actor=people["pmo"], today=MARCH)
    services.add_project(child, b, actor=people["pmo"], today=MARCH)
    checkpoint(a, on=MARCH, bac=100, pv=10, ev=10, ac=10)
    checkpoint(b, on=MARCH, bac=100, pv=20, ev=20, ac=20)
    db.session.commit()
    assert queries.rollup(programme.id, JUNE).ev == Decimal("30.00")
    assert queries.rollup(child.id, JUNE).ev == Decimal("20.00")


def test_a_programme_tolerance_looser_than_its_projects_is_refused(
    db, make_project, portfolio, people, programme
):
    for limit in (10_000, 5_000):
        project = make_project()
        services.add_project(programme, project, actor=people["pmo"])
        checkpoint(project, on=MARCH, bac=100_000, pv=1, ev=1, ac=1, tolerance_limit=limit)
    db.session.commit()
    data = services.ProgrammeData(
        code=programme.code,
        name=programme.name,
        portfolio_id=portfolio.id,
        cost_tolerance=Decimal(15_001),
    )
    with unit_of_work() as work:
        services.update_programme(programme, data, version=programme.version, actor=people["pmo"])
    assert "looser than the £15,000.00 its 2 projects are allowed" in str(work.error)
    db.session.refresh(programme)
    assert programme.cost_tolerance is None
    data.cost_tolerance = Decimal(15_000)
    with unit_of_work() as work:
        services.update_programme(programme, data, version=programme.version, actor=people["pmo"])
    assert work.ok
    assert db.session.get(Programme, programme.id).cost_tolerance == Decimal(15_000)


def test_one_sro_and_the_manager_never_on_the_board(db, people, programme):
    with pytest.raises(RuleError, match="Sam SRO is already the senior responsible owner"):
        services.grant_role(programme, people["outsider"], "sro", actor=people["pmo"])
    with pytest.raises(RuleError, match="programme manager cannot also be"):
        services.grant_role(programme, people["manager"], "senior_user", actor=people["pmo"])


def test_the_programme_board_decides_its_gate_never_the_requester(db, people, programme):
    gate = services.request_gate(programme, "Tranche 1 review", "", actor=people["manager"])
    db.session.commit()
    with pytest.raises(RuleError, match="Only a member of the programme board"):
        services.decide_gate(
            programme,
            gate,
            True,
            "ok",
            version=gate.version,
            actor=people["manager"],
            is_board_member=False,
        )
    services.decide_gate(
        programme,
        gate,
        True,
        "Benefits on track",
        version=gate.version,
        actor=people["board"],
        is_board_member=True,
    )
    db.session.commit()
    assert db.session.get(ProgrammeGate, gate.id).status == "approved"


def test_a_commitment_needs_an_owner_and_is_tracked_to_done(db, make_org, people, programme):
    programme.is_multi_agency = True
    nhs = make_org("NHS trust")
    services.add_partner(programme, nhs, actor=people["pmo"])
    with pytest.raises(RuleError, match="needs an owner"):
        services.add_pledge(
            programme,
            services.PledgeData(nhs.id, "commitment", "Share discharge data"),
            actor=people["manager"],
        )
    pledge = services.add_pledge(
        programme,
        services.PledgeData(nhs.id, "commitment", "Share data", people["board"].id, JULY),
        actor=people["manager"],
    )
    services.complete_commitment(
        programme,
        pledge,
        "Data sharing agreement signed",
        version=pledge.version,
        actor=people["board"],
    )
    assert pledge.status == "done" and pledge.done_by_id == people["board"].id


def test_each_partner_rates_all_five_conditions(db, make_org, people, programme):
    programme.is_multi_agency = True
    police = make_org("Police")
    services.add_partner(programme, police, actor=people["pmo"])
    scores = {
        "shared_mission": 4,
        "shared_metrics": 2,
        "differentiated_roles": 3,
        "communication": 5,
    }
    with pytest.raises(RuleError, match="missing: A backbone organisation"):
        services.rate_partnership(programme, police.id, scores, actor=people["manager"])
    services.rate_partnership(
        programme, police.id, {**scores, "backbone": 1}, actor=people["manager"], today=JUNE
    )
    assert queries.health(programme.id)[JUNE][police.id]["backbone"] == 1


def test_the_programme_holds_its_own_risks_beside_the_escalated_ones(
    client, login, db, people, programme
):
    with pytest.raises(RuleError, match="Choose the impact from 1 to 5"):
        services.raise_risk(programme, "Funding", people["sro"], 3, 9, actor=people["manager"])
    services.raise_risk(
        programme, "Grant funding ends in March", people["sro"], 4, 5, actor=people["manager"]
    )
    db.session.commit()
    assert [r.score for r in queries.own_risks(programme.id)] == [20]


def test_only_the_programme_board_rates_its_confidence(db, people, programme):
    with pytest.raises(RuleError, match="Only a member of the programme board"):
        services.assess_confidence(
            programme,
            "amber",
            "Tranche 2 at risk",
            actor=people["manager"],
            is_board_member=False,
        )
    services.assess_confidence(
        programme, "amber", "Tranche 2 at risk", actor=people["board"], is_board_member=True
    )
    services.assess_confidence(
        programme, "amber_red", "Worse", actor=people["board"], is_board_member=True
    )
    services.assess_confidence(
        programme, "green", "Fine", actor=people["sro"], is_board_member=True
    )
    db.session.commit()
    latest = {c.assessed_by_id: c.rating for c in queries.board_confidence(programme.id)}
    assert latest == {people["board"].id: "amber_red", people["sro"].id: "green"}
