"""Real concurrent sessions on PostgreSQL: people reordering the same backlog at once never
lose an item's place nor give two items the same one, and a new item added meanwhile still
joins the bottom."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest
from flask_migrate import upgrade
from sqlalchemy import select

from tests.conftest import make_app, require_backend
from tracker.agile import services as agile
from tracker.agile.models import BacklogItem
from tracker.agile.rules import Move
from tracker.audit import services as audit
from tracker.auth import services as users
from tracker.core.errors import RuleError
from tracker.extensions import db
from tracker.orgs import services as orgs
from tracker.projects import services as projects
from tracker.projects.models import Project

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def pg_app(tmp_path_factory):
    require_backend("postgresql")
    app = make_app("postgresql", tmp_path_factory, "backlograce")
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


def _setup(app, label: str, count: int) -> tuple[int, list[int]]:
    with app.app_context():
        manager = users.create_user(
            email=f"po.{label}@example.gov.uk", name="P", password="correct horse battery"
        )
        org = orgs.create_organisation(name=f"Org {label}", short_name=None, kind="nhs")
        project = projects.create_project(
            projects.ProjectData(
                code=f"ORD-{label}",
                name="Order",
                problem_statement="p",
                lead_organisation_id=org.id,
                partner_ids=[],
                manager_id=manager.id,
                budget_at_completion=Decimal(1000),
                planned_start=date(2026, 1, 1),
                planned_finish=date(2026, 12, 31),
                criticality=2,
            )
        )
        project.status, project.delivery_method = "active", "agile"
        ids = [
            agile.create_item(project, agile.ItemData(f"Item {n}", "", 1)).id
            for n in range(1, count + 1)
        ]
        db.session.commit()
        return project.id, ids


def _together(work_items) -> list:
    barrier = threading.Barrier(len(work_items))
    results: list = [None] * len(work_items)

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = work_items[index]()
        except Exception as error:  # reported by the assertions
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(work_items))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _mover(app, project_id: int, item_id: int, move):
    def work():
        with app.app_context():
            try:
                project = db.session.get(Project, project_id)
                item = db.session.get(BacklogItem, item_id)
                agile.move_item(project, item, move, seen_rank=None)
                db.session.commit()
                return "moved"
            except RuleError as error:
                db.session.rollback()
                return str(error)
            finally:
                db.session.remove()

    return work


def _ranks(app, project_id: int) -> list[tuple[int, int]]:
    with app.app_context():
        return [
            (item, rank)
            for item, rank in db.session.execute(
                select(BacklogItem.id, BacklogItem.rank)
                .where(BacklogItem.project_id == project_id)
                .order_by(BacklogItem.rank)
            ).all()
        ]


def test_reordering_at_once_keeps_every_place_once(pg_app):
    project_id, ids = _setup(pg_app, "swap", 6)
    moves = [
        _mover(pg_app, project_id, ids[5], Move.TOP),
        _mover(pg_app, project_id, ids[0], Move.BOTTOM),
        _mover(pg_app, project_id, ids[2], Move.UP),
        _mover(pg_app, project_id, ids[3], 1),
    ]
    results = _together(moves)
    assert results == ["moved"] * 4, results
    ranks = _ranks(pg_app, project_id)
    assert sorted(item for item, _ in ranks) == sorted(ids)  # no item lost
    assert [rank for _, rank in ranks] == list(range(1, 7))  # no place lost or shared
    with pg_app.app_context():
        assert audit.verify().is_intact


def test_an_item_added_while_reordering_joins_the_bottom(pg_app):
    project_id, ids = _setup(pg_app, "add", 4)

    def add():
        with pg_app.app_context():
            try:
                project = db.session.get(Project, project_id)
                item = agile.create_item(project, agile.ItemData("Late", "", 2))
                db.session.commit()
                return item.id
            finally:
                db.session.remove()

    results = _together([add, _mover(pg_app, project_id, ids[3], Move.TOP), add])
    assert results[1] == "moved" and all(isinstance(r, int) for r in (results[0], results[2]))
    ranks = _ranks(pg_app, project_id)
    assert [rank for _, rank in ranks] == list(range(1, 7))
    assert {item for item, _ in ranks[-2:]} == {results[0], results[2]}
