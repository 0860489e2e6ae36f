"""Access log and error log of the adapters.

One access line per request goes to stdout, which every platform ships to its log service
(CloudWatch, Cloud Logging, Application Insights) without any logging configuration. Errors
(with tracebacks) go through the ``faas.adapters`` logger; the logging package is imported on
the first error only, since a healthy cold start never needs it.
"""

from __future__ import annotations

import sys
from time import perf_counter_ns

from faas.adapters.http import raw_path_from_native

TYPE_CHECKING = False
if TYPE_CHECKING:
    import logging

__all__ = ["get_logger", "log_error", "log_exception", "log_warning", "loggable_path", "write_access_line"]

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
