"""Errors faas reports to users.

Every error a user can cause is a `FaasError`: the CLI prints its message as one line and exits with
its `exit_code`, never with a traceback. Anything else escaping to the CLI is a bug in faas or a plugin.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


class FaasError(Exception):
    """Base of every error meant for the user: one clear line, a stable exit code."""

    exit_code = 1


@dataclass(frozen=True)
class ConfigProblem:
    """One thing wrong in the configuration: what, at which key, from which file and line.

    `source` is the config file, or the command-line flag the value came from (`-O python=3.11`).
    """

    message: str
    key: str | None = None
    source: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.source and self.line else self.source
        prefix = ": ".join(part for part in (where, self.key) if part)
        return f"{prefix}: {self.message}" if prefix else self.message

    def to_json(self) -> dict[str, Any]:
        return {"message": self.message, "key": self.key, "source": self.source, "line": self.line}


class ConfigError(FaasError):
    """The configuration (file, key path, value) is wrong. Exit code 2, like a usage error.

    Carries every problem found (`problems`), one line each in `str(error)`, so a user fixes them
    all in one go rather than one per run.
    """

    exit_code = 2

    def __init__(
        self,
        message: str = "",
        *,
        source: str | None = None,
        key: str | None = None,
        line: int | None = None,
        problems: Sequence[ConfigProblem] = (),
    ) -> None:
        self.problems: tuple[ConfigProblem, ...] = tuple(problems) or (ConfigProblem(message, key, source, line),)
        self.source = self.problems[0].source
        self.key = self.problems[0].key
        super().__init__("\n".join(str(problem) for problem in self.problems))


class UsageError(FaasError):
    """A command was called wrongly (bad flag combination, missing argument)."""

    exit_code = 2


class PluginError(FaasError):
    """A plugin is broken or clashes with another (for example two providers with one name)."""

    exit_code = 3


class ProviderUnavailableError(FaasError):
    """The provider is unknown, or its extra (cloud SDK) is not installed."""

    exit_code = 3


class CapabilityError(FaasError):
    """The provider lacks an operation or a feature the configuration uses.

    Raised before any cloud call, so nothing is half-done.
    """

    exit_code = 4

    def __init__(self, provider: str, feature: str, detail: str = "") -> None:
        self.provider = provider
        self.feature = feature
        message = f"provider '{provider}' does not support {feature}"
        super().__init__(f"{message}: {detail}" if detail else message)


class PackagingError(FaasError):
    """The artifact cannot be built (no compatible wheel, size limit, unreadable source...)."""

    exit_code = 5


class DeployError(FaasError):
    """A step of a deployment, or of another cloud operation, failed. Names the step and why."""

    exit_code = 6

    def __init__(self, step: str, reason: str) -> None:
        self.step = step
        self.reason = reason
        super().__init__(f"{step} failed: {reason}")


class NotDeployedError(FaasError):
    """The operation needs a deployment that does not exist for this project and stage."""

    exit_code = 7


NEEDS_USER_EXIT_CODE = 8
"""Exit code of a report that ran fine but found something the user must act on (`faas migrate
--to`, `faas doctor`): the findings are printed, one line each with what to do. Not an error."""
