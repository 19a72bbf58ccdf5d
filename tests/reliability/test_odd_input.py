"""Odd and hostile input that once could end in a 500: a ``next`` holding CR/LF or other
open-redirect tricks on sign-in, and a NUL byte in an uploaded file's name."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from tracker.auth.rules import is_safe_next
from tracker.budget.models import CostEntry, CostImport
from tracker.worklog.models import TimeEntry

PASSWORD = "a long passphrase here"

HOSTILE_NEXT = [
    "/account\r\nSet-Cookie: stolen=1",
    "/\r\nLocation: https://evil.example",
    "//evil.example/x",
    "/\\evil.example",
    "/\t/evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "\x7f/evil",
    "evil.example",
    "",
]


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_a_hostile_next_is_never_followed(target):
    assert not is_safe_next(target)


@pytest.mark.parametrize("target", ["/account", "/projects?page=2", "/timesheet?week=2026-03-02"])
def test_a_path_on_this_site_is_followed(target):
    assert is_safe_next(target)


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_sign_in_with_a_hostile_next_lands_on_the_home_page(client, make_user, target):
    make_user(email="next@example.gov.uk", password=PASSWORD)
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"email": "next@example.gov.uk", "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "Set-Cookie: stolen" not in str(response.headers)
    assert client.get("/account").status_code == 200


def test_sign_in_with_a_good_next_goes_there(client, make_user):
    make_user(email="good@example.gov.uk", password=PASSWORD)
    response = client.post(
        "/login?next=/account",
        data={"email": "good@example.gov.uk", "password": PASSWORD},
    )
    assert response.headers["Location"] == "/account"


def test_a_nul_in_a_time_upload_name_is_a_clear_400(client, db, login, make_user):
    login(make_user())
    response = client.post(
        "/time/import",
        data={"file": (io.BytesIO(b"Date,Person email,Project code,Hours\n"), "time\x00.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "NUL character" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(TimeEntry.id))) == 0


def test_a_nul_in_a_cost_upload_name_is_a_clear_400(client, db, login, make_user, make_project):
    manager = make_user()
    project = make_project(manager=manager)
    login(manager)
    path = f"/projects/{project.id}/budget/costs/import"
    token = re.search(r'name="token"[^>]*value="([^"]+)"', client.get(path).get_data(as_text=True))
    text = b"date,amount,category,supplier,description\n2026-01-05,10,staff,,Pay\n"
    response = client.post(
        path,
        data={"file": (io.BytesIO(text), "costs\x00.csv"), "token": token.group(1)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "NUL character" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(CostEntry.id))) == 0
    assert db.session.scalar(select(func.count(CostImport.id))) == 0
    # The same file with a plain name imports.
    response = client.post(
        path,
        data={"file": (io.BytesIO(text), "costs.csv"), "token": token.group(1)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(CostEntry.id))) == 1
