"""Where the site's logs go and how `faas logs` reads them: Log Analytics and Application Insights.

Azure Functions sends its host's and worker's logs to the Application Insights component named by
the APPLICATIONINSIGHTS_CONNECTION_STRING app setting; a workspace-based component stores them in
its Log Analytics workspace, as `AppTraces` rows whose `AppRoleName` is the site. `faas logs`
queries that table with `LogsQueryClient` (the workspace's customerId, the Log Analytics audience).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from azure.mgmt.applicationinsights import ApplicationInsightsManagementClient
from azure.mgmt.applicationinsights.v2020_02_02.models import ApplicationInsightsComponent
from azure.mgmt.loganalytics import LogAnalyticsManagementClient
from azure.mgmt.loganalytics.models import Workspace, WorkspaceProperties, WorkspaceSku

from faas import (
    Action,
    ApplyState,
    Change,
    Detail,
    LogEntry,
    LogRecord,
    NameRule,
    NotDeployedError,
    poll_logs,
    translated,
)
from faas.providers.azure.context import ERRORS, Deployment, get_or_none
from faas.providers.azure.session import PUBLIC_ARM

SETTING = "APPLICATIONINSIGHTS_CONNECTION_STRING"
# Shown in a plan (never the value) until the component exists and its connection string can be read.
PENDING = "(the component's connection string)"
RETENTION_DAYS = 30
WORKSPACE_NAME = NameRule("log analytics workspace", 63, "A-Za-z0-9-")
COMPONENT_NAME = NameRule("application insights component", 255, "A-Za-z0-9._()-")

PUBLIC_LOGS = "https://api.loganalytics.io"
# Each cloud's Log Analytics query endpoint, by its ARM endpoint; the endpoint is its own token audience.
LOGS_ENDPOINTS = {
    PUBLIC_ARM: PUBLIC_LOGS,
    "https://management.usgovcloudapi.net": "https://api.loganalytics.us",
    "https://management.chinacloudapi.cn": "https://api.loganalytics.azure.cn",
}
LOGS_VARIABLE = "FAAS_AZURE_LOGS_ENDPOINT"


def workspace_name(deployment: Deployment) -> str:
    return WORKSPACE_NAME.fit(f"{deployment.names.prefix}-logs")


def component_name(deployment: Deployment) -> str:
    return COMPONENT_NAME.fit(f"{deployment.names.prefix}-insights")


def workspace_id(deployment: Deployment) -> str:
    return deployment.resource_id("Microsoft.OperationalInsights", "workspaces", workspace_name(deployment))


def _workspaces(deployment: Deployment) -> Any:
    return deployment.client(LogAnalyticsManagementClient).workspaces


def _components(deployment: Deployment) -> Any:
    return deployment.client(ApplicationInsightsManagementClient).components


def read_workspace(deployment: Deployment) -> Any:
    return get_or_none(_workspaces(deployment).get, deployment.group, workspace_name(deployment))


def read_component(deployment: Deployment) -> Any:
    return get_or_none(_components(deployment).get, deployment.group, component_name(deployment))


def connection_string(deployment: Deployment) -> str:
    """The component's connection string for the site's settings; PENDING while it does not exist yet."""
    component = read_component(deployment)
    return str(component.connection_string) if component is not None and component.connection_string else PENDING


# -- deploy -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkspaceStep:
    def run(self, deployment: Deployment, state: ApplyState) -> None:
        body = Workspace(
            location=deployment.options.location,
            tags=deployment.tags(),
            properties=WorkspaceProperties(sku=WorkspaceSku(name="PerGB2018"), retention_in_days=RETENTION_DAYS),
        )
        _workspaces(deployment).begin_create_or_update(deployment.group, workspace_name(deployment), body).result()


@dataclass(frozen=True)
class ComponentStep:
    def run(self, deployment: Deployment, state: ApplyState) -> None:
        body = ApplicationInsightsComponent(
            location=deployment.options.location,
            kind="web",
            application_type="web",
            workspace_resource_id=workspace_id(deployment),
            ingestion_mode="LogAnalytics",
            tags=deployment.tags(),
        )
        _components(deployment).create_or_update(deployment.group, component_name(deployment), body)


def plan_monitoring(deployment: Deployment, group_exists: bool) -> list[Action]:
    """The workspace and the component still to create (or to re-tag, re-point), read-only."""
    actions: list[Action] = []
    workspace = read_workspace(deployment) if group_exists else None
    name = workspace_name(deployment)
    if workspace is None:
        details: tuple[Detail, ...] = (("retention", "", f"{RETENTION_DAYS} days"),)
        actions.append(Action(Change.CREATE, "log analytics workspace", name, details, payload=WorkspaceStep()))
    elif dict(workspace.tags or {}) != deployment.tags():
        retag: tuple[Detail, ...] = (("tags", "", "faas tags"),)
        actions.append(Action(Change.UPDATE, "log analytics workspace", name, retag, payload=WorkspaceStep()))
    component = read_component(deployment) if workspace is not None else None
    if component is None:
        details = (("workspace", "", name),)
        actions.append(
            Action(Change.CREATE, "application insights", component_name(deployment), details, payload=ComponentStep())
        )
        return actions
    changed: list[Detail] = []
    if str(component.workspace_resource_id or "").lower() != workspace_id(deployment).lower():
        changed.append(("workspace", str(component.workspace_resource_id or "").rsplit("/", 1)[-1], name))
    if dict(component.tags or {}) != deployment.tags():
        changed.append(("tags", "", "faas tags"))
    if changed:
        component_action = Action(
            Change.UPDATE, "application insights", component_name(deployment), tuple(changed), payload=ComponentStep()
        )
        actions.append(component_action)
    return actions


# -- undeploy ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeleteComponentStep:
    def run(self, deployment: Deployment, state: ApplyState) -> None:
        _components(deployment).delete(deployment.group, component_name(deployment))


@dataclass(frozen=True)
class DeleteWorkspaceStep:
    def run(self, deployment: Deployment, state: ApplyState) -> None:
        # force: no 14-day soft delete holding the name, so a later deploy of the stage starts clean
        _workspaces(deployment).begin_delete(deployment.group, workspace_name(deployment), force=True).result()


def plan_delete(deployment: Deployment) -> list[Action]:
    """Delete the component, then its workspace, when the tags say faas created them."""
    actions: list[Action] = []
    component = read_component(deployment)
    if component is not None and deployment.names.owns(component.tags):
        actions.append(
            Action(Change.DELETE, "application insights", component_name(deployment), payload=DeleteComponentStep())
        )
    workspace = read_workspace(deployment)
    if workspace is not None and deployment.names.owns(workspace.tags):
        actions.append(
            Action(Change.DELETE, "log analytics workspace", workspace_name(deployment), payload=DeleteWorkspaceStep())
        )
    return actions


# -- faas logs --------------------------------------------------------------------------------------


def logs_endpoint(deployment: Deployment) -> tuple[str, str]:
    """The query endpoint and its token audience: the option, $FAAS_AZURE_LOGS_ENDPOINT, else the ARM cloud's."""
    cloud = LOGS_ENDPOINTS.get(deployment.session.arm_endpoint, PUBLIC_LOGS)
    endpoint = (deployment.options.logs_endpoint or os.environ.get(LOGS_VARIABLE) or cloud).rstrip("/")
    audience = endpoint if endpoint in LOGS_ENDPOINTS.values() else cloud
    return endpoint, audience


def kql_string(text: str) -> str:
    """A KQL verbatim string literal: nothing is an escape, a quote is doubled."""
    return '@"' + text.replace('"', '""') + '"'


def query(site: str, start: datetime | None, pattern: str | None) -> str:
    lines = ["AppTraces", f"| where AppRoleName == {kql_string(site)}"]
    if start is not None:
        stamp = start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        lines.append(f"| where TimeGenerated >= datetime({stamp})")
    if pattern:
        lines.append(f"| where Message contains {kql_string(pattern)}")
    lines.append("| order by TimeGenerated asc")
    lines.append("| project TimeGenerated, Message, SeverityLevel, AppRoleName, OperationId, _ItemId")
    return "\n".join(lines)


def logs(deployment: Deployment, since: datetime | None, follow: bool, pattern: str | None) -> Iterator[LogRecord]:
    from azure.monitor.query import LogsQueryClient, LogsQueryStatus

    with translated(deployment, "logs", ERRORS):
        workspace = read_workspace(deployment)  # None too where the group is gone
    customer = getattr(getattr(workspace, "properties", None), "customer_id", None)
    if not customer:
        raise NotDeployedError(f"{deployment.names.prefix} has no Log Analytics workspace on Azure (not deployed?)")
    endpoint, audience = logs_endpoint(deployment)
    session = deployment.session
    client = LogsQueryClient(
        session.credential, endpoint=endpoint, audience=audience, connection_verify=session.connection_verify
    )
    site = deployment.site

    def fetch(start: datetime | None) -> list[LogEntry]:
        # TimeGenerated >= start is inclusive; poll_logs drops the rows it already yielded (by _ItemId).
        with translated(deployment, "logs", ERRORS):
            result = client.query_workspace(customer, query(site, start, pattern), timespan=None)
        if result.status != LogsQueryStatus.SUCCESS:
            error = getattr(result, "partial_error", None)
            deployment.say(f"Log Analytics answered part of the query: {getattr(error, 'message', error)}")
        tables = result.tables if result.status == LogsQueryStatus.SUCCESS else result.partial_data
        return [_entry(site, dict(zip(table.columns, row, strict=True))) for table in tables for row in table.rows]

    return poll_logs(fetch, since=since, follow=follow, redact=deployment.redact)


def _entry(site: str, row: dict[str, Any]) -> LogEntry:
    stamp = row["TimeGenerated"]
    if isinstance(stamp, str):
        stamp = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return LogEntry(
        id=str(row.get("_ItemId") or f"{stamp.isoformat()}|{row.get('Message')}"),
        timestamp=stamp,
        message=str(row.get("Message") or "").rstrip("\n"),
        source=str(row.get("AppRoleName") or site),
        request_id=str(row.get("OperationId") or "") or None,
    )
