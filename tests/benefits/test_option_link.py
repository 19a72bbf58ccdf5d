"""A benefit names the business-case option it came from: the form offers the options of
the project's latest case version, the page and the API show it, and an option of another
project is refused with nothing saved."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.benefits.conftest import benefit_form
from tracker.benefits.models import Benefit


@pytest.fixture
def options_of(db, people):
    from tracker.business_cases import services

    def make(project, names=("Do minimum", "Shared service")):
        version = services.start_version(project, kind="soc", actor=people["pmo"])
        made = [
            services.save_option(
                version,
                services.OptionData(name, "", "0, 1000, 0\n1, 0, 2000"),
                number=None,
                stamp=None,
                actor=people["pmo"],
            )
            for name in names
        ]
        db.session.commit()
        return made

    return make


def test_the_form_offers_the_options_and_the_page_shows_the_one_chosen(
    client, login, db, project, people, options_of
):
    _minimum, shared = options_of(project)
    login(people["manager"])
    form = client.get(f"/projects/{project.id}/benefits/new").get_data(as_text=True)
    assert "Option 2: Shared service (business case version 1)" in form
    response = client.post(
        f"/projects/{project.id}/benefits/new", data=benefit_form(option_id=str(shared.id))
    )
    assert response.status_code == 302
    benefit = db.session.scalars(select(Benefit)).one()
    assert benefit.option_id == shared.id
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Business-case option it came from" in page
    assert "Option 2: Shared service" in page


def test_an_option_of_another_project_is_refused_and_nothing_saved(
    client, login, db, make_project, project, people, options_of
):
    options_of(project)
    (elsewhere,) = options_of(make_project(manager=people["manager"]), names=("Elsewhere",))
    login(people["manager"])
    response = client.post(
        f"/projects/{project.id}/benefits/new", data=benefit_form(option_id=str(elsewhere.id))
    )
    assert response.status_code == 400
    assert "Choose an option from this project&#39;s business case" in response.get_data(
        as_text=True
    )
    assert db.session.scalar(select(func.count(Benefit.id))) == 0


def test_the_service_refuses_another_projects_option(db, make_project, project, people, options_of):
    from tests.benefits.conftest import benefit_data
    from tracker.benefits import services
    from tracker.core.errors import RuleError

    (elsewhere,) = options_of(make_project(manager=people["manager"]), names=("Elsewhere",))
    with pytest.raises(RuleError, match="this project's business case"):
        services.create_benefit(
            project, benefit_data(option_id=elsewhere.id), actor=people["manager"]
        )


def test_the_api_reads_and_writes_the_option(db, api_as, make_project, project, people, options_of):
    from tests.benefits.test_api import _body

    minimum, _ = options_of(project)
    (elsewhere,) = options_of(make_project(manager=people["manager"]), names=("Elsewhere",))
    api = api_as(people["manager"])
    refused = api.post(f"/projects/{project.id}/benefits", json=_body(option_id=elsewhere.id))
    assert refused.status_code in (400, 422), refused.get_json()
    assert "this project's business case" in str(refused.get_json())
    assert db.session.scalar(select(func.count(Benefit.id))) == 0
    created = api.post(f"/projects/{project.id}/benefits", json=_body(option_id=minimum.id))
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["option_id"] == minimum.id
    benefit = created.get_json()
    cleared = api.patch(
        f"/projects/{project.id}/benefits/{benefit['id']}",
        json={"version": benefit["version"], "option_id": None},
    )
    assert cleared.status_code == 200, cleared.get_json()
    assert cleared.get_json()["option_id"] is None


def test_removing_the_option_from_a_draft_leaves_the_benefit_with_none(
    db, project, people, options_of
):
    from tests.benefits.conftest import benefit_data
    from tracker.benefits import services
    from tracker.business_cases import services as cases

    minimum, _ = options_of(project)
    made = services.create_benefit(
        project, benefit_data(option_id=minimum.id), actor=people["manager"]
    )
    db.session.commit()
    cases.remove_option(minimum.case_version, minimum.number, stamp=None, actor=people["pmo"])
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Benefit, made.id).option_id is None
