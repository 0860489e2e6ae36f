"""Log polling: oldest first, each entry once, the cursor moving forward, memory bounded while following."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from faas import LogCursor, LogEntry, poll_logs

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def entry(id_: str, seconds: int, message: str = "") -> LogEntry:
    return LogEntry(id_, T0 + timedelta(seconds=seconds), message or id_, "fn")


class Platform:
    """A log API read by time window (inclusive start), answering late, like CloudWatch or Cloud Logging."""

    def __init__(self, batches: list[list[LogEntry]]) -> None:
        self.batches = batches
        self.stored: list[LogEntry] = []
        self.starts: list[datetime | None] = []

    def fetch(self, start: datetime | None) -> list[LogEntry]:
        self.starts.append(start)
        if self.batches:
            self.stored += self.batches.pop(0)
        return [e for e in reversed(self.stored) if start is None or e.timestamp >= start]


def test_follow_yields_each_entry_once_in_order_and_moves_the_cursor() -> None:
    platform = Platform([[entry("b", 2), entry("a", 1)], [entry("c", 2), entry("d", 5)], [entry("e", 4)]])
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 3:
            raise KeyboardInterrupt

    records = []
    try:
        for record in poll_logs(platform.fetch, since=T0, follow=True, redact=str, sleep=sleep):
            records.append(record.message)
    except KeyboardInterrupt:
        pass
    # `c` arrived late with the same second as `b`; `e` arrived late, older than the cursor (lost by
    # design of a time cursor, like every cloud CLI's tail): no entry is ever repeated.
    assert records == ["a", "b", "c", "d"]
    assert platform.starts == [T0, T0 + timedelta(seconds=2), T0 + timedelta(seconds=5)]


def test_without_follow_reads_from_the_beginning_once_and_redacts() -> None:
    platform = Platform([[entry("a", 1, "token hunter2")]])
    records = list(poll_logs(platform.fetch, since=None, follow=False, redact=lambda t: t.replace("hunter2", "***")))
    assert [r.message for r in records] == ["token ***"]
    assert platform.starts == [None]


def test_the_cursor_forgets_ids_it_has_moved_past() -> None:
    cursor = LogCursor(T0)
    cursor.take([entry(str(i), i) for i in range(1000)])
    assert cursor.take([entry("999", 999)]) == []
    assert len(cursor._seen) == 1
