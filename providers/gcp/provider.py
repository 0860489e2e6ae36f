"""Google Cloud Functions (2nd gen). Packaging is here; the deploy side lands in a later issue."""

from __future__ import annotations

from pydantic import Field

from faas import Capability, PackageTarget, Provider, ProviderOptions, SizeLimits, entry_source

MB = 1024 * 1024


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
            entry_module="main",
            entry_source=entry_source("gcp", "handler"),
            dependencies="requirements",
            runtime_provided=frozenset({"functions-framework"}),
            limits=SizeLimits(
                zipped=100 * MB,
                unzipped=500 * MB,
                advice="Cloud Functions takes at most 100 MB of zipped source; move data files to a bucket.",
            ),
        )
