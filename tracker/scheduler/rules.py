"""Pure scheduling logic: calendar arithmetic, retry back-off and how schedules read."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum


class RunOutcome(StrEnum):
    """How a job run stands: running until it succeeds or fails."""

    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


# Retry a failed email after 1, 2, 4 … minutes, never waiting more than six hours, and give
# up after this many attempts (about a day and a half of trying).
MAX_SEND_ATTEMPTS = 12
MAX_BACKOFF = timedelta(hours=6)


def backoff(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed try (attempts >= 1)."""
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    return min(timedelta(minutes=2 ** (attempts - 1)), MAX_BACKOFF)


def gives_up(attempts: int) -> bool:
    return attempts >= MAX_SEND_ATTEMPTS


def describe_trigger(spec: dict) -> str:
    """A schedule as people read it: "Every day at 07:00", "Every minute"."""
    kind = spec.get("trigger")
    if kind == "interval":
        for unit in ("minutes", "hours", "days"):
            if unit in spec:
                count = spec[unit]
                singular = unit[:-1]
                return f"Every {singular}" if count == 1 else f"Every {count} {unit}"
        return "At a fixed interval"
    if kind == "cron":
        at = f"{int(spec.get('hour', 0)):02d}:{int(spec.get('minute', 0)):02d}"
        if "day" in spec:
            return f"On day {spec['day']} of each month at {at}"
        if "day_of_week" in spec:
            return f"Every {spec['day_of_week']} at {at}"
        return f"Every day at {at}"
    return "On a custom schedule"
