"""AWS Lambda adapter: API Gateway (REST v1, HTTP API 1.0/2.0), Function URLs and ALB events.

``make_handler(app)`` returns the Lambda handler for a WSGI or ASGI app. Each event source is
one module with ``infer(event)``, ``to_environ`` and ``from_response``; :data:`HTTP_SOURCES`
is the order they are tried in. Non-HTTP events (schedule, S3, SQS, SNS) are recognised by
:func:`faas.adapters.aws.triggers.classify` and routed by :mod:`faas.adapters.bootstrap`.
"""

from __future__ import annotations

import sys
from time import perf_counter_ns

from faas.adapters.app import HttpService
from faas.adapters.aws import alb, apigw_v1, apigw_v2
from faas.adapters.aws._common import LAMBDA_RESPONSE_LIMIT, Options
from faas.adapters.errors import MalformedEventError, UnknownEventError
from faas.adapters.http import Response, error_response, join_path_prefix
from faas.adapters.log import access_log_enabled, log_error, log_warning, loggable_path
from faas.adapters.wsgi import run_wsgi

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds at import; annotations are strings
    from collections.abc import Callable
    from types import ModuleType
    from typing import Any, Literal

__all__ = ["HTTP_SOURCES", "detect_http_source", "make_handler"]

#: Tried in order; the first whose ``infer(event)`` is true handles the event. Payload 2.0 first:
#: its test (``version == "2.0"``) is the cheapest; ALB before v1, as its events also carry
#: ``httpMethod``.
HTTP_SOURCES: tuple[ModuleType, ...] = (apigw_v2, alb, apigw_v1)

if TYPE_CHECKING:
    from faas.adapters.app import Interface

    LambdaHandler = Callable[[dict[str, Any], Any], dict[str, Any]]

#: Below this body size the response cannot reach the limit, so it is not measured exactly.
_SIZE_SLACK = 256 * 1024


def detect_http_source(event: Any) -> ModuleType | None:
    """The event-source module for an HTTP event, or None if ``event`` is not one."""
    if not isinstance(event, dict):
        return None
    for source in HTTP_SOURCES:
        if source.infer(event):
            return source
    return None


class _Handler:
    """The Lambda handler returned by :func:`make_handler` (callable, plus its service).

    This is the per-request hot path, so it is written flat: one frame for the dispatch, the
    WSGI call and the access line, with the ASGI and error paths out of line.
    """

    __slots__ = ("access_log", "body_threshold", "options", "service", "wsgi")

    def __init__(self, service: HttpService, options: Options) -> None:
        self.service = service
        self.options = options
        self.wsgi = service.wsgi
        self.access_log = service.access_log
        #: Bodies shorter than this cannot push the response over the limit, even once base64
        #: makes them 4/3 as long: not measured.
        self.body_threshold = (options.max_response_bytes - _SIZE_SLACK) * 3 // 4

    def __call__(self, event: dict[str, Any], context: Any = None) -> dict[str, Any]:
        if type(event) is dict:
            for source in HTTP_SOURCES:
                if source.infer(event):
                    return self.serve(source, event, context)
        raise UnknownEventError(event, "aws", "not an HTTP event this handler serves")

    def serve(self, source: ModuleType, event: dict[str, Any], context: Any) -> dict[str, Any]:
        """Serve an HTTP ``event`` already identified as coming from ``source``."""
        access_log = self.access_log
        # Integer arithmetic: cheaper than float seconds; and no clock read without the line.
        started = perf_counter_ns() if access_log else 0
        options = self.options
        try:
            environ = source.to_environ(event, options)
        except (MalformedEventError, UnicodeError) as exc:
            # A broken front-door event is the client's or a test tool's fault: answer 400 in
            # the source's own format rather than failing the invocation. A UnicodeError the
            # source did not name is the same fault (text no front door sends), said generally.
            error = (
                exc
                if isinstance(exc, MalformedEventError)
                else MalformedEventError(source.NAME, "a text field is not valid UTF-8")
            )
            log_warning("%s", error)
            answer = error_response(400, f"Bad Request: {error.reason}")
            return dict(source.from_response(answer, event, options))
        environ["faas.event"] = event
        environ["faas.context"] = context
        # Read before the app runs: middleware may rewrite SCRIPT_NAME and PATH_INFO.
        method = environ["REQUEST_METHOD"]
        path = environ["SCRIPT_NAME"] + environ["PATH_INFO"]
        wsgi = self.wsgi
        if wsgi is not None:
            try:
                response = run_wsgi(wsgi, environ)
            except Exception:
                response = self.service.failed(method, path)
            if method == "HEAD":
                response.body = b""
        else:
            response = self.service.handle(environ)
        result: dict[str, Any] = source.from_response(response, event, options)
        nbytes = len(response.body)
        if nbytes > self.body_threshold:
            response, result = self._too_large(source, event, response, result, method=method, path=path)
            nbytes = len(response.body)
        if access_log:
            if not (path.isascii() and path.isprintable()) or " " in path:
                path = loggable_path(path)
            micros = (perf_counter_ns() - started) // 1000
            sys.stdout.write(f'faas "{method} {path}" {response.status} {nbytes}B {micros}us\n')
        return result

    def _too_large(
        self,
        source: ModuleType,
        event: dict[str, Any],
        response: Response,
        result: dict[str, Any],
        *,
        method: str,
        path: str,
    ) -> tuple[Response, dict[str, Any]]:
        """The response and result to send when ``result`` may be over Lambda's limit."""
        import json  # only for bodies near the limit

        options = self.options
        size = len(json.dumps(result).encode("utf-8"))
        if size <= options.max_response_bytes:
            return response, result
        log_error(
            "response to %s %s is %d bytes once encoded for Lambda, over the %d-byte "
            "limit; returning 502 instead (stream it from S3 or shrink it)",
            method,
            loggable_path(path),
            size,
            options.max_response_bytes,
        )
        response = error_response(502, "Bad Gateway: response too large")
        return response, source.from_response(response, event, options)


def make_handler(
    app: Any,
    *,
    interface: Interface = "auto",
    base_path: str = "",
    access_log: bool | None = None,
    max_response_bytes: int = LAMBDA_RESPONSE_LIMIT,
    asgi_mode: Literal["inline", "thread"] = "inline",
) -> LambdaHandler:
    """The Lambda handler ``handler(event, context) -> dict`` serving ``app``.

    :param app: a WSGI or ASGI application (Django, Flask, FastAPI, ...), unmodified.
    :param interface: ``"auto"`` detects WSGI vs ASGI; ``"wsgi"``/``"asgi"`` force it.
    :param base_path: custom-domain base path (e.g. ``"/api"``) moved from PATH_INFO into
        SCRIPT_NAME when the request did not come through the ``execute-api`` host.
    :param access_log: write one access line per request to stdout; None (default): only when
        ``FAAS_ACCESS_LOG=1`` (Lambda's REPORT lines and API Gateway's access logs already record
        each request, and a line costs Lambda's runtime a write and a flush).
    :param max_response_bytes: Lambda's response limit; larger responses become a 502.
    :param asgi_mode: ``"inline"`` drives the process's event loop from the calling thread.

    An event from no known HTTP source raises :class:`~faas.adapters.errors.UnknownEventError`.
    """
    if access_log is None:
        access_log = access_log_enabled(default=False)
    service = HttpService(app, interface, access_log=access_log, asgi_mode=asgi_mode)
    options = Options(base_path=join_path_prefix(base_path), max_response_bytes=max_response_bytes)
    return _Handler(service, options)
