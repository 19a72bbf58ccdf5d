"""The stage-gated board project (tests/stages), for change control."""

from tests.api.conftest import api_as, token_for  # noqa: F401
from tests.stages.conftest import board  # noqa: F401
