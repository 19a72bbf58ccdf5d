from tests.api.conftest import api_as, token_for  # noqa: F401
