"""A job list for the hand-over test: one job every few seconds that takes a while, so the
test can kill the active scheduler in the middle of a run (``TRACKER_SCHEDULER_JOBS``)."""

from __future__ import annotations

import os
import time

INTERVAL_SECONDS = float(os.environ.get("HANDOVER_INTERVAL_SECONDS", "3"))

JOBS = [
    (
        "handover_tick",
        "tests.scheduler.handover_jobs:tick",
        {"trigger": "interval", "seconds": INTERVAL_SECONDS},
    )
]


def tick(today) -> int:
    time.sleep(float(os.environ.get("HANDOVER_JOB_SECONDS", "1.5")))
    return 1
