"""Access log and error log of the adapters.

One access line per request can go to stdout, which every platform ships to its log service
(CloudWatch, Cloud Logging, Application Insights) without any logging configuration; whether it
does is :func:`access_log_enabled`'s answer. Errors (with tracebacks) go through the
``faas.adapters`` logger; the logging package is imported on the first error only, since a
healthy cold start never needs it.
"""

from __future__ import annotations

import os
import sys
from time import perf_counter_ns

from faas.adapters.contract import ENV_ACCESS_LOG
from faas.adapters.http import raw_path_from_native

TYPE_CHECKING = False
if TYPE_CHECKING:
    import logging

__all__ = [
    "access_log_enabled",
    "get_logger",
    "log_error",
    "log_exception",
    "log_warning",
    "loggable_path",
    "write_access_line",
]

_ON = frozenset({"1", "true", "yes", "on"})
_OFF = frozenset({"0", "false", "no", "off"})


def access_log_enabled(default: bool) -> bool:
    """Whether to write access lines: ``FAAS_ACCESS_LOG`` (``1``/``0``, also true/false, yes/no,
    on/off) when set, else the platform's ``default``. Read once, when the handler is made."""
    value = os.environ.get(ENV_ACCESS_LOG, "").strip().lower()
    if value in _ON:
        return True
    if value in _OFF:
        return False
    if value:
        log_warning("%s=%r is not 1 or 0; using the default (%s)", ENV_ACCESS_LOG, value, int(default))
    return default


_logger: logging.Logger | None = None


def get_logger() -> logging.Logger:
    """The ``faas.adapters`` logger. The platforms' runtimes configure the root logger, and
    logging.lastResort still prints WARNING and above when nothing is configured."""
    global _logger  # noqa: PLW0603 - created on first use, on purpose
    if _logger is None:
        import logging

        _logger = logging.getLogger("faas.adapters")
    return _logger


def log_error(message: str, *args: object) -> None:
    """Log an error line (no traceback)."""
    get_logger().error(message, *args)


def log_warning(message: str, *args: object) -> None:
    """Log a warning line."""
    get_logger().warning(message, *args)


def log_exception(message: str, *args: object) -> None:
    """Log an error with the current exception's traceback (call from an ``except`` block)."""
    get_logger().exception(message, *args)


def loggable_path(path: str) -> str:
    """``path`` (a native string) fit for one log line: percent-encoded unless it is printable
    ASCII without spaces, so that a crafted path cannot forge extra log lines or fields."""
    if path.isascii() and path.isprintable() and " " not in path:
        return path
    return raw_path_from_native(path).decode("ascii")


def write_access_line(method: str, path: str, status: int, nbytes: int, started: int) -> None:
    """Write one access-log line to stdout: method, path, status, response bytes and the time
    since ``started`` (a ``perf_counter_ns()`` value) in µs.

    sys.stdout is looked up on every call (not bound at import) so that platforms and tests
    that swap it (functions-framework does, pytest's capsys does) still get the line.
    """
    sys.stdout.write(f'faas "{method} {path}" {status} {nbytes}B {(perf_counter_ns() - started) // 1000}us\n')
