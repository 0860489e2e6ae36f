"""AWS schedule expressions (EventBridge `rate()` and 6-field `cron()`) to the faas canonical form.

AWS cron is `cron(min hour day-of-month month day-of-week year)` with `?` for "no value", `L`
(last), `W` (nearest weekday), `#` (nth weekday), a year, and day-of-week 1-7 = SUN-SAT. The faas
form is standard 5-field cron with day-of-week 0-6 = SUN-SAT. The conversion here is exact or it
says why not; the result is then normalised by the model's own `parse_schedule`, the one canonical
form every provider translates.
"""

from __future__ import annotations

import re

from faas.core.model.schedule import ScheduleError, parse_schedule

_CRON = re.compile(r"^\s*cron\((.*)\)\s*$", re.IGNORECASE | re.DOTALL)
_RATE = re.compile(r"^\s*rate\(", re.IGNORECASE)
_DAY_NAMES = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")


class NotPortable(ValueError):
    """The expression has no exact faas form; the message says which part and why."""


def convert_schedule(expression: str) -> str:
    """The canonical faas schedule for an AWS expression, or raise `NotPortable` with the reason."""
    text = expression.strip()
    cron = _CRON.match(text)
    if _RATE.match(text) or (not cron and len(text.split()) == 5):
        return _canonical(text)
    if not cron:
        raise NotPortable(f"'{expression}' is neither rate(...) nor cron(...)")
    fields = cron.group(1).split()
    if len(fields) != 6:
        raise NotPortable(f"'{expression}' has {len(fields)} fields; AWS cron has 6 (min hour dom month dow year)")
    minute, hour, day_of_month, month, day_of_week, year = fields
    if year not in ("*", "?"):
        raise NotPortable(f"'{expression}' runs only in the year(s) {year}; faas schedules repeat every year")
    if day_of_month not in ("?", "*") and day_of_week not in ("?", "*"):
        # AWS refuses this; standard cron would read it as "either matches", which is not the same.
        raise NotPortable(f"'{expression}' restricts both day-of-month and day-of-week")
    dom = _day_of_month(day_of_month, expression)
    dow = _day_of_week(day_of_week, expression)
    return _canonical(f"cron({minute} {hour} {dom} {month} {dow})")


def _canonical(text: str) -> str:
    try:
        return str(parse_schedule(text))
    except ScheduleError as error:
        raise NotPortable(str(error)) from None


def _day_of_month(value: str, expression: str) -> str:
    if value == "?":
        return "*"
    if "L" in value.upper():
        raise NotPortable(
            f"'{expression}': day-of-month '{value}' (the last day of the month) has no standard cron form"
        )
    if "W" in value.upper():
        raise NotPortable(f"'{expression}': day-of-month '{value}' (the nearest weekday) has no standard cron form")
    return value


def _day_of_week(value: str, expression: str) -> str:
    if value in ("?", "*"):
        return "*"
    upper = value.upper()
    if upper == "L":
        # Alone, L is the last day of the week: Saturday.
        return "SAT"
    if "#" in upper:
        raise NotPortable(
            f"'{expression}': day-of-week '{value}' (the nth weekday of the month) has no standard cron form"
        )
    if "L" in re.sub(r"[A-Z]{3}", "", upper) or upper.endswith("L"):
        raise NotPortable(
            f"'{expression}': day-of-week '{value}' (the last such weekday of the month) has no standard cron form"
        )
    base, slash, step = value.partition("/")
    # Numbers are shifted to names (1 = SUN on AWS), so the model never has to guess the convention.
    return re.sub(r"\d+", lambda match: _aws_day(match.group(0), expression), base) + slash + step


def _aws_day(number: str, expression: str) -> str:
    day = int(number)
    if not 1 <= day <= 7:
        raise NotPortable(f"'{expression}': AWS day-of-week {day} is outside 1-7 (SUN-SAT)")
    return _DAY_NAMES[day - 1]
