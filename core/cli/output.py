"""Terminal output: the rich reporter (progress bars, warnings) and JSON printing."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

from faas.core.cli.state import CliState
from faas.core.reporting import ProgressTask


class _RichTask:
    def __init__(self, progress: Progress, task: TaskID) -> None:
        self._progress = progress
        self._task = task

    def advance(self, amount: int = 1) -> None:
        self._progress.advance(self._task, amount)

    def describe(self, description: str) -> None:
        self._progress.update(self._task, description=description)


class _QuietTask:
    def advance(self, amount: int = 1) -> None:
        pass

    def describe(self, description: str) -> None:
        pass


class RichReporter:
    """Progress bars and messages on stderr; secrets from ${env:...} are masked in every message."""

    def __init__(
        self, console: Console, *, quiet: bool = False, redact: Callable[[str], str] = lambda text: text
    ) -> None:
        self.console = console
        self.quiet = quiet
        self.redact = redact

    def info(self, message: str) -> None:
        if not self.quiet:
            self.console.print(self.redact(message), markup=False)

    def warning(self, message: str) -> None:
        self.console.print(f"[yellow]warning:[/yellow] {self.redact(message)}")

    @contextmanager
    def progress(self, description: str, total: int | None = None) -> Iterator[ProgressTask]:
        if self.quiet or not self.console.is_terminal:
            if not self.quiet:
                self.console.print(f"{description}...", markup=False)
            yield _QuietTask()
            return
        columns = [SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn()]
        with Progress(*columns, console=self.console, transient=True) as progress:
            yield _RichTask(progress, progress.add_task(description, total=total))


def emit_json(state: CliState, document: Any) -> None:
    """Print one JSON document on stdout (the only thing --json mode prints there)."""
    print(state.redact(json.dumps(document, indent=2, sort_keys=True, default=str)))


def emit_lines(state: CliState, lines: list[str]) -> None:
    state.out.print(state.redact("\n".join(lines)), markup=False)
