"""The `[providers.gcp]` options, and where each Google API is reached (endpoint overrides)."""

from __future__ import annotations

import os

from pydantic import Field

from faas import ProviderOptions

ENDPOINTS_ENV = "FAAS_GCP_API_ENDPOINTS"
"""`cloudfunctions=https://...,run=https://...`: endpoint overrides from the environment (CI, tests)."""

API_KEYS = ("cloudfunctions", "run", "cloudscheduler", "logging", "iam", "cloudresourcemanager", "pubsub", "storage")
"""The endpoint keys faas reads: the API's service name without `.googleapis.com`."""


class GcpOptions(ProviderOptions):
    project: str | None = Field(
        default=None,
        description="Google Cloud project id (default: the project of the Application Default Credentials).",
    )
    region: str = Field(default="us-central1", description="Region of the functions.")
    allow_unauthenticated: bool = Field(
        default=True,
        description="Let anyone call the HTTP app (roles/run.invoker for allUsers on its Cloud Run service); "
        "false removes that binding.",
    )
    service_account: str | None = Field(
        default=None,
        description="Email of the service account the functions run as, and schedules call them with "
        "(default: a service account faas creates for the project and stage, `<project>-<stage>-run-<hash>`, "
        "with no project-level role).",
    )
    api_endpoints: dict[str, str] = Field(
        default_factory=dict,
        description="Endpoint per API (keys: cloudfunctions, run, cloudscheduler, logging, iam, cloudresourcemanager, "
        "pubsub, storage), for "
        "Private Service "
        f"Connect or a local control plane; also from {ENDPOINTS_ENV} (`key=url,key=url`), which these override. "
        "An http:// endpoint keeps its scheme.",
    )

    def endpoint(self, api: str) -> str | None:
        """The endpoint override of `api`, from the options, else from the environment, else None."""
        if api in self.api_endpoints:
            return self.api_endpoints[api]
        return endpoints_from_env().get(api)


def endpoints_from_env() -> dict[str, str]:
    found: dict[str, str] = {}
    for part in os.environ.get(ENDPOINTS_ENV, "").split(","):
        key, sep, url = part.strip().partition("=")
        if sep and key and url:
            found[key.strip()] = url.strip()
    return found
