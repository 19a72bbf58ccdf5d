"""People belong to organisations; temporary passwords; who may sign in with a password."""

from __future__ import annotations

import json

from sqlalchemy import select

from tracker.audit.models import AuditEntry
from tracker.auth import services as users
from tracker.auth.models import SignInSettings, User
from tracker.extensions import db as _db

PASSWORD = "correct horse battery"


def _entries(action):
    return list(_db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_admin_creates_a_person_in_an_organisation_with_a_temporary_password(
    client, login, make_user, make_org
):
    admin = make_user("Admin", global_role="admin")
    org = make_org("Eastshire Council", short_name="ECC")
    login(admin)
    form = client.get("/users/new")
    assert "Eastshire Council" in form.text
    missing = client.post(
        "/users/new",
        data={"name": "Tom", "email": "tom@example.gov.uk", "password": "temporary password 1"},
    )
    assert missing.status_code == 400
    assert "Choose the person&#39;s organisation" in missing.text
    response = client.post(
        "/users/new",
        data={
            "name": "Tom Temporary",
            "email": "tom@example.gov.uk",
            "organisation_id": str(org.id),
            "password": "temporary password 1",
        },
    )
    assert response.status_code == 302
    tom = users.find_by_email("tom@example.gov.uk")
    assert tom.organisation_id == org.id
    assert tom.must_change_password is True
    # The organisation's page lists its people.
    page = client.get(f"/organisations/{org.id}")
    assert "Tom Temporary" in page.text


def test_a_temporary_password_must_be_changed_at_first_sign_in(client, make_user, db):
    tom = make_user("Tom Temporary", email="tom@example.gov.uk")
    tom.must_change_password = True
    db.session.commit()
    response = client.post("/login", data={"email": "tom@example.gov.uk", "password": PASSWORD})
    assert response.headers["Location"] == "/account/password"
    # Everything else sends the person back to choose a password.
    assert client.get("/projects/").headers["Location"] == "/account/password"
    changed = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "my very own passphrase",
            "confirm_password": "my very own passphrase",
        },
    )
    assert changed.status_code == 302
    assert _db.session.get(User, tom.id).must_change_password is False
    assert client.get("/projects/").status_code == 200


def test_admin_can_require_a_new_password_again_and_move_a_person(
    client, login, make_user, make_org
):
    admin = make_user("Admin", global_role="admin")
    person = make_user("Pat Person")
    old_org, new_org = make_org("Old Agency"), make_org("New Agency")
    person.organisation_id = old_org.id
    _db.session.commit()
    login(admin)
    response = client.post(
        f"/users/{person.id}/edit",
        data={
            "name": person.name,
            "email": person.email,
            "organisation_id": str(new_org.id),
            "is_active": "y",
            "require_password_change": "y",
        },
    )
    assert response.status_code == 302
    person = _db.session.get(User, person.id)
    assert person.organisation_id == new_org.id
    assert person.must_change_password is True
    changes = json.loads(_entries("user.updated")[-1].changes)
    assert changes["organisation_id"] == [old_org.id, new_org.id]
    assert changes["must_change_password"] == [False, True]
    assert "Pat Person" in client.get(f"/organisations/{new_org.id}").text
    assert "Pat Person" not in client.get(f"/organisations/{old_org.id}").text


def test_pickers_and_boards_show_each_persons_organisation(
    client, login, make_user, make_org, make_project
):
    org = make_org("Westshire Police", short_name="WP")
    manager = make_user("Mina Manager")
    member = make_user("Theo Member")
    member.organisation_id = org.id
    _db.session.commit()
    project = make_project(manager=manager, members=[(member, "team_member")])
    login(make_user("Analyst", global_role="pmo"))
    assert "Theo Member (WP)" in client.get("/projects/new").text
    board = client.get(f"/projects/{project.id}").text
    assert 'Theo Member</strong> <span class="govuk-body-s">(WP)</span>' in board


def test_admin_switches_passwords_off_for_everyone_but_themselves(client, login, make_user):
    admin = make_user("Admin", global_role="admin", email="admin@example.gov.uk")
    make_user("Other Person", email="other@example.gov.uk")
    login(admin)
    response = client.post("/users/sign-in", data={"local_sign_in": "break_glass", "version": "0"})
    assert response.status_code == 302
    assert _db.session.get(SignInSettings, 1).local_sign_in == "break_glass"
    assert _db.session.get(User, admin.id).is_break_glass is True
    assert _entries("sign_in.settings_changed")
    # A stale form (opened before the change) is refused.
    stale = client.post("/users/sign-in", data={"local_sign_in": "everyone", "version": "0"})
    assert stale.status_code == 400
    client.post("/logout")
    refused = client.post("/login", data={"email": "other@example.gov.uk", "password": PASSWORD})
    assert refused.status_code == 403
    assert "Password sign-in is switched off" in refused.text
    allowed = client.post("/login", data={"email": "admin@example.gov.uk", "password": PASSWORD})
    assert allowed.status_code == 302


def test_only_an_administrator_can_be_break_glass(db, make_user):
    person = make_user("Not Admin")
    try:
        users.update_user(
            person,
            email=person.email,
            name=person.name,
            global_role=None,
            is_active=True,
            is_break_glass=True,
        )
    except users.UserError as error:
        assert "Only an administrator" in str(error)
    else:
        raise AssertionError("a person without the admin role became break-glass")
