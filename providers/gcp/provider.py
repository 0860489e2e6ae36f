"""Google Cloud Functions (2nd gen). google-cloud-* is imported only inside the modules that call Google."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from faas import (
    CLOUD_SCHEDULER,
    Capability,
    FunctionLimits,
    PackageTarget,
    Provider,
    SizeLimits,
    check_limits,
    entry_source,
)
from faas.providers.gcp.naming import Names, TriggerNames
from faas.providers.gcp.options import GcpOptions

if TYPE_CHECKING:
    from faas import (
        Artifact,
        CertifyResult,
        DeployResult,
        Diagnosis,
        InvokeResult,
        LogRecord,
        Plan,
        RollbackResult,
        Status,
    )
    from faas.providers.gcp.context import Deployment

MB = 1024 * 1024
# Cloud Functions (2nd gen) quotas: HTTP functions run up to 60 minutes, event-driven ones 9.
HTTP_LIMITS = FunctionLimits("Cloud Functions (HTTP)", memory_range=(128, 32768), max_timeout=3600)
EVENT_LIMITS = FunctionLimits("Cloud Functions (event-driven)", memory_range=(128, 32768), max_timeout=540)
# Not the buildpack's default `main.py`: that name is the user's (a FastAPI app lives in main.py).
ENTRY_MODULE = "faas_entry"
# Build environment of every function (`buildConfig.environmentVariables`): the Python buildpack
# reads the source file from GOOGLE_FUNCTION_SOURCE and hands it to functions-framework as
# FUNCTION_SOURCE; without it the build looks for main.py.
BUILD_ENVIRONMENT = {"GOOGLE_FUNCTION_SOURCE": f"{ENTRY_MODULE}.py"}


class GcpProvider(Provider[GcpOptions]):
    name = "gcp"
    description = "Google Cloud Functions (2nd gen); builds dependencies remotely from requirements.txt"
    capabilities = frozenset(
        {
            Capability.PACKAGE,
            Capability.DEPLOY,
            Capability.HTTP,
            Capability.UNDEPLOY,
            Capability.STATUS,
            Capability.LOGS,
            Capability.ROLLBACK,
            Capability.INVOKE,
            Capability.MANAGE,
            Capability.SCHEDULE,
            Capability.STATIC_STORAGE,
            Capability.STORAGE_TRIGGER,
            Capability.QUEUE_TRIGGER,
            Capability.TOPIC_TRIGGER,
            Capability.SECRETS,
            Capability.INSTANCES,
            Capability.CUSTOM_DOMAIN,
        }
    )
    requires = ("google.cloud.functions_v2",)
    extra = "gcp"

    _deployment: Deployment | None = None

    @property
    def deployment(self) -> Deployment:
        """The project and stage on Google Cloud (reads Application Default Credentials on first use)."""
        if self._deployment is None:
            from faas.providers.gcp.context import open_deployment

            self._deployment = open_deployment(self.project, self.options, self.reporter)
        return self._deployment

    def package_target(self) -> PackageTarget:
        # Cloud Functions installs requirements.txt itself, for its own platform: ship pins, not wheels.
        return PackageTarget(
            provider=self.name,
            python=self.project.config.python,
            entry_module=ENTRY_MODULE,
            entry_source=entry_source("gcp", "handler"),
            dependencies="requirements",
            runtime_provided=frozenset({"functions-framework"}),
            limits=SizeLimits(
                zipped=100 * MB,
                unzipped=500 * MB,
                advice="Cloud Functions takes at most 100 MB of zipped source; move data files to a bucket.",
            ),
            schedules=CLOUD_SCHEDULER,
            trigger_name=TriggerNames(Names.of(self.project)),
        )

    def check_limits(self) -> None:
        check_limits(self.project, app=HTTP_LIMITS, functions=EVENT_LIMITS)

    def diagnose(self) -> list[Diagnosis]:
        from faas import Diagnosis
        from faas.providers.gcp.identity import DEPLOYER_ROLES

        roles = "; ".join(f"{role} on {where} ({why})" for role, where, why in DEPLOYER_ROLES)
        findings = [Diagnosis(self.name, "deployer roles", f"deploying needs {roles}", ok=True)]
        vpc = self.options.vpc
        if vpc is not None and vpc.egress == "all-traffic":
            # All egress goes into the VPC: a connector's VPC has no way out to the internet by itself.
            findings.append(
                Diagnosis(
                    self.name,
                    "network",
                    f"egress all-traffic through {vpc.connector}: the functions reach the internet only through "
                    "Cloud NAT on that VPC network and region, and Google APIs only through Private Google Access "
                    "or Cloud NAT",
                    action=f"configure a Cloud NAT gateway for the connector's network in {vpc.region} (and Private "
                    'Google Access on its subnet), or use egress = "private-ranges-only"',
                )
            )
        elif vpc is not None:
            findings.append(
                Diagnosis(
                    self.name,
                    "network",
                    f"private ranges go through {vpc.connector}; other traffic leaves directly",
                    ok=True,
                )
            )
        if self.project.config.domain and self.project.config.app is not None:
            findings.append(self._domain_finding())
        return findings

    def _domain_finding(self) -> Diagnosis:
        from faas import Diagnosis
        from faas.providers.gcp.domain import unsupported_reason

        config = self.project.config
        reason = unsupported_reason(config, self.options.region)
        if reason is None:
            return Diagnosis(
                self.name,
                "custom domain",
                f"{config.domain} is served by a Cloud Run domain mapping with a Google-managed certificate, "
                "once the deploying account has verified the domain (gcloud domains verify)",
                ok=True,
            )
        return Diagnosis(
            self.name,
            "custom domain",
            f"{reason}: deploy and certify refuse it",
            action="serve the domain through a global external Application Load Balancer with a serverless NEG "
            "(`faas certify --provider gcp` prints the gcloud commands), or remove domain from the config",
        )

    def plan(self, artifact: Artifact) -> Plan:
        from faas.providers.gcp import planner

        return planner.plan(self.deployment, artifact)

    def apply(self, plan: Plan, artifact: Artifact) -> DeployResult:
        from faas.providers.gcp import planner

        return planner.apply(self.deployment, plan, artifact)

    def plan_undeploy(self, keep_artifacts: bool = False) -> Plan:
        from faas.providers.gcp import undeploy

        return undeploy.plan_undeploy(self.deployment)

    def undeploy(self, plan: Plan) -> None:
        from faas.providers.gcp import undeploy

        undeploy.undeploy(self.deployment, plan)

    def status(self) -> Status:
        from faas.providers.gcp import operate

        return operate.status(self.deployment)

    def logs(
        self, since: datetime | None = None, follow: bool = False, pattern: str | None = None
    ) -> Iterator[LogRecord]:
        from faas.providers.gcp import operate

        return operate.logs(self.deployment, since, follow, pattern)

    def rollback(self, to: str | None = None) -> RollbackResult:
        from faas.providers.gcp import operate

        return operate.rollback(self.deployment, to)

    def invoke(self, event: Any, function: str | None = None) -> InvokeResult:
        from faas.providers.gcp import invoke

        return invoke.invoke(self.deployment, event, function)

    def manage(self, arguments: list[str]) -> InvokeResult:
        from faas.providers.gcp import invoke

        return invoke.manage(self.deployment, arguments)

    def certify(self) -> CertifyResult:
        """Map the domain to the app's Cloud Run service (Google-managed certificate); the DNS records to create."""
        from faas import translated
        from faas.providers.gcp import domain
        from faas.providers.gcp.context import ERRORS

        with translated(self.deployment, "certify", ERRORS):
            return domain.certify(self.deployment)

    def set_secret(self, name: str, value: str) -> str:
        """Create Secret Manager secret `name` if missing, then add `value` as its newest version."""
        from faas import translated
        from faas.providers.gcp import secrets
        from faas.providers.gcp.context import ERRORS

        with translated(self.deployment, "secrets set", ERRORS):
            return secrets.set_secret(self.deployment, name, value)
