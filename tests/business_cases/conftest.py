from __future__ import annotations

import pytest

from tests.api.conftest import api_as, token_for  # noqa: F401  (the API's fixtures)
from tests.stages.conftest import board  # noqa: F401  (a medium, stage-gated project)
from tracker.business_cases import services


@pytest.fixture
def soc(db, board):  # noqa: F811  (the imported fixture)
    """A strategic outline case with its strategic case and two options."""
    manager = board["manager"]
    version = services.start_version(board["project"], kind="soc", actor=manager)
    services.update_section(
        version,
        "strategic",
        "The library service needs one booking system.",
        stamp=None,
        actor=manager,
    )
    services.save_option(
        version,
        services.OptionData("Do minimum", "Keep the paper diary", "0, 0, 0\n1, 5000, 0"),
        number=None,
        stamp=None,
        actor=manager,
    )
    services.save_option(
        version,
        services.OptionData("Shared service", "", "0, 100000, 0\n1, 0, 60000\n2, 0, 60000"),
        number=None,
        stamp=None,
        actor=manager,
    )
    db.session.commit()
    return version
