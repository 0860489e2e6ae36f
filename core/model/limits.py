"""Memory, timeout and instance limits: wide in the model, each platform's own checked by its provider.

The model accepts any sensible size (`memory` 64 MB-1 TB, `timeout` up to a day) because the
platforms disagree: Lambda takes 128-10240 MB and 900 s, Cloud Functions 3600 s for HTTP but
540 s for events, Azure Flex Consumption only instance sizes 512, 2048 or 4096 MB. A provider
describes its platform with `FunctionLimits` and calls `check_limits` from `Provider.check_limits`,
so a config is refused before any cloud call with a message naming the platform's limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from faas.core.errors import ConfigError

if TYPE_CHECKING:
    from faas.core.config import Project
    from faas.core.model.project import AppConfig, FunctionConfig

__all__ = ["FunctionLimits", "check_limits"]


@dataclass(frozen=True)
class FunctionLimits:
    """What one platform allows one kind of function (the HTTP app, or an event-driven function)."""

    platform: str
    """Named in messages: "AWS Lambda", "Cloud Functions (HTTP)"."""
    memory_range: tuple[int, int] | None = None
    """Inclusive (lowest, highest) memory in MB, or None for no range check."""
    memory_sizes: tuple[int, ...] = ()
    """The only memory sizes allowed, in MB, where the platform has fixed instance sizes."""
    max_timeout: int | None = None
    """Longest run in seconds, or None for no limit."""
    max_concurrency: int | None = None
    """Most requests one instance serves at once (`concurrency`), or None for no limit."""
    max_instances: int | None = None
    """Most instances (`min_instances` and `max_instances`), or None for no fixed limit."""

    def scaling_problem(
        self, min_instances: int | None, max_instances: int | None, concurrency: int | None
    ) -> tuple[str, str] | None:
        """(field, message) for the first instance setting outside these limits, or None."""
        if concurrency is not None and self.max_concurrency is not None and concurrency > self.max_concurrency:
            if self.max_concurrency == 1:
                return "concurrency", f"{self.platform} serves one request per instance; remove concurrency"
            return "concurrency", f"{concurrency} is more than {self.platform}'s {self.max_concurrency} per instance"
        for field, value in (("min_instances", min_instances), ("max_instances", max_instances)):
            if value is not None and self.max_instances is not None and value > self.max_instances:
                return field, f"{value} is more than {self.platform}'s {self.max_instances} instances"
        return None

    def problem(self, memory: int, timeout: int) -> tuple[str, str] | None:
        """(field, message) for the first value outside these limits, or None."""
        if self.memory_sizes and memory not in self.memory_sizes:
            sizes = ", ".join(str(size) for size in self.memory_sizes)
            return "memory", f"{memory} MB is not one of {self.platform}'s memory sizes: {sizes} MB"
        if self.memory_range is not None:
            low, high = self.memory_range
            if not low <= memory <= high:
                return "memory", f"{memory} MB is outside {self.platform}'s {low}-{high} MB"
        if self.max_timeout is not None and timeout > self.max_timeout:
            return "timeout", f"{timeout} s is longer than {self.platform}'s {self.max_timeout} s limit"
        return None


def check_limits(project: Project, *, app: FunctionLimits, functions: FunctionLimits | None = None) -> None:
    """Raise `ConfigError` (naming the key) when the app or a function is outside its limits.

    :param app: limits of the HTTP app; :param functions: of event-driven functions (default: `app`'s).
    """
    config = project.config
    checks: list[tuple[str, AppConfig | FunctionConfig, FunctionLimits]] = []
    if config.app is not None:
        checks.append(("app", config.app, app))
    for index, function in enumerate(config.functions):
        checks.append((f"functions[{index}]", function, functions or app))
    for key, unit, limits in checks:
        found = limits.problem(unit.memory, unit.timeout) or limits.scaling_problem(
            unit.min_instances, unit.max_instances, unit.concurrency
        )
        if found is not None:
            field, message = found
            raise ConfigError(message, source=str(project.source), key=f"{key}.{field}")
