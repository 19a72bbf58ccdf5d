"""Fixtures for the method pages: a project with a manager, a board member and a team member."""

from __future__ import annotations

from typing import Any

import pytest

from tests.methods.helpers import raw


def form_data(answers: dict[str, Any] | None = None, **overrides: Any) -> dict[str, str]:
    """Answers as the assessment form posts them (text, missing keys left out)."""
    data = dict(raw() if answers is None else answers)
    data.update(overrides)
    return {key: str(value) for key, value in data.items() if value is not None}


# Answers the model places in the complex zone and recommends agile for.
COMPLEX = raw((5, 4, 4, 4, 5, 4), F1=5, F2=5, F3=4, C1=2)


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
