"""Log Analytics workspaces, Application Insights components and the query API (azure-monitor-query)."""

from __future__ import annotations

import time
from types import SimpleNamespace
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError
from azure.core.rest import HttpRequest
from azure.mgmt.applicationinsights import ApplicationInsightsManagementClient
from azure.mgmt.applicationinsights.v2020_02_02.models import ApplicationInsightsComponent
from azure.mgmt.loganalytics import LogAnalyticsManagementClient
from azure.mgmt.loganalytics.models import Workspace, WorkspaceProperties, WorkspaceSku
from azure.mgmt.resource.resources import ResourceManagementClient
from azure.mgmt.resource.resources.models import ResourceGroup
from azure.monitor.query import LogsQueryClient

from .fake import AzureFake
from .sites import LogLine


def _workspace(fake: AzureFake) -> Any:
    fake.client(ResourceManagementClient).resource_groups.create_or_update("rg-logs", ResourceGroup(location="eastus"))
    body = Workspace(location="eastus", properties=WorkspaceProperties(sku=WorkspaceSku(name="PerGB2018")))
    return fake.client(LogAnalyticsManagementClient).workspaces.begin_create_or_update("rg-logs", "ws-1", body).result()


def _component(fake: AzureFake, workspace_id: str | None) -> Any:
    body = ApplicationInsightsComponent(
        location="eastus", kind="web", application_type="web", workspace_resource_id=workspace_id
    )
    return fake.client(ApplicationInsightsManagementClient).components.create_or_update("rg-logs", "ai-1", body)


def _query_client(fake: AzureFake, audience: str = "https://api.loganalytics.io") -> LogsQueryClient:
    return LogsQueryClient(
        fake.credential(), endpoint=fake.log_analytics.url, audience=audience, connection_verify=fake.ca_bundle
    )


def test_a_workspace_is_created_by_a_long_running_operation(azure_fake: AzureFake) -> None:
    workspace = _workspace(azure_fake)
    assert workspace.properties.provisioning_state == "Succeeded" and workspace.properties.customer_id
    assert any("operationStatuses" in c.path for c in azure_fake.calls)
    azure_fake.client(LogAnalyticsManagementClient).workspaces.begin_delete("rg-logs", "ws-1", force=True).result()
    assert azure_fake.arm.of_type("Microsoft.OperationalInsights/workspaces") == []


def test_a_component_needs_an_existing_workspace_and_sets_no_read_only_field(azure_fake: AzureFake) -> None:
    workspace = _workspace(azure_fake)
    with pytest.raises(HttpResponseError, match="WorkspaceResourceId"):
        _component(azure_fake, None)
    with pytest.raises(HttpResponseError, match="does not exist"):
        _component(azure_fake, workspace.id.replace("ws-1", "ws-2"))
    component = _component(azure_fake, workspace.id)
    assert component.connection_string.startswith(f"InstrumentationKey={component.instrumentation_key};")
    client = azure_fake.client(ApplicationInsightsManagementClient)
    path = component.id
    body = {"location": "eastus", "kind": "web", "properties": {"Application_Type": "web", "ConnectionString": "x"}}
    request = HttpRequest("PUT", f"{azure_fake.arm_endpoint}{path}?api-version=2020-02-02", json=body)
    response = client._client.send_request(request)
    assert response.status_code == 400
    assert "properties.ConnectionString' is read-only" in response.json()["error"]["message"]


def test_the_query_api_serves_only_lines_written_with_the_connection_string(azure_fake: AzureFake) -> None:
    workspace = _workspace(azure_fake)
    component = _component(azure_fake, workspace.id)
    now = time.time()
    host = SimpleNamespace(
        site={"id": "/x/sites/app-1", "name": "app-1"},
        port=1,
        logs=[
            LogLine(now, "before the setting", 1, None),
            LogLine(now + 0.001, "sent to insights", 1, component.connection_string),
        ],
    )
    azure_fake.log_analytics.hosts = lambda: iter([host])  # type: ignore[assignment,return-value]
    result = _query_client(azure_fake).query_workspace(
        workspace.properties.customer_id,
        'AppTraces | where AppRoleName == @"app-1" | order by TimeGenerated asc | project Message, AppRoleName',
        timespan=None,
    )
    rows = [list(row) for table in result.tables for row in table.rows]
    assert rows == [["sent to insights", "app-1"]]


def test_the_query_api_answers_as_documented_for_errors(azure_fake: AzureFake) -> None:
    workspace = _workspace(azure_fake)
    with pytest.raises(HttpResponseError) as unknown:
        _query_client(azure_fake).query_workspace("00000000-0000-0000-0000-000000000000", "AppTraces", timespan=None)
    assert unknown.value.status_code == 404 and "WorkspaceNotFoundError" in str(unknown.value)
    with pytest.raises(HttpResponseError) as wrong_audience:
        _query_client(azure_fake, audience="https://management.azure.com").query_workspace(
            workspace.properties.customer_id, "AppTraces", timespan=None
        )
    assert wrong_audience.value.status_code == 401
    with pytest.raises(HttpResponseError) as unknown_table:
        _query_client(azure_fake).query_workspace(workspace.properties.customer_id, "Traces", timespan=None)
    assert unknown_table.value.status_code == 400 and "could not be resolved" in str(unknown_table.value)
