"""A portfolio with a programme whose manager, SRO and board are named, and its people."""

from __future__ import annotations

import pytest

# The API's client fixtures, for the programme API tests.
from tests.api.conftest import api_as, token_for  # noqa: F401
from tracker.programmes import services


@pytest.fixture
def people(make_user):
    return {
        "pmo": make_user("Priya PMO", global_role="pmo"),
        "sro": make_user("Sam SRO"),
        "manager": make_user("Pat Programme"),
        "other_manager": make_user("Oscar Other"),
        "board": make_user("Bea Board"),
        "outsider": make_user("Olly Outsider"),
    }


@pytest.fixture
def portfolio(db, people):
    made = services.create_portfolio("Place directorate", "", actor=people["pmo"])
    db.session.commit()
    return made


def make_programme(db, portfolio, people, code, *, manager=None, parent=None, **extra):
    programme = services.create_programme(
        services.ProgrammeData(
            code=code,
            name=f"Programme {code}",
            portfolio_id=portfolio.id,
            parent_id=parent.id if parent else None,
            **extra,
        ),
        actor=people["pmo"],
    )
    if manager is not None:
        services.grant_role(programme, manager, "programme_manager", actor=people["pmo"])
    db.session.commit()
    return programme


@pytest.fixture
def programme(db, portfolio, people):
    made = make_programme(db, portfolio, people, "PRG-1", manager=people["manager"])
    services.grant_role(made, people["sro"], "sro", actor=people["pmo"])
    services.grant_role(made, people["board"], "board_member", actor=people["pmo"])
    db.session.commit()
    return made
