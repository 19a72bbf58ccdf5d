from datetime import timedelta

import pytest

from tracker.scheduler import rules


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
