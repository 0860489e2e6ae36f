"""A threaded HTTPS server on a random loopback port, shared by ARM, the token endpoint and Kudu."""

from __future__ import annotations

import json
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


class Request:
    """What a handler needs from one HTTP request, already read."""

    def __init__(self, handler: BaseHTTPRequestHandler) -> None:
        self.method = handler.command
        split = urlsplit(handler.path)
        self.path = split.path
        self.query = {k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        self.headers = {k.lower(): v for k, v in handler.headers.items()}
        length = int(handler.headers.get("Content-Length") or 0)
        self.body = handler.rfile.read(length) if length else b""

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class Response:
    def __init__(
        self,
        status: int,
        body: Any = None,
        headers: dict[str, str] | None = None,
        *,
        raw: bytes | None = None,
        content_type: str = "application/json",
    ) -> None:
        self.status = status
        self.headers = dict(headers or {})
        if raw is not None:
            self.payload = raw
        elif body is None:
            self.payload = b""
        else:
            self.payload = json.dumps(body).encode()
        if self.payload:
            self.headers.setdefault("Content-Type", content_type)


class App:
    """Anything with `handle(request) -> Response`."""

    def handle(self, request: Request) -> Response:  # pragma: no cover - interface
        raise NotImplementedError


class HttpsServer:
    def __init__(self, app: App, context: ssl.SSLContext, *, host: str = "127.0.0.1") -> None:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                response = outer.app.handle(Request(self))
                self.send_response(response.status)
                for name, value in response.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(response.payload)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(response.payload)

            do_GET = do_PUT = do_POST = do_PATCH = do_DELETE = do_HEAD = _serve

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.app = app
        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.server.daemon_threads = True
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port: int = self.server.server_address[1]
        self.url = f"https://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.server.serve_forever, name=f"azure-fake-{self.port}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
