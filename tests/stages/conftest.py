from __future__ import annotations

from decimal import Decimal

import pytest


@pytest.fixture
def board(db, make_user, make_project):
    """A medium, stage-gated project (Executive and Senior User decide every boundary)."""
    people = {
        "manager": make_user("Maria Manager"),
        "executive": make_user("Jane Executive"),
        "senior_user": make_user("Sarah User"),
        "senior_supplier": make_user("Gareth Supplier"),
        "team": make_user("Terry Team"),
        "outsider": make_user("Olive Outsider"),
    }
    project = make_project(
        manager=people["manager"],
        budget_at_completion=Decimal("1000000.00"),
        criticality=2,
        members=[
            (people["executive"], "executive"),
            (people["senior_user"], "senior_user"),
            (people["senior_supplier"], "senior_supplier"),
            (people["team"], "team_member"),
        ],
    )
    project.delivery_method = "stage_gated"
    db.session.commit()
    return {"project": project, **people}
