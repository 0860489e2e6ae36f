"""Azure Functions on Flex Consumption (Python v2 programming model). Azure SDKs load only inside methods."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, model_validator

from faas import (
    NCRONTAB,
    Capability,
    FunctionLimits,
    PackageTarget,
    Provider,
    ProviderOptions,
    SizeLimits,
    TriggerRef,
    check_limits,
    entry_source,
)

if TYPE_CHECKING:
    from collections.abc import Iterator
    from datetime import datetime

    from faas import Artifact, DeployResult, Diagnosis, InvokeResult, LogRecord, Plan, RollbackResult, Status
    from faas.providers.azure.context import Deployment

MB = 1024 * 1024
# The Python worker puts this folder of the package on sys.path (after the package root).
PYTHON_PACKAGES = ".python_packages/lib/site-packages"
# Flex Consumption has fixed instance sizes and no run limit, but the front end drops an HTTP
# response that takes longer than 230 s. The Consumption plan stops any run at 10 minutes.
_HTTP_SECONDS = 230
PLAN_LIMITS = {
    "flex": (
        FunctionLimits("Azure Functions Flex Consumption", memory_sizes=(512, 2048, 4096), max_timeout=_HTTP_SECONDS),
        FunctionLimits("Azure Functions Flex Consumption", memory_sizes=(512, 2048, 4096)),
    ),
    "premium": (FunctionLimits("Azure Functions (HTTP)", max_timeout=_HTTP_SECONDS), FunctionLimits("Azure Functions")),
}


SUBNET_ID = re.compile(
    r"^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.Network/virtualNetworks/[^/]+/subnets/[^/]+$",
    re.IGNORECASE,
)


class AzureVnet(ProviderOptions):
    subnet: str = Field(
        description="Resource id of the subnet the function app's outbound traffic goes through "
        "(/subscriptions/.../resourceGroups/.../providers/Microsoft.Network/virtualNetworks/NAME/subnets/NAME); "
        "Flex Consumption needs it delegated to Microsoft.App/environments.",
    )

    @model_validator(mode="after")
    def _subnet_id(self) -> AzureVnet:
        if not SUBNET_ID.match(self.subnet):
            raise ValueError(
                f"vnet.subnet {self.subnet!r} is not a subnet resource id: /subscriptions/SUB/resourceGroups/GROUP/"
                "providers/Microsoft.Network/virtualNetworks/VNET/subnets/SUBNET (`az network vnet subnet show "
                "--query id`)"
            )
        return self


class AzureOptions(ProviderOptions):
    subscription_id: str | None = Field(default=None, description="Azure subscription (default: from az login).")
    resource_group: str | None = Field(default=None, description="Resource group (default: <project>-<stage>).")
    location: str = Field(default="eastus", description="Azure region.")
    plan: Literal["flex", "premium"] = Field(
        default="flex",
        description="Hosting plan: Flex Consumption (FC1; Linux Consumption retires in 2028) or Elastic Premium.",
    )
    route_prefix: str = Field(
        default="",
        description='HTTP route prefix Azure puts before every path ("" serves the app at its root, so the URLs '
        "it builds are the ones it is served at).",
    )
    instance_memory: Literal[512, 2048, 4096] = Field(
        default=2048, description="Flex Consumption instance memory in MB."
    )
    maximum_instances: int = Field(default=100, ge=1, le=1000, description="Most instances Flex scales out to.")
    arm_endpoint: str | None = Field(
        default=None,
        description="Azure Resource Manager endpoint, for sovereign clouds (default: $FAAS_AZURE_ARM_ENDPOINT, "
        "else https://management.azure.com).",
    )
    arm_audience: str | None = Field(
        default=None,
        description="Token audience for ARM and Kudu (default: the known audience of arm_endpoint, else "
        "https://management.azure.com).",
    )
    logs_endpoint: str | None = Field(
        default=None,
        description="Log Analytics query endpoint `faas logs` reads from (default: $FAAS_AZURE_LOGS_ENDPOINT, else "
        "the one of arm_endpoint's cloud, e.g. https://api.loganalytics.io).",
    )
    ca_bundle: str | None = Field(
        default=None,
        description="CA bundle for TLS to ARM, Kudu and storage (default: $REQUESTS_CA_BUNDLE, else the system's).",
    )
    key_vault: str | None = Field(
        default=None,
        description="Key Vault (its name; an existing vault with RBAC authorization, anywhere in the subscription) "
        "that holds the ${secret:NAME} values: each becomes a Key Vault reference the site resolves as its "
        "identity, which faas grants Key Vault Secrets User on this vault only. `_` in NAME is `-` in the vault.",
    )
    vnet: AzureVnet | None = Field(
        default=None,
        description="VNet integration: the function app's outbound traffic goes through this subnet (a private "
        "database, a firewall). Flex Consumption only.",
    )
    tags: dict[str, str] = Field(default_factory=dict, description="Extra tags on every resource faas creates.")
    remote_build: bool = Field(
        default=False,
        description="Ship requirements.txt and let Azure install it at publish time (an Oryx remote build), "
        "instead of linux x86_64 wheels pre-built into .python_packages (the default: what runs is what was "
        "built and checked here, and what a rollback republishes).",
    )

    @model_validator(mode="after")
    def _vnet_needs_flex(self) -> AzureOptions:
        if self.vnet is not None and self.plan != "flex":
            raise ValueError("vnet is supported on plan = 'flex' only")
        return self


class AzureProvider(Provider[AzureOptions]):
    name = "azure"
    description = "Azure Functions on Flex Consumption (Python v2 model), published with One Deploy"
    capabilities = frozenset(
        {
            Capability.PACKAGE,
            Capability.DEPLOY,
            Capability.HTTP,
            Capability.STATUS,
            Capability.UNDEPLOY,
            Capability.INVOKE,
            # the host's and the worker's logs, through Application Insights into Log Analytics
            Capability.LOGS,
            Capability.MANAGE,
            Capability.ROLLBACK,
            # Timers live in the published code (function_app.py registers each NCRONTAB schedule):
            # nothing in ARM to create, the host indexes them from the package.
            Capability.SCHEDULE,
            Capability.STATIC_STORAGE,
            Capability.SECRETS,
            # min_instances, max_instances and concurrency of the app: Flex always-ready, scale-out and HTTP
            Capability.INSTANCES,
        }
    )
    requires = ("azure.mgmt.web",)
    extra = "azure"

    _deployment: Deployment | None = None

    @property
    def deployment(self) -> Deployment:
        """The project and stage on Azure (creates the credential on first use)."""
        if self._deployment is None:
            from faas.providers.azure.context import Deployment, Names
            from faas.providers.azure.session import AzureSession

            self._deployment = Deployment(
                project=self.project,
                options=self.options,
                reporter=self.reporter,
                names=Names.of(self.project),
                session=AzureSession.from_options(self.options),
            )
        return self._deployment

    def plan(self, artifact: Artifact) -> Plan:
        from faas.providers.azure import planner

        return planner.plan(self.deployment, artifact)

    def apply(self, plan: Plan, artifact: Artifact) -> DeployResult:
        from faas.providers.azure import planner

        return planner.apply(self.deployment, plan, artifact)

    def plan_undeploy(self, keep_artifacts: bool = False) -> Plan:
        from faas.providers.azure import undeploy

        return undeploy.plan_undeploy(self.deployment, keep_artifacts)

    def undeploy(self, plan: Plan) -> None:
        from faas.providers.azure import undeploy

        undeploy.undeploy(self.deployment, plan)

    def status(self) -> Status:
        from faas.providers.azure import undeploy

        return undeploy.status(self.deployment)

    def logs(
        self, since: datetime | None = None, follow: bool = False, pattern: str | None = None
    ) -> Iterator[LogRecord]:
        from faas.providers.azure import monitoring

        return monitoring.logs(self.deployment, since, follow, pattern)

    def invoke(self, event: Any, function: str | None = None) -> InvokeResult:
        from faas.providers.azure import operate

        return operate.invoke(self.deployment, event, function)

    def manage(self, arguments: list[str]) -> InvokeResult:
        from faas.providers.azure import operate

        return operate.manage(self.deployment, arguments)

    def fire_schedules(self, function: str) -> list[str]:
        """Run `function`'s timers now through the host's admin API; the names of the Azure functions run."""
        from faas.providers.azure import operate

        return operate.fire_schedules(self.deployment, function)

    def rollback(self, to: str | None = None) -> RollbackResult:
        from faas.providers.azure import releases

        return releases.rollback(self.deployment, to)

    def set_secret(self, name: str, value: str) -> str:
        """Add `value` as the newest version of NAME's secret in `[providers.azure] key_vault`."""
        from faas import translated
        from faas.providers.azure import keyvault
        from faas.providers.azure.context import ERRORS

        with translated(self.deployment, "secrets set", ERRORS):
            return keyvault.set_secret(self.deployment, name, value)

    def package_target(self) -> PackageTarget:
        options = self.options
        host = {
            "version": "2.0",
            "extensions": {"http": {"routePrefix": options.route_prefix}},
            "extensionBundle": {"id": "Microsoft.Azure.Functions.ExtensionBundle", "version": "[4.*, 5.0.0)"},
        }
        return PackageTarget(
            provider=self.name,
            python=self.project.config.python,
            entry_module="function_app",
            entry_source=entry_source("azure", "app"),
            dependencies="requirements" if options.remote_build else "vendored",
            dependencies_dir=PYTHON_PACKAGES,
            runtime_provided=frozenset({"azure-functions"}),
            limits=SizeLimits(
                zipped=1024 * MB,
                advice="Azure zip deployment on the Flex plan takes at most 1 GB; move data files to blob storage.",
            ),
            extra_files=(("host.json", json.dumps(host, indent=2, sort_keys=True) + "\n"),),
            # host.json's routePrefix decides the URLs; the adapter moves it into SCRIPT_NAME.
            adapter_options=(("route_prefix", options.route_prefix),),
            schedules=NCRONTAB,
            trigger_name=function_name,
        )

    def diagnose(self) -> list[Diagnosis]:
        from faas import Diagnosis

        if self.options.vnet is None:
            return []
        # Flex routes all outbound traffic into the integrated VNet: a subnet with no NAT gateway (or
        # firewall) on its route has no way out to the internet.
        return [
            Diagnosis(
                self.name,
                "network",
                f"the site joins {self.options.vnet.subnet.rsplit('/', 1)[-1]}: all its outbound traffic goes "
                "into the VNet, so it reaches the internet (package indexes, APIs outside Azure) only through "
                "a NAT gateway or firewall on that subnet",
                action="attach a NAT gateway to the subnet (az network vnet subnet update --nat-gateway ...), "
                "or make sure the app needs only private addresses",
            )
        ]

    def check_limits(self) -> None:
        options = self.options
        assert isinstance(options, AzureOptions)
        http, events = PLAN_LIMITS[options.plan]
        check_limits(self.project, app=http, functions=events)


def function_name(ref: TriggerRef) -> str:
    """The Azure function a trigger is registered as in the function app: `faas_<function>_<kind>_<n>`."""
    return re.sub(r"[^A-Za-z0-9_]", "_", f"faas_{ref.function}_{ref.kind}_{ref.index}")
