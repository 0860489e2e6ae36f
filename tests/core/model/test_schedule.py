from __future__ import annotations

import pytest

from faas.core.model.schedule import ScheduleError, parse_schedule


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("rate(4 hours)", "rate(4 hours)"),
        ("rate(1 hours)", "rate(1 hour)"),
        ("rate(1 minute)", "rate(1 minute)"),
        ("rate(15 Minutes)", "rate(15 minutes)"),
        ("  rate( 2 days )  ", "rate(2 days)"),
        ("cron(0 12 * * *)", "cron(0 12 * * *)"),
        ("0 12 * * 1-5", "cron(0 12 * * MON-FRI)"),
        ("cron(*/5 9-17 * jan,JUN 0)", "cron(*/5 9-17 * JAN,JUN SUN)"),
        ("cron(0 3 * * 7)", "cron(0 3 * * SUN)"),
        # AWS 6-field form: ? is "any", days 1-7 start on Sunday, year must be *.
        ("cron(0 12 * * ? *)", "cron(0 12 * * *)"),
        ("cron(0 18 ? * MON-FRI *)", "cron(0 18 * * MON-FRI)"),
        ("cron(0 8 1 * ? *)", "cron(0 8 1 * *)"),
        ("cron(0 8 ? * 2 *)", "cron(0 8 * * MON)"),
        ("cron(0 8 ? * 1,7 *)", "cron(0 8 * * SUN,SAT)"),
        ("cron(0/15 * * * ? *)", "cron(0-59/15 * * * *)"),
    ],
)
def test_schedules_are_normalised_to_one_canonical_form(written: str, canonical: str) -> None:
    assert str(parse_schedule(written)) == canonical


def test_rate_exposes_seconds_for_local_schedulers() -> None:
    assert parse_schedule("rate(4 hours)").rate_seconds == 4 * 3600


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("rate(0 hours)", "at least 1"),
        ("rate(2 weeks)", "minutes, hours or days"),
        ("cron(61 * * * *)", "minute '61' is out of range 0-59"),
        ("cron(0 24 * * *)", "hour '24' is out of range 0-23"),
        ("cron(0 0 32 * *)", "day-of-month '32'"),
        ("cron(0 0 * 13 *)", "month '13'"),
        ("cron(5-1 * * * *)", "runs backwards"),
        ("cron(*/0 * * * *)", "positive number"),
        ("cron(0 12 L * ? *)", "not portable"),
        ("cron(0 12 ? * 3#2 *)", "not portable"),
        ("cron(0 12 * * ? 2027)", "year"),
        ("cron(0 12 ? * 8 *)", "out of range 1-7"),
        ("cron(0 12 * * FUN)", "day-of-week 'FUN'"),
        ("cron(* * 30 FEB *)", "never fires: day 30 does not occur in FEB"),
        ("cron(0 0 31 APR,JUN,SEP,NOV ? *)", "never fires: day 31 does not occur in APR, JUN, SEP, NOV"),
        ("every day", "is not a schedule"),
        ("cron(1 2 3)", "is not a schedule"),
    ],
)
def test_invalid_or_unportable_schedules_say_what_is_wrong(written: str, message: str) -> None:
    with pytest.raises(ScheduleError, match=message):
        parse_schedule(written)


@pytest.mark.parametrize(
    "written",
    # Day 29 of February fires in leap years; with a day-of-week too, cron fires on either field.
    ["cron(0 0 29 FEB *)", "cron(0 0 30 FEB MON)", "cron(0 0 31 FEB-MAR *)", "cron(0 0 30-31 * *)"],
)
def test_a_cron_that_fires_on_some_date_is_accepted(written: str) -> None:
    assert parse_schedule(written).kind == "cron"
