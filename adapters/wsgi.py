"""Run a WSGI app on a :class:`~faas.adapters.http.Request` (PEP 3333).

The whole response is buffered (every platform wants it whole), so "headers sent" in the PEP's
sense means "the app produced a non-empty body chunk": after that, ``start_response`` with
``exc_info`` re-raises, exactly as under a real server.
"""

from __future__ import annotations

import sys
from io import BytesIO

from faas.adapters.http import Request, Response

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds at import; annotations are strings
    from collections.abc import Callable, Iterable
    from types import TracebackType
    from typing import Any

__all__ = ["build_environ", "run_wsgi"]

if TYPE_CHECKING:
    ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]
    StartResponse = Callable[..., Callable[[bytes], object]]
    WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def build_environ(request: Request) -> dict[str, Any]:
    """The WSGI environ for ``request`` (all str values are PEP 3333 native strings).

    The request's header dict, already keyed as CGI variables, becomes the environ itself:
    a request is served once, and not copying it is measurably faster.
    """
    body = request.body
    environ: dict[str, Any] = request.headers
    environ["REQUEST_METHOD"] = request.method
    environ["SCRIPT_NAME"] = request.script_name
    environ["PATH_INFO"] = request.path
    environ["QUERY_STRING"] = request.query_string
    environ["SERVER_NAME"] = request.server_name
    environ["SERVER_PORT"] = request.server_port
    environ["SERVER_PROTOCOL"] = "HTTP/1.1"
    environ["CONTENT_LENGTH"] = str(len(body))
    environ["wsgi.version"] = (1, 0)
    environ["wsgi.url_scheme"] = request.scheme
    environ["wsgi.input"] = BytesIO(body)
    environ["wsgi.errors"] = sys.stderr
    environ["wsgi.multithread"] = False
    environ["wsgi.multiprocess"] = True
    environ["wsgi.run_once"] = False
    environ["faas.event"] = request.event
    environ["faas.context"] = request.context
    if request.remote_addr:
        environ["REMOTE_ADDR"] = request.remote_addr
    return environ


class _Call:
    """State of one WSGI call: the callable passed as start_response and the write() buffer."""

    __slots__ = ("chunks", "headers", "sent", "status")

    def __init__(self, chunks: list[bytes]) -> None:
        # `headers` is left unset: start_response sets it before anything reads it.
        self.status = ""
        self.chunks = chunks
        self.sent = False

    def start_response(
        self,
        status: str,
        headers: list[tuple[str, str]],
        exc_info: ExcInfo | None = None,
    ) -> Callable[[bytes], None]:
        if exc_info is not None:
            try:
                if self.sent:
                    # PEP 3333: too late to change the status, let the error propagate.
                    raise exc_info[1].with_traceback(exc_info[2])
            finally:
                exc_info = None  # break the frame <-> traceback cycle, as the PEP asks
        elif self.status:
            raise AssertionError("start_response called a second time without exc_info")
        self.status = status
        self.headers = headers
        return self.write

    def write(self, data: bytes) -> None:
        if not self.status:
            raise AssertionError("write() called before start_response")
        if data:
            self.sent = True
            self.chunks.append(data)


def run_wsgi(app: WSGIApp, request: Request) -> Response:
    """Call ``app`` once and collect its response; ``close()`` is always called."""
    chunks: list[bytes] = []
    call = _Call(chunks)
    result = app(build_environ(request), call.start_response)
    if type(result) is list:
        # The common case (Flask, Django): a list has no close() and yields no surprises.
        if chunks:
            chunks.extend(result)
        else:
            chunks = result
    else:
        try:
            for data in result:
                if data:
                    call.sent = True
                    chunks.append(data)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
    status = call.status
    if not status:
        raise RuntimeError("the WSGI app returned without calling start_response")
    body = bytes(chunks[0]) if len(chunks) == 1 else b"".join(chunks)
    return Response(int(status[:3]), call.headers, body)
