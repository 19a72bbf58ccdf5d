"""A project's status must be one governance could have reached: the check the demo and
the generated national portfolio are held to (the product's own, which `flask governance
check` runs too)."""

from tracker.agile.queries import lifecycle_breaches as status_problems  # noqa: F401
