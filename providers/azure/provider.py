"""Azure Functions (Python v2 programming model). Packaging is here; the deploy side lands later."""

from __future__ import annotations

import json
import re
from typing import Literal

from pydantic import Field

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

MB = 1024 * 1024
# Flex Consumption has fixed instance sizes and no run limit, but the front end drops an HTTP
# response that takes longer than 230 s. The Consumption plan stops any run at 10 minutes.
_HTTP_SECONDS = 230
PLAN_LIMITS = {
    "flex": (
        FunctionLimits("Azure Functions Flex Consumption", memory_sizes=(512, 2048, 4096), max_timeout=_HTTP_SECONDS),
        FunctionLimits("Azure Functions Flex Consumption", memory_sizes=(512, 2048, 4096)),
    ),
    "consumption": (
        FunctionLimits("Azure Functions (HTTP)", max_timeout=_HTTP_SECONDS),
        FunctionLimits("Azure Functions Consumption", max_timeout=600),
    ),
    "premium": (FunctionLimits("Azure Functions (HTTP)", max_timeout=_HTTP_SECONDS), FunctionLimits("Azure Functions")),
}


class AzureOptions(ProviderOptions):
    subscription_id: str | None = Field(default=None, description="Azure subscription (default: from az login).")
    resource_group: str | None = Field(default=None, description="Resource group (default: <project>-<stage>).")
    location: str = Field(default="eastus", description="Azure region.")
    plan: Literal["consumption", "flex", "premium"] = Field(default="flex", description="Hosting plan.")
    route_prefix: str = Field(
        default="api", description='HTTP route prefix Azure puts before every path ("" serves the app at the root).'
    )


class AzureProvider(Provider[AzureOptions]):
    name = "azure"
    description = "Azure Functions (Python v2 model); builds dependencies remotely from requirements.txt"
    capabilities = frozenset({Capability.PACKAGE})
    requires = ("azure.mgmt.web",)
    extra = "azure"

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
            dependencies="requirements",
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

    def check_limits(self) -> None:
        options = self.options
        assert isinstance(options, AzureOptions)
        http, events = PLAN_LIMITS[options.plan]
        check_limits(self.project, app=http, functions=events)


def function_name(ref: TriggerRef) -> str:
    """The Azure function a trigger is registered as in the function app: `faas_<function>_<kind>_<n>`."""
    return re.sub(r"[^A-Za-z0-9_]", "_", f"faas_{ref.function}_{ref.kind}_{ref.index}")
