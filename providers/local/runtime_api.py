"""A local Lambda Runtime API (2018-06-01) that the real `awslambdaric` polls.

Each Lambda execution environment talks to its own Runtime API, and so does each local runtime
process: one small server per process, on 127.0.0.1, handing it one invocation at a time.
"""

from __future__ import annotations

import json
import queue
import threading
import time
import uuid
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from faas.providers.local.httpd import BackgroundServer, QuietHandler

PREFIX = "/2018-06-01/runtime"


@dataclass
class Invocation:
    """One event handed to the runtime, and what the runtime answered."""

    payload: bytes
    deadline_ms: int
    function_arn: str
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    trace_id: str = field(default_factory=lambda: f"Root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]}")
    client_context: str | None = None
    done: threading.Event = field(default_factory=threading.Event)
    response: bytes | None = None
    error: dict[str, Any] | None = None

    def headers(self) -> dict[str, str]:
        headers = {
            "Lambda-Runtime-Aws-Request-Id": self.request_id,
            "Lambda-Runtime-Deadline-Ms": str(self.deadline_ms),
            "Lambda-Runtime-Invoked-Function-Arn": self.function_arn,
            "Lambda-Runtime-Trace-Id": self.trace_id,
            "Content-Type": "application/json",
        }
        if self.client_context is not None:
            headers["Lambda-Runtime-Client-Context"] = self.client_context
        return headers


class RuntimeApi(BackgroundServer):
    """The Runtime API of one execution environment."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        super().__init__((host, 0), _Handler, "lambda-runtime-api")
        self.pending: queue.Queue[Invocation | None] = queue.Queue()
        self.current: Invocation | None = None
        self.waiting = threading.Event()
        """Set while the runtime waits in /next: after init, and after each invocation."""
        self.init_error: dict[str, Any] | None = None
        self.init_failed = threading.Event()
        self._closed = False

    @property
    def address(self) -> str:
        """`host:port`, the value of AWS_LAMBDA_RUNTIME_API."""
        host, port = self.server_address[:2]
        return f"{host!s}:{port}"

    def close(self) -> None:
        self._closed = True
        self.pending.put(None)
        self.stop()

    def submit(self, invocation: Invocation) -> None:
        self.waiting.clear()
        self.pending.put(invocation)

    def next_invocation(self) -> Invocation | None:
        self.waiting.set()
        invocation = self.pending.get()
        if invocation is None or self._closed:
            return None
        self.current = invocation
        return invocation

    def finish(self, request_id: str, response: bytes | None, error: dict[str, Any] | None) -> bool:
        invocation = self.current
        if invocation is None or invocation.request_id != request_id:
            return False
        invocation.response, invocation.error = response, error
        self.current = None
        invocation.done.set()
        return True


class _Handler(QuietHandler):
    server: RuntimeApi

    def _reply(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {"Content-Type": "application/json"}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_GET(self) -> None:
        if self.path == f"{PREFIX}/restore/next":
            # SnapStart (snap-start init): Lambda snapshots here and resumes; locally it resumes at once.
            self._reply(HTTPStatus.OK, b"")
            return
        if self.path != f"{PREFIX}/invocation/next":
            self._reply(HTTPStatus.NOT_FOUND, b'{"errorType":"NotFound"}')
            return
        invocation = self.server.next_invocation()
        if invocation is None:
            # Shutting down: the runtime is killed right after; never answer.
            self.close_connection = True
            return
        self._reply(HTTPStatus.OK, invocation.payload, invocation.headers())

    def do_POST(self) -> None:
        body = self._body()
        path = self.path
        if path in (f"{PREFIX}/init/error", f"{PREFIX}/restore/error"):
            self.server.init_error = _error_body(body, self.headers.get("Lambda-Runtime-Function-Error-Type"))
            self.server.init_failed.set()
            self._reply(HTTPStatus.ACCEPTED, b'{"status":"OK"}')
            return
        if path.startswith(f"{PREFIX}/invocation/"):
            request_id, _, outcome = path[len(PREFIX) + len("/invocation/") :].partition("/")
            if outcome in ("response", "error"):
                error = None
                if outcome == "error":
                    error = _error_body(body, self.headers.get("Lambda-Runtime-Function-Error-Type"))
                if self.server.finish(request_id, body if outcome == "response" else None, error):
                    self._reply(HTTPStatus.ACCEPTED, b'{"status":"OK"}')
                else:
                    self._reply(HTTPStatus.BAD_REQUEST, b'{"errorType":"InvalidRequestID"}')
                return
        self._reply(HTTPStatus.NOT_FOUND, b'{"errorType":"NotFound"}')


def _error_body(body: bytes, error_type: str | None) -> dict[str, Any]:
    try:
        parsed = json.loads(body or b"{}")
    except ValueError:
        parsed = {"errorMessage": body.decode("utf-8", "replace")}
    if not isinstance(parsed, dict):
        parsed = {"errorMessage": str(parsed)}
    if error_type and "errorType" not in parsed:
        parsed["errorType"] = error_type
    return parsed
