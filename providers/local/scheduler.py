"""Firing schedule triggers on this machine: canonical `rate(...)` and 5-field `cron(...)`.

The cron matcher reads the model's canonical form (core/model/schedule.py): standard cron with
names for months and days, day-of-week 0-6 from Sunday. When both day-of-month and day-of-week
are restricted, a day matching either fires (as in cron and Cloud Scheduler).
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from faas import CRON_FIELDS as FIELDS
from faas import Schedule, parse_schedule


def _values(text: str, low: int, high: int, names: tuple[str, ...], names_start: int) -> frozenset[int]:
    def number(token: str) -> int:
        upper = token.upper()
        if names and upper in names:
            return names.index(upper) + names_start
        return int(token)

    chosen: set[int] = set()
    for part in text.split(","):
        base, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if base == "*":
            first, last = low, high
        elif "-" in base:
            start, end = base.split("-")
            first, last = number(start), number(end)
        else:
            first = last = number(base)
        chosen.update(range(first, last + 1, step))
    return frozenset(chosen)


@dataclass(frozen=True)
class CronMatcher:
    """The minutes a canonical cron expression fires at."""

    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]
    any_day: bool
    any_weekday: bool

    @classmethod
    def parse(cls, schedule: Schedule) -> CronMatcher:
        fields = schedule.cron_fields
        sets = [
            _values(text, spec.low, spec.high, spec.names, spec.names_start)
            for text, spec in zip(fields, FIELDS, strict=True)
        ]
        weekdays = frozenset(value % 7 for value in sets[4])
        return cls(sets[0], sets[1], sets[2], sets[3], weekdays, fields[2] == "*", fields[4] == "*")

    def matches(self, moment: datetime) -> bool:
        if moment.minute not in self.minutes or moment.hour not in self.hours or moment.month not in self.months:
            return False
        day = moment.day in self.days
        weekday = (moment.isoweekday() % 7) in self.weekdays
        if self.any_day or self.any_weekday:
            return day and weekday
        return day or weekday


@dataclass
class ScheduledJob:
    """One schedule trigger of one function, and when it last fired."""

    function: str
    index: int
    expression: str
    schedule: Schedule = field(init=False)
    matcher: CronMatcher | None = field(init=False)
    next_rate: float = 0.0
    last_minute: str = ""

    def __post_init__(self) -> None:
        self.schedule = parse_schedule(self.expression)
        self.matcher = CronMatcher.parse(self.schedule) if self.schedule.kind == "cron" else None

    def start(self, now: float) -> None:
        # EventBridge fires a rate rule one period after it is created, not at once.
        if self.schedule.kind == "rate":
            self.next_rate = now + self.schedule.rate_seconds

    def due(self, now: float) -> bool:
        """True once per period (rate) or once in each matching minute (cron, UTC)."""
        if self.matcher is None:
            if now >= self.next_rate:
                self.next_rate = max(self.next_rate + self.schedule.rate_seconds, now)
                return True
            return False
        moment = datetime.fromtimestamp(now, UTC)
        key = moment.strftime("%Y%m%d%H%M")
        if key != self.last_minute and self.matcher.matches(moment):
            self.last_minute = key
            return True
        return False


class Scheduler:
    """A thread that checks the jobs every `tick` seconds and fires the due ones."""

    def __init__(
        self,
        jobs: list[ScheduledJob],
        fire: Callable[[ScheduledJob], object],
        tick: float = 1.0,
        on_tick: Callable[[], None] | None = None,
    ) -> None:
        self.jobs = jobs
        self.fire = fire
        self.tick = tick
        self.on_tick = on_tick
        self._polling = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="scheduler", daemon=True)

    def start(self) -> None:
        now = time.time()
        for job in self.jobs:
            job.start(now)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.wait(self.tick):
            now = time.time()
            for job in list(self.jobs):
                if job.due(now):
                    threading.Thread(target=self.fire, args=(job,), name="schedule-fire", daemon=True).start()
            # Polling fires functions that may run for a while: never on this thread, never twice at once.
            if self.on_tick is not None and self._polling.acquire(blocking=False):
                threading.Thread(target=self._poll, name="poll", daemon=True).start()

    def _poll(self) -> None:
        assert self.on_tick is not None
        try:
            self.on_tick()
        except Exception:  # a failing poll must not stop later ones
            traceback.print_exc()
        finally:
            self._polling.release()
