"""Typed errors raised by the runtime adapters.

They never import anything but the standard library: the adapter runs on every cold start.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds at import; annotations are strings
    from typing import Any

__all__ = [
    "AdapterError",
    "AppImportError",
    "ConfigError",
    "MalformedEventError",
    "ManageError",
    "UnknownEventError",
    "UnroutableEventError",
]


def describe_event(event: Any, limit: int = 12) -> str:
    """Summarise an event for an error message: its type and top-level keys, never its values.

    Values can hold secrets (authorisation headers, tokens), keys cannot, so only keys are shown.
    """
    if isinstance(event, dict):
        keys = sorted(str(key) for key in event)
        shown = ", ".join(keys[:limit])
        more = f", ... (+{len(keys) - limit})" if len(keys) > limit else ""
        return f"dict with keys [{shown}{more}]"
    return f"{type(event).__name__}"


class AdapterError(Exception):
    """Base class of every error the adapters raise on purpose.

    ``platform`` names the platform whose adapter raised it (``aws``, ``azure``, a plugin's); the
    message starts with it, so a log line says where it came from.
    """

    platform: str = ""

    def on_platform(self, platform: str) -> AdapterError:
        """Name ``platform`` in this error (once) and return it, for ``raise error.on_platform(...)``."""
        if platform and not self.platform:
            self.platform = platform
            if self.args and isinstance(self.args[0], str) and not self.args[0].startswith(f"{platform}:"):
                self.args = (f"{platform}: {self.args[0]}", *self.args[1:])
        return self


class UnknownEventError(AdapterError):
    """The event matches no known event source (HTTP front door or trigger)."""

    def __init__(self, event: Any, platform: str = "aws", hint: str = "") -> None:
        self.event_summary = describe_event(event)
        self.platform = platform  # named in the message already
        message = f"unknown {platform} event: {self.event_summary}"
        if hint:
            message += f" ({hint})"
        super().__init__(message)


class MalformedEventError(AdapterError):
    """The event looks like an HTTP event of a known source but a field has the wrong shape.

    The HTTP handlers turn it into a 400 response instead of a platform error.
    """

    def __init__(self, source: str, reason: str) -> None:
        self.source = source
        self.reason = reason
        super().__init__(f"malformed {source} event: {reason}")


class UnroutableEventError(AdapterError):
    """A recognised non-HTTP event (schedule, storage, queue...) that no function's trigger matches."""

    def __init__(self, kind: str, seen: dict[str, str], platform: str = "") -> None:
        self.kind = kind
        self.seen = seen
        details = ", ".join(f"{key}={value!r}" for key, value in sorted(seen.items()))
        super().__init__(f"no function is registered for this {kind} event ({details})")
        self.on_platform(platform)


class ConfigError(AdapterError):
    """faas_runtime.json is missing, unreadable or names something that cannot be imported."""


class AppImportError(ConfigError):
    """The user's module (the app or a function) raised ImportError while it was imported.

    The message names what is missing, where the user's code imported it, and what to check; the
    error carries the ImportError's own traceback (raise it with ``with_traceback``), so a runtime
    that prints the traceback of the error it caught (awslambdaric does) shows the user's frames.
    It is not an ImportError itself on purpose: awslambdaric reports an ImportError raised while
    importing the handler module as "Unable to import module" with no traceback at all.
    """

    def __init__(self, entry: str, module: str, error: ImportError) -> None:
        self.entry = entry
        self.module = module
        self.missing = getattr(error, "name", None) if isinstance(error, ModuleNotFoundError) else None
        message = f"cannot import {module!r} for entry {entry!r}: {error}"
        if self.missing is not None and (self.missing == module or module.startswith(self.missing + ".")):
            message += "; is the entry right, and the module in the project?"
        else:
            where = _importing_frame(error.__traceback__)
            if where:
                message += f" (imported at {where})"
            if self.missing is not None:
                message += "; is it in the project's dependencies (requirements.txt)?"
        super().__init__(message)


def _importing_frame(tb: Any) -> str:
    """``path.py, line N`` of the innermost frame that is not the import machinery's: the line
    that imported what is missing (the path relative to the code's directory when inside it)."""
    import os

    where = ""
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if not filename.startswith("<frozen ") and "/importlib/" not in filename:
            relative = os.path.relpath(filename) if os.path.isabs(filename) else filename
            where = f"{filename if relative.startswith('..') else relative}, line {tb.tb_lineno}"
        tb = tb.tb_next
    return where


class ManageError(AdapterError):
    """A management command was requested for a project that cannot run one."""
