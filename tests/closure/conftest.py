from __future__ import annotations

import pytest

from tests.api.conftest import api_as, token_for  # noqa: F401  (the API's fixtures)
from tests.frameworks.conftest import shipped  # noqa: F401  (the seeded frameworks)
from tests.phases.conftest import gds  # noqa: F401  (an agile project under GDS)
from tests.stages.conftest import board  # noqa: F401  (a medium, stage-gated project)


@pytest.fixture
def delivered(db, gds):  # noqa: F811
    """The GDS project with its one iteration run and closed, so it may close."""
    from datetime import UTC, datetime, timedelta

    from tracker.agile import services as agile

    project = gds["project"]
    # As if its Executive had authorised the start (the fixture set it active directly).
    project.start_authorised_at = datetime.now(UTC)
    project.start_authorised_by_id = gds["executive"].id
    start = project.planned_start
    iteration = agile.create_iteration(
        project, agile.IterationData("Sprint 1", "Report it online", start, start + timedelta(13))
    )
    agile.start_iteration(project, iteration, version=None)
    agile.add_feedback(
        project, iteration, agile.FeedbackData("citizen", "A resident", 4, "Easier", "yes")
    )
    agile.close_iteration(project, iteration, version=None)
    db.session.commit()
    return gds
