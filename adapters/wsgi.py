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


class _Call(Response):
    """One WSGI call: the callable passed as start_response, the write() buffer, and then the
    :class:`Response` itself (run_wsgi fills in status and body, so no second object is made).

    Defaults are class attributes and ``__init__`` is object's: this object is made for every
    request, and creating it this way measured a third cheaper.
    """

    __init__ = object.__init__

    #: The status line from start_response ("200 OK"); Response.status is its code.
    status_line = ""
    #: True once a non-empty body chunk exists ("headers sent" in PEP 3333's sense).
    sent = False
    #: Chunks passed to the write() callable, if any.
    written: list[bytes] | None = None

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
        elif self.status_line:
            raise AssertionError("start_response called a second time without exc_info")
        self.status_line = status
        self.headers = headers
        return self.write

    def write(self, data: bytes) -> None:
        if not self.status_line:
            raise AssertionError("write() called before start_response")
        if data:
            self.sent = True
            if self.written is None:
                self.written = [data]
            else:
                self.written.append(data)


#: status line -> status code; a handful of lines repeat, and int() of a slice costs more.
_STATUS_CODES: dict[str, int] = {}


def run_wsgi(app: WSGIApp, environ: dict[str, Any]) -> Response:
    """Call ``app`` once and collect its response; ``close()`` is always called."""
    call: _Call = _Call()
    result = app(environ, call.start_response)
    chunks = call.written
    if type(result) is list:
        # The common case (Flask, Django): a list has no close() and yields no surprises.
        chunks = result if chunks is None else chunks + result
    else:
        if chunks is None:
            chunks = call.written = []  # shared, for an app that calls write() while iterating
        try:
            for data in result:
                if data:
                    call.sent = True
                    chunks.append(data)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
    status = call.status_line
    if not status:
        raise RuntimeError("the WSGI app returned without calling start_response")
    if len(chunks) == 1 and type(chunks[0]) is bytes:
        call.body = chunks[0]
    else:
        call.body = b"".join(chunks)  # also turns bytearray and memoryview chunks into bytes
    code = _STATUS_CODES.get(status)
    if code is None:
        code = int(status[:3])
        if len(_STATUS_CODES) < 256:  # bounded: the status line is the app's choice
            _STATUS_CODES[status] = code
    call.status = code
    return call
