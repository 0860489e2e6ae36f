"""Reading the stage log (JSON lines written by the supervisor) as `LogRecord`s, optionally following it."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

from faas import LogRecord


def read_records(path: Path, offset: int = 0) -> tuple[list[LogRecord], int]:
    """The complete records after byte `offset`, and the offset after the last one read."""
    records: list[LogRecord] = []
    if not path.is_file():
        return records, offset
    with path.open("rb") as handle:
        handle.seek(offset)
        for line in handle:
            if not line.endswith(b"\n"):
                break  # being written: read it next time, whole
            offset += len(line)
            try:
                raw = json.loads(line)
                records.append(
                    LogRecord(datetime.fromisoformat(raw["ts"]), raw["message"], raw["source"], raw["request_id"])
                )
            except (ValueError, KeyError, TypeError):
                continue
    return records, offset


def select(
    records: list[LogRecord],
    request_id: str | None = None,
    since: datetime | None = None,
    pattern: str | None = None,
) -> list[LogRecord]:
    """Records of one request, from a time on, or containing a text."""
    return [
        record
        for record in records
        if (request_id is None or record.request_id == request_id)
        and (since is None or record.timestamp >= since)
        and (pattern is None or pattern in record.message)
    ]


def follow_records(
    path: Path,
    running: Callable[[], bool],
    *,
    since: datetime | None = None,
    pattern: str | None = None,
    follow: bool = False,
    interval: float = 0.25,
) -> Iterator[LogRecord]:
    """Every record, oldest first; with `follow`, new ones as they come while `running()` holds."""
    offset = 0
    while True:
        records, offset = read_records(path, offset)
        yield from select(records, since=since, pattern=pattern)
        if not follow or not running():
            return
        time.sleep(interval)
