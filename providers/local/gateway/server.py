"""The gateway's HTTP server (stdlib, threaded, loopback only)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from urllib.parse import urlsplit

from faas.providers.local.gateway.aws import HttpAnswer
from faas.providers.local.gateway.request import GatewayRequest
from faas.providers.local.httpd import BackgroundServer, QuietHandler

Handle = Callable[[GatewayRequest], HttpAnswer]
_HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "transfer-encoding", "content-length", "upgrade", "proxy-connection", "te", "trailer"}
)


class GatewayServer(BackgroundServer):
    """Accepts client requests and hands each, as a `GatewayRequest`, to `handle`."""

    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, host: str, port: int, handle: Handle) -> None:
        super().__init__((host, port), _Handler, "gateway")
        self.handle = handle


class _Handler(QuietHandler):
    server: GatewayServer

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _serve(self) -> None:
        split = urlsplit(self.path)
        host_header = self.headers.get("Host") or f"127.0.0.1:{self.server.port}"
        request = GatewayRequest(
            method=self.command,
            path=split.path or "/",
            query=split.query,
            headers=[(name, value) for name, value in self.headers.items() if name.lower() not in _HOP_BY_HOP],
            body=self._read_body(),
            source_ip=self.client_address[0],
            host=host_header.rpartition(":")[0] if ":" in host_header else host_header,
            port=self.server.port,
            request_id=str(uuid.uuid4()),
        )
        try:
            status, headers, body = self.server.handle(request)
        except Exception as error:  # a gateway bug must still answer the client
            status, headers, body = 500, [("Content-Type", "text/plain")], f"local gateway error: {error}".encode()
        # No Server/Date invented here: the front door's own headers come from the platform code.
        self.send_response_only(status)
        for name, value in headers:
            if name.lower() not in _HOP_BY_HOP:
                self.send_header(name, value)
        if self.command == "HEAD":
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            return
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve
