"""Long-running operations (google.longrunning.Operation) as Google's APIs hand them out.

A mutating call answers `done: false` at once; the change lands while the client polls
`operations.get`: after `polls` polls that still say `done: false`, the next one runs the change and
answers `done: true` with `response` (a typed `@type` message) or `error` (a google.rpc.Status).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .errors import GoogleError, not_found

EMPTY = {"@type": "type.googleapis.com/google.protobuf.Empty"}


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


@dataclass
class Operation:
    name: str
    metadata: dict[str, Any]
    complete: Callable[[], dict[str, Any]]
    on_error: Callable[[GoogleError], None]
    polls_left: int
    done: bool = False
    response: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    progress: Callable[[dict[str, Any], bool], None] | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "metadata": self.metadata, "done": self.done}
        if self.response is not None:
            out["response"] = self.response
        if self.error is not None:
            out["error"] = self.error
        return out


@dataclass
class Operations:
    """The operations of one API; `polls` is how many polls see `done: false` before the change lands."""

    polls: int = 1
    items: dict[str, Operation] = field(default_factory=dict)

    def start(
        self,
        location: str,
        metadata: dict[str, Any],
        complete: Callable[[], dict[str, Any]],
        *,
        on_error: Callable[[GoogleError], None] = lambda error: None,
        progress: Callable[[dict[str, Any], bool], None] | None = None,
        style: str = "operation",
    ) -> dict[str, Any]:
        """Begin an operation: `complete()` runs when it is done, returning the typed response."""
        stamp = int(datetime.now(UTC).timestamp() * 1000)
        op_id = f"operation-{stamp}-{uuid.uuid4().hex[:13]}-{uuid.uuid4().hex[:8]}-{uuid.uuid4().hex[:8]}"
        if style == "uuid":  # Cloud Run names its operations by a bare UUID
            op_id = str(uuid.uuid4())
        name = f"{location}/operations/{op_id}"
        operation = Operation(name, metadata, complete, on_error, self.polls, progress=progress)
        if progress is not None:
            progress(metadata, False)
        self.items[name] = operation
        return operation.to_json()

    def get(self, name: str) -> dict[str, Any]:
        operation = self.items.get(name)
        if operation is None:
            raise not_found(name)
        if not operation.done:
            if operation.polls_left > 0:
                operation.polls_left -= 1
            else:
                self._finish(operation)
        return operation.to_json()

    def _finish(self, operation: Operation) -> None:
        operation.done = True
        try:
            operation.response = operation.complete()
        except GoogleError as exc:
            operation.error = exc.rpc_status()
            operation.on_error(exc)
        if operation.progress is not None:
            operation.progress(operation.metadata, True)

    def pending_for(self, target: str) -> Operation | None:
        """The unfinished operation on `target`, if any (Google refuses a second one meanwhile)."""
        for operation in self.items.values():
            if not operation.done and operation.metadata.get("target") == target:
                return operation
        return None
