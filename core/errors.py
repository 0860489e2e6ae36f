"""Errors faas reports to users.

Every error a user can cause is a `FaasError`: the CLI prints its message as one line and exits with
its `exit_code`, never with a traceback. Anything else escaping to the CLI is a bug in faas or a plugin.
"""

from __future__ import annotations


class FaasError(Exception):
    """Base of every error meant for the user: one clear line, a stable exit code."""

    exit_code = 1


class ConfigError(FaasError):
    """The configuration (file, key path, value) is wrong. Exit code 2, like a usage error."""

    exit_code = 2

    def __init__(self, message: str, *, source: str | None = None, key: str | None = None) -> None:
        self.source = source
        self.key = key
        where = ": ".join(part for part in (source, key) if part)
        super().__init__(f"{where}: {message}" if where else message)


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
