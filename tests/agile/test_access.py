"""Who may do what: the manager plans and closes, the team works, customers give feedback,
others on the project read, outsiders get 403."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tracker.agile.models import BacklogItem, Feedback

# Access does not depend on the database engine: SQLite alone (see tests/conftest.py).
pytestmark = pytest.mark.one_engine


@pytest.fixture
def records(team, build):
    sprint = build.start(build.iteration())
    item = build.item("Item", 2, sprint)
    feedback = build.feedback(sprint)
    return {"sprint": sprint, "item": item, "feedback": feedback}


def pages(team, records):
    p, s = team["project"].id, records["sprint"].id
    return {
        "plan": f"/projects/{p}/iterations/new",
        "close": f"/projects/{p}/iterations/{s}/close",
        "edit_iteration": f"/projects/{p}/iterations/{s}/edit",
        "add_item": f"/projects/{p}/backlog/new",
        "edit_item": f"/projects/{p}/backlog/{records['item'].id}/edit",
        "feedback": f"/projects/{p}/iterations/{s}/feedback/new",
        "close_loop": f"/projects/{p}/feedback/{records['feedback'].id}/close-loop",
        "read": f"/projects/{p}/iterations/{s}",
    }


ALLOWED = {
    "manager": {
        "plan",
        "close",
        "edit_iteration",
        "add_item",
        "edit_item",
        "feedback",
        "close_loop",
        "read",
    },
    "member": {"add_item", "edit_item", "feedback", "close_loop", "read"},
    "customer": {"feedback", "read"},
    "reader": {"read"},
    "outsider": set(),
}


@pytest.mark.parametrize("who", sorted(ALLOWED))
def test_each_role_reaches_only_its_pages(client, login, team, records, who):
    login(team[who])
    for name, path in pages(team, records).items():
        status = client.get(path).status_code
        assert status == (200 if name in ALLOWED[who] else 403), (who, name, status)


def test_pmo_may_plan_and_close(client, login, team, records, make_user):
    login(make_user("Analyst", global_role="pmo"))
    for name in ("plan", "close", "close_loop"):
        assert client.get(pages(team, records)[name]).status_code == 200


def test_customer_rep_cannot_change_items_by_posting(db, app, client, login, team, records):
    login(team["customer"])
    item = records["item"]
    response = client.post(
        f"/projects/{team['project'].id}/backlog/{item.id}/status",
        data={"status": "done", "version": item.version},
    )
    assert response.status_code == 403
    response = client.post(
        f"/projects/{team['project'].id}/iterations/{records['sprint'].id}/start"
    )
    assert response.status_code == 403
    assert db.session.get(BacklogItem, item.id).status == "todo"
    assert db.session.scalar(select(func.count()).select_from(Feedback)) == 1
