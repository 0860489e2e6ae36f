"""Local buckets and queues: folders in the stage's state dir that fire storage and queue triggers.

    <state dir>/buckets/<bucket>/<key>      put, change or delete a file: the storage trigger fires
    <state dir>/queues/<queue>/<message>    each file is one message; it is deleted once handled

The folders are polled (stdlib, every tick of the supervisor's scheduler). Files present when
the deployment starts fire nothing, as objects older than a bucket notification do not. A batch
of messages that fails stays in the queue and is retried on later ticks, up to `MAX_ATTEMPTS`,
then moves to `<queue>/.failed/` (a dead-letter queue).
"""

from __future__ import annotations

import os
import secrets
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MAX_ATTEMPTS = 3

# (bucket, key, action) -> None ; (queue, bodies) -> True when handled
StorageFire = Callable[[str, str, str], object]
QueueFire = Callable[[str, list[str]], bool]


# (prefix, suffix, actions) of one storage trigger: the bucket notification's filter.
ObjectFilter = tuple[str, str, tuple[str, ...]]


def put_message(folder: Path, body: str) -> Path:
    """Put one message file in a queue folder, atomically: the poller never reads half of it."""
    folder.mkdir(parents=True, exist_ok=True)
    temporary = folder / f".{time.time_ns()}-{secrets.token_hex(4)}"
    temporary.write_text(body, encoding="utf-8")
    return temporary.rename(folder / temporary.name[1:])


def local_triggers(config: dict[str, Any]) -> tuple[dict[str, list[ObjectFilter]], dict[str, int]]:
    """Buckets with their notification filters, and queues with their largest batch size."""
    buckets: dict[str, list[ObjectFilter]] = {}
    queues: dict[str, int] = {}
    for function in (config.get("functions") or {}).values():
        for trigger in function.get("triggers") or []:
            if trigger.get("type") == "storage":
                wanted = (
                    trigger.get("prefix") or "",
                    trigger.get("suffix") or "",
                    tuple(trigger.get("events") or ["created"]),
                )
                buckets.setdefault(trigger["bucket"], []).append(wanted)
            elif trigger.get("type") == "queue":
                queues[trigger["queue"]] = max(queues.get(trigger["queue"], 1), int(trigger.get("batch_size") or 10))
    return buckets, queues


@dataclass
class LocalBuckets:
    """Watches the bucket and queue folders of one deployment."""

    root: Path
    buckets: dict[str, list[ObjectFilter]]
    queues: dict[str, int]
    on_object: StorageFire
    on_messages: QueueFire
    _seen: dict[str, dict[str, tuple[int, int]]] = field(default_factory=dict)
    _attempts: dict[str, int] = field(default_factory=dict)

    def bucket_dir(self, bucket: str) -> Path:
        return self.root / "buckets" / bucket

    def queue_dir(self, queue: str) -> Path:
        return self.root / "queues" / queue

    def start(self) -> None:
        for bucket in self.buckets:
            self.bucket_dir(bucket).mkdir(parents=True, exist_ok=True)
            self._seen[bucket] = self._list(bucket)
        for queue in self.queues:
            self.queue_dir(queue).mkdir(parents=True, exist_ok=True)

    def _list(self, bucket: str) -> dict[str, tuple[int, int]]:
        folder = self.bucket_dir(bucket)
        found: dict[str, tuple[int, int]] = {}
        for directory, dirs, files in os.walk(folder):
            dirs[:] = [name for name in dirs if not name.startswith(".")]
            for name in files:
                if name.startswith("."):
                    continue  # editors' and uploaders' temporary files
                path = Path(directory, name)
                try:
                    stat = path.stat()
                except OSError:
                    continue
                found[path.relative_to(folder).as_posix()] = (stat.st_mtime_ns, stat.st_size)
        return found

    def poll(self) -> None:
        """Fire what changed since the last poll: object events, then queued message batches."""
        for bucket in sorted(self.buckets):
            now = self._list(bucket)
            before = self._seen.get(bucket, {})
            self._seen[bucket] = now
            for key in sorted(now):
                if before.get(key) != now[key]:
                    self._notify(bucket, key, "created")
            for key in sorted(set(before) - set(now)):
                self._notify(bucket, key, "deleted")
        for queue, batch_size in sorted(self.queues.items()):
            folder = self.queue_dir(queue)
            messages = (
                sorted(
                    (p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")),
                    key=lambda p: (p.stat().st_mtime_ns, p.name),
                )
                if folder.is_dir()
                else []
            )
            for start in range(0, len(messages), batch_size):
                self._deliver(queue, messages[start : start + batch_size])

    def _notify(self, bucket: str, key: str, action: str) -> None:
        # Like a bucket notification's filter: objects no trigger wants invoke nothing.
        for prefix, suffix, actions in self.buckets[bucket]:
            if action in actions and key.startswith(prefix) and key.endswith(suffix):
                self.on_object(bucket, key, action)
                return

    def _deliver(self, queue: str, batch: list[Path]) -> None:
        bodies = [path.read_text(encoding="utf-8", errors="replace") for path in batch]
        if self.on_messages(queue, bodies):
            for path in batch:
                path.unlink(missing_ok=True)
            return
        for path in batch:
            attempts = self._attempts.get(str(path), 0) + 1
            self._attempts[str(path)] = attempts
            if attempts >= MAX_ATTEMPTS:
                failed = path.parent / ".failed"
                failed.mkdir(exist_ok=True)
                shutil.move(str(path), failed / path.name)
                self._attempts.pop(str(path), None)
