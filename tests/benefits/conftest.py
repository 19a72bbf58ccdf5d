"""Fixtures for the benefits register: a project with a manager, a team member, an owner
from outside the team, and PMO staff; a benefit owned by the outside owner."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

# The API's client fixtures, for the benefits API tests.
from tests.api.conftest import api_as, token_for  # noqa: F401


@pytest.fixture
def people(make_user):
    return {
        "manager": make_user("Maria Manager"),
        "team": make_user("Tom Team"),
        "owner": make_user("Olu Owner", email="olu.owner@example.gov.uk"),
        "outsider": make_user("Olly Outsider"),
        "pmo": make_user("Priya PMO", global_role="pmo"),
    }


@pytest.fixture
def project(make_project, people):
    return make_project(manager=people["manager"], members=[(people["team"], "team_member")])


def benefit_data(**overrides):
    from tracker.benefits import services

    data = {
        "title": "Fewer calls to the contact centre",
        "kind": "benefit",
        "category": "cashable",
        "measure": "Contact centre cost",
        "unit": "£ a year",
        "baseline_value": Decimal(0),
        "baseline_on": date(2026, 1, 1),
        "target_value": Decimal(120000),
        "target_on": date(2027, 1, 1),
        "owner_email": "olu.owner@example.gov.uk",
    }
    data.update(overrides)
    return services.BenefitData(**data)


def benefit_form(**overrides) -> dict[str, str]:
    data = {
        "title": "Fewer calls to the contact centre",
        "kind": "benefit",
        "category": "cashable",
        "organisation_id": "",
        "owner_email": "olu.owner@example.gov.uk",
        "owner_name": "",
        "measure": "Contact centre cost",
        "unit": "£ a year",
        "baseline_value": "0",
        "baseline_on": "2026-01-01",
        "target_value": "120,000",
        "target_on": "2027-01-01",
        "trajectory": "linear",
        "points": "",
        "description": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def benefit(db, project, people):
    from tracker.benefits import services

    made = services.create_benefit(project, benefit_data(), actor=people["manager"])
    db.session.commit()
    return made
