"""Microsoft.OperationalInsights workspaces, Microsoft.Insights components and the Log Analytics query API.

ARM: a workspace PUT is long-running (Azure-AsyncOperation), its DELETE too (Location; `force=true`
skips the 14-day soft delete); a component PUT answers at once with its connection string and
requires `WorkspaceResourceId` to name an existing workspace (classic components are retired).

The query API (`POST /v1/workspaces/{customerId}/query`, the Log Analytics audience) serves each
site's log lines as `AppTraces` rows, but only lines a worker wrote while the site's
APPLICATIONINSIGHTS_CONNECTION_STRING named a component of that workspace: no setting, no
telemetry. It evaluates the small KQL subset faas and a person at a prompt use: one table, `where`
with ==, !=, >=, >, <=, <, contains, has on a column, `order by`, `project`, `take`.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from azure.mgmt.applicationinsights.v2020_02_02 import models as insights_models
from azure.mgmt.loganalytics import models as workspace_models

from .arm import Arm, now_iso
from .errors import ArmError, not_found
from .httpserver import App, Request, Response
from .sites import LogLine, SiteHost
from .tokens import TokenIssuer
from .validation import validate_body

WORKSPACE_VERSIONS = {"2025-07-01", "2025-02-01", "2023-09-01", "2022-10-01", "2021-12-01-preview", "2020-08-01"}
COMPONENT_VERSIONS = {"2020-02-02", "2020-02-02-preview", "2018-05-01-preview", "2015-05-01"}
WORKSPACE_NS, COMPONENT_NS = "Microsoft.OperationalInsights", "Microsoft.Insights"
WORKSPACE = (
    r"/subscriptions/(?P<sub>[^/]+)/resourcegroups/(?P<rg>[^/]+)/providers/"
    r"Microsoft\.OperationalInsights/workspaces/(?P<name>[^/]+)"
)
COMPONENT = (
    r"/subscriptions/(?P<sub>[^/]+)/resourcegroups/(?P<rg>[^/]+)/providers/"
    r"Microsoft\.Insights/components/(?P<name>[^/]+)"
)
_WORKSPACE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{2,61}[A-Za-z0-9]$")
LOGS_AUDIENCES = ("https://api.loganalytics.io", "https://api.loganalytics.azure.com")
SETTING = "APPLICATIONINSIGHTS_CONNECTION_STRING"
COLUMNS = (
    ("TimeGenerated", "datetime"),
    ("Message", "string"),
    ("SeverityLevel", "int"),
    ("AppRoleName", "string"),
    ("OperationId", "string"),
    ("_ItemId", "string"),
)


class MonitorProvider:
    def __init__(self, arm: Arm) -> None:
        self.arm = arm

    def register(self) -> None:
        arm = self.arm
        for method, handler in (("PUT", self.put_workspace), ("GET", self.get_workspace), ("DELETE", self.delete_ws)):
            arm.route(method, WORKSPACE, WORKSPACE_VERSIONS, handler, namespace=WORKSPACE_NS)
        for method, handler in (("PUT", self.put_component), ("GET", self.get_component), ("DELETE", self.delete_c)):
            arm.route(method, COMPONENT, COMPONENT_VERSIONS, handler, namespace=COMPONENT_NS)

    # -- workspaces -------------------------------------------------------------------------------

    def workspace_id(self, group: str, name: str) -> str:
        return f"{self.arm.group_id(group)}/providers/Microsoft.OperationalInsights/workspaces/{name}"

    def put_workspace(self, request: Request, match: re.Match[str]) -> Response:
        group, name = match["rg"], match["name"]
        self.arm.require_group(group)
        body = request.json()
        validate_body(workspace_models.Workspace, body, what="Log Analytics workspace")
        if not _WORKSPACE_NAME.match(name):
            raise ArmError(
                400,
                "InvalidWorkspaceName",
                f"The workspace name '{name}' is invalid: 4-63 letters, digits and hyphens, "
                "starting and ending with a letter or digit.",
            )
        props = body.get("properties") or {}
        existing = self.arm.get(self.workspace_id(group, name))
        if existing is not None:
            existing["tags"] = body.get("tags") or {}
            for key in ("sku", "retentionInDays"):
                if key in props:
                    existing["properties"][key] = props[key]
            existing["properties"]["modifiedDate"] = now_iso()
            return Response(200, existing)
        document: dict[str, Any] = {
            "id": self.workspace_id(group, name),
            "name": name,
            "type": "Microsoft.OperationalInsights/workspaces",
            "location": body["location"],
            "tags": body.get("tags") or {},
            "properties": {
                "provisioningState": "Creating",
                "customerId": str(uuid.uuid4()),
                "sku": props.get("sku") or {"name": "PerGB2018"},
                "retentionInDays": props.get("retentionInDays", 30),
                "createdDate": now_iso(),
                "modifiedDate": now_iso(),
                "publicNetworkAccessForIngestion": "Enabled",
                "publicNetworkAccessForQuery": "Enabled",
                "features": {"enableLogAccessUsingOnlyResourcePermissions": True},
            },
        }
        self.arm.put(document["id"], document)

        def finish() -> None:
            document["properties"]["provisioningState"] = "Succeeded"

        headers = self.arm.start_operation(
            namespace=WORKSPACE_NS,
            location=body["location"],
            finish=finish,
            result=lambda: Response(200, document),
        )
        return Response(201, document, headers)

    def get_workspace(self, request: Request, match: re.Match[str]) -> Response:
        self.arm.require_group(match["rg"])
        document = self.arm.get(self.workspace_id(match["rg"], match["name"]))
        if document is None:
            raise not_found("Microsoft.OperationalInsights/workspaces", match["name"], match["rg"])
        return Response(200, document)

    def delete_ws(self, request: Request, match: re.Match[str]) -> Response:
        self.arm.require_group(match["rg"])
        workspace_id = self.workspace_id(match["rg"], match["name"])
        document = self.arm.get(workspace_id)
        if document is None:
            return Response(204)
        document["properties"]["provisioningState"] = "Deleting"
        # without force the name stays reserved 14 days (soft delete); faas always forces, so the fake
        # only needs the resource gone either way
        headers = self.arm.start_operation(
            namespace=WORKSPACE_NS,
            location=document["location"],
            finish=lambda: self.arm.delete(workspace_id),
            style="location",
        )
        return Response(202, None, headers)

    def workspace_by_customer_id(self, customer_id: str) -> dict[str, Any] | None:
        for document in self.arm.of_type("Microsoft.OperationalInsights/workspaces"):
            if document["properties"]["customerId"].lower() == customer_id.lower():
                return document
        return None

    # -- components -------------------------------------------------------------------------------

    def component_id(self, group: str, name: str) -> str:
        return f"{self.arm.group_id(group)}/providers/Microsoft.Insights/components/{name}"

    def put_component(self, request: Request, match: re.Match[str]) -> Response:
        group, name = match["rg"], match["name"]
        self.arm.require_group(group)
        body = request.json()
        validate_body(insights_models.ApplicationInsightsComponent, body, what="Application Insights component")
        props = body.get("properties") or {}
        workspace = str(props.get("WorkspaceResourceId") or "")
        if not workspace:
            raise ArmError(
                400,
                "BadRequest",
                "Classic Application Insights resources are retired: set properties.WorkspaceResourceId "
                "to a Log Analytics workspace.",
            )
        if self.arm.get(workspace) is None:
            raise ArmError(400, "BadRequest", f"The workspace '{workspace}' does not exist or is not accessible.")
        if props.get("Application_Type") is None:
            raise ArmError(400, "BadRequest", "properties.Application_Type is required.")
        existing = self.arm.get(self.component_id(group, name))
        if existing is not None:
            existing["tags"] = body.get("tags") or {}
            existing["properties"]["WorkspaceResourceId"] = workspace
            return Response(200, existing)
        key, app = str(uuid.uuid4()), str(uuid.uuid4())
        location = body["location"]
        document: dict[str, Any] = {
            "id": self.component_id(group, name),
            "name": name,
            "type": "microsoft.insights/components",
            "location": location,
            "kind": body["kind"],
            "tags": body.get("tags") or {},
            "properties": {
                "ApplicationId": name,
                "AppId": app,
                "Application_Type": props["Application_Type"],
                "Flow_Type": props.get("Flow_Type", "Bluefield"),
                "Request_Source": props.get("Request_Source", "rest"),
                "InstrumentationKey": key,
                "ConnectionString": (
                    f"InstrumentationKey={key};IngestionEndpoint=https://{location}-8.in.applicationinsights.azure.com/;"
                    f"LiveEndpoint=https://{location}.livediagnostics.monitor.azure.com/;ApplicationId={app}"
                ),
                "CreationDate": now_iso(),
                "TenantId": self.arm.subscription_id,
                "provisioningState": "Succeeded",
                "WorkspaceResourceId": workspace,
                "IngestionMode": "LogAnalytics",
                "publicNetworkAccessForIngestion": "Enabled",
                "publicNetworkAccessForQuery": "Enabled",
            },
        }
        self.arm.put(document["id"], document)
        return Response(200, document)

    def get_component(self, request: Request, match: re.Match[str]) -> Response:
        self.arm.require_group(match["rg"])
        document = self.arm.get(self.component_id(match["rg"], match["name"]))
        if document is None:
            raise not_found("microsoft.insights/components", match["name"], match["rg"])
        return Response(200, document)

    def delete_c(self, request: Request, match: re.Match[str]) -> Response:
        self.arm.require_group(match["rg"])
        component_id = self.component_id(match["rg"], match["name"])
        if self.arm.get(component_id) is None:
            return Response(204)
        self.arm.delete(component_id)
        return Response(200)

    def keys_of(self, workspace: dict[str, Any]) -> set[str]:
        """Instrumentation keys of the components that send to `workspace`."""
        return {
            str(c["properties"]["InstrumentationKey"])
            for c in self.arm.of_type("microsoft.insights/components")
            if str(c["properties"].get("WorkspaceResourceId", "")).lower() == workspace["id"].lower()
        }


def instrumentation_key(connection_string: str | None) -> str | None:
    for part in (connection_string or "").split(";"):
        name, _, value = part.partition("=")
        if name.strip().lower() == "instrumentationkey":
            return value.strip()
    return None


# -- the query API --------------------------------------------------------------------------------


class QueryError(Exception):
    def __init__(self, status: int, code: str, message: str, inner: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.inner = status, code, message, inner

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"message": self.message, "code": self.code, "correlationId": str(uuid.uuid4())}
        if self.inner:
            error["innererror"] = self.inner
        return {"error": error}


class LogAnalytics(App):
    """`POST /v1/workspaces/{id}/query` as api.loganalytics.io answers it."""

    def __init__(
        self, *, tokens: TokenIssuer, monitor: MonitorProvider, hosts: Callable[[], Iterator[SiteHost]]
    ) -> None:
        self.tokens = tokens
        self.monitor = monitor
        self.hosts = hosts
        self.url = ""
        self.queries: list[str] = []

    def handle(self, request: Request) -> Response:
        try:
            return self._handle(request)
        except QueryError as error:
            return Response(error.status, error.body())

    def _handle(self, request: Request) -> Response:
        if self.tokens.audience_of(request.headers.get("authorization")) not in LOGS_AUDIENCES:
            raise QueryError(
                401, "InvalidTokenError", "The provided authentication is not valid for this resource (audience)."
            )
        found = re.fullmatch(r"/v1/workspaces/([^/]+)/query", request.path)
        if found is None or request.method != "POST":
            raise QueryError(404, "PathNotFoundError", f"The requested path does not exist: {request.path}")
        workspace = self.monitor.workspace_by_customer_id(found.group(1))
        if workspace is None:
            raise QueryError(404, "WorkspaceNotFoundError", "The workspace could not be found")
        body = request.json() or {}
        query = body.get("query")
        if not isinstance(query, str) or not query.strip():
            raise QueryError(400, "BadArgumentError", "The request had some invalid properties: query is required.")
        self.queries.append(query)
        rows = self._rows(workspace)
        rows = [row for row in rows if _in_timespan(row, body.get("timespan"))]
        columns, rows = evaluate(query, rows)
        return Response(
            200,
            {
                "tables": [
                    {
                        "name": "PrimaryResult",
                        "columns": [{"name": name, "type": kind} for name, kind in columns],
                        "rows": [[_render(row[name]) for name, _ in columns] for row in rows],
                    }
                ]
            },
        )

    def _rows(self, workspace: dict[str, Any]) -> list[dict[str, Any]]:
        keys = self.monitor.keys_of(workspace)
        rows: list[dict[str, Any]] = []
        for host in self.hosts():
            for index, line in enumerate(list(host.logs)):
                if instrumentation_key(line.telemetry) not in keys:
                    continue  # written while no connection string (or another's) was set: never ingested
                rows.append(_trace(host, index, line))
        return rows


def _trace(host: SiteHost, index: int, line: LogLine) -> dict[str, Any]:
    run = re.search(r"\bId=([0-9a-f-]{36})", line.text)
    failed = line.text.startswith("Executed ") and "(Failed," in line.text
    return {
        "TimeGenerated": datetime.fromtimestamp(line.time, UTC),
        "Message": line.text,
        "SeverityLevel": 3 if failed else 1,
        "AppRoleName": host.site["name"],
        "OperationId": run.group(1) if run else "",
        "_ItemId": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{host.site['id']}|{host.port}|{index}")),
    }


def _render(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value


def _parse_time(text: str) -> datetime:
    text = text.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as error:
        raise QueryError(400, "BadArgumentError", f"Invalid datetime: {text}") from error
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _duration(text: str) -> timedelta:
    found = re.fullmatch(r"P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?", text.strip())
    if found is None:
        raise QueryError(400, "BadArgumentError", f"Invalid timespan: {text}")
    days, hours, minutes, seconds = (float(g) if g else 0.0 for g in found.groups())
    return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)


def _in_timespan(row: dict[str, Any], timespan: Any) -> bool:
    if not timespan:
        return True
    now = datetime.now(UTC)
    text = str(timespan)
    if "/" not in text:
        return bool(row["TimeGenerated"] >= now - _duration(text))
    first, second = text.split("/", 1)
    start = _parse_time(first) if not first.startswith("P") else None
    end = None if second.startswith("P") else _parse_time(second)
    if start is None:
        start = (end or now) - _duration(first)
    if end is None:
        end = start + _duration(second)
    return bool(start <= row["TimeGenerated"] <= end)


# -- a KQL subset -----------------------------------------------------------------------------------

_STRING = r'@"(?:[^"]|"")*"|"(?:[^"\\]|\\.)*"'
_CLAUSE = re.compile(
    r"\s*\|\s*(?:"
    rf"where\s+(?P<column>\w+)\s*(?P<op>==|!=|>=|<=|>|<|contains|has)\s*(?P<value>{_STRING}|datetime\([^)]*\)|-?\d+)"
    r"|order\s+by\s+(?P<order>\w+)(?:\s+(?P<direction>asc|desc))?"
    r"|project\s+(?P<project>\w+(?:\s*,\s*\w+)*)"
    r"|take\s+(?P<take>\d+)"
    r")\s*",
    re.IGNORECASE,
)


def _literal(text: str) -> Any:
    if text.startswith("@"):
        return text[2:-1].replace('""', '"')
    if text.startswith('"'):
        return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), text[1:-1])
    if text.lower().startswith("datetime("):
        return _parse_time(text[len("datetime(") : -1])
    return int(text)


def _compare(value: Any, op: str, wanted: Any) -> bool:
    op = op.lower()
    if op == "contains":
        return str(wanted).lower() in str(value).lower()
    if op == "has":
        return re.search(rf"(?<!\w){re.escape(str(wanted))}(?!\w)", str(value), re.IGNORECASE) is not None
    if op in ("==", "!="):
        return (value == wanted) == (op == "==")
    if type(value) is not type(wanted) and not (isinstance(value, int) and isinstance(wanted, int)):
        return False
    return bool({">=": value >= wanted, ">": value > wanted, "<=": value <= wanted, "<": value < wanted}[op])


def evaluate(query: str, rows: list[dict[str, Any]]) -> tuple[list[tuple[str, str]], list[dict[str, Any]]]:
    """Run `query` over AppTraces `rows`: the columns and rows of the primary result."""
    head = re.match(r"\s*(\w+)", query)
    if head is None:
        raise QueryError(400, "BadArgumentError", "The request had some invalid properties", _syntax(query))
    if head.group(1) != "AppTraces":
        raise QueryError(
            400,
            "BadArgumentError",
            "The request had some invalid properties",
            {"code": "SemanticError", "message": f"'{head.group(1)}' could not be resolved"},
        )
    columns = list(COLUMNS)
    known = {name for name, _ in COLUMNS}
    position = head.end()
    while position < len(query.rstrip()):
        clause = _CLAUSE.match(query, position)
        if clause is None:
            raise QueryError(400, "BadArgumentError", "The request had some invalid properties", _syntax(query))
        position = clause.end()
        named = clause.group("column") or clause.group("order")
        for name in [named] if named else [n.strip() for n in (clause.group("project") or "").split(",") if n]:
            if name not in known:
                raise QueryError(
                    400,
                    "BadArgumentError",
                    "The request had some invalid properties",
                    {"code": "SemanticError", "message": f"Failed to resolve scalar expression named '{name}'"},
                )
        if clause.group("column"):
            wanted = _literal(clause.group("value"))
            rows = [row for row in rows if _compare(row[clause.group("column")], clause.group("op"), wanted)]
        elif clause.group("order"):
            descending = (clause.group("direction") or "desc").lower() == "desc"  # KQL sorts descending by default
            rows = sorted(rows, key=lambda row: row[clause.group("order")], reverse=descending)
        elif clause.group("project"):
            kinds = dict(COLUMNS)
            columns = [(n.strip(), kinds[n.strip()]) for n in clause.group("project").split(",")]
            known = {name for name, _ in columns}
        else:
            rows = rows[: int(clause.group("take"))]
    return columns, rows


def _syntax(query: str) -> dict[str, Any]:
    return {"code": "SyntaxError", "message": f"A recognition error occurred in the query: {query[:80]!r}"}
