"""Signing in, people, organisations and projects through their pages, with bad input."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.races import saved_meanwhile
from tracker.audit.models import AuditEntry
from tracker.auth import services as user_services
from tracker.auth.models import User
from tracker.core.errors import STALE_MESSAGE
from tracker.core.unit_of_work import CONFLICT_MESSAGE
from tracker.orgs.models import Organisation
from tracker.projects.models import Project


def test_sign_in_and_out(client, make_user):
    user = make_user(email="maria@example.gov.uk", password="a long passphrase here")
    wrong = client.post("/login", data={"email": "maria@example.gov.uk", "password": "nope"})
    assert wrong.status_code == 400
    assert "Email address or password is not correct" in wrong.get_data(as_text=True)
    ok = client.post(
        "/login",
        data={"email": "MARIA@example.gov.uk", "password": "a long passphrase here"},
    )
    assert ok.status_code == 302
    assert client.get("/account").get_data(as_text=True).count(user.name) >= 1
    client.post("/logout")
    assert client.get("/account").status_code == 302


def test_sign_in_ignores_an_offsite_next(client, make_user):
    make_user(email="a@example.gov.uk", password="a long passphrase here")
    response = client.post(
        "/login?next=//evil.example/x",
        data={"email": "a@example.gov.uk", "password": "a long passphrase here"},
    )
    assert response.headers["Location"] == "/"


def test_deactivated_people_cannot_sign_in(client, make_user, db):
    user = make_user(email="gone@example.gov.uk", password="a long passphrase here")
    user.is_active_user = False
    db.session.commit()
    response = client.post(
        "/login", data={"email": "gone@example.gov.uk", "password": "a long passphrase here"}
    )
    assert response.status_code == 400


def test_changing_password_ends_other_sessions(app, client, login, make_user):
    user = make_user(password="the first passphrase")
    other_device = app.test_client()
    with other_device.session_transaction() as session:
        session["_user_id"] = user.get_id()
    login(user)
    response = client.post(
        "/account/password",
        data={
            "current_password": "the first passphrase",
            "new_password": "a different passphrase",
            "confirm_password": "a different passphrase",
        },
    )
    assert response.status_code == 302
    assert user.check_password("a different passphrase")
    assert client.get("/account").status_code == 200
    assert other_device.get("/account").status_code == 302


def test_password_policy_on_change(client, login, make_user):
    user = make_user(password="the first passphrase")
    login(user)
    response = client.post(
        "/account/password",
        data={
            "current_password": "the first passphrase",
            "new_password": "short",
            "confirm_password": "short",
        },
    )
    assert response.status_code == 400
    assert "at least 12 characters" in response.get_data(as_text=True)
    assert user.check_password("the first passphrase")


def test_admin_creates_a_person_and_it_is_audited(client, login, make_user, make_org, db):
    login(make_user("Admin", global_role="admin"))
    response = client.post(
        "/users/new",
        data={
            "organisation_id": str(make_org().id),
            "name": "New Starter",
            "email": "new.starter@example.gov.uk",
            "global_role": "pmo",
            "is_active": "y",
            "password": "welcome to the council",
        },
    )
    assert response.status_code == 302
    user = db.session.scalars(select(User).where(User.email == "new.starter@example.gov.uk")).one()
    assert user.is_pmo and not user.is_admin
    assert db.session.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "user.created", AuditEntry.object_id == user.id
        )
    ).one()


def test_duplicate_email_is_refused(client, login, make_user, make_org, db):
    login(make_user("Admin", global_role="admin"))
    make_user(email="taken@example.gov.uk")
    org = make_org()
    before = db.session.scalar(select(func.count(User.id)))
    response = client.post(
        "/users/new",
        data={
            "name": "X",
            "email": "Taken@example.gov.uk",
            "password": "welcome to the council",
            "organisation_id": str(org.id),
        },
    )
    assert response.status_code == 400
    assert "already exists" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(User.id))) == before


def test_two_admins_adding_the_same_address_at_once_get_a_message_not_an_error_page(
    client, login, make_user, make_org, db, monkeypatch
):
    """The other admin's save lands after this one checked the address was free: the unique
    address catches it at the save, and the form says so."""
    login(make_user("Admin", global_role="admin"))
    make_user(email="taken@example.gov.uk")
    org = make_org()
    before = db.session.scalar(select(func.count(User.id)))
    monkeypatch.setattr(user_services, "find_by_email", lambda email: None)
    response = client.post(
        "/users/new",
        data={
            "name": "X",
            "email": "taken@example.gov.uk",
            "password": "welcome to the council",
            "organisation_id": str(org.id),
        },
    )
    assert response.status_code == 400
    assert CONFLICT_MESSAGE in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(User.id))) == before


def test_pmo_manages_organisations(client, login, make_user, db):
    login(make_user(global_role="pmo"))
    response = client.post(
        "/organisations/new", data={"name": "Westmoor District Council", "kind": "local_authority"}
    )
    assert response.status_code == 302
    org = db.session.scalars(
        select(Organisation).where(Organisation.name == "Westmoor District Council")
    ).one()
    duplicate = client.post(
        "/organisations/new", data={"name": "westmoor district council", "kind": "other"}
    )
    assert duplicate.status_code == 400
    assert "already exists" in duplicate.get_data(as_text=True)
    edit = client.post(
        f"/organisations/{org.id}/edit",
        data={"name": "Westmoor Council", "kind": "local_authority", "version": org.version},
    )
    assert edit.status_code == 302
    assert org.name == "Westmoor Council"


def test_stale_organisation_edit_is_refused(client, login, make_user, make_org, db):
    login(make_user(global_role="pmo"))
    org = make_org("Original")
    stale_version = org.version
    org.name = "Changed by someone else"
    db.session.commit()
    response = client.post(
        f"/organisations/{org.id}/edit",
        data={"name": "Mine", "kind": "other", "version": stale_version},
    )
    assert response.status_code == 400
    assert "changed by someone else since you opened it" in response.get_data(as_text=True)
    assert org.name == "Changed by someone else"


def test_organisation_edit_racing_another_save_shows_the_stale_message(
    client, login, make_user, make_org, db
):
    """Someone else saves after the page loaded the record: caught at the save, not a 500."""
    login(make_user(global_role="pmo"))
    org = make_org("Original")
    seen = org.version
    saved_meanwhile(db, org, name="Theirs")
    response = client.post(
        f"/organisations/{org.id}/edit", data={"name": "Mine", "kind": "other", "version": seen}
    )
    assert response.status_code == 400
    assert STALE_MESSAGE in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Organisation, org.id).name == "Theirs"


def test_organisation_name_taken_meanwhile_shows_the_conflict_message(
    client, login, make_user, make_org, db, monkeypatch
):
    """Someone else stores the same name just after this request checked it (the check is
    made to run before their save): the UNIQUE constraint catches it, the page says so,
    and only their organisation is stored."""
    from tracker.orgs import services as orgs

    login(make_user(global_role="pmo"))
    make_org("Westmoor District Council", kind="other")
    monkeypatch.setattr(orgs, "_check_unique_name", lambda name, exclude_id=None: None)
    response = client.post(
        "/organisations/new", data={"name": "Westmoor District Council", "kind": "local_authority"}
    )
    assert response.status_code == 400
    assert CONFLICT_MESSAGE in response.get_data(as_text=True)
    kinds = db.session.scalars(
        select(Organisation.kind).where(Organisation.name == "Westmoor District Council")
    ).all()
    assert kinds == ["other"]


def _project_form(org, manager, **overrides):
    data = {
        "code": "ASC-01",
        "name": "Adult social care",
        "problem_statement": "Social workers re-key assessments into three systems.",
        "lead_organisation_id": org.id,
        "manager_id": manager.id,
        "budget_at_completion": "£1,250,000.50",
        "planned_start": "2026-04-01",
        "planned_finish": "2027-03-31",
        "criticality": "3",
    }
    data.update(overrides)
    return data


def test_create_project(client, login, make_user, make_org, db):
    manager = make_user("Maria")
    lead, partner = make_org("Lead council"), make_org("Partner trust")
    login(manager)
    response = client.post(
        "/projects/new",
        data={**_project_form(lead, manager), "partner_ids": [str(partner.id)]},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    project = db.session.scalars(select(Project).where(Project.code == "ASC-01")).one()
    assert project.budget_at_completion == Decimal("1250000.50")
    assert project.planned_finish == date(2027, 3, 31)
    assert [p.name for p in project.partners] == ["Partner trust"]
    assert project.delivery_method is None
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "Adult social care" in page
    assert "£1,250,000.50" in page
    assert "Created project ASC-01" in page  # the history timeline


BAD_PROJECT_INPUT = [
    ({"planned_finish": "2026-01-01"}, "Planned finish must be the same as or after"),
    ({"budget_at_completion": "-5"}, "Budget at completion must be more than £0"),
    ({"budget_at_completion": "lots"}, "as an amount in pounds"),
    ({"budget_at_completion": "12.345"}, "at most 2 decimal places"),
    ({"name": "x" * 201}, "Project name must be 200 characters or fewer"),
    ({"problem_statement": ""}, "Enter the problem this project solves"),
    ({"lead_organisation_id": "999999"}, "Choose lead organisation from the list"),
    ({"lead_organisation_id": "abc"}, "Choose lead organisation from the list"),
    ({"planned_start": "2026-02-30"}, "Planned start must be a real date"),
    ({"code": "bad code!"}, "can only contain capital letters"),
    ({"criticality": "9"}, "Not a valid choice"),
]


@pytest.mark.parametrize(("change", "message"), BAD_PROJECT_INPUT)
def test_bad_project_input_is_refused_and_nothing_saved(
    client, login, make_user, make_org, db, change, message
):
    manager = make_user()
    org = make_org()
    login(manager)
    response = client.post("/projects/new", data=_project_form(org, manager, **change))
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "There is a problem" in body
    assert message in body
    assert db.session.scalar(select(func.count(Project.id))) == 0


def test_duplicate_project_code_is_refused(client, login, make_user, make_org, make_project, db):
    existing = make_project(code="DUP-1")
    manager = make_user()
    login(manager)
    response = client.post("/projects/new", data=_project_form(make_org(), manager, code="dup-1"))
    assert response.status_code == 400
    assert "Project code DUP-1 is already used by another project" in response.get_data(
        as_text=True
    )
    assert db.session.scalar(select(func.count(Project.id))) == 1
    assert existing.name != "Adult social care"


def test_edit_project_records_what_changed(client, login, make_project, make_user, db):
    manager = make_user()
    project = make_project(manager=manager, name="Old name")
    login(manager)
    form = _project_form(
        project.lead_organisation,
        manager,
        code=project.code,
        name="New name",
        version=project.version,
    )
    response = client.post(f"/projects/{project.id}/edit", data=form)
    assert response.status_code == 302
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "project.updated")
    ).one()
    assert '"name":["Old name","New name"]' in entry.changes


def test_stale_project_edit_is_refused(client, login, make_project, make_user, db):
    manager = make_user()
    project = make_project(manager=manager, name="Theirs")
    stale = project.version
    project.name = "Saved by a colleague"
    db.session.commit()
    login(manager)
    response = client.post(
        f"/projects/{project.id}/edit",
        data=_project_form(project.lead_organisation, manager, code=project.code, version=stale),
    )
    assert response.status_code == 400
    assert "changed by someone else" in response.get_data(as_text=True)
    db.session.refresh(project)
    assert project.name == "Saved by a colleague"


def test_a_project_saved_meanwhile_shows_the_stale_message_not_an_error_page(
    client, login, make_project, make_user, db
):
    """Someone else saves the project after the page loaded it: caught at the save, not a 500."""
    manager = make_user()
    project = make_project(manager=manager, name="Theirs")
    seen = project.version
    login(manager)
    saved_meanwhile(db, project, name="Saved by a colleague")
    response = client.post(
        f"/projects/{project.id}/edit",
        data=_project_form(project.lead_organisation, manager, code=project.code, version=seen),
    )
    assert response.status_code == 400
    assert STALE_MESSAGE in response.get_data(as_text=True)
    db.session.expire_all()
    assert project.name == "Saved by a colleague"


SCRIPT = '<script>alert("x")</script>'


def test_script_payloads_come_back_escaped(client, login, make_user, make_org, db):
    manager = make_user(name=SCRIPT)
    org = make_org(SCRIPT)
    login(manager)
    response = client.post(
        "/projects/new",
        data=_project_form(org, manager, name=SCRIPT, problem_statement=SCRIPT),
    )
    assert response.status_code == 302
    project = db.session.scalars(select(Project)).one()
    for url in (
        f"/projects/{project.id}",
        "/projects/",
        "/organisations/",
        "/account",
        f"/projects/?q={SCRIPT}",
    ):
        body = client.get(url).get_data(as_text=True)
        assert SCRIPT not in body, url
        assert "&lt;script&gt;" in body, url


def test_team_membership_is_managed_by_the_project_manager(
    client, login, make_project, make_user, db
):
    manager, board = make_user(), make_user("Board member")
    project = make_project(manager=manager)
    login(manager)
    client.post(
        f"/projects/{project.id}/team", data={"email": board.email.upper(), "role": "executive"}
    )
    again = client.post(
        f"/projects/{project.id}/team",
        data={"email": board.email.upper(), "role": "executive"},
        follow_redirects=True,
    )
    assert "already executive on this project" in again.get_data(as_text=True)
    roles = sorted((m.user.name, m.role) for m in project.memberships)
    assert ("Board member", "executive") in roles
    assert len([r for r in roles if r == ("Board member", "executive")]) == 1


def test_adding_a_member_needs_a_known_email_address(client, login, make_project, make_user, db):
    manager, bystander = make_user(), make_user("Not Listed Anywhere")
    project = make_project(manager=manager)
    login(manager)
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "Name or email address of the person" in page
    assert "Not Listed Anywhere" not in page  # the page no longer lists every person
    for email, message in (
        ("", "Enter the name or email address of the person to add"),
        ("nobody@example.gov.uk", "There is no active account with that email address"),
        ("Not Listed", "There is no active account with that email address or full name"),
    ):
        response = client.post(
            f"/projects/{project.id}/team",
            data={"email": email, "role": "executive"},
            follow_redirects=True,
        )
        assert message in response.get_data(as_text=True)
    assert {m.user_id for m in project.memberships} == {manager.id}
    assert bystander.id not in {m.user_id for m in project.memberships}


def test_project_list_filters_sort_and_hostile_parameters(client, login, make_user, make_project):
    login(make_user(global_role="pmo"))
    make_project(name="Alpha roads", budget_at_completion=Decimal("100000"))
    make_project(name="Beta care", budget_at_completion=Decimal("9000000"))
    page = client.get("/projects/?tier=large").get_data(as_text=True)
    assert "Beta care" in page and "Alpha roads" not in page
    page = client.get("/projects/?q=alpha").get_data(as_text=True)
    assert "Alpha roads" in page and "Beta care" not in page
    sorted_page = client.get("/projects/?sort=budget&direction=desc").get_data(as_text=True)
    assert sorted_page.index("Beta care") < sorted_page.index("Alpha roads")
    for hostile in (
        "sort=code;DROP TABLE projects",
        "method=' OR 1=1 --",
        "page=-1",
        "organisation=1 OR 1=1",
        "q=%25%27%22",
        "direction=sideways",
    ):
        response = client.get(f"/projects/?{hostile}")
        assert response.status_code in {200, 400}, hostile
    assert "Choose sort by from the list" in client.get("/projects/?sort=x").get_data(as_text=True)
