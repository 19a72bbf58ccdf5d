"""The one calendar: UK today and month arithmetic (pure, no app)."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from tracker.core.dates import add_months, uk_today


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2026, 11, 15), 2, date(2027, 1, 15)),
        (date(2026, 3, 31), 3, date(2026, 6, 30)),
        (date(2026, 5, 1), 12, date(2027, 5, 1)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 1, 15), -13, date(2024, 12, 15)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_months_last(start, months, expected):
    assert add_months(start, months) == expected


def test_uk_today_follows_the_london_calendar_in_summer_and_winter():
    with time_machine.travel(datetime(2026, 6, 30, 23, tzinfo=UTC), tick=False):
        assert uk_today() == date(2026, 7, 1)  # 00:00 BST
    with time_machine.travel(datetime(2026, 6, 30, 22, 59, tzinfo=UTC), tick=False):
        assert uk_today() == date(2026, 6, 30)
    with time_machine.travel(datetime(2026, 12, 31, 23, 59, tzinfo=UTC), tick=False):
        assert uk_today() == date(2026, 12, 31)  # GMT: UTC is the UK's clock


def test_every_domain_reads_the_same_today():
    from tracker.budget import services as budget
    from tracker.scheduler import services as scheduler
    from tracker.worklog import services as worklog

    assert budget.uk_today is uk_today
    assert scheduler.uk_today is uk_today
    assert worklog.today is uk_today
