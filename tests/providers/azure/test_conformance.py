"""The provider conformance suite against the local Azure (tests/fakes/azure), the deployed code really running.

Each test gets its own fake (the `azure_env` fixture): ARM, Kudu and Azurite on loopback, the site's
front end serving the published package over HTTPS with the fake's CA.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from azure.mgmt.web import WebSiteManagementClient

from faas.core.model import NCRONTAB, parse_schedule
from faas.core.plugins import Provider
from faas.core.results import DeployResult
from faas.core.testing.conformance import ProviderConformance
from faas.providers.azure import operate
from faas.providers.azure.provider import AzureProvider
from faas.providers.azure.undeploy import timer_schedule
from tests.fakes.azure.fake import AzureFake


class TestAzureConformance(ProviderConformance):
    provider_name = "azure"
    fake: AzureFake

    @pytest.fixture
    def cloud(self, azure_env: AzureFake) -> Iterator[None]:
        self.fake = azure_env
        yield

    def web(self) -> Any:
        return self.fake.client(WebSiteManagementClient)

    def fetch(self, provider: Provider, result: DeployResult, path: str) -> tuple[int, bytes]:
        assert result.url is not None and result.url.startswith("https://")
        response = requests.get(result.url.rstrip("/") + path, verify=self.fake.ca_bundle, timeout=60)
        return response.status_code, response.content

    def inject_fault(self, provider: Provider, n: int) -> Callable[[], int]:
        # ARM's answer to a write while another operation holds the resource: not retried by azure-core
        start = len(self.fake.write_calls())
        if n:
            self.fake.fail_nth_call(n, status=409, code="Conflict", message="Another operation is in progress.")
        return lambda: len(self.fake.write_calls()) - start

    def fire_schedule(self, provider: Provider, function: str) -> None:
        assert isinstance(provider, AzureProvider)
        assert provider.fire_schedules(function)

    def verify_schedule(self, provider: Provider, function: str, schedule: str) -> None:
        assert isinstance(provider, AzureProvider)
        deployment = provider.deployment
        indexed = {
            str(f.name).rsplit("/", 1)[-1]: timer_schedule(f)
            for f in self.web().web_apps.list_functions(deployment.group, deployment.site)
        }
        expected = NCRONTAB.translate(parse_schedule(schedule)).expression
        assert schedule == "cron(15 10 * * MON-FRI)" and expected == "0 15 10 * * 1-5"
        names = operate.timer_names(deployment, function)
        assert names and {name: indexed.get(name) for name in names} == dict.fromkeys(names, expected)

    def verify_deployed(self, provider: Provider, result: DeployResult) -> None:
        assert isinstance(provider, AzureProvider)
        deployment = provider.deployment
        web = self.web()
        site = web.web_apps.get(deployment.group, deployment.site)
        assert site.kind == "functionapp,linux"
        assert deployment.names.owns(site.tags)
        assert result.url == f"https://{site.default_host_name}/"
        settings = web.web_apps.list_application_settings(deployment.group, deployment.site).properties
        assert result.version and settings["FAAS_RELEASE"].startswith(result.version)
        found = {str(f.name).rsplit("/", 1)[-1] for f in web.web_apps.list_functions(deployment.group, deployment.site)}
        assert {"faas_http", "faas_invoke"} <= found
