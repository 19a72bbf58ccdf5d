"""Fixtures: the access table's world (a project with records of every kind)."""

from tests.foundation.test_access import world  # noqa: F401
