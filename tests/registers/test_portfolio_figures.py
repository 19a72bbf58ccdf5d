"""The portfolio's register figures: open high risks and escalations waiting for a board,
by method, organisation and zone, with n."""

from __future__ import annotations

from tracker.portfolio import registers as figures
from tracker.registers import services


def test_open_high_risks_and_escalations_are_counted_per_group_with_n(
    client, login, db, make_project, make_user, make_org
):
    council = make_org("Riverside Council")
    a_manager, b_manager = make_user(), make_user()
    agile = make_project(manager=a_manager, lead=council)
    agile.delivery_method = "agile"
    staged = make_project(manager=b_manager, lead=council, criticality=5)
    staged.delivery_method = "stage_gated"
    closed = make_project(manager=make_user(), lead=council, status="closed")
    closed.delivery_method = "agile"
    db.session.commit()

    def risk(project, manager, likelihood, impact):
        services.create_risk(
            project,
            services.RiskData(title="R", owner_id=manager.id, likelihood=likelihood, impact=impact),
            actor=manager,
        )

    risk(agile, a_manager, 4, 3)  # high (12), small governance: not escalated (20)
    risk(agile, a_manager, 2, 2)  # not high
    risk(staged, b_manager, 4, 4)  # high, large governance (criticality 5): escalated
    risk(staged, b_manager, 5, 5)  # high, escalated
    db.session.commit()
    by_method = {row.key: row for row in figures.by("method")}
    assert (by_method["agile"].n, by_method["agile"].high_risks) == (1, 1)  # closed left out
    assert by_method["agile"].escalations == 0
    assert (by_method["stage_gated"].n, by_method["stage_gated"].high_risks) == (1, 2)
    assert by_method["stage_gated"].escalations == 2
    by_org = {row.key: row for row in figures.by("organisation")}
    assert (by_org["Riverside Council"].n, by_org["Riverside Council"].high_risks) == (2, 3)
    zones = figures.by("zone")
    assert sum(row.n for row in zones) == 2 and sum(row.escalations for row in zones) == 2
    login(make_user("PMO", global_role="pmo"))
    page = client.get("/portfolio/registers").get_data(as_text=True)
    assert "By delivery method" in page and "Riverside Council" in page
    login(a_manager)
    assert client.get("/portfolio/registers").status_code == 403
