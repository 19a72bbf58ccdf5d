from __future__ import annotations

from decimal import Decimal

import pytest

from tests.api.conftest import api_as, token_for  # noqa: F401  (the API's fixtures)
from tests.frameworks.conftest import shipped  # noqa: F401  (the seeded frameworks)
from tests.stages.conftest import board  # noqa: F401  (a medium, stage-gated project)
from tracker.frameworks import services as frameworks


@pytest.fixture
def gds(db, make_user, make_project, shipped):  # noqa: F811
    """A medium agile project under the GDS service phases, started, with its board."""
    people = {
        "manager": make_user("Meg Manager"),
        "executive": make_user("Ed Executive"),
        "senior_user": make_user("Sue User"),
        "team": make_user("Tim Team"),
    }
    project = make_project(
        manager=people["manager"],
        budget_at_completion=Decimal("1000000.00"),
        criticality=2,
        members=[
            (people["executive"], "executive"),
            (people["senior_user"], "senior_user"),
            (people["team"], "team_member"),
        ],
    )
    project.delivery_method = "agile"
    frameworks.move_project(
        project, shipped["gds"][1], reason="Digital service", actor=people["manager"]
    )
    db.session.commit()
    return {"project": project, **people}
