"""Fixtures: the access table's world (a project with records of every kind)."""

from tests.routes import built_world, world  # noqa: F401
from tests.scheduler.fixtures import board, waiting_gate  # noqa: F401
