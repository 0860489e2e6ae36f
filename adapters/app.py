"""The user's web app behind one calling convention: ``Request -> Response``.

Detects WSGI vs ASGI, turns an exception in the app into a generic 500 (traceback to the log,
never to the client), drops the body of HEAD responses and writes the access-log line.
"""

from __future__ import annotations

import time

from faas.adapters.http import Request, Response, error_response, raw_path_from_native
from faas.adapters.log import log_error, log_exception, write_access_line
from faas.adapters.wsgi import run_wsgi

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds at import; annotations are strings
    from typing import Any, Literal

    from faas.adapters.asgi import ASGIRunner
    from faas.adapters.wsgi import WSGIApp

    Interface = Literal["auto", "wsgi", "asgi"]

__all__ = ["HttpService", "detect_interface"]

#: co_flags bits of ``async def`` functions (inspect.CO_COROUTINE), and the marker
#: ``inspect.markcoroutinefunction`` sets; checked by hand because importing inspect costs more
#: than this whole package.
_CO_COROUTINE = 0x80
_CO_ITERABLE_COROUTINE = 0x100


def _is_coroutine_function(obj: Any) -> bool:
    while hasattr(obj, "func") and type(obj).__name__ == "partial":
        obj = obj.func
    obj = getattr(obj, "__func__", obj)  # bound methods
    if getattr(obj, "_is_coroutine_marker", None) is not None or getattr(obj, "_is_coroutine", None) is not None:
        return True  # marked by inspect.markcoroutinefunction (3.12) or asgiref's (3.11)
    code = getattr(obj, "__code__", None)
    return code is not None and bool(code.co_flags & (_CO_COROUTINE | _CO_ITERABLE_COROUTINE))


def detect_interface(app: Any) -> Literal["wsgi", "asgi"]:
    """``"asgi"`` when ``app`` (or its ``__call__``) is a coroutine function, else ``"wsgi"``.

    FastAPI, Starlette and Django's ASGIHandler all define ``async def __call__``; a WSGI app is
    a plain callable. ASGI 2 double-callables are not supported (wrap them with asgiref).
    """
    if _is_coroutine_function(app):
        return "asgi"
    call = getattr(app, "__call__", None)  # noqa: B004 - we want the method, not callable()
    if call is not None and _is_coroutine_function(call):
        return "asgi"
    return "wsgi"


class HttpService:
    """Serves :class:`Request` objects with the user's app (WSGI or ASGI)."""

    def __init__(
        self,
        app: Any,
        interface: Interface = "auto",
        *,
        access_log: bool = True,
        asgi_mode: Literal["inline", "thread"] = "inline",
    ) -> None:
        if interface not in ("auto", "wsgi", "asgi"):
            raise ValueError(f"interface must be 'auto', 'wsgi' or 'asgi', not {interface!r}")
        if not callable(app):
            raise TypeError(f"app must be a WSGI or ASGI callable, not {type(app).__name__}")
        self.app = app
        self.interface = detect_interface(app) if interface == "auto" else interface
        self.access_log = access_log
        self.asgi: ASGIRunner | None = None
        self.wsgi: WSGIApp | None = None
        if self.interface == "asgi":
            # Imported only for ASGI apps: asyncio alone costs more than a WSGI cold start.
            from faas.adapters.asgi import ASGIRunner

            self.asgi = ASGIRunner(app, mode=asgi_mode)
        else:
            self.wsgi = app

    def handle(self, request: Request) -> Response:
        """The app's response to ``request``; a 500 if the app raised."""
        try:
            wsgi = self.wsgi
            if wsgi is not None:
                response = run_wsgi(wsgi, request)
            else:
                assert self.asgi is not None
                response = self.asgi(request)
        except Exception:
            return self.failed(request)
        if request.method == "HEAD":
            response.body = b""
        return response

    def respond(self, request: Request, started: float, limit: int, platform: str) -> Response:
        """The app's response, or a 502 when its body is over the platform's `limit`, and the access line.

        A clear 502 and a log line saying why, instead of the platform's own opaque failure.
        """
        response = self.handle(request)
        size = len(response.body)
        if size > limit:
            log_error(
                "response to %s %s is %d bytes, over the %d-byte %s limit; returning 502 instead",
                request.method,
                request.path,
                size,
                limit,
                platform,
            )
            response = error_response(502, "Bad Gateway: response too large")
        self.log(request, response, started, len(response.body))
        return response

    def failed(self, request: Request) -> Response:
        """The 500 for an app that raised; call from the ``except`` block (logs the traceback)."""
        log_exception(
            "unhandled exception in the app for %s %s",
            request.method,
            raw_path_from_native(request.script_name + request.path).decode("ascii"),
        )
        return error_response(500, "Internal Server Error")

    def log(self, request: Request, response: Response, started: float, nbytes: int) -> None:
        """Write the access-log line for a finished request (if enabled)."""
        if self.access_log:
            path = request.script_name + request.path
            if not (path.isascii() and path.isprintable()) or " " in path:
                # Percent-encode so a crafted path cannot forge extra log lines.
                path = raw_path_from_native(path).decode("ascii")
            write_access_line(request.method, path, response.status, nbytes, time.perf_counter() - started)
