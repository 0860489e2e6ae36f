"""The canonical schedule in each platform's own syntax: EventBridge, Cloud Scheduler, NCRONTAB.

A translation is exact or refused. Every platform's scheduler reads the expression in UTC; the
differences are the syntax, how days are numbered and what each can express:

- EventBridge (AWS): `rate(N unit)` as is; `cron(m h dom mon dow year)` where exactly one of
  day-of-month and day-of-week is `?` and days are SUN-SAT or 1-7 from Sunday. It cannot say
  "on the 1st or on Mondays" (both restricted), so that is refused.
- Cloud Scheduler (GCP): 5-field unix cron, days 0-6 from Sunday, plus a time zone (`Etc/UTC`).
  Both day fields restricted means either matches, as in the canonical form.
- NCRONTAB (Azure Functions timers): 6 fields, seconds first, days 0-6 from Sunday. Both day
  fields restricted means both must match (unlike unix cron), so that is refused.

Cron has no rates: a step restarts each hour, day or month, so `rate(7 minutes)` as `*/7` would
fire at :56 and again at :00. A rate becomes cron only when it divides its unit (minutes into
an hour, hours into a day) or is one day; anything else is refused rather than drifting. Cron
fires on the clock where a rate counts from when the schedule was created: the period is exact,
the phase is the clock's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from faas.core.model.schedule import DAY_NAMES, MONTH_NAMES, Schedule, ScheduleError, parse_schedule

__all__ = [
    "CLOUD_SCHEDULER",
    "DIALECTS",
    "EVENTBRIDGE",
    "NCRONTAB",
    "NativeSchedule",
    "ScheduleDialect",
    "UnsupportedScheduleError",
]

UTC = "Etc/UTC"


class UnsupportedScheduleError(ScheduleError):
    """A valid canonical schedule the platform's scheduler cannot express exactly."""

    def __init__(self, schedule: Schedule, dialect: str, reason: str) -> None:
        self.schedule = schedule
        self.dialect = dialect
        self.reason = reason
        super().__init__(f"schedule {schedule} has no exact {dialect} form: {reason}")


@dataclass(frozen=True)
class NativeSchedule:
    """A schedule in one platform's syntax, as its scheduler API or runtime takes it."""

    expression: str
    time_zone: str | None = None

    def manifest(self) -> dict[str, Any]:
        """The keys faas_runtime.json gets for a schedule trigger (see docs/runtime-contract.md)."""
        fields: dict[str, Any] = {"platform_expression": self.expression}
        if self.time_zone is not None:
            fields["time_zone"] = self.time_zone
        return fields


class ScheduleDialect:
    """One platform's schedule syntax: `translate` a canonical schedule, `parse` one back."""

    name: str = ""
    """How users know the syntax, in messages: "AWS EventBridge"."""

    def translate(self, schedule: Schedule) -> NativeSchedule:
        """The exact native form of `schedule`; `UnsupportedScheduleError` when there is none."""
        raise NotImplementedError

    def parse(self, native: NativeSchedule) -> Schedule:
        """The canonical schedule a native one means (what `translate` produced, or a user's)."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<schedule dialect {self.name}>"


class _EventBridge(ScheduleDialect):
    name = "AWS EventBridge"

    def translate(self, schedule: Schedule) -> NativeSchedule:
        if schedule.kind == "rate":
            return NativeSchedule(str(schedule))
        minute, hour, dom, month, dow = schedule.cron_fields
        if dow == "*":
            dow = "?"
        elif dom == "*":
            dom = "?"
        else:
            raise UnsupportedScheduleError(
                schedule,
                self.name,
                "it cannot restrict both day-of-month and day-of-week (cron fires when either matches); "
                "use two schedules",
            )
        # Canonical days are names (SUN-SAT), which EventBridge reads the same way; a bare `*/n`
        # counts from the first day in both numberings, so nothing needs shifting.
        return NativeSchedule(f"cron({minute} {hour} {dom} {month} {dow} *)")

    def parse(self, native: NativeSchedule) -> Schedule:
        return parse_schedule(native.expression)


def _numbered(field: str, names: tuple[str, ...], first: int) -> str:
    """`MON-FRI` as `1-5`: unix cron and NCRONTAB number days 0-6 from Sunday, months 1-12."""
    return re.sub(r"[A-Z]{3}", lambda match: str(names.index(match.group(0)) + first), field)


def _numeric_fields(schedule: Schedule) -> tuple[str, str, str, str, str]:
    minute, hour, dom, month, dow = schedule.cron_fields
    return minute, hour, dom, _numbered(month, MONTH_NAMES, 1), _numbered(dow, DAY_NAMES, 0)


def _rate_as_cron(schedule: Schedule, dialect: str) -> tuple[str, str, str, str, str]:
    """The cron fields firing exactly every period of a rate, or `UnsupportedScheduleError`."""
    minutes = schedule.rate_seconds // 60
    if minutes < 60 and 60 % minutes == 0:
        return ("*" if minutes == 1 else f"*/{minutes}", "*", "*", "*", "*")
    hours, extra_minutes = divmod(minutes, 60)
    if not extra_minutes and hours < 24 and 24 % hours == 0:
        return ("0", "*" if hours == 1 else f"*/{hours}", "*", "*", "*")
    if minutes == 24 * 60:
        return ("0", "0", "*", "*", "*")
    if minutes % (24 * 60) == 0:
        days = minutes // (24 * 60)
        hint = "for weekly runs write cron(0 0 * * SUN)" if days == 7 else "write a cron(...) schedule instead"
        raise UnsupportedScheduleError(
            schedule, dialect, f"cron day steps restart every month, so only rate(1 day) has a cron form; {hint}"
        )
    raise UnsupportedScheduleError(
        schedule,
        dialect,
        "cron steps restart every hour and day, so a rate must divide an hour (1, 2, 3, 4, 5, 6, 10, 12, 15, "
        "20, 30 minutes) or a day (1, 2, 3, 4, 6, 8, 12 hours) or be 1 day; write a cron(...) schedule instead",
    )


class _CloudScheduler(ScheduleDialect):
    name = "Google Cloud Scheduler"

    def translate(self, schedule: Schedule) -> NativeSchedule:
        fields = _rate_as_cron(schedule, self.name) if schedule.kind == "rate" else _numeric_fields(schedule)
        # EventBridge and NCRONTAB run in UTC; so does every faas schedule, on every cloud.
        return NativeSchedule(" ".join(fields), UTC)

    def parse(self, native: NativeSchedule) -> Schedule:
        if native.time_zone not in (None, UTC, "UTC"):
            raise ScheduleError(f"time zone {native.time_zone!r}: faas schedules run in UTC")
        return parse_schedule(native.expression)


class _Ncrontab(ScheduleDialect):
    name = "Azure NCRONTAB"

    def translate(self, schedule: Schedule) -> NativeSchedule:
        if schedule.kind == "rate":
            fields = _rate_as_cron(schedule, self.name)
        else:
            fields = _numeric_fields(schedule)
            if fields[2] != "*" and fields[4] != "*":
                raise UnsupportedScheduleError(
                    schedule,
                    self.name,
                    "NCRONTAB fires only on days matching both day-of-month and day-of-week, where cron fires "
                    "on either; use two schedules",
                )
        return NativeSchedule("0 " + " ".join(fields))

    def parse(self, native: NativeSchedule) -> Schedule:
        fields = native.expression.split()
        if len(fields) != 6 or fields[0] != "0":
            raise ScheduleError(f"{native.expression!r} is not a 6-field NCRONTAB firing at second 0")
        return parse_schedule(" ".join(fields[1:]))


EVENTBRIDGE: ScheduleDialect = _EventBridge()
CLOUD_SCHEDULER: ScheduleDialect = _CloudScheduler()
NCRONTAB: ScheduleDialect = _Ncrontab()
DIALECTS: dict[str, ScheduleDialect] = {
    "eventbridge": EVENTBRIDGE,
    "cloud-scheduler": CLOUD_SCHEDULER,
    "ncrontab": NCRONTAB,
}
"""The built-in dialects by key; a provider's `PackageTarget.schedules` names one (or brings its own)."""
