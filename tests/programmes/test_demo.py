"""Demo programmes and the national scale's programmes."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from tracker.demo import data, national
from tracker.programmes import demo as programmes_demo
from tracker.programmes import queries
from tracker.programmes.models import (
    PartnerPledge,
    PartnershipRating,
    Portfolio,
    Programme,
    ProgrammePartner,
    ProgrammeProject,
    ProgrammeRoleHolder,
)
from tracker.projects.models import Project


def _count(db, model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_the_demo_has_two_portfolios_four_programmes_and_a_partnership(db):
    data.load("demo password long enough")
    assert _count(db, Portfolio) == 2
    assert _count(db, Programme) == 4
    place = db.session.scalar(select(Programme).where(Programme.code == "PRG-PLACE"))
    assert place.is_multi_agency
    assert _count(db, ProgrammePartner, ProgrammePartner.programme_id == place.id) == 3
    assert _count(db, PartnerPledge, PartnerPledge.kind == "commitment") == 2
    assert _count(db, PartnershipRating) == 2 * 3 * 5
    # The housing project moved from the care programme to the housing one, with history.
    housing = db.session.scalar(select(Project).where(Project.code == "HSG-2026-06"))
    stays = db.session.execute(
        select(Programme.code, ProgrammeProject.to_on)
        .join(Programme)
        .where(ProgrammeProject.project_id == housing.id)
        .order_by(ProgrammeProject.from_on)
    ).all()
    assert [code for code, _ in stays] == ["PRG-CARE", "PRG-HOME"]
    # The sub-programme's projects count in its parent's roll-up.
    assert queries.rollup(place.id, date(2026, 12, 1)).projects == 7
    data.load("demo password long enough")
    assert _count(db, Programme) == 4


def test_the_national_scale_has_a_big_programme_and_every_project_in_one(db):
    national.generate(100, password_hash="not-a-real-hash", today=date(2026, 11, 22), seed=3)
    db.session.commit()
    generated = _count(db, Programme, Programme.code.like("NAT-PRG-%"))
    assert generated == 4
    in_one = _count(db, ProgrammeProject, ProgrammeProject.to_on.is_(None))
    assert in_one == _count(db, Project, Project.code.like("NAT-%")) == 100
    first = db.session.scalar(select(Programme.id).where(Programme.code == "NAT-PRG-001"))
    held = _count(db, ProgrammeProject, ProgrammeProject.programme_id == first)
    # 3% of the projects, as 300 of 10,000 (where it is the biggest by far).
    assert held == programmes_demo.big_programme_size(100) == 3
    assert programmes_demo.big_programme_size(10_000) == 300
    assert programmes_demo.programme_count(10_000) == 400
    # Every programme has its manager and SRO, and the manager never sits on its board.
    managers = _count(db, ProgrammeRoleHolder, ProgrammeRoleHolder.role == "programme_manager")
    assert managers == generated
    assert queries.rollup(first, date(2026, 11, 22)).projects == 3
