"""How library code reports progress and messages without knowing about terminals.

The CLI passes a rich-backed reporter; library users and tests get `NullReporter` by default.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol


class ProgressTask(Protocol):
    def advance(self, amount: int = 1) -> None: ...

    def describe(self, description: str) -> None: ...


class Reporter(Protocol):
    """Where long steps show progress and providers say what they did."""

    def info(self, message: str) -> None: ...

    def warning(self, message: str) -> None: ...

    def progress(self, description: str, total: int | None = None) -> AbstractContextManager[ProgressTask]: ...


class _NullTask:
    def advance(self, amount: int = 1) -> None:
        pass

    def describe(self, description: str) -> None:
        pass


class NullReporter:
    """Shows nothing; keeps messages and warnings so library callers and tests can read them."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.warnings: list[str] = []

    def info(self, message: str) -> None:
        self.messages.append(message)

    def warning(self, message: str) -> None:
        self.warnings.append(message)

    @contextmanager
    def progress(self, description: str, total: int | None = None) -> Iterator[ProgressTask]:
        yield _NullTask()
