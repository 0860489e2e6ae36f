"""The canonical schedule in EventBridge, Cloud Scheduler and NCRONTAB syntax: exact, or refused.

The property tests draw canonical schedules and check, per cloud, that each translation is either
refused or means the same thing. "The same" is judged by croniter, an independent cron
implementation: the native expression fires at the same minutes as the canonical one (cron), or
exactly once per period across hour, day and month boundaries (rates).
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from croniter import croniter
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from faas.core.model import (
    CLOUD_SCHEDULER,
    EVENTBRIDGE,
    NCRONTAB,
    ScheduleDialect,
    UnsupportedScheduleError,
    parse_schedule,
)
from faas.core.model.schedule import Schedule, ScheduleError

DIALECTS = {"eventbridge": EVENTBRIDGE, "cloud-scheduler": CLOUD_SCHEDULER, "ncrontab": NCRONTAB}
# Crosses an hour, a day, a month end (February) and a year end within the sampled firings.
START = datetime(2027, 2, 27, 21, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("canonical", "eventbridge", "cloud_scheduler", "ncrontab"),
    [
        ("cron(15 10 * * MON-FRI)", "cron(15 10 ? * MON-FRI *)", "15 10 * * 1-5", "0 15 10 * * 1-5"),
        # Sunday is 1 on AWS, 0 in unix cron and NCRONTAB; Saturday 7 and 6.
        ("cron(0 8 * * SUN,SAT)", "cron(0 8 ? * SUN,SAT *)", "0 8 * * 0,6", "0 0 8 * * 0,6"),
        ("cron(0 8 ? * 1 *)", "cron(0 8 ? * SUN *)", "0 8 * * 0", "0 0 8 * * 0"),
        ("cron(30 6 1 JAN,JUL *)", "cron(30 6 1 JAN,JUL ? *)", "30 6 1 1,7 *", "0 30 6 1 1,7 *"),
        ("cron(*/5 9-17 * * *)", "cron(*/5 9-17 * * ? *)", "*/5 9-17 * * *", "0 */5 9-17 * * *"),
        ("rate(5 minutes)", "rate(5 minutes)", "*/5 * * * *", "0 */5 * * * *"),
        ("rate(1 minute)", "rate(1 minute)", "* * * * *", "0 * * * * *"),
        ("rate(1 hour)", "rate(1 hour)", "0 * * * *", "0 0 * * * *"),
        ("rate(4 hours)", "rate(4 hours)", "0 */4 * * *", "0 0 */4 * * *"),
        ("rate(120 minutes)", "rate(120 minutes)", "0 */2 * * *", "0 0 */2 * * *"),
        ("rate(1 day)", "rate(1 day)", "0 0 * * *", "0 0 0 * * *"),
    ],
)
def test_each_cloud_gets_its_own_expression(canonical: str, eventbridge: str, cloud_scheduler: str, ncrontab: str):
    schedule = parse_schedule(canonical)
    assert EVENTBRIDGE.translate(schedule).expression == eventbridge
    assert CLOUD_SCHEDULER.translate(schedule).expression == cloud_scheduler
    assert NCRONTAB.translate(schedule).expression == ncrontab


def test_cloud_scheduler_jobs_run_in_utc_like_every_faas_schedule():
    assert CLOUD_SCHEDULER.translate(parse_schedule("cron(0 3 * * *)")).time_zone == "Etc/UTC"
    assert CLOUD_SCHEDULER.translate(parse_schedule("cron(0 3 * * *)")).manifest() == {
        "platform_expression": "0 3 * * *",
        "time_zone": "Etc/UTC",
    }


@pytest.mark.parametrize(
    ("dialect", "canonical", "message"),
    [
        # A drifting */7 would fire at :56 and again at :00.
        ("cloud-scheduler", "rate(7 minutes)", "must divide an hour"),
        ("ncrontab", "rate(7 minutes)", "must divide an hour"),
        ("ncrontab", "rate(90 minutes)", "must divide an hour"),
        ("cloud-scheduler", "rate(5 hours)", "or a day"),
        ("cloud-scheduler", "rate(7 days)", r"only rate\(1 day\).*weekly runs write cron\(0 0 \* \* SUN\)"),
        ("ncrontab", "rate(2 days)", "day steps restart every month"),
        ("eventbridge", "cron(0 0 1 * MON)", "both day-of-month and day-of-week"),
        ("ncrontab", "cron(0 0 1 * MON)", "both day-of-month and day-of-week"),
    ],
)
def test_what_has_no_exact_form_is_refused_naming_the_cloud(dialect: str, canonical: str, message: str):
    translator = DIALECTS[dialect]
    with pytest.raises(UnsupportedScheduleError, match=message) as caught:
        translator.translate(parse_schedule(canonical))
    assert translator.name in str(caught.value)
    assert canonical in str(caught.value)


def test_rates_stay_rates_on_eventbridge_whatever_their_value():
    for text in ("rate(7 minutes)", "rate(7 days)", "rate(90 minutes)"):
        assert EVENTBRIDGE.translate(parse_schedule(text)).expression == text


def test_unix_cron_keeps_either_day_matching():
    # Cloud Scheduler, like the canonical form, fires on the 1st and on every Monday.
    assert CLOUD_SCHEDULER.translate(parse_schedule("cron(0 0 1 * MON)")).expression == "0 0 1 * 1"


# -- properties -----------------------------------------------------------------------------------

FIELD_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 6))


@st.composite
def cron_field(draw: st.DrawFn, low: int, high: int) -> str:
    shape = draw(st.sampled_from(["any", "step", "value", "range", "range-step", "list"]))
    if shape == "any":
        return "*"
    if shape == "step":
        return f"*/{draw(st.integers(1, high - low))}"
    first = draw(st.integers(low, high))
    if shape == "value":
        return str(first)
    last = draw(st.integers(first, high))
    if shape == "range":
        return f"{first}-{last}"
    if shape == "range-step":
        return f"{first}-{last}/{draw(st.integers(1, high - low))}"
    values = draw(st.lists(st.integers(low, high), min_size=2, max_size=4, unique=True))
    return ",".join(str(value) for value in sorted(values))


@st.composite
def canonical_schedules(draw: st.DrawFn) -> Schedule:
    if draw(st.booleans()):
        unit = draw(st.sampled_from(["minutes", "hours", "days"]))
        return parse_schedule(f"rate({draw(st.integers(1, 200))} {unit})")
    fields = [draw(cron_field(low, high)) for low, high in FIELD_RANGES]
    try:
        return parse_schedule(f"cron({' '.join(fields)})")
    except ScheduleError:
        assume(False)
        raise


def firings(expression: str, count: int, *, seconds_first: bool = False) -> list[datetime]:
    iterator = croniter(expression, START - timedelta(seconds=1), second_at_beginning=seconds_first)
    return [iterator.get_next(datetime) for _ in range(count)]


def native_firings(dialect: ScheduleDialect, expression: str, count: int) -> list[datetime]:
    return firings(expression, count, seconds_first=dialect is NCRONTAB)


@pytest.mark.parametrize("name", sorted(DIALECTS))
@settings(max_examples=200, deadline=None)
@given(schedule=canonical_schedules())
def test_every_canonical_schedule_round_trips_or_is_refused(name: str, schedule: Schedule):
    dialect = DIALECTS[name]
    try:
        native = dialect.translate(schedule)
    except UnsupportedScheduleError as error:
        assert error.dialect == dialect.name
        return
    back = dialect.parse(native)
    if schedule.kind == "cron" or dialect is EVENTBRIDGE:
        assert back == schedule, native
    else:
        assert back.kind == "cron"  # a rate becomes the clock-aligned cron with the same period


@pytest.mark.parametrize("name", ["cloud-scheduler", "ncrontab"])
@settings(max_examples=200, deadline=None)
@given(schedule=canonical_schedules())
def test_translated_schedules_fire_when_the_canonical_one_does(name: str, schedule: Schedule):
    dialect = DIALECTS[name]
    try:
        native = dialect.translate(schedule)
    except UnsupportedScheduleError:
        return
    if schedule.kind == "cron":
        assert native_firings(dialect, native.expression, 40) == firings(schedule.cron, 40)
    else:
        times = native_firings(dialect, native.expression, 60)
        periods = {later - earlier for earlier, later in itertools.pairwise(times)}
        assert periods == {timedelta(seconds=schedule.rate_seconds)}, native


@pytest.mark.parametrize("name", ["cloud-scheduler", "ncrontab"])
@pytest.mark.parametrize("value", range(1, 61))
def test_every_minute_rate_is_exact_or_refused(name: str, value: int):
    dialect = DIALECTS[name]
    schedule = parse_schedule(f"rate({value} minutes)")
    if 60 % value:
        with pytest.raises(UnsupportedScheduleError):
            dialect.translate(schedule)
        return
    times = native_firings(dialect, dialect.translate(schedule).expression, 130)
    assert {b - a for a, b in itertools.pairwise(times)} == {timedelta(minutes=value)}
