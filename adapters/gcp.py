"""Google Cloud Functions adapter (functions-framework HTTP functions, 1st and 2nd gen).

``make_handler(app)`` returns ``fn(request) -> response`` for functions-framework. The request
is only duck-typed (``.environ`` and ``.get_data()``): nothing here imports Flask at module load;
the response class comes from werkzeug, which functions-framework has already imported.
CloudEvents (Pub/Sub, Cloud Storage) arriving over HTTP are recognised by :func:`classify`, and so
is a Cloud Scheduler job's POST (its ``X-CloudScheduler`` headers), as a schedule event.
"""

from __future__ import annotations

import os
import time

from faas.adapters.app import HttpService
from faas.adapters.dispatch import EventSource
from faas.adapters.http import Response, join_path_prefix, new_environ, set_server_fields, split_prefix
from faas.adapters.log import access_log_enabled

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds at import; annotations are strings
    from collections.abc import Callable
    from typing import Any, Literal

    from faas.adapters.app import Interface

__all__ = [
    "GCP_RESPONSE_LIMIT",
    "SCHEDULER_EVENT_TYPE",
    "classify",
    "cloud_event_from_request",
    "make_handler",
    "scheduler_event",
]

#: Cloud Functions' (and Cloud Run's) limit for a non-streamed HTTP response.
GCP_RESPONSE_LIMIT = 32 * 1024 * 1024

_SKIP = frozenset({"HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"})


def _headers(environ: dict[str, Any]) -> dict[str, str]:
    # The server already built CGI keys; keep the header ones (and Content-Type).
    headers = {key: value for key, value in environ.items() if key[:5] == "HTTP_" and key not in _SKIP}
    if environ.get("CONTENT_TYPE"):
        headers["CONTENT_TYPE"] = environ["CONTENT_TYPE"]
    return headers


def _function_prefix() -> str:
    """``/<function name>``: on ``*.cloudfunctions.net`` the public URL starts with it."""
    name = os.environ.get("K_SERVICE") or os.environ.get("FUNCTION_NAME") or ""
    return "/" + name if name else ""


def to_environ(http_request: Any, base_path: str | None) -> dict[str, Any]:
    """The request environ for a functions-framework (werkzeug) request.

    A new environ rather than the server's own: the function prefix moves to SCRIPT_NAME, the
    client address and scheme come from Google's front end, the body is read whole.
    """
    server: dict[str, Any] = http_request.environ
    environ = new_environ(
        server.get("REQUEST_METHOD", "GET"), server.get("QUERY_STRING", ""), http_request.get_data(cache=True)
    )
    environ.update(_headers(server))
    name = set_server_fields(environ, server.get("wsgi.url_scheme", "http"), server.get("SERVER_NAME", ""))
    native = server.get("PATH_INFO") or "/"
    script = server.get("SCRIPT_NAME") or ""
    prefix = base_path
    if prefix is None:
        prefix = _function_prefix() if name.endswith(".cloudfunctions.net") else ""
    if prefix:
        split = split_prefix(native, prefix)
        if split is not None:
            native = split[1]
        script += prefix
    environ["SCRIPT_NAME"] = script
    environ["PATH_INFO"] = native
    # Google's front end appends the address it accepted the connection from: the rightmost
    # X-Forwarded-For entry is the only one a client cannot forge.
    remote = environ.get("HTTP_X_FORWARDED_FOR", "").rpartition(",")[2].strip() or server.get("REMOTE_ADDR")
    if remote:
        environ["REMOTE_ADDR"] = remote
    environ["faas.event"] = http_request
    return environ


_response_class: Any = None


def _make_response(response: Response) -> Any:
    """A werkzeug Response that adds nothing the app did not send (no default Content-Type)."""
    global _response_class  # noqa: PLW0603 - built once, on first use
    if _response_class is None:
        from werkzeug.wrappers import Response as WerkzeugResponse

        class _RawResponse(WerkzeugResponse):
            default_mimetype = None
            automatically_set_content_length = False

        _response_class = _RawResponse
    return _response_class(response.body, status=response.status, headers=response.headers)


def make_handler(
    app: Any,
    *,
    interface: Interface = "auto",
    base_path: str | None = None,
    access_log: bool | None = None,
    max_response_bytes: int = GCP_RESPONSE_LIMIT,
    asgi_mode: Literal["inline", "thread"] = "thread",
) -> Callable[[Any], Any]:
    """A functions-framework HTTP function ``fn(request: flask.Request)`` serving ``app``.

    :param base_path: path prefix moved into SCRIPT_NAME; None (default) means the function
        name on ``*.cloudfunctions.net`` hosts (where URLs start with it) and nothing elsewhere.
    :param access_log: write one access line per request to stdout; None (default): only with
        ``FAAS_ACCESS_LOG=1``.
    :param asgi_mode: ``"thread"`` by default, since gunicorn may call from several threads.
    """
    if access_log is None:
        # Off unless FAAS_ACCESS_LOG=1: Cloud Run already writes a request log entry (method, URL,
        # status, size, latency) for every request a function serves, so the line would be paid
        # for twice, per request and in log ingestion.
        access_log = access_log_enabled(default=False)
    service = HttpService(app, interface, access_log=access_log, asgi_mode=asgi_mode)
    prefix = None if base_path is None else join_path_prefix(base_path)

    def handler(request: Any) -> Any:
        started = time.perf_counter_ns()
        environ = to_environ(request, prefix)
        return _make_response(service.respond(environ, started, max_response_bytes, "Cloud Functions"))

    handler.service = service  # type: ignore[attr-defined]
    claim_static_route()
    return handler


def claim_static_route() -> None:
    """Send ``/static/...`` to the function instead of functions-framework's own static files.

    functions-framework serves the function from a Flask app of its own, which has Flask's
    default ``/static/<path:filename>`` route (files of ``./static`` in the working directory);
    werkzeug prefers it to the catch-all route of the function, so an app's own /static/ URLs
    (Flask's ``static`` folder, a Django app's) answered 404 before the function saw them.
    functions-framework runs the entry module inside that app's context: the route is given to
    the view that serves every other path (``run``, registered after the module has run).
    """
    import sys

    flask = sys.modules.get("flask")
    if flask is None or not flask.has_app_context():
        return  # not imported by functions-framework (a test calling the handler directly)
    app = flask.current_app
    if "static" in app.view_functions:
        app.view_functions["static"] = lambda filename: app.view_functions["run"](path=f"static/{filename}")


SCHEDULER_EVENT_TYPE = "google.cloud.scheduler.job.v1.executed"
"""The CloudEvent type a Cloud Scheduler job's HTTP call is described as (what :func:`classify` reads)."""


def scheduler_event(environ: dict[str, Any], body: bytes) -> dict[str, Any] | None:
    """A Cloud Scheduler HTTP job's call as a CloudEvent-shaped dict, or None for any other request.

    Cloud Scheduler sends no CloudEvent: it POSTs the job's body with ``X-CloudScheduler: true``,
    ``X-CloudScheduler-JobName`` and (unix-cron jobs) ``X-CloudScheduler-ScheduleTime``. The job
    name becomes the event's ``source``, so the dispatcher matches the trigger the job was made for.
    """
    if environ.get("HTTP_X_CLOUDSCHEDULER", "").lower() != "true":
        return None
    import json

    job = environ.get("HTTP_X_CLOUDSCHEDULER_JOBNAME", "")
    scheduled_at = environ.get("HTTP_X_CLOUDSCHEDULER_SCHEDULETIME", "")
    event: dict[str, Any] = {
        "specversion": "1.0",
        "type": SCHEDULER_EVENT_TYPE,
        # The header holds the job's id (or its full name): either way the last segment is the id.
        "source": "//cloudscheduler.googleapis.com/jobs/" + job.rpartition("/")[2],
        "id": f"{job}@{scheduled_at}",
        "time": scheduled_at,
    }
    try:
        event["data"] = json.loads(body) if body else None
    except ValueError:
        event["data"] = body.decode("utf-8", "replace")
    return event


def cloud_event_from_request(http_request: Any) -> dict[str, Any] | None:
    """The CloudEvent carried by an HTTP request (binary or structured mode), or None.

    A Cloud Scheduler job's call counts as one too (:func:`scheduler_event`).
    """
    import json

    environ = http_request.environ
    if environ.get("HTTP_X_CLOUDSCHEDULER"):
        scheduled = scheduler_event(environ, http_request.get_data(cache=True))
        if scheduled is not None:
            return scheduled
    if environ.get("HTTP_CE_SPECVERSION"):
        event: dict[str, Any] = {key[8:].lower(): value for key, value in environ.items() if key.startswith("HTTP_CE_")}
        raw = http_request.get_data(cache=True)
        try:
            event["data"] = json.loads(raw) if raw else None
        except ValueError:
            event["data"] = raw.decode("utf-8", "replace")
        return event
    if "cloudevents" in environ.get("CONTENT_TYPE", ""):
        try:
            body = json.loads(http_request.get_data(cache=True))
        except ValueError:
            return None
        return body if isinstance(body, dict) and "specversion" in body else None
    return None


def classify(event: Any) -> EventSource | None:
    """The :class:`EventSource` a CloudEvent or legacy background event describes, or None."""
    if not isinstance(event, dict):
        return None
    kind = event.get("type")
    source = event.get("source")
    if isinstance(kind, str) and isinstance(source, str):
        name = source.rpartition("/")[2]
        if kind.startswith("google.cloud.pubsub.topic."):
            return EventSource("topic", name)
        if kind.startswith("google.cloud.storage.object."):
            subject = event.get("subject")
            key = subject[8:] if isinstance(subject, str) and subject.startswith("objects/") else ""
            action = "deleted" if kind.endswith(".deleted") else "created"
            return EventSource("storage", name, key, action)
        if kind.startswith("google.cloud.scheduler."):
            return EventSource("schedule", name)
        return None
    # Legacy background-function events: {"context": {"eventType", "resource"}, "data"}.
    context = event.get("context")
    if isinstance(context, dict):
        legacy = context.get("eventType")
        resource = context.get("resource")
        rname = resource.get("name") if isinstance(resource, dict) else resource
        if not isinstance(legacy, str) or not isinstance(rname, str):
            return None
        if legacy.startswith(("google.pubsub.topic.", "providers/cloud.pubsub/")):
            return EventSource("topic", rname.rpartition("/")[2])
        if legacy.startswith(("google.storage.object.", "providers/cloud.storage/")):
            bucket, _, key = rname.partition("/buckets/")[2].partition("/objects/")
            action = "deleted" if legacy.endswith(".delete") else "created"
            return EventSource("storage", bucket, key, action)
    return None
