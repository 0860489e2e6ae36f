"""Schedules: `rate(...)` and `cron(...)` parsed once, into one canonical form.

Accepted input:
- `rate(N unit)` with unit minute(s), hour(s) or day(s): `rate(1 hour)`, `rate(15 minutes)`.
- `cron(m h dom mon dow)`, standard 5-field cron (what GCP and most people write), or a bare
  5-field string `0 12 * * 1-5`.
- `cron(m h dom mon dow year)`, the AWS EventBridge 6-field form, so Zappa and SAM configs paste in:
  `?` is read as `*`, day-of-week numbers 1-7 mean SUN-SAT as on AWS, and year must be `*`.

Canonical form (what `str()` returns and providers translate): `rate(N unit)` with the unit in the
plural form for N > 1, or `cron(m h dom mon dow)` in standard cron with day-of-week 0-6 = SUN-SAT and
names upper-cased. Features only one cloud has (`L`, `W`, `#`, a year) are refused: a schedule must
mean the same thing on every provider.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

RATE_UNITS = {"minute": 60, "hour": 3600, "day": 86400}
MONTH_NAMES = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
DAY_NAMES = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")

_RATE = re.compile(r"^rate\(\s*(\d+)\s+([a-z]+?)s?\s*\)$", re.IGNORECASE)
_CRON = re.compile(r"^cron\((.*)\)$", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class CronField:
    name: str
    low: int
    high: int
    names: tuple[str, ...] = ()
    names_start: int = 0


FIELDS = (
    CronField("minute", 0, 59),
    CronField("hour", 0, 23),
    CronField("day-of-month", 1, 31),
    CronField("month", 1, 12, MONTH_NAMES, 1),
    CronField("day-of-week", 0, 7, DAY_NAMES, 0),
)


class ScheduleError(ValueError):
    """A schedule expression that is not valid or not portable; the message says which part."""


@dataclass(frozen=True)
class Schedule:
    """A parsed schedule. `kind` is "rate" or "cron"."""

    kind: Literal["rate", "cron"]
    rate_value: int = 0
    rate_unit: str = ""
    cron_fields: tuple[str, ...] = ()

    @property
    def rate_seconds(self) -> int:
        return self.rate_value * RATE_UNITS[self.rate_unit]

    @property
    def cron(self) -> str:
        """The 5 standard cron fields joined by spaces (cron schedules only)."""
        return " ".join(self.cron_fields)

    def __str__(self) -> str:
        if self.kind == "rate":
            unit = self.rate_unit if self.rate_value == 1 else f"{self.rate_unit}s"
            return f"rate({self.rate_value} {unit})"
        return f"cron({self.cron})"


def parse_schedule(text: str) -> Schedule:
    """Parse a schedule expression into its canonical `Schedule`, or raise `ScheduleError`."""
    expression = text.strip()
    rate = _RATE.match(expression)
    if rate:
        return _parse_rate(int(rate.group(1)), rate.group(2).lower(), expression)
    cron = _CRON.match(expression)
    body = cron.group(1) if cron else expression
    fields = body.split()
    if len(fields) == 6:
        return _firing(Schedule("cron", cron_fields=_from_aws_cron(fields)), text)
    if len(fields) == 5:
        normalised = tuple(_normalise(f, spec) for f, spec in zip(fields, FIELDS, strict=True))
        return _firing(Schedule("cron", cron_fields=normalised), text)
    raise ScheduleError(
        f"'{text}' is not a schedule: use rate(N minutes|hours|days), cron(m h dom mon dow) "
        "or the AWS form cron(m h dom mon dow year)"
    )


# The most days each month can have (February in a leap year).
_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _firing(schedule: Schedule, text: str) -> Schedule:
    """Refuse a cron that never fires (`30 FEB`): every cloud accepts it and then stays silent."""
    _, _, dom, month, dow = schedule.cron_fields
    if dom == "*" or dow != "*":
        return schedule  # with a day-of-week too, cron fires on either: some day always matches
    first_day = min(_values(dom, FIELDS[2]))
    months = _values(month, FIELDS[3])
    if all(first_day > _MONTH_DAYS[m - 1] for m in months):
        names = ", ".join(MONTH_NAMES[m - 1] for m in sorted(months))
        raise ScheduleError(f"'{text}' never fires: day {first_day} does not occur in {names}")
    return schedule


def _values(field: str, spec: CronField) -> set[int]:
    """The numbers a normalised field matches (names already upper-cased, ranges spelled out)."""
    values: set[int] = set()
    for part in field.split(","):
        base, _, step = part.partition("/")
        if base == "*":
            low, high = spec.low, spec.high
        else:
            bounds = [_field_value(bound, spec) for bound in base.split("-")]
            low, high = bounds[0], bounds[-1]
        values.update(range(low, high + 1, int(step or 1)))
    return values


def _parse_rate(value: int, unit: str, expression: str) -> Schedule:
    if unit not in RATE_UNITS:
        raise ScheduleError(f"'{expression}': the unit must be minutes, hours or days")
    if value < 1:
        raise ScheduleError(f"'{expression}': the rate must be at least 1 {unit}")
    return Schedule("rate", rate_value=value, rate_unit=unit)


def _from_aws_cron(fields: list[str]) -> tuple[str, ...]:
    minute, hour, dom, month, dow, year = fields
    if year not in ("*", "?"):
        raise ScheduleError(f"a cron year ('{year}') exists only on AWS; schedules must be portable")
    dom = "*" if dom == "?" else dom
    dow = "*" if dow == "?" else _shift_aws_days(dow)
    return tuple(_normalise(f, spec) for f, spec in zip((minute, hour, dom, month, dow), FIELDS, strict=True))


def _shift_aws_days(dow: str) -> str:
    # AWS numbers days 1-7 from Sunday; standard cron 0-6. Names need no shift.
    def shift(match: re.Match[str]) -> str:
        day = int(match.group(0))
        if not 1 <= day <= 7:
            raise ScheduleError(f"AWS day-of-week '{day}' is out of range 1-7")
        return str(day - 1)

    # Step values after '/' are counts, not days: shift only the part before it.
    base, slash, step = dow.partition("/")
    return re.sub(r"\d+", shift, base) + slash + step


def _normalise(value: str, spec: CronField) -> str:
    without_names = re.sub(r"[A-Za-z]{3}", "", value) if spec.names else value
    if any(mark in without_names.upper() for mark in ("L", "W", "#", "?")):
        raise ScheduleError(f"cron {spec.name} '{value}': L, W, # and ? are not portable across clouds")
    parts = [_normalise_part(part, spec) for part in value.split(",")]
    return ",".join(parts)


def _normalise_part(part: str, spec: CronField) -> str:
    base, slash, step = part.partition("/")
    if slash and (not step.isdigit() or int(step) < 1):
        raise ScheduleError(f"cron {spec.name} '{part}': the step after '/' must be a positive number")
    if base == "*":
        return part
    bounds = base.split("-")
    if len(bounds) > 2 or not all(bounds):
        raise ScheduleError(f"cron {spec.name} '{part}' is not a value, a range or '*'")
    numbers = [_field_value(bound, spec) for bound in bounds]
    if slash and len(numbers) == 1:
        # AWS and Quartz read `5/15` as "from 5, every 15"; unix cron needs the range spelled out.
        numbers.append(spec.high if spec.name != "day-of-week" else 6)
    if len(numbers) == 2 and numbers[0] > numbers[1]:
        raise ScheduleError(f"cron {spec.name} range '{base}' runs backwards")
    rendered = "-".join(_render_value(n, spec) for n in numbers)
    return f"{rendered}/{step}" if slash else rendered


def _field_value(token: str, spec: CronField) -> int:
    upper = token.upper()
    if spec.names and upper in spec.names:
        return spec.names.index(upper) + spec.names_start
    if not token.isdigit():
        allowed = f" or {spec.names[0]}-{spec.names[-1]}" if spec.names else ""
        raise ScheduleError(f"cron {spec.name} '{token}' must be {spec.low}-{spec.high}{allowed}")
    number = int(token)
    if not spec.low <= number <= spec.high:
        raise ScheduleError(f"cron {spec.name} '{token}' is out of range {spec.low}-{spec.high}")
    # Day 7 is Sunday in standard cron, the same as 0.
    return 0 if spec.name == "day-of-week" and number == 7 else number


def _render_value(number: int, spec: CronField) -> str:
    if spec.name == "day-of-week":
        return DAY_NAMES[number]
    if spec.name == "month":
        return MONTH_NAMES[number - 1]
    return str(number)
