"""Fixtures for the registers: a project with a manager, an Executive and a team member."""

from __future__ import annotations

import pytest

# The API's client fixtures, for the register API tests.
from tests.api.conftest import api_as, token_for  # noqa: F401

# The stage-gated project with a full board, for the reports the registers feed.
from tests.stages.conftest import board  # noqa: F401


@pytest.fixture
def people(make_user):
    return {
        "manager": make_user("Maria Manager"),
        "executive": make_user("Jane Executive"),
        "team": make_user("Tom Team"),
        "outsider": make_user("Olly Outsider"),
        "pmo": make_user("Priya PMO", global_role="pmo"),
    }


@pytest.fixture
def project(make_project, people):
    return make_project(
        manager=people["manager"],
        members=[(people["executive"], "executive"), (people["team"], "team_member")],
    )


def risk_form(owner, **overrides) -> dict[str, str]:
    """A complete risk form as the page posts it."""
    data = {
        "title": "Supplier cannot staff the data migration",
        "kind": "threat",
        "category": "technical",
        "cause": "The supplier's migration team is committed elsewhere until May",
        "event": "The migration starts late",
        "effect": "Go-live slips past the contract break clause",
        "description": "",
        "owner_id": str(owner.id),
        "actionee_id": "",
        "likelihood": "3",
        "impact": "4",
        "proximity": "this_stage",
        "response": "reduce",
        "target_likelihood": "2",
        "target_impact": "3",
        "review_on": "2027-03-31",
        "status": "open",
    }
    data.update(overrides)
    return data
