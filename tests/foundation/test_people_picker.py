"""The people picker: suggestions by part of a name or email, and the team form taking what
the picker fills in ("Name (email)"), an email address, or a full name that is unique."""

from __future__ import annotations

import pytest

from tracker.auth import queries


@pytest.fixture
def people(make_user, db):
    made = {
        "manager": make_user("Mia Manager"),
        "ann": make_user("Ann Okafor"),
        "anne": make_user("Anne Okafor-Smith"),
        "left": make_user("Annie Leaver"),
        "twin1": make_user("Sam Twin"),
        "twin2": make_user("Sam Twin"),
    }
    made["left"].is_active_user = False
    db.session.commit()
    return made


def test_search_finds_people_by_part_of_their_name_or_email(client, login, people):
    login(people["manager"])
    found = client.get("/people/search?q=okaf").get_json()["people"]
    assert [p["name"] for p in found] == ["Ann Okafor", "Anne Okafor-Smith"]
    assert found[0]["email"] == people["ann"].email
    by_email = client.get(f"/people/search?q={people['anne'].email[:12]}").get_json()["people"]
    assert people["anne"].email in [p["email"] for p in by_email]
    # Names that start with the text come first.
    assert client.get("/people/search?q=ann").get_json()["people"][0]["name"] == "Ann Okafor"


def test_search_leaves_out_inactive_people_and_short_or_wildcard_text(client, login, people):
    login(people["manager"])
    names = [p["name"] for p in client.get("/people/search?q=annie").get_json()["people"]]
    assert names == []
    assert client.get("/people/search?q=a").get_json()["people"] == []
    assert client.get("/people/search?q=%25%25").get_json()["people"] == []
    assert client.get("/people/search?q=__").get_json()["people"] == []


def test_search_needs_a_signed_in_person(client, people):
    response = client.get("/people/search?q=okaf")
    assert response.status_code in {302, 401}
    assert b"Okafor" not in response.data


def test_search_returns_at_most_the_limit(db, make_user):
    for n in range(queries.SEARCH_LIMIT + 3):
        make_user(f"Limit Person {n:02}")
    assert len(queries.search_people("limit person")) == queries.SEARCH_LIMIT


@pytest.mark.parametrize(
    ("typed", "who"),
    [
        ("{name} ({email})", "ann"),  # what the picker fills in
        ("{email}", "ann"),
        ("  ann okafor ", "ann"),  # a full name, any case, when only one person has it
    ],
)
def test_the_team_form_takes_what_the_picker_or_a_person_types(
    client, login, make_project, people, typed, who
):
    project = make_project(manager=people["manager"])
    login(people["manager"])
    person = people[who]
    response = client.post(
        f"/projects/{project.id}/team",
        data={"email": typed.format(name=person.name, email=person.email), "role": "team_member"},
        follow_redirects=True,
    )
    assert "Added to the project team." in response.get_data(as_text=True)
    assert person.id in {m.user_id for m in project.memberships}


def test_a_name_two_people_share_is_refused(client, login, make_project, people):
    project = make_project(manager=people["manager"])
    login(people["manager"])
    response = client.post(
        f"/projects/{project.id}/team",
        data={"email": "Sam Twin", "role": "team_member"},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "no active account with that email address or full name" in page
    assert {m.user_id for m in project.memberships} == {people["manager"].id}
