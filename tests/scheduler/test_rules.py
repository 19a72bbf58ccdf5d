from datetime import date, timedelta

import pytest

from tracker.scheduler import rules


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2026, 11, 15), 2, date(2027, 1, 15)),
        (date(2026, 3, 31), 3, date(2026, 6, 30)),
        (date(2026, 5, 1), 12, date(2027, 5, 1)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_months_last(start, months, expected):
    assert rules.add_months(start, months) == expected


def test_backoff_doubles_and_is_capped():
    assert [rules.backoff(n) for n in (1, 2, 3, 4)] == [
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
        timedelta(minutes=8),
    ]
    assert rules.backoff(30) == timedelta(hours=6)
    with pytest.raises(ValueError):
        rules.backoff(0)


def test_gives_up_only_after_the_last_attempt():
    assert not rules.gives_up(rules.MAX_SEND_ATTEMPTS - 1)
    assert rules.gives_up(rules.MAX_SEND_ATTEMPTS)


@pytest.mark.parametrize(
    ("spec", "text"),
    [
        ({"trigger": "cron", "hour": 7, "minute": 0}, "Every day at 07:00"),
        ({"trigger": "cron", "day": 1, "hour": 6}, "On day 1 of each month at 06:00"),
        ({"trigger": "interval", "minutes": 1}, "Every minute"),
        ({"trigger": "interval", "minutes": 5}, "Every 5 minutes"),
        ({"trigger": "date"}, "On a custom schedule"),
    ],
)
def test_schedules_read_as_sentences(spec, text):
    assert rules.describe_trigger(spec) == text
