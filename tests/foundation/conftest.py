"""Fixtures: the access table's world (a project with records of every kind)."""

from tests.routes import built_world, world  # noqa: F401
