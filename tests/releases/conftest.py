from __future__ import annotations

from datetime import timedelta

import pytest

from tests.api.conftest import api_as, token_for  # noqa: F401  (the API's fixtures)
from tests.frameworks.conftest import shipped  # noqa: F401  (the seeded frameworks)
from tests.phases.conftest import gds  # noqa: F401  (an agile project under GDS)
from tests.stages.conftest import board  # noqa: F401  (a medium, stage-gated project)


@pytest.fixture
def sprint(db, gds):  # noqa: F811
    """The GDS project's first iteration, active, with a resident's feedback."""
    from tracker.agile import services as agile

    project = gds["project"]
    start = project.planned_start
    iteration = agile.create_iteration(
        project, agile.IterationData("Sprint 1", "Report it online", start, start + timedelta(13))
    )
    agile.start_iteration(project, iteration, version=None)
    feedback = agile.add_feedback(
        project, iteration, agile.FeedbackData("citizen", "A resident", 4, "Much easier", "yes")
    )
    db.session.commit()
    return {"iteration": iteration, "feedback": feedback}
