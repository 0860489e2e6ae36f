"""The ARM front door: authentication, api-versions, routing, long-running operations, faults, log.

Resource providers (groups.py, storage.py, identity.py, web.py) register routes on an `Arm`; each
handler gets the parsed request and the route's match and returns a Response or raises ArmError.
"""

from __future__ import annotations

import re
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import ArmError, group_not_found
from .httpserver import App, Request, Response
from .tokens import TokenIssuer

# ARM sends Retry-After on every answer of a running operation and azure-core waits that long; "0"
# would not do: azure-core reads 0 as "none sent" and falls back to its 30 s polling interval.
RETRY_AFTER = "1"
ARM_AUDIENCES = ("https://management.azure.com", "https://management.core.windows.net")

# POSTs that only read: ARM's list* actions and name checks are not mutations.
_READ_ONLY_POST = re.compile(r"/(list|listkeys|checknameavailability|listsecrets)$", re.IGNORECASE)


@dataclass
class LoggedCall:
    method: str
    path: str
    api_version: str | None
    body: Any
    status: int = 0
    error: str | None = None  # the traceback when the fake itself failed (answered 500 FakeInternalError)


@dataclass
class Fault:
    """Fail the `nth` mutating call (counted from when it was armed) with an ARM error."""

    nth: int
    status: int
    code: str
    message: str
    retry_after: int | None = None
    path_contains: str | None = None
    seen: int = 0
    fired: bool = False


@dataclass
class Operation:
    id: str
    polls_left: int
    finish: Callable[[], None]
    result: Callable[[], Response] | None = None
    error: ArmError | None = None
    done: bool = False


Handler = Callable[[Request, "re.Match[str]"], Response]


@dataclass
class Route:
    method: str
    pattern: re.Pattern[str]
    api_versions: frozenset[str]
    handler: Handler
    namespace: str


@dataclass
class Switches:
    """Behaviour a test can change while the fake runs."""

    # how many times an operation answers InProgress before it is done (ARM: seconds to minutes)
    lro_polls: int = 1
    # role assignments for a principal created from now on fail with PrincipalNotFound this many times
    principal_propagation_failures: int = 0
    faults: list[Fault] = field(default_factory=list)


class Arm(App):
    def __init__(self, *, subscription_id: str, tenant_id: str, tokens: TokenIssuer) -> None:
        self.subscription_id = subscription_id
        self.tenant_id = tenant_id
        self.tokens = tokens
        self.url = ""
        self.routes: list[Route] = []
        self.resources: dict[str, dict[str, Any]] = {}  # lowercased resource id -> ARM JSON
        self.operations: dict[str, Operation] = {}
        self.calls: list[LoggedCall] = []
        self.switches = Switches()
        # resource-provider namespaces this subscription has not registered (ARM: 409 MissingSubscriptionRegistration)
        self.unregistered: set[str] = set()
        # called with each document removed, also when a resource group takes its resources with it
        self.deletion_listeners: list[Callable[[dict[str, Any]], None]] = []
        self.lock = threading.RLock()

    # -- registration -----------------------------------------------------------------------------

    def route(self, method: str, pattern: str, api_versions: set[str], handler: Handler, *, namespace: str) -> None:
        self.routes.append(
            Route(method, re.compile(pattern + "$", re.IGNORECASE), frozenset(api_versions), handler, namespace)
        )

    # -- store helpers used by the providers ------------------------------------------------------

    def group_id(self, group: str) -> str:
        return f"/subscriptions/{self.subscription_id}/resourceGroups/{group}"

    def get(self, resource_id: str) -> dict[str, Any] | None:
        return self.resources.get(resource_id.lower())

    def put(self, resource_id: str, document: dict[str, Any]) -> None:
        self.resources[resource_id.lower()] = document

    def delete(self, resource_id: str) -> None:
        prefix = resource_id.lower()
        for key in [k for k in self.resources if k == prefix or k.startswith(prefix + "/")]:
            document = self.resources.pop(key)
            for listener in self.deletion_listeners:
                listener(document)

    def require_group(self, group: str) -> dict[str, Any]:
        document = self.get(self.group_id(group))
        if document is None:
            raise group_not_found(group)
        return document

    def of_type(self, resource_type: str) -> list[dict[str, Any]]:
        return [d for d in self.resources.values() if str(d.get("type", "")).lower() == resource_type.lower()]

    # -- long-running operations ------------------------------------------------------------------

    def start_operation(
        self,
        *,
        namespace: str,
        location: str,
        finish: Callable[[], None],
        result: Callable[[], Response] | None = None,
        style: str = "async",
    ) -> dict[str, str]:
        """Register an operation; returns the headers of the first response (ARM's async pattern)."""
        op_id = str(uuid.uuid4())
        self.operations[op_id] = Operation(op_id, self.switches.lro_polls, finish, result)
        base = f"{self.url}/subscriptions/{self.subscription_id}/providers/{namespace}/locations/{location}"
        query = "?api-version=2025-01-01"
        if style == "async":
            return {"Azure-AsyncOperation": f"{base}/operationStatuses/{op_id}{query}", "Retry-After": RETRY_AFTER}
        return {"Location": f"{base}/operationResults/{op_id}{query}", "Retry-After": RETRY_AFTER}

    def _advance(self, operation: Operation) -> None:
        if operation.done:
            return
        if operation.polls_left > 0:
            operation.polls_left -= 1
            return
        try:
            operation.finish()
        except ArmError as error:
            operation.error = error
        operation.done = True

    def _poll(self, request: Request, kind: str, op_id: str) -> Response:
        operation = self.operations.get(op_id)
        if operation is None:
            raise ArmError(404, "OperationNotFound", f"The operation '{op_id}' was not found.")
        self._advance(operation)
        if kind.lower() == "operationstatuses":
            status = "InProgress" if not operation.done else ("Failed" if operation.error else "Succeeded")
            body: dict[str, Any] = {"id": request.path, "name": op_id, "status": status}
            if operation.error:
                body["error"] = operation.error.envelope()["error"]
            return Response(200, body, {} if operation.done else {"Retry-After": RETRY_AFTER})
        if not operation.done:
            headers = {"Location": f"{self.url}{request.path}?api-version=2025-01-01", "Retry-After": RETRY_AFTER}
            return Response(202, None, headers)
        if operation.error:
            error = operation.error
            return Response(error.status, error.envelope())
        return operation.result() if operation.result else Response(200)

    # -- the request path -------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        body: Any = None
        try:
            body = request.json()
        except ValueError:
            body = request.body.decode(errors="replace")
        call = LoggedCall(request.method, request.path, request.query.get("api-version"), body)
        with self.lock:
            self.calls.append(call)
            try:
                response = self._dispatch(request)
            except ArmError as error:
                response = Response(error.status, error.envelope(), {**error.headers, "x-ms-failure-cause": "gateway"})
            except Exception as error:  # a bug in the fake must show as a 500, not a dropped connection
                crash = ArmError(500, "FakeInternalError", f"The fake ARM failed on this request: {error!r}")
                response = Response(500, crash.envelope())
                call.error = traceback.format_exc()
            call.status = response.status
            response.headers.setdefault("x-ms-request-id", str(uuid.uuid4()))
            return response

    def _dispatch(self, request: Request) -> Response:
        if self.tokens.audience_of(request.headers.get("authorization")) not in ARM_AUDIENCES:
            raise ArmError(
                401,
                "InvalidAuthenticationToken",
                "The access token is missing or invalid: it was not issued by this tenant for the management audience.",
                headers={
                    "WWW-Authenticate": (
                        f'Bearer authorization_uri="{self.tokens.url}/{self.tenant_id}", error="invalid_token"'
                    )
                },
            )
        poll = re.fullmatch(
            r"/subscriptions/[^/]+/providers/[^/]+/locations/[^/]+/(operationStatuses|operationResults)/([^/]+)",
            request.path,
            re.IGNORECASE,
        )
        if poll and request.method == "GET":
            return self._poll(request, poll.group(1), poll.group(2))
        matched_path = False
        for route in self.routes:
            match = route.pattern.fullmatch(request.path)
            if match is None:
                continue
            matched_path = True
            if route.method != request.method:
                continue
            subscription = match.groupdict().get("sub")
            if subscription is not None and subscription != self.subscription_id:
                raise ArmError(404, "SubscriptionNotFound", f"The subscription '{subscription}' could not be found.")
            self._check_api_version(request, route)
            if route.namespace.lower() in {n.lower() for n in self.unregistered}:
                raise ArmError(
                    409,
                    "MissingSubscriptionRegistration",
                    f"The subscription is not registered to use namespace '{route.namespace}'. "
                    "See https://aka.ms/rps-not-found for how to register subscriptions.",
                )
            self._maybe_fault(request)
            return route.handler(request, match)
        if matched_path:
            raise ArmError(
                405, "MethodNotAllowed", f"The HTTP method '{request.method}' is not supported at '{request.path}'."
            )
        raise ArmError(
            404, "InvalidResourceType", f"The resource type of '{request.path}' is not known to this fake ARM."
        )

    def _check_api_version(self, request: Request, route: Route) -> None:
        version = request.query.get("api-version")
        if not version:
            raise ArmError(
                400,
                "MissingApiVersionParameter",
                "The api-version query parameter (?api-version=) is required for all requests.",
            )
        if version not in route.api_versions:
            supported = "', '".join(sorted(route.api_versions, reverse=True))
            raise ArmError(
                400,
                "NoRegisteredProviderFound"
                if route.namespace != "Microsoft.Resources"
                else "InvalidApiVersionParameter",
                f"No registered resource provider found for API version '{version}' in namespace '{route.namespace}'. "
                f"The supported api-versions are '{supported}'.",
            )

    def _maybe_fault(self, request: Request) -> None:
        if not is_write(request.method, request.path):
            return
        for fault in self.switches.faults:
            if fault.fired or (fault.path_contains and fault.path_contains.lower() not in request.path.lower()):
                continue
            fault.seen += 1
            if fault.seen == fault.nth:
                fault.fired = True
                headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
                raise ArmError(fault.status, fault.code, fault.message, headers=headers)


def is_write(method: str, path: str) -> bool:
    """A call that changes something: what a fault counts (POSTs that only list or check are reads)."""
    return method in ("PUT", "PATCH", "DELETE") or (method == "POST" and not _READ_ONLY_POST.search(path))


def now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.0000000Z", time.gmtime())
