from __future__ import annotations

from tests.api.conftest import api_as, token_for  # noqa: F401  (the API's fixtures)
from tests.frameworks.conftest import shipped  # noqa: F401  (the seeded frameworks)
from tests.phases.conftest import gds  # noqa: F401  (an agile project under GDS)
from tests.stages.conftest import board  # noqa: F401  (a medium, stage-gated project)
