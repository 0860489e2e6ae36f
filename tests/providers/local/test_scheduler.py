"""Schedules fire at the right real times: cron in UTC, rate one period after the start."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from faas.core.model.schedule import parse_schedule
from faas.providers.local.scheduler import CronMatcher, ScheduledJob, Scheduler


def matches(expression: str, moment: datetime) -> bool:
    return CronMatcher.parse(parse_schedule(expression)).matches(moment)


class TestCron:
    def test_every_weekday_at_nine(self):
        monday = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday
        assert matches("cron(0 9 * * MON-FRI)", monday)
        assert not matches("cron(0 9 * * MON-FRI)", monday + timedelta(minutes=1))
        assert not matches("cron(0 9 * * MON-FRI)", monday + timedelta(days=5))  # Saturday

    def test_aws_six_field_form_counts_days_from_sunday(self):
        # AWS day 2 is Monday; the model shifts it to standard cron.
        monday = datetime(2026, 11, 23, 12, 30, tzinfo=UTC)
        assert matches("cron(30 12 ? * 2 *)", monday)
        assert not matches("cron(30 12 ? * 2 *)", monday + timedelta(days=1))

    def test_steps_lists_and_ranges(self):
        base = datetime(2026, 1, 1, 0, 0, tzinfo=UTC)
        fired = [minute for minute in range(60) if matches("cron(*/15 * * * *)", base + timedelta(minutes=minute))]
        assert fired == [0, 15, 30, 45]
        assert matches("cron(5,10 1-3 * * *)", base.replace(hour=2, minute=10))
        assert not matches("cron(5,10 1-3 * * *)", base.replace(hour=4, minute=10))

    def test_month_names(self):
        assert matches("cron(0 0 1 JAN,JUL *)", datetime(2026, 7, 1, tzinfo=UTC))
        assert not matches("cron(0 0 1 JAN,JUL *)", datetime(2026, 8, 1, tzinfo=UTC))

    def test_day_of_month_or_day_of_week_when_both_are_restricted(self):
        # Standard cron: the 1st of the month OR any Sunday.
        assert matches("cron(0 0 1 * SUN)", datetime(2026, 11, 1, tzinfo=UTC))  # a Sunday and the 1st
        assert matches("cron(0 0 1 * SUN)", datetime(2026, 11, 8, tzinfo=UTC))  # a Sunday
        assert matches("cron(0 0 1 * SUN)", datetime(2026, 12, 1, tzinfo=UTC))  # a Tuesday, the 1st
        assert not matches("cron(0 0 1 * SUN)", datetime(2026, 11, 10, tzinfo=UTC))

    def test_a_cron_job_fires_once_in_its_minute(self):
        job = ScheduledJob("report", 0, "cron(*/2 * * * *)")
        minute = datetime(2026, 11, 23, 10, 4, tzinfo=UTC).timestamp()
        assert job.due(minute + 1)
        assert not job.due(minute + 30)  # the scheduler ticks many times a minute
        assert not job.due(minute + 61)  # 10:05 does not match */2
        assert job.due(minute + 121)


class TestRate:
    def test_first_run_is_one_period_after_the_start(self):
        job = ScheduledJob("tick", 0, "rate(5 minutes)")
        start = time.time()
        job.start(start)
        assert not job.due(start)
        assert not job.due(start + 299)
        assert job.due(start + 300)
        assert not job.due(start + 301)
        assert job.due(start + 600)

    def test_scheduler_fires_a_due_job_on_its_thread(self):
        fired = threading.Event()
        job = ScheduledJob("tick", 0, "rate(1 minute)")
        scheduler = Scheduler([job], lambda chosen: fired.set(), tick=0.05)
        scheduler.start()
        try:
            assert not fired.wait(0.3)
            job.next_rate = time.time()  # as if a minute had passed
            assert fired.wait(5)
        finally:
            scheduler.stop()


@pytest.mark.parametrize("expression", ["rate(1 minute)", "rate(2 hours)", "cron(0 3 * * *)", "cron(0 12 ? * MON *)"])
def test_every_canonical_schedule_parses(expression):
    ScheduledJob("f", 0, str(parse_schedule(expression)))
