"""The provider conformance suite against the fake GCP control plane, with the deployed code really running."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from faas import CLOUD_SCHEDULER, parse_schedule
from faas.core.model import NativeSchedule
from faas.core.plugins import Provider
from faas.core.results import DeployResult
from faas.core.testing.conformance import ProviderConformance
from faas.providers.gcp.provider import GcpProvider
from tests.fakes.gcp.clients import scheduler
from tests.fakes.gcp.fake import GcpFake

# The signed upload URL is no API call (no fault switch reaches it): only API writes are counted.
NOT_API = ("storage-upload",)


class TestGcpConformance(ProviderConformance):
    provider_name = "gcp"
    fake: GcpFake

    @pytest.fixture
    def cloud(self, gcp_env: GcpFake) -> Iterator[None]:
        self.fake = gcp_env
        yield

    def options(self) -> dict[str, Any]:
        return {"region": self.fake.region}

    def fetch(self, provider: Provider, result: DeployResult, path: str) -> tuple[int, bytes]:
        assert result.url is not None
        answer = requests.get(result.url.rstrip("/") + path, timeout=60)
        return answer.status_code, answer.content

    def api_writes(self) -> int:
        return len([r for r in self.fake.writes() if r.api not in NOT_API])

    def inject_fault(self, provider: Provider, n: int) -> Callable[[], int]:
        before = self.api_writes()
        if n:
            # INTERNAL: an error no client retries by itself, so the deploy really stops at that call.
            self.fake.faults.fail("INTERNAL", f"injected failure of API write {n}", nth=n)
        return lambda: self.api_writes() - before

    def fire_schedule(self, provider: Provider, function: str) -> None:
        assert isinstance(provider, GcpProvider)
        deployment = provider.deployment
        name = f"{deployment.location}/jobs/{deployment.names.job(function, 0)}"
        already = len(self.fake.scheduler.attempts)
        scheduler(self.fake).run_job(name=name)
        attempts = self.fake.scheduler.wait_for_attempts(already + 1, timeout=60)
        assert attempts[already].status == 200, attempts[already]

    def verify_schedule(self, provider: Provider, function: str, schedule: str) -> None:
        assert isinstance(provider, GcpProvider)
        deployment = provider.deployment
        job = scheduler(self.fake).get_job(name=f"{deployment.location}/jobs/{deployment.names.job(function, 0)}")
        assert job.time_zone == "Etc/UTC"
        assert CLOUD_SCHEDULER.parse(NativeSchedule(job.schedule, job.time_zone)) == parse_schedule(schedule)
        uri = self.fake.functions.functions[deployment.function_name(function)]["serviceConfig"]["uri"]
        assert job.http_target.uri == uri
        assert job.http_target.oidc_token.audience == uri
        assert job.http_target.oidc_token.service_account_email == deployment.runtime_email

    def verify_deployed(self, provider: Provider, result: DeployResult) -> None:
        assert isinstance(provider, GcpProvider)
        deployment = provider.deployment
        app = self.fake.functions.functions[deployment.function_name("")]
        assert app["serviceConfig"]["uri"] == result.url
        assert app["labels"]["faas-stage"] == provider.project.stage
        assert app["serviceConfig"]["serviceAccountEmail"] == deployment.runtime_email
        tick = self.fake.functions.functions[deployment.function_name("tick")]
        assert tick["serviceConfig"]["environmentVariables"]["FAAS_FUNCTION"] == "tick"
        assert deployment.runtime_email in self.fake.iam.accounts
