"""The portfolio's benefit figures: planned and realised by method, zone, organisation, size
and recommendation followed, with n; realised cashable benefit per pound spent."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import update

from tests.benefits.conftest import benefit_data
from tracker.benefits import services
from tracker.portfolio import benefits as figures
from tracker.portfolio.models import PortfolioSummary


def _benefit(db, project, actor, *, reviewed=None, latest=None, **overrides):
    benefit = services.create_benefit(project, benefit_data(**overrides), actor=actor)
    if latest is not None:
        services.record_measurement(
            benefit,
            measured_on=date(2026, 7, 1),
            value=Decimal(latest),
            actor=actor,
            today=date(2026, 8, 1),
        )
    if reviewed:
        services.record_review(benefit, outcome=reviewed, evidence="Ledger", actor=actor)
    return benefit


def test_figures_by_method_with_value_for_money(db, make_project, people):
    agile = make_project(manager=people["manager"])
    staged = make_project(manager=people["manager"])
    agile.delivery_method, staged.delivery_method = "agile", "stage_gated"
    actor = people["pmo"]
    # Agile: a cashable benefit of £120k planned, £60k gained; a second one overshoots (capped).
    _benefit(db, agile, actor, latest=60000, reviewed="partly")
    _benefit(db, agile, actor, latest=500000, reviewed="realised")
    _benefit(
        db,
        agile,
        actor,
        kind="disbenefit",
        category="societal",
        unit="hours",
        reviewed="not_realised",
    )
    _benefit(db, staged, actor, category="societal", unit="visits", reviewed="realised")
    db.session.commit()
    # As the stored facts would hold them after a checkpoint and a method decision.
    db.session.execute(
        update(PortfolioSummary)
        .where(PortfolioSummary.project_id == agile.id)
        .values(ac=Decimal(90000), follows="followed")
    )
    db.session.commit()
    rows = {row.key: row for row in figures.by("method")}
    row = rows["agile"]
    assert (row.projects, row.planned, row.reviewed, row.realised, row.partly) == (1, 2, 2, 1, 1)
    assert row.planned_cash == 240000 and row.realised_cash == 180000
    assert row.value_for_money == 2  # £180k realised for £90k spent
    assert row.share_realised.text == "too few projects" or not row.share_realised.is_shown
    assert rows["stage_gated"].realised == 1 and rows["stage_gated"].value_for_money is None
    follows = {row.key: row for row in figures.by("follows")}
    assert follows["followed"].planned == 2 and follows["none"].planned == 1
    tiers = {row.key: row for row in figures.by("tier")}
    assert tiers["small"].planned == 3


def test_the_page_shows_each_dimension_to_pmo_staff(client, login, db, project, people, benefit):
    login(people["pmo"])
    page = client.get("/portfolio/benefits").get_data(as_text=True)
    for caption in ("By delivery method", "By uncertainty zone", "By lead organisation", "By size"):
        assert caption in page
    assert "By method recommendation" in page
    csv = client.get("/portfolio/benefits.csv").get_data(as_text=True)
    assert csv.splitlines()[0].startswith("Dimension,Group,Projects,Benefits planned")
    assert "Delivery method," in csv and "Size,Small," in csv
    xlsx = client.get("/portfolio/benefits.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    login(people["manager"])
    assert client.get("/portfolio/benefits").status_code == 403
    assert client.get("/portfolio/benefits.csv").status_code == 403
