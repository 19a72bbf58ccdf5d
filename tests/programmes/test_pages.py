"""The programme pages as people use them: the PMO builds a programme, the board reads it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from tests.programmes.conftest import make_programme
from tests.programmes.helpers import checkpoint
from tracker.programmes import services
from tracker.programmes.models import Programme, ProgrammeProject
from tracker.registers.models import Escalation, Risk


def test_the_pmo_builds_a_programme_and_moves_projects_in(
    client, login, db, make_project, portfolio, people
):
    login(people["pmo"])
    response = client.post(
        "/programmes/new",
        data={
            "code": "MAP-1",
            "name": "Healthy places",
            "portfolio_id": portfolio.id,
            "is_multi_agency": "y",
        },
    )
    assert response.status_code == 302
    programme = db.session.scalar(select(Programme).where(Programme.code == "MAP-1"))
    url = f"/programmes/{programme.id}"
    # Without a programme manager the programme cannot take projects: said, nothing saved.
    project = make_project()
    client.post(f"{url}/projects", data={"code": project.code})
    page = client.get(url).get_data(as_text=True)
    assert "has no programme manager yet" in page
    assert db.session.scalar(select(func.count()).select_from(ProgrammeProject)) == 0
    client.post(
        f"{url}/roles", data={"email": people["manager"].email, "role": "programme_manager"}
    )
    client.post(f"{url}/roles", data={"email": people["board"].email, "role": "board_member"})
    client.post(f"{url}/projects", data={"code": project.code})
    page = client.get(url).get_data(as_text=True)
    assert "Pat Programme" in page and "Bea Board" in page
    assert f"{project.code}</a> {project.name}" in page
    assert "Covers 0 of 1 project" in page and "No checkpoint yet" in page


def test_a_cycle_from_the_edit_form_is_a_clear_message(client, login, db, portfolio, people):
    top = make_programme(db, portfolio, people, "TOP")
    sub = make_programme(db, portfolio, people, "SUB", parent=top)
    login(people["pmo"])
    response = client.post(
        f"/programmes/{top.id}/edit",
        data={
            "name": "Top",
            "portfolio_id": portfolio.id,
            "parent_id": sub.id,
            "version": top.version,
        },
    )
    assert response.status_code == 400
    assert "cannot sit under itself" in response.get_data(as_text=True)
    db.session.refresh(top)
    assert top.parent_id is None


def test_the_board_sees_summaries_not_the_projects_it_is_not_on(
    client, login, db, make_project, people, programme, make_user
):
    executive = make_user("Eve Executive")
    project = make_project(members=[(executive, "executive")])
    services.add_project(programme, project, actor=people["pmo"])
    checkpoint(project, on=date(2026, 1, 31), bac=200_000, pv=50_000, ev=45_000, ac=60_000)
    risk = Risk(
        project_id=project.id,
        title="Landlord withdraws the site",
        owner_id=executive.id,
        source="register",
        likelihood=5,
        impact=5,
    )
    db.session.add(risk)
    db.session.flush()
    db.session.add(Escalation(project_id=project.id, risk_id=risk.id, reason="Score 25"))
    db.session.commit()

    login(people["board"])
    page = client.get(f"/programmes/{programme.id}").get_data(as_text=True)
    assert "£45,000" in page and "Covers 1 of 1 project" in page
    assert "Landlord withdraws the site" in page
    # The summary, not a way into the project: the board member is not on it.
    assert f'href="/projects/{project.id}"' not in page
    assert client.get(f"/projects/{project.id}").status_code == 403

    login(people["outsider"])
    assert client.get(f"/programmes/{programme.id}").status_code == 403


def test_the_programme_board_approves_its_gate(client, login, db, people, programme):
    gate = services.request_gate(programme, "Tranche 1 end", "", actor=people["manager"])
    db.session.commit()
    login(people["board"])
    url = f"/programmes/{programme.id}/gates"
    client.post(
        f"{url}/{gate.id}/decide",
        data={"decision": "approve", "rationale": "Tranche delivered", "version": gate.version},
    )
    assert "Approved" in client.get(url).get_data(as_text=True)


def test_every_programme_page_renders(client, login, db, make_project, people, programme):
    project = make_project()
    project.delivery_method = "agile"
    services.add_project(programme, project, actor=people["pmo"])
    programme.is_multi_agency = True
    db.session.commit()
    login(people["pmo"])
    for tail in (
        "",
        "/methods",
        "/dependencies",
        "/highlight",
        "/partnership",
        "/gates",
        "/edit",
        "/projects.csv",
        "/projects.xlsx",
    ):
        assert client.get(f"/programmes/{programme.id}{tail}").status_code == 200, tail
    assert client.get(f"/portfolios/{programme.portfolio_id}").status_code == 200
    assert "PRG-1" in client.get("/programmes/").get_data(as_text=True)
    csv = client.get(f"/programmes/{programme.id}/projects.csv").get_data(as_text=True)
    assert csv.startswith("Code,Name,Method")


def test_the_portfolio_table_filters_and_groups_by_programme(
    client, login, db, make_project, portfolio, people, programme
):
    sub = make_programme(
        db, portfolio, people, "SUB", manager=people["other_manager"], parent=programme
    )
    inside, below, _outside = (make_project(name=n) for n in ("Inside", "Below", "Outside"))
    services.add_project(programme, inside, actor=people["pmo"])
    services.add_project(sub, below, actor=people["pmo"])
    db.session.commit()
    login(people["pmo"])
    page = client.get(f"/portfolio/projects?programme={programme.id}").get_data(as_text=True)
    assert "Inside" in page and "Below" in page and "Outside" not in page
    page = client.get(f"/portfolio/projects?portfolio={portfolio.id}&sort=programme")
    text = page.get_data(as_text=True)
    assert "Outside" not in text
    assert text.index("PRG-1") < text.index("SUB")
    # A programme that does not exist is refused as a filter, never passed to SQL.
    assert client.get("/portfolio/projects?programme=999999").status_code == 400
    assert client.get(f"/portfolio/?programme={programme.id}").status_code == 200


def test_a_board_member_rates_the_programme_and_the_manager_raises_a_risk(
    client, login, db, people, programme
):
    url = f"/programmes/{programme.id}"
    login(people["manager"])
    client.post(
        f"{url}/risks",
        data={
            "title": "Partner pulls out",
            "owner": people["sro"].email,
            "likelihood": "2",
            "impact": "5",
        },
    )
    assert (
        client.post(f"{url}/confidence", data={"rating": "red", "rationale": "x"}).status_code
        == 403
    )
    login(people["board"])
    client.post(f"{url}/confidence", data={"rating": "amber", "rationale": "Tranche 2 late"})
    page = client.get(url).get_data(as_text=True)
    assert "Partner pulls out" in page and "Tranche 2 late" in page


def test_tolerances_round_trip_through_the_edit_form(
    client, login, db, portfolio, people, programme
):
    login(people["manager"])
    url = f"/programmes/{programme.id}/edit"
    form = {
        "name": programme.name,
        "portfolio_id": portfolio.id,
        "cost_tolerance": "20000",
        "time_tolerance_days": "30",
        "benefits_tolerance_percent": "10.5",
        "version": programme.version,
    }
    assert client.post(url, data=form).status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert 'value="10.50"' in page and 'value="30"' in page
    db.session.refresh(programme)
    form["version"] = programme.version
    form["benefits_tolerance_percent"] = "10.50"
    assert client.post(url, data=form).status_code == 302
    # A stale version (someone saved meanwhile) is refused, nothing saved.
    form["version"] = programme.version - 1
    form["time_tolerance_days"] = "99"
    assert client.post(url, data=form).status_code == 400
    db.session.refresh(programme)
    assert programme.time_tolerance_days == 30
