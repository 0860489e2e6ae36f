"""The user's web app behind one calling convention: ``environ -> Response``.

Detects WSGI vs ASGI, turns an exception in the app into a generic 500 (traceback to the log,
never to the client), drops the body of HEAD responses and writes the access-log line.
"""

from __future__ import annotations

from faas.adapters.http import Response, error_response, request_path
from faas.adapters.log import log_error, log_exception, loggable_path, write_access_line
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
    """Serves requests (WSGI environs, see :func:`~faas.adapters.http.new_environ`) with the
    user's app, WSGI or ASGI."""

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

    def handle(self, environ: dict[str, Any]) -> Response:
        """The app's response to the request ``environ``; a 500 if the app raised."""
        method = environ["REQUEST_METHOD"]
        try:
            wsgi = self.wsgi
            if wsgi is not None:
                response = run_wsgi(wsgi, environ)
            else:
                assert self.asgi is not None
                response = self.asgi(environ)
        except Exception:
            return self.failed(method, request_path(environ))
        if method == "HEAD":
            response.body = b""
        return response

    def respond(self, environ: dict[str, Any], started: int, limit: int, platform: str) -> Response:
        """The app's response, or a 502 when its body is over the platform's `limit`, and the access line.

        A clear 502 and a log line saying why, instead of the platform's own opaque failure.
        """
        # Read before the app runs: middleware may rewrite SCRIPT_NAME and PATH_INFO.
        method = environ["REQUEST_METHOD"]
        path = request_path(environ)
        response = self.handle(environ)
        size = len(response.body)
        if size > limit:
            log_error(
                "response to %s %s is %d bytes, over the %d-byte %s limit; returning 502 instead",
                method,
                loggable_path(path),
                size,
                limit,
                platform,
            )
            response = error_response(502, "Bad Gateway: response too large")
        if self.access_log:
            write_access_line(method, loggable_path(path), response.status, len(response.body), started)
        return response

    def failed(self, method: str, path: str) -> Response:
        """The 500 for an app that raised; call from the ``except`` block (logs the traceback)."""
        log_exception("unhandled exception in the app for %s %s", method, loggable_path(path))
        return error_response(500, "Internal Server Error")
