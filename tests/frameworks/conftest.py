from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.api.conftest import api_as, token_for  # noqa: F401  (the API's fixtures)
from tests.stages.conftest import board  # noqa: F401  (a medium, stage-gated project)
from tracker.frameworks import services
from tracker.frameworks.models import GovernanceFramework


@pytest.fixture
def pmo(make_user):
    return make_user("Pat PMO", global_role="pmo")


@pytest.fixture
def shipped(db):
    """The three frameworks the migration seeds, by name, with their version 1."""

    def find(name: str):
        framework = db.session.scalars(
            select(GovernanceFramework).where(GovernanceFramework.name == name)
        ).one()
        return framework, services.latest_published(framework.id)

    return {
        "prince2": find("PRINCE2 stage boundaries"),
        "gds": find("GDS service phases"),
        "council": find("Council gateways 0 to 3"),
    }
