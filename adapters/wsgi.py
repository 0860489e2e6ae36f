"""Run a WSGI app on an environ made by :func:`~faas.adapters.http.new_environ` (PEP 3333).

The whole response is buffered (every platform wants it whole), so "headers sent" in the PEP's
sense means "the app produced a non-empty body chunk": after that, ``start_response`` with
``exc_info`` re-raises, exactly as under a real server.
"""

from __future__ import annotations

from faas.adapters.http import Response

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds at import; annotations are strings
    from collections.abc import Callable, Iterable
    from types import TracebackType
    from typing import Any

__all__ = ["run_wsgi"]

if TYPE_CHECKING:
    ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]
    StartResponse = Callable[..., Callable[[bytes], object]]
    WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


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


def run_wsgi(app: WSGIApp, environ: dict[str, Any]) -> Response:
    """Call ``app`` once and collect its response; ``close()`` is always called."""
    chunks: list[bytes] = []
    call = _Call(chunks)
    result = app(environ, call.start_response)
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
