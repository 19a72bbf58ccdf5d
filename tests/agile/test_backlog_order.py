"""The backlog's priority order: the product owner (the project manager) moves items up,
down, to the top or to a place; MoSCoW labels; every move in the item's history (audit);
stale moves refused; the order kept whole. The same through the pages (no JavaScript) and
the API."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.api.conftest import Api
from tracker.agile import services as agile
from tracker.agile.models import BacklogItem
from tracker.agile.rules import Move, target_rank
from tracker.api import services as tokens
from tracker.audit.models import AuditEntry
from tracker.core.errors import RuleError, StaleEdit


def _order(db, project) -> list[str]:
    return list(
        db.session.scalars(
            select(BacklogItem.title)
            .where(BacklogItem.project_id == project.id)
            .order_by(BacklogItem.rank)
        )
    )


def _ranks(db, project) -> list[int]:
    return list(
        db.session.scalars(
            select(BacklogItem.rank)
            .where(BacklogItem.project_id == project.id)
            .order_by(BacklogItem.rank)
        )
    )


@pytest.fixture
def four(db, team, build):
    return [build.item(title) for title in ("A", "B", "C", "D")]


def _move(db, team, item, move, seen=None):
    db.session.refresh(item)
    agile.move_item(team["project"], item, move, seen_rank=seen if seen else item.rank)
    db.session.commit()


# --- the pure rule --------------------------------------------------------------------------


def test_target_rank_steps_over_items_that_cannot_move():
    ranks = [1, 4, 7]  # 2, 3, 5, 6 are done or closed: not listed
    assert target_rank(ranks, 4, Move.UP) == 1
    assert target_rank(ranks, 4, Move.DOWN) == 7
    assert target_rank(ranks, 7, Move.TOP) == 1
    assert target_rank(ranks, 1, Move.BOTTOM) == 7
    assert target_rank(ranks, 1, Move.UP) == 1  # already first: stays
    assert target_rank(ranks, 7, 2) == 4
    with pytest.raises(ValueError, match="outside 1 to 3"):
        target_rank(ranks, 7, 4)


# --- the service ----------------------------------------------------------------------------


def test_new_items_join_the_bottom(db, team, four):
    assert _order(db, team["project"]) == ["A", "B", "C", "D"]
    assert _ranks(db, team["project"]) == [1, 2, 3, 4]


def test_up_down_top_bottom_and_a_place(db, team, four):
    a, _b, c, d = four
    _move(db, team, c, Move.UP)
    assert _order(db, team["project"]) == ["A", "C", "B", "D"]
    _move(db, team, a, Move.DOWN)
    assert _order(db, team["project"]) == ["C", "A", "B", "D"]
    _move(db, team, d, Move.TOP)
    assert _order(db, team["project"]) == ["D", "C", "A", "B"]
    _move(db, team, d, Move.BOTTOM)
    assert _order(db, team["project"]) == ["C", "A", "B", "D"]
    _move(db, team, c, 3)
    assert _order(db, team["project"]) == ["A", "B", "C", "D"]
    assert _ranks(db, team["project"]) == [1, 2, 3, 4]  # no place lost or given twice


def test_done_items_keep_their_place_and_cannot_be_moved(db, team, build, four):
    _a, b, c, _d = four
    build.status(b, "done")
    _move(db, team, c, Move.UP)  # steps over B
    assert _order(db, team["project"]) == ["C", "A", "B", "D"]
    with pytest.raises(RuleError, match="is done"):
        _move(db, team, b, Move.UP)


def test_a_move_on_an_old_page_is_refused(db, team, four):
    _a, _b, c, d = four
    seen = c.rank
    _move(db, team, d, Move.TOP)  # someone else moved things meanwhile: C is now 4th
    with pytest.raises(StaleEdit):
        _move(db, team, c, Move.UP, seen=seen)
    db.session.rollback()
    assert _order(db, team["project"]) == ["D", "A", "B", "C"]


def test_moving_past_the_end_says_so(db, team, four):
    with pytest.raises(RuleError, match="already first"):
        _move(db, team, four[0], Move.UP)
    db.session.rollback()
    with pytest.raises(RuleError, match="Choose a place from 1 to 4"):
        _move(db, team, four[0], 9)


def test_every_move_is_in_the_items_history(db, team, four):
    _move(db, team, four[3], Move.TOP)
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "backlog_item.reordered")
    ).one()
    assert entry.object_id == four[3].id and entry.project_id == team["project"].id
    assert "from place 4 to place 1 of 4" in entry.summary
    assert json.loads(entry.changes) == {"place": [4, 1], "rank": [4, 1]}


def test_moscow_is_set_validated_and_audited(db, team, four):
    item = four[0]
    data = agile.ItemData(item.title, "", item.points, None, "must")
    agile.update_item(team["project"], item, data, version=item.version)
    db.session.commit()
    assert item.moscow == "must"
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "backlog_item.updated")
    ).one()
    assert "moscow" in entry.changes
    with pytest.raises(RuleError, match="must, should, could or won't"):
        agile.update_item(
            team["project"], item, agile.ItemData(item.title, "", 3, None, "maybe"), version=None
        )


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(moves=st.lists(st.tuples(st.integers(0, 4), st.sampled_from([*Move, 1, 3, 5])), max_size=8))
def test_any_moves_keep_the_order_a_permutation(db, team, build, moves):
    """Property: whatever moves are made, every item keeps exactly one place, the places
    stay 1..n, and only the moved item changes its order relative to the others."""
    project = team["project"]
    items = list(
        db.session.scalars(select(BacklogItem).where(BacklogItem.project_id == project.id))
    )
    while len(items) < 5:
        items.append(build.item(f"I{len(items)}"))
    for index, move in moves:
        before = _order(db, project)
        item = items[index]
        db.session.refresh(item)
        try:
            agile.move_item(project, item, move, seen_rank=item.rank)
            db.session.commit()
        except RuleError:
            db.session.rollback()
            continue
        after = _order(db, project)
        assert sorted(after) == sorted(before)
        assert [t for t in after if t != item.title] == [t for t in before if t != item.title]
        assert _ranks(db, project) == list(range(1, len(items) + 1))


# --- the pages, without JavaScript -----------------------------------------------------------


@pytest.fixture
def as_manager(client, login, team):
    login(team["manager"])
    return client


def test_backlog_page_lists_in_order_with_move_buttons(db, as_manager, team, four):
    page = as_manager.get(f"/projects/{team['project'].id}/backlog").get_data(as_text=True)
    titles = re.findall(r'class="govuk-link" href="/projects/\d+/backlog/\d+">(\w)</a>', page)
    assert titles == ["A", "B", "C", "D"]
    assert page.count('name="move" value="up"') == 4
    assert "data-backlog-order" in page and "backlog-order.js" in page


def test_a_button_moves_the_item_and_returns_to_it(db, as_manager, team, four):
    c = four[2]
    response = as_manager.post(
        f"/projects/{team['project'].id}/backlog/{c.id}/move",
        data={"move": "up", "rank": c.rank},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/backlog#item-{c.id}")
    assert _order(db, team["project"]) == ["A", "C", "B", "D"]
    item_page = as_manager.get(f"/projects/{team['project'].id}/backlog/{c.id}").get_data(True)
    assert "Priority history" in item_page and "from place 3 to place 2 of 4" in item_page


def test_a_drag_sends_a_place(db, as_manager, team, four):
    d = four[3]
    as_manager.post(
        f"/projects/{team['project'].id}/backlog/{d.id}/move", data={"position": 1, "rank": 4}
    )
    assert _order(db, team["project"]) == ["D", "A", "B", "C"]


def test_an_old_page_or_no_target_moves_nothing_and_says_why(db, as_manager, team, four):
    url = f"/projects/{team['project'].id}/backlog/{four[1].id}/move"
    response = as_manager.post(url, data={"move": "up", "rank": 3}, follow_redirects=True)
    assert "changed by someone else" in response.get_data(as_text=True)
    response = as_manager.post(url, data={"rank": 2}, follow_redirects=True)
    assert "Choose where to move the item" in response.get_data(as_text=True)
    assert _order(db, team["project"]) == ["A", "B", "C", "D"]


def test_only_the_product_owner_orders_and_labels(db, client, login, team, four):
    login(team["member"])
    url = f"/projects/{team['project'].id}/backlog/{four[1].id}/move"
    assert client.post(url, data={"move": "up", "rank": 2}).status_code == 403
    page = client.get(f"/projects/{team['project'].id}/backlog").get_data(as_text=True)
    assert 'name="move"' not in page
    form = client.get(f"/projects/{team['project'].id}/backlog/{four[1].id}/edit").get_data(True)
    assert 'name="moscow"' not in form
    assert _order(db, team["project"]) == ["A", "B", "C", "D"]


def test_the_manager_labels_an_item_moscow(db, as_manager, team, four):
    item = four[0]
    response = as_manager.post(
        f"/projects/{team['project'].id}/backlog/{item.id}/edit",
        data={"title": "A", "description": "", "points": "3", "iteration_id": "",
              "moscow": "should", "version": str(item.version)},
    )  # fmt: skip
    assert response.status_code == 302
    db.session.refresh(item)
    assert item.moscow == "should"
    page = as_manager.get(f"/projects/{team['project'].id}/backlog").get_data(as_text=True)
    assert "Should have" in page


# --- the API ---------------------------------------------------------------------------------


@pytest.fixture
def api_as(db, client):
    def factory(user) -> Api:
        secret = tokens.create_token(user, name="Test token", expires_in_days=30).secret
        db.session.commit()
        return Api(client, secret)

    return factory


def test_api_moves_and_labels(db, api_as, team, four):
    project_id = team["project"].id
    manager = api_as(team["manager"])
    d = four[3]
    moved = manager.post(
        f"/projects/{project_id}/backlog/{d.id}/move", json={"move": "top", "rank": 4}
    )
    assert moved.status_code == 200 and moved.get_json()["rank"] == 1
    listed = manager.get(f"/projects/{project_id}/backlog").get_json()["items"]
    assert [item["title"] for item in listed] == ["D", "A", "B", "C"]
    stale = manager.post(
        f"/projects/{project_id}/backlog/{d.id}/move", json={"move": "down", "rank": 4}
    )
    assert stale.status_code == 409
    both = manager.post(
        f"/projects/{project_id}/backlog/{d.id}/move",
        json={"move": "down", "position": 2, "rank": 1},
    )
    assert both.status_code == 422
    labelled = manager.patch(
        f"/projects/{project_id}/backlog/{d.id}",
        json={"version": moved.get_json()["version"], "moscow": "must"},
    )
    assert labelled.status_code == 200 and labelled.get_json()["moscow"] == "must"


def test_api_team_member_may_not_order_or_label(db, api_as, team, four):
    project_id = team["project"].id
    member = api_as(team["member"])
    item = four[1]
    refused = member.post(
        f"/projects/{project_id}/backlog/{item.id}/move", json={"move": "up", "rank": 2}
    )
    assert refused.status_code == 403
    refused = member.patch(
        f"/projects/{project_id}/backlog/{item.id}",
        json={"version": item.version, "moscow": "must"},
    )
    assert refused.status_code == 403 and "product owner" in refused.get_json()["detail"]
    # A team member's other edits still work, and leave the label alone.
    ok = member.patch(
        f"/projects/{project_id}/backlog/{item.id}", json={"version": item.version, "points": 8}
    )
    assert ok.status_code == 200 and ok.get_json()["moscow"] is None


def test_the_ordered_backlog_and_an_items_page_keep_their_query_counts(
    db, as_manager, team, build, four
):
    """Places are counted in the page's one statement, not per row: the same number of
    queries at 4 items as at 30, and at most 15."""
    from flask_sqlalchemy.record_queries import get_recorded_queries

    project_id = team["project"].id

    def count(path: str) -> int:
        as_manager.get(path)  # the first view after the commits reloads the signed-in user
        assert as_manager.get(path).status_code == 200
        return len(get_recorded_queries())

    pages = (f"/projects/{project_id}/backlog", f"/projects/{project_id}/backlog/{four[0].id}")
    small = [count(path) for path in pages]
    for n in range(26):
        build.item(f"More {n}")
    build.status(four[1], "done")
    large = [count(path) for path in pages]
    assert small == large and min(large) > 0 and max(large) <= 15, (small, large)
