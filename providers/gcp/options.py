"""The `[providers.gcp]` options, and where each Google API is reached (endpoint overrides)."""

from __future__ import annotations

import os
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from faas import ProviderOptions

ENDPOINTS_ENV = "FAAS_GCP_API_ENDPOINTS"
"""`cloudfunctions=https://...,run=https://...`: endpoint overrides from the environment (CI, tests)."""

API_KEYS = (
    "cloudfunctions",
    "run",
    "cloudscheduler",
    "logging",
    "iam",
    "cloudresourcemanager",
    "pubsub",
    "storage",
    "secretmanager",
)
"""The endpoint keys faas reads: the API's service name without `.googleapis.com`."""


CONNECTOR = re.compile(r"^projects/(?P<project>[^/]+)/locations/(?P<region>[^/]+)/connectors/(?P<name>[^/]+)$")


class VpcOptions(BaseModel):
    """`[providers.gcp] vpc`: a Serverless VPC Access connector the functions send traffic through."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    connector: str = Field(
        pattern=CONNECTOR.pattern,
        description="Full name of the Serverless VPC Access connector, "
        "`projects/PROJECT/locations/REGION/connectors/NAME`, in the functions' region.",
    )
    egress: Literal["private-ranges-only", "all-traffic"] = Field(
        default="private-ranges-only",
        description="`private-ranges-only`: only RFC 1918 destinations go through the connector; `all-traffic`: "
        "everything does, so the internet is reached only through Cloud NAT on the VPC.",
    )

    @property
    def region(self) -> str:
        found = CONNECTOR.match(self.connector)
        assert found is not None  # the field's pattern
        return found.group("region")


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
    vpc: VpcOptions | None = Field(
        default=None,
        description='Private network: `{ connector = "projects/P/locations/R/connectors/C", egress = '
        '"private-ranges-only" }` (service_config.vpc_connector and vpc_connector_egress_settings); removing it '
        "detaches the functions.",
    )
    api_endpoints: dict[str, str] = Field(
        default_factory=dict,
        description="Endpoint per API (keys: cloudfunctions, run, cloudscheduler, logging, iam, cloudresourcemanager, "
        "pubsub, storage, secretmanager), for Private Service Connect or a local control plane; `run` also "
        "serves Cloud Run's v1 domain mappings (default `https://REGION-run.googleapis.com`); "
        f"also from {ENDPOINTS_ENV} (`key=url,key=url`), which these override. "
        "An http:// endpoint keeps its scheme.",
    )

    @model_validator(mode="after")
    def _connector_in_region(self) -> GcpOptions:
        # Cloud Functions can only use a connector of its own region: refuse it before any call.
        if self.vpc is not None and self.vpc.region != self.region:
            raise ValueError(
                f"vpc.connector is in region {self.vpc.region} but the functions run in {self.region}: "
                "a Serverless VPC Access connector serves only its own region"
            )
        return self

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
