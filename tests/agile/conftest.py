"""Fixtures for the agile domain: an agile project with its people, and quick builders."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tracker.agile import services as agile
from tracker.db import utcnow


@pytest.fixture
def team(db, make_user, make_project):
    manager = make_user("Mia Manager")
    member = make_user("Tariq Team")
    customer = make_user("Cora Customer")
    reader = make_user("Eve Executive")
    outsider = make_user("Otto Outsider")
    project = make_project(
        manager=manager,
        members=[(member, "team_member"), (customer, "customer_rep"), (reader, "executive")],
    )
    project.delivery_method = "agile"
    db.session.commit()
    return {
        "project": project,
        "manager": manager,
        "member": member,
        "customer": customer,
        "reader": reader,
        "outsider": outsider,
    }


@pytest.fixture
def today():
    return utcnow().date()


@pytest.fixture
def build(db, team, today):
    """Builders that call the services and commit, like a request would."""
    project = team["project"]

    class Build:
        @staticmethod
        def iteration(name="Sprint 1", start=None, days=14, committed=None, goal="Try it"):
            start = start or today - timedelta(days=2)
            iteration = agile.create_iteration(
                project,
                agile.IterationData(name, goal, start, start + timedelta(days=days - 1), committed),
            )
            db.session.commit()
            return iteration

        @staticmethod
        def item(title="Item", points=3, iteration=None):
            item = agile.create_item(
                project,
                agile.ItemData(title, "", points, iteration.id if iteration else None),
            )
            db.session.commit()
            return item

        @staticmethod
        def start(iteration):
            agile.start_iteration(project, iteration, version=None)
            db.session.commit()
            return iteration

        @staticmethod
        def feedback(iteration, agreement="yes", rating=4, source="service_user"):
            feedback = agile.add_feedback(
                project,
                iteration,
                agile.FeedbackData(source, "", rating, "Looks useful", agreement),
            )
            db.session.commit()
            return feedback

        @staticmethod
        def status(item, status):
            agile.change_status(project, item, status, version=None)
            db.session.commit()
            return item

    return Build


def day(offset: int) -> date:
    return utcnow().date() + timedelta(days=offset)
