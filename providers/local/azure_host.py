"""A local stand-in for the Azure Functions host, run inside the runtime process.

It does what the host and the Python worker do for an HTTP-triggered function: load
`function_app.app` from the artifact, route `/<routePrefix>/<route>` to the function whose route
template matches (function-key auth where declared), build a real `azure.functions.HttpRequest`,
call the user function, and put the `HttpResponse` on the wire through the worker's own
converter. `POST /admin/functions/<name>` runs a non-HTTP function (a timer) as the host's admin
API does; every other `/admin/...` path is the host's too, never the app's. Standard library and
azure-functions only: this file runs outside faas, next to the artifact, like the platform's own
worker.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import os
import sys
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import azure.functions as func
from azure.functions.blob import InputStream
from azure.functions.http import HttpResponseConverter
from azure.functions.queue import QueueMessage
from azure.functions.timer import TimerRequest

PORT = int(os.environ["FAAS_LOCAL_PORT"])
PREFIX = os.environ.get("FAAS_LOCAL_ROUTE_PREFIX", "api").strip("/")
KEY = os.environ.get("FAAS_LOCAL_FUNCTION_KEY", "")


def _load() -> tuple[list[tuple[str, dict[str, Any], Any]], dict[str, Any]]:
    sys.path.insert(0, os.getcwd())
    import function_app  # type: ignore[import-not-found]  # the artifact's, found at runtime

    routes, others = [], {}
    for function in function_app.app.get_functions():
        name = function.get_function_name()
        bindings = function.get_bindings_dict().get("bindings", [])
        trigger: dict[str, Any] = next((b for b in bindings if str(b.get("type", "")).endswith("Trigger")), {})
        if trigger.get("type") == "httpTrigger":
            routes.append((name, trigger, function.get_user_function()))
        else:
            others[name] = (trigger, function.get_user_function())
    # Literal routes before templates, catch-alls last, as the host orders them.
    routes.sort(key=lambda item: ("{*" in (item[1].get("route") or ""), "{" in (item[1].get("route") or "")))
    return routes, others


def _match(template: str, path: str) -> dict[str, str] | None:
    wanted = [part for part in template.strip("/").split("/") if part]
    given = [part for part in path.strip("/").split("/") if part]
    params: dict[str, str] = {}
    for index, part in enumerate(wanted):
        if part.startswith("{*"):
            params[part[2:-1]] = "/".join(given[index:])
            return params
        if index >= len(given):
            return None
        if part.startswith("{") and part.endswith("}"):
            params[part[1:-1].split(":")[0].rstrip("?")] = given[index]
        elif part.lower() != given[index].lower():
            return None
    return params if len(given) == len(wanted) else None


def _text(value: Any) -> str:
    # Bindings hold enums (HttpMethod.GET, AuthLevel.FUNCTION) or their plain values.
    return str(getattr(value, "value", value))


def _call(function: Any, argument: Any) -> Any:
    result = function(argument)
    return asyncio.run(result) if inspect.iscoroutine(result) else result


class Host(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    routes: list[tuple[str, dict[str, Any], Any]] = []
    others: dict[str, Any] = {}

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.send_response_only(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _authorised(self, query: dict[str, str]) -> bool:
        return bool(KEY) and KEY in (self.headers.get("x-functions-key"), query.get("code"))

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        split = urlsplit(self.path)
        query = dict(parse_qsl(split.query, keep_blank_values=True))
        if split.path.startswith("/admin/functions/") and self.command == "POST":
            self._admin(split.path.rsplit("/", 1)[1], query, body)
            return
        if split.path == "/admin" or split.path.startswith("/admin/"):
            # The host keeps /admin/* for its admin API whatever the route prefix (even an empty one:
            # azure-functions-host#2590): the app never sees these paths, as on Azure.
            self._send(404 if self._authorised(query) else 401, [], b"")
            return
        path = split.path
        if PREFIX:
            if path != f"/{PREFIX}" and not path.startswith(f"/{PREFIX}/"):
                self._send(404, [], b"")
                return
            path = path[len(PREFIX) + 1 :]
        for _name, trigger, function in self.routes:
            params = _match(trigger.get("route") or "", unquote(path))
            methods = [_text(m).upper() for m in trigger.get("methods") or []]
            if params is None or (methods and self.command not in methods):
                continue
            if _text(trigger.get("authLevel", "ANONYMOUS")).upper() != "ANONYMOUS" and not self._authorised(query):
                self._send(401, [], b"")
                return
            host = self.headers.get("Host") or f"127.0.0.1:{PORT}"
            request = func.HttpRequest(
                self.command,
                f"http://{host}{self.path}",
                headers=dict(self.headers.items()),
                params=query,
                route_params=params,
                body=body,
            )
            try:
                response = _call(function, request)
            except Exception:
                # As the host does: the function's exception is logged and the client gets a 500.
                import traceback

                traceback.print_exc()
                self._send(500, [], b"")
                return
            self._respond(response)
            return
        self._send(404, [], b"")

    def _respond(self, response: Any) -> None:
        # The worker's own converter decides what reaches the wire (one Set-Cookie per cookie).
        value = HttpResponseConverter.encode(response, expected_type=None).value
        headers = [(name, datum.value) for name, datum in value["headers"].items()]
        headers += [("Set-Cookie", cookie.output(header="").strip()) for cookie in value["cookies"] or []]
        self._send(int(value["status_code"].value), headers, value["body"].value or b"")

    def _admin(self, name: str, query: dict[str, str], body: bytes) -> None:
        if not self._authorised(query):
            self._send(401, [], b"")
            return
        if name not in self.others:
            self._send(404, [], b"")
            return
        trigger, function = self.others[name]
        data = json.loads(body or b"{}")
        kind = trigger.get("type")
        argument: Any
        if kind == "timerTrigger":
            argument = TimerRequest(past_due=False)
        elif kind == "blobTrigger":
            # Local buckets are folders: the supervisor passes the file, the host reads the blob.
            content = Path(data["path"]).read_bytes() if data.get("path") else b""
            path = str(data.get("input", ""))
            argument = InputStream(data=content, name=path, uri=f"http://127.0.0.1/{path}", length=len(content))
        elif kind == "eventGridTrigger":
            event = data.get("input") or {}
            argument = func.EventGridEvent(
                id=str(event.get("id", uuid.uuid4())),
                data=dict(event.get("data") or {}),
                topic=str(event.get("subject", "")),
                subject=str(event.get("subject", "")),
                event_type=str(event.get("eventType", "")),
                event_time=None,
                data_version="1",
            )
        elif kind == "queueTrigger":
            argument = QueueMessage(id=str(uuid.uuid4()), body=str(data.get("input", "")).encode())  # type: ignore[no-untyped-call]
        else:
            self._send(400, [], f"cannot run a {kind} function locally".encode())
            return
        try:
            _call(function, argument)
        except Exception:
            import traceback

            traceback.print_exc()
            self._send(500, [], b"")
            return
        self._send(202, [("Content-Type", "application/json")], json.dumps({"ran": name}).encode())

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve


def main() -> None:
    Host.routes, Host.others = _load()
    server = ThreadingHTTPServer(("127.0.0.1", PORT), Host)
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()
