from tests.stages.conftest import board  # noqa: F401 - the staged project with its board
