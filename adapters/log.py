"""Access log and error log of the adapters.

One access line per request goes to stdout, which every platform ships to its log service
(CloudWatch, Cloud Logging, Application Insights) without any logging configuration.
"""

from __future__ import annotations

import logging
import sys

__all__ = ["access_line", "logger", "write_access_line"]

#: Tracebacks and adapter diagnostics: the platforms' runtimes configure the root logger,
#: and logging.lastResort still prints ERROR records when nothing is configured.
logger = logging.getLogger("faas.adapters")


def access_line(method: str, path: str, status: int, nbytes: int, seconds: float) -> str:
    """Format one access-log line: method, path, status, response bytes, duration."""
    return f'faas "{method} {path}" {status} {nbytes}B {seconds * 1000.0:.2f}ms\n'


def write_access_line(method: str, path: str, status: int, nbytes: int, seconds: float) -> None:
    """Write one access-log line to stdout.

    sys.stdout is looked up on every call (not bound at import) so that platforms and tests
    that swap it (functions-framework does, pytest's capsys does) still get the line.
    """
    stream = sys.stdout
    stream.write(access_line(method, path, status, nbytes, seconds))
