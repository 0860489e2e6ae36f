# mypy: disable-error-code="no-untyped-call,import-untyped"
"""The HTTP side of the fake: one loopback listener per Google API, a request log, fault switches.

Each API gets its own port because the APIs share paths (`/v2/projects/*/locations/*/operations/*`
is both a Cloud Functions and a Cloud Run operation); the client of each is pointed at its own
endpoint, as it would be at its own googleapis.com host.
"""

from __future__ import annotations

import json
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from google.protobuf.message import Message

from .canonical import canonical
from .discovery import Api, Apis, Match
from .errors import GoogleError, error_info

MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Methods sent as POST that change nothing (Resource Manager's getIamPolicy): reads, not writes.
READS_BY_POST = frozenset({"getIamPolicy", "testIamPermissions"})


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the fake saw it, for tests to assert on (e.g. no write in a no-op deploy)."""

    api: str
    http_method: str
    path: str
    query: str
    headers: dict[str, str]
    body: Any
    method_id: str | None = None
    status: int = 0

    @property
    def mutating(self) -> bool:
        verb = (self.method_id or "").rpartition(".")[2]
        return self.http_method in MUTATING and verb not in READS_BY_POST

    def json_query(self) -> dict[str, str]:
        """The query string as a dict (`updateMask`, `functionId`...)."""
        return dict(parse_qsl(self.query, keep_blank_values=True))


@dataclass
class Fault:
    """Fail the `nth` matching call from now on (1 = the next one), `times` calls in a row.

    Only mutating calls count, unless `reads` (then GETs count too, e.g. operation polls).
    """

    status: str
    message: str
    nth: int = 1
    times: int = 1
    api: str | None = None
    method: str | None = None  # a substring of the discovery method id, e.g. "functions.patch"
    reads: bool = False
    seen: int = 0

    def matches(self, api: str, method_id: str, *, mutating: bool) -> bool:
        if not (mutating or self.reads):
            return False
        return (self.api is None or self.api == api) and (self.method is None or self.method in method_id)


@dataclass
class Faults:
    """Switches a test flips to make the fake fail the way Google documents it can."""

    pending: list[Fault] = field(default_factory=list)
    disabled_apis: set[str] = field(default_factory=set)
    failing_builds: list[str] = field(default_factory=list)
    iam_lag: int = 0
    account_lag: int = 0

    def fail(
        self,
        status: str = "UNAVAILABLE",
        message: str = "The service is currently unavailable.",
        *,
        nth: int = 1,
        times: int = 1,
        api: str | None = None,
        method: str | None = None,
        reads: bool = False,
    ) -> Fault:
        """Answer the `nth` next mutating call (of `api`/`method`, if given) with `status` (503, 429...).

        With `reads=True` reads count too: `fail("UNAVAILABLE", method="operations.get", reads=True)`
        makes an operation poll fail, as a transient error does.
        """
        fault = Fault(status, message, nth=nth, times=times, api=api, method=method, reads=reads)
        self.pending.append(fault)
        return fault

    def disable_api(self, api: str) -> None:
        """Every call to `api` ("cloudfunctions", "run"...) gets 403 SERVICE_DISABLED, as in a new project."""
        self.disabled_apis.add(api)

    def delay_iam(self, requests: int) -> None:
        """After each setIamPolicy, a service's front door keeps the old policy for `requests` requests.

        IAM documents that policy changes can take minutes to apply; a deploy that sets the invoker
        binding and calls the URL at once must be ready for a 403 meanwhile.
        """
        self.iam_lag = requests

    def delay_accounts(self, checks: int) -> None:
        """Each service account created from now on is missed by the next `checks` existence checks.

        IAM is eventually consistent: right after serviceAccounts.create, a project setIamPolicy
        naming the account (400) or a function running as it (404) can fail for a while.
        """
        self.account_lag = checks

    def fail_next_build(self, message: str = "Build failed: missing dependency") -> None:
        """The next function create/update operation ends in `error`, the function in state FAILED."""
        self.failing_builds.append(message)

    def take(self, api: str, method_id: str, *, mutating: bool) -> GoogleError | None:
        for fault in list(self.pending):
            if not fault.matches(api, method_id, mutating=mutating):
                continue
            fault.seen += 1
            if fault.seen >= fault.nth:
                if fault.seen - fault.nth + 1 >= fault.times:
                    self.pending.remove(fault)
                return GoogleError(fault.status, fault.message)
        return None


@dataclass
class Request:
    """What a handler gets: the routed method, its parameters, the validated body, the caller."""

    match: Match
    body: dict[str, Any]
    caller: str
    base_url: str

    def param(self, name: str) -> str:
        return self.match.path_params[name]


Handler = Callable[[Request], Any]


@dataclass
class Service:
    """One API as the fake serves it: its discovery document, handlers, and proto types for bodies."""

    name: str  # "cloudfunctions", "run", "cloudscheduler", "logging"
    api: Api | Apis
    handlers: dict[str, Handler]
    messages: dict[str, type[Message]] = field(default_factory=dict)  # discovery schema -> proto

    @property
    def audience(self) -> str:
        return f"https://{self.name}.googleapis.com/"


class Hub:
    """Shared by every listener: the lock all state changes run under, the log, the faults."""

    def __init__(self, authenticate: Callable[[str | None, str], str]) -> None:
        self.lock = threading.RLock()
        self.requests: list[RecordedRequest] = []
        self.faults = Faults()
        self.authenticate = authenticate
        self.project_number = "0"

    def record(self, entry: RecordedRequest) -> None:
        with self.lock:
            self.requests.append(entry)


def serve_api(service: Service, hub: Hub) -> ThreadingHTTPServer:
    """A listener on a free loopback port answering `service`'s discovery methods."""

    class ApiHandler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._handle()

        do_POST = do_PATCH = do_DELETE = do_PUT = do_GET

        def log_message(self, format: str, *args: Any) -> None:  # quiet: the request log has it all
            pass

        def _handle(self) -> None:
            split = urlsplit(self.path)
            raw = self.rfile.read(int(self.headers.get("content-length") or 0))
            headers = {k.lower(): v for k, v in self.headers.items()}
            method_id = None
            try:
                body = json.loads(raw) if raw.strip() else {}
            except json.JSONDecodeError as exc:
                body = raw.decode(errors="replace")
                status, payload = (
                    400,
                    GoogleError("INVALID_ARGUMENT", f"Invalid JSON payload received. {exc}").envelope(),
                )
            else:
                try:
                    match = service.api.route(self.command, split.path, split.query)
                    method_id = match.method.id
                    status, payload = 200, self._dispatch(match, body, headers)
                except GoogleError as exc:
                    status, payload = exc.http_status, exc.envelope()
                except Exception as exc:  # a bug in the fake: say so in the answer, never drop the connection
                    detail = "".join(traceback.format_exception(exc))
                    status, payload = 500, GoogleError("INTERNAL", f"fake GCP crashed: {detail}").envelope()
            hub.record(
                RecordedRequest(service.name, self.command, split.path, split.query, headers, body, method_id, status)
            )
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json; charset=UTF-8")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _dispatch(self, match: Match, body: Any, headers: dict[str, str]) -> Any:
            caller = hub.authenticate(headers.get("authorization"), service.audience)
            if service.name in hub.faults.disabled_apis:
                raise service_disabled(service.name, hub.project_number)
            handler = service.handlers.get(match.method.id)
            if handler is None:
                raise GoogleError("UNIMPLEMENTED", f"The fake does not implement {match.method.id}")
            with hub.lock:
                fault = hub.faults.take(service.name, match.method.id, mutating=self.command in MUTATING)
                if fault is not None:
                    raise fault
                checked: dict[str, Any] = {}
                if match.method.request:
                    root = match.method.request[0].lower() + match.method.request[1:]
                    patching = match.method.id.endswith(".patch")
                    checked = (match.api or service.api).validate(
                        body, match.method.request, root=root, check_required=not patching
                    )
                    message = service.messages.get(match.method.request)
                    if message is not None:
                        checked = canonical(checked, message, where=root)
                elif body:
                    raise GoogleError("INVALID_ARGUMENT", f"{match.method.id} takes no request body")
                host = headers.get("host", "")
                return handler(Request(match, checked, caller, f"http://{host}"))

    server = ThreadingHTTPServer(("127.0.0.1", 0), ApiHandler)
    server.daemon_threads = True
    return server


def service_disabled(api: str, project_number: str) -> GoogleError:
    title = {"cloudfunctions": "Cloud Functions API", "run": "Cloud Run Admin API"}.get(api, f"{api} API")
    host = f"{api}.googleapis.com"
    return error_info(
        "PERMISSION_DENIED",
        f"{title} has not been used in project {project_number} before or it is disabled. Enable it by visiting "
        f"https://console.developers.google.com/apis/api/{host}/overview?project={project_number} then retry.",
        reason="SERVICE_DISABLED",
        domain="googleapis.com",
        service=host,
        consumer=f"projects/{project_number}",
    )


def start(server: ThreadingHTTPServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, name=f"gcp-fake:{server.server_port}", daemon=True)
    thread.start()
    return thread
