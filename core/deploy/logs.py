"""Log polling for `faas logs` (and `--follow`): a cursor, de-duplication, oldest first.

Cloud log APIs are read by time window and answer late (CloudWatch, Cloud Logging, Application
Insights all ingest with lag), so each poll asks again from the newest timestamp seen, inclusive,
and drops the entries it already yielded by id. Ids are forgotten once the cursor has moved past
their timestamp, so following a busy function for hours keeps memory flat.

A provider gives `poll_logs` a `fetch(start)` returning the entries at or after `start` (None:
from the beginning) and gets `LogRecord`s with secrets redacted.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from faas.core.results import LogRecord

FOLLOW_INTERVAL = 2.0
"""Seconds between polls with --follow: log read quotas are low (Cloud Logging: 60 reads a minute)."""


@dataclass(frozen=True)
class LogEntry:
    """One log line as a platform returns it."""

    id: str
    """Unique per entry (CloudWatch eventId, Cloud Logging insertId); the de-duplication key."""
    timestamp: datetime
    message: str
    source: str = ""
    request_id: str | None = None


class LogCursor:
    """Where the next poll starts, and which entries at that point were already yielded."""

    def __init__(self, start: datetime | None) -> None:
        self.start = start
        self._seen: dict[str, datetime] = {}

    def take(self, entries: Iterable[LogEntry]) -> list[LogEntry]:
        """The entries not yielded before, oldest first; moves the cursor to the newest."""
        fresh = sorted((entry for entry in entries if entry.id not in self._seen), key=lambda entry: entry.timestamp)
        for entry in fresh:
            self._seen[entry.id] = entry.timestamp
            if self.start is None or entry.timestamp > self.start:
                self.start = entry.timestamp
        if self.start is not None:
            # A poll from `start` (inclusive) can only return entries at or after it again.
            start = self.start
            self._seen = {key: stamp for key, stamp in self._seen.items() if stamp >= start}
        return fresh


def initial_start(since: datetime | None, follow: bool, now: datetime | None = None) -> datetime | None:
    """From `since`; following without it starts now (to the second); else from the beginning."""
    if since is not None:
        return since
    if follow:
        return (now or datetime.now(UTC)).replace(microsecond=0)
    return None


def poll_logs(
    fetch: Callable[[datetime | None], Iterable[LogEntry]],
    *,
    since: datetime | None,
    follow: bool,
    redact: Callable[[str], str],
    interval: float = FOLLOW_INTERVAL,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[LogRecord]:
    """Yield the entries `fetch` returns, oldest first, each once; with `follow`, poll until stopped."""
    cursor = LogCursor(initial_start(since, follow))
    while True:
        for entry in cursor.take(fetch(cursor.start)):
            yield LogRecord(
                timestamp=entry.timestamp,
                message=redact(entry.message),
                source=entry.source,
                request_id=entry.request_id,
            )
        if not follow:
            return
        sleep(interval)
