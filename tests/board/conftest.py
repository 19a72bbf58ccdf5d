from tests.api.conftest import api_as, token_for  # noqa: F401 - API clients with a token
from tests.stages.conftest import board  # noqa: F401 - the staged project with its board
