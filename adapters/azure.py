"""Azure Functions adapter (Python v2 programming model).

``make_handler(app)`` returns ``fn(req: azure.functions.HttpRequest, context=None) ->
azure.functions.HttpResponse``. Azure serves HTTP functions under a route prefix (``/api`` by
default, host.json ``routePrefix``): it is the app's mount point, so it goes to SCRIPT_NAME and
url_for()/reverse() build URLs that include it. :func:`build_function_app` declares the HTTP
route and the timer/blob/queue/Event Grid triggers of ``faas_runtime.json`` on a ``FunctionApp``,
each under the name and with the NCRONTAB packaging wrote there: nothing is translated here.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import azure.functions as func
from azure.functions._http import HttpResponseHeaders

from faas.adapters.app import HttpService
from faas.adapters.errors import ConfigError, MalformedEventError
from faas.adapters.http import (
    Response,
    cgi_key,
    check_text,
    error_response,
    join_path_prefix,
    native_from_encoded,
    native_query,
    new_environ,
    set_server_fields,
    split_prefix,
    unicode_problem,
)
from faas.adapters.log import access_log_enabled, log_warning

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds at import; annotations are strings
    from collections.abc import Callable
    from typing import Any, Literal

    from faas.adapters.app import Interface

__all__ = [
    "AZURE_RESPONSE_LIMIT",
    "build_function_app",
    "make_handler",
    "to_environ",
]

_SOURCE = "Azure Functions HTTP request"

#: Azure has no hard HTTP response limit below the host's 100 MB request cap; keep the same.
AZURE_RESPONSE_LIMIT = 100 * 1024 * 1024


def to_environ(req: func.HttpRequest, route_prefix: str, base_path: str = "") -> dict[str, Any]:
    """The request environ for an Azure ``HttpRequest``.

    ``route_prefix`` (the host's, ``/api`` by default) and then ``base_path`` are moved from
    PATH_INFO to SCRIPT_NAME.
    """
    url = urlsplit(req.url)
    try:
        query = native_query(url.query)
        # Whether the host hands over the path percent-encoded or decoded, decoding exactly
        # once gives the raw bytes (the double-encoding of /café comes from decoding it twice).
        native = native_from_encoded(url.path or "/")
    except UnicodeEncodeError:
        raise MalformedEventError(_SOURCE, "url " + unicode_problem(req.url)) from None
    environ = new_environ(req.method.upper(), query, req.get_body() or b"")
    for name, value in req.headers.items():
        key = cgi_key(name)
        if key:
            if not value.isascii():
                check_text([(name, value)], _SOURCE, "header")
            environ[key] = value
    set_server_fields(environ, url.scheme or "https", url.netloc)
    script = ""
    for prefix in (route_prefix, base_path):
        if prefix:
            split = split_prefix(native, prefix)
            if split is not None:
                script += split[0]
                native = split[1]
    environ["SCRIPT_NAME"] = script
    environ["PATH_INFO"] = native
    # The front end appends "client-ip:port" to X-Forwarded-For; only the rightmost is trusted.
    remote = environ.get("HTTP_X_FORWARDED_FOR", "").rpartition(",")[2].strip()
    if remote.count(":") == 1:
        remote = remote.partition(":")[0]
    elif remote.startswith("[") and "]" in remote:
        remote = remote[1 : remote.index("]")]
    if remote:
        environ["REMOTE_ADDR"] = remote
    environ["faas.event"] = req
    return environ


class _Headers(HttpResponseHeaders):
    """Response headers that make the worker believe a Content-Type is present.

    The worker's converter adds ``text/plain`` unless ``"content-type" in headers``; an app that
    sends no Content-Type must not get one invented, so the check is answered "yes" here.
    """

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str) and key.lower() == "content-type":
            return True
        return bool(super().__contains__(key))  # type: ignore[operator]


class _HttpResponse(func.HttpResponse):
    """HttpResponse whose headers keep every Set-Cookie and invent no Content-Type."""

    def __init__(self, body: bytes, status_code: int, headers: list[tuple[str, str]]) -> None:
        super().__init__(body=body, status_code=status_code)
        self._faas_headers = _Headers(headers)

    @property
    def headers(self) -> Any:
        return self._faas_headers


def to_http_response(response: Response) -> func.HttpResponse:
    """An ``HttpResponse`` with every Set-Cookie kept and other repeated headers joined.

    The worker turns headers into a dict (last one wins) but sends Set-Cookie separately, so
    only Set-Cookie may repeat.
    """
    joined: dict[str, str] = {}
    names: dict[str, str] = {}
    cookies: list[tuple[str, str]] = []
    for name, value in response.headers:
        lname = name.lower()
        if lname == "set-cookie":
            cookies.append(("Set-Cookie", value))
            continue
        previous = joined.get(lname)
        joined[lname] = value if previous is None else previous + ", " + value
        names.setdefault(lname, name)
    headers = [(names[lname], value) for lname, value in joined.items()]
    return _HttpResponse(response.body, response.status, headers + cookies)


def make_handler(
    app: Any,
    *,
    interface: Interface = "auto",
    route_prefix: str = "/api",
    base_path: str = "",
    access_log: bool | None = None,
    max_response_bytes: int = AZURE_RESPONSE_LIMIT,
    asgi_mode: Literal["inline", "thread"] = "thread",
) -> Callable[..., func.HttpResponse]:
    """The Azure HTTP function ``fn(req, context=None) -> HttpResponse`` serving ``app``.

    :param route_prefix: the host's route prefix (``/api`` unless host.json's
        ``extensions.http.routePrefix`` changes it), moved into SCRIPT_NAME.
    :param base_path: a further prefix the app is mounted under (after the route prefix).
    :param access_log: write one access line per request to stdout; None (default): unless
        ``FAAS_ACCESS_LOG=0``.
    :param asgi_mode: ``"thread"`` by default: the worker calls sync functions from a pool.
    """
    if access_log is None:  # FAAS_ACCESS_LOG, else on: the line is the app's request log here
        access_log = access_log_enabled(default=True)
    service = HttpService(app, interface, access_log=access_log, asgi_mode=asgi_mode)
    prefix = join_path_prefix(route_prefix)
    base = join_path_prefix(base_path)

    def handler(req: func.HttpRequest, context: Any = None) -> func.HttpResponse:
        started = time.perf_counter_ns()
        try:
            environ = to_environ(req, prefix, base)
        except MalformedEventError as exc:  # text the host never sends: a test tool's request
            log_warning("%s", exc)
            return to_http_response(error_response(400, f"Bad Request: {exc.reason}"))
        environ["faas.context"] = context
        return to_http_response(service.respond(environ, started, max_response_bytes, "Azure Functions"))

    handler.service = service  # type: ignore[attr-defined]
    return handler


def build_function_app(
    http: Callable[..., func.HttpResponse] | None,
    call_function: Callable[[str, Any, Any], Any],
    functions: dict[str, list[dict[str, Any]]],
    invoke: Callable[[Any], Any],
) -> func.FunctionApp:
    """A ``FunctionApp`` with the app's catch-all route, the private invoke route and triggers.

    :param http: the handler from :func:`make_handler`, or None for a functions-only project.
    :param call_function: ``call_function(name, event, context)`` runs a user function.
    :param functions: function name -> triggers, from ``faas_runtime.json``.
    :param invoke: runs a ``{"faas": {...}}`` envelope (``faas invoke``/``faas manage``);
        served on ``_faas/invoke`` with function-key auth, never anonymously.
    """
    import json

    function_app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)

    def faas_invoke(req: func.HttpRequest) -> func.HttpResponse:
        try:
            envelope = json.loads(req.get_body() or b"null")
        except ValueError:
            return func.HttpResponse("invalid JSON", status_code=400)
        result = invoke(envelope)
        return func.HttpResponse(json.dumps(result), mimetype="application/json")

    function_app.function_name("faas_invoke")(
        function_app.route(route="_faas/invoke", methods=["POST"], auth_level=func.AuthLevel.FUNCTION)(faas_invoke)
    )
    if http is not None:

        def faas_http(req: func.HttpRequest) -> func.HttpResponse:
            return http(req)

        function_app.function_name("faas_http")(
            function_app.route(route="{*route}", auth_level=func.AuthLevel.ANONYMOUS)(faas_http)
        )
    for name, triggers in functions.items():
        for trigger in triggers:
            _register_trigger(function_app, call_function, name, trigger)
    return function_app


def _register_trigger(
    function_app: func.FunctionApp,
    call_function: Callable[[str, Any, Any], Any],
    name: str,
    trigger: dict[str, Any],
) -> None:
    kind = trigger.get("type")
    fname = trigger.get("name")
    if not isinstance(fname, str) or not fname:
        raise ConfigError(f"function {name!r}: a {kind} trigger has no 'name'; package the artifact with faas")
    options = trigger.get("adapter_options") or {}
    connection = str(options.get("connection") or "AzureWebJobsStorage")
    if kind == "schedule":
        schedule = trigger.get("platform_expression")
        if not isinstance(schedule, str):
            raise ConfigError(
                f"function {name!r}: schedule {trigger.get('expression')!r} has no NCRONTAB "
                "'platform_expression'; the artifact was not packaged for Azure (faas package --provider azure)"
            )

        def on_timer(timer: func.TimerRequest) -> None:
            call_function(name, {"type": "schedule", "past_due": timer.past_due}, None)

        function_app.function_name(fname)(function_app.timer_trigger(arg_name="timer", schedule=schedule)(on_timer))
    elif kind == "storage":
        if "created" not in (trigger.get("events") or ["created"]):
            # Registering it anyway would call the function on uploads it did not ask for.
            log_warning("function %r: Azure blob triggers cannot fire on deletion; not registered", name)
            return
        path = f"{trigger['bucket']}/{trigger.get('prefix') or ''}{{name}}{trigger.get('suffix') or ''}"

        def on_blob(blob: func.InputStream) -> None:
            event = {
                "type": "storage",
                "bucket": trigger["bucket"],
                "key": blob.name,
                "size": blob.length,
                "uri": blob.uri,
                "action": "created",
            }
            call_function(name, event, None)

        function_app.function_name(fname)(
            function_app.blob_trigger(arg_name="blob", path=path, connection=connection)(on_blob)
        )
    elif kind == "queue":

        def on_message(msg: func.QueueMessage) -> None:
            event = {
                "type": "queue",
                "queue": trigger["queue"],
                "id": msg.id,
                "body": msg.get_body().decode("utf-8", "replace"),
            }
            call_function(name, event, None)

        function_app.function_name(fname)(
            function_app.queue_trigger(arg_name="msg", queue_name=trigger["queue"], connection=connection)(on_message)
        )
    elif kind == "topic":
        # The Event Grid subscription (topic -> this function) is the provider's; the function only listens.

        def on_event(event: func.EventGridEvent) -> None:
            payload = {
                "type": "topic",
                "topic": trigger["topic"],
                "id": event.id,
                "subject": event.subject,
                "event_type": event.event_type,
                "data": event.get_json(),
            }
            call_function(name, payload, None)

        function_app.function_name(fname)(function_app.event_grid_trigger(arg_name="event")(on_event))
    else:
        log_warning("function %r: trigger type %r is not supported on Azure", name, kind)
