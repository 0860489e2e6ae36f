"""The base of the local provider's HTTP servers (gateway, Runtime API, supervisor control API).

Threaded stdlib servers on loopback, each served from a daemon thread of its own.
"""

from __future__ import annotations

import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class BackgroundServer(ThreadingHTTPServer):
    """A threaded HTTP server run by `start()` on a daemon thread and ended by `stop()`."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], thread_name: str) -> None:
        super().__init__(address, handler)
        self._thread = threading.Thread(target=self.serve_forever, name=thread_name, daemon=True)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that hang up mid-request (a browser, a killed runtime) are routine here.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        # shutdown() waits for serve_forever(): only ask a loop that is running.
        if self._thread.is_alive():
            self.shutdown()
        self.server_close()


class QuietHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 keep-alive, TCP_NODELAY, no per-request stderr line (the supervisor keeps logs)."""

    protocol_version = "HTTP/1.1"
    # Without TCP_NODELAY every small response waits for the client's delayed ACK (~40 ms a call).
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        pass
