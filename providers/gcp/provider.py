"""Google Cloud Functions (2nd gen). Packaging is here; the deploy side lands in a later issue."""

from __future__ import annotations

from pydantic import Field

from faas import (
    CLOUD_SCHEDULER,
    Capability,
    FunctionLimits,
    PackageTarget,
    Provider,
    ProviderOptions,
    SizeLimits,
    check_limits,
    entry_source,
)

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


class GcpOptions(ProviderOptions):
    project: str | None = Field(default=None, description="Google Cloud project id (default: from gcloud / ADC).")
    region: str = Field(default="us-central1", description="Region of the functions.")
    allow_unauthenticated: bool = Field(default=True, description="Let anyone call the HTTP app (public website).")


class GcpProvider(Provider[GcpOptions]):
    name = "gcp"
    description = "Google Cloud Functions (2nd gen); builds dependencies remotely from requirements.txt"
    capabilities = frozenset({Capability.PACKAGE})
    requires = ("google.cloud.functions_v2",)
    extra = "gcp"

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
        )

    def check_limits(self) -> None:
        check_limits(self.project, app=HTTP_LIMITS, functions=EVENT_LIMITS)
