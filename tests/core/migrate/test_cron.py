"""AWS schedule expressions to the faas canonical form: exact, or refused with the reason."""

from __future__ import annotations

import pytest

from faas.core.migrate.cron import NotPortable, convert_schedule


@pytest.mark.parametrize(
    ("aws", "faas"),
    [
        ("rate(1 minute)", "rate(1 minute)"),
        ("rate(5 minutes)", "rate(5 minutes)"),
        ("rate(7 days)", "rate(7 days)"),
        ("cron(0 12 * * ? *)", "cron(0 12 * * *)"),
        # Day-of-week 1-7 is SUN-SAT on AWS: 2 is Monday, 6 Friday, 7 Saturday.
        ("cron(0 12 ? * 2 *)", "cron(0 12 * * MON)"),
        ("cron(0 8 ? * 2-6 *)", "cron(0 8 * * MON-FRI)"),
        ("cron(0 8 ? * 1,7 *)", "cron(0 8 * * SUN,SAT)"),
        ("cron(0 8 ? * MON-FRI *)", "cron(0 8 * * MON-FRI)"),
        ("cron(0 9 ? * L *)", "cron(0 9 * * SAT)"),  # L alone: the last day of the week
        ("cron(0/15 * * * ? *)", "cron(0-59/15 * * * *)"),
        ("cron(30 1 15 JAN,JUL ? *)", "cron(30 1 15 JAN,JUL *)"),
        ("cron(0 3 1 * ? *)", "cron(0 3 1 * *)"),
    ],
)
def test_exact_conversions(aws: str, faas: str) -> None:
    assert convert_schedule(aws) == faas


@pytest.mark.parametrize(
    ("aws", "why"),
    [
        ("cron(0 18 L * ? *)", "last day of the month"),
        ("cron(0 9 15W * ? *)", "nearest weekday"),
        ("cron(0 8 ? * MON#1 *)", "nth weekday"),
        ("cron(0 8 ? * 6L *)", "last such weekday"),
        ("cron(0 10 * * ? 2025)", "year"),
        ("cron(0 10 1 * 2 *)", "both day-of-month and day-of-week"),
        ("cron(0 10 * *)", "has 4 fields"),
        ("cron(0 10 ? * 8 *)", "outside 1-7"),
        ("rate(2 weeks)", "unit"),
        ("at(2025-01-01T00:00:00)", "neither rate"),
    ],
)
def test_what_has_no_exact_form_is_refused_with_the_reason(aws: str, why: str) -> None:
    with pytest.raises(NotPortable, match=why):
        convert_schedule(aws)
