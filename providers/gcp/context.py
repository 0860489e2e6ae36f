"""What every planning and applying module shares: the deployment (project, options, names, clients)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from google.api_core import exceptions

from faas import ApplyState, Artifact, ErrorTranslator, StateKey
from faas import Deployment as BaseDeployment
from faas.providers.gcp.naming import Names
from faas.providers.gcp.options import GcpOptions

__all__ = ["ARTIFACT", "ERRORS", "SOURCE", "ApplyState", "Deployment", "describe"]

# What steps hand later steps in one apply.
ARTIFACT = StateKey[Artifact]("artifact")
SOURCE = StateKey[Any]("uploaded storage source")


def describe(error: BaseException) -> str:
    """One line: the envelope's status and message; SERVICE_DISABLED names the API and the fix."""
    if isinstance(error, exceptions.GoogleAPICallError):
        status = _status(error)
        if error.reason == "SERVICE_DISABLED":
            api = (error.details and _service_of(error)) or error.domain or "the API"
            return f"{status}: {api} is not enabled in the project; run `gcloud services enable {api}`"
        return f"{status}: {error.message}"
    return str(error) or type(error).__name__


def _status(error: exceptions.GoogleAPICallError) -> str:
    response = error.response
    if response is not None:
        try:
            return str(response.json()["error"]["status"])
        except (ValueError, KeyError, TypeError, AttributeError):
            pass
    return str(error.grpc_status_code.name if error.grpc_status_code is not None else error.code)


def _service_of(error: exceptions.GoogleAPICallError) -> str | None:
    metadata = error.metadata or {}
    service = metadata.get("service") or metadata.get("serviceTitle")
    return str(service) if service else None


def _is_missing(error: BaseException) -> bool:
    return isinstance(error, exceptions.NotFound)


ERRORS = ErrorTranslator(
    catches=(exceptions.GoogleAPIError,),
    describe=describe,
    is_missing=_is_missing,
)
"""How apply, undeploy and plan turn google.api_core errors into one line (and which mean "already gone")."""


@dataclass
class Deployment(BaseDeployment[GcpOptions, Names]):
    """One project and stage on Google Cloud."""

    credentials: Any = field(default=None, repr=False)
    gcp_project: str = ""

    @property
    def region(self) -> str:
        return self.options.region

    @property
    def location(self) -> str:
        return f"projects/{self.gcp_project}/locations/{self.region}"

    def function_name(self, key: str) -> str:
        return f"{self.location}/functions/{self.names.function(key)}"

    def _options(self, api: str) -> dict[str, str]:
        endpoint = self.options.endpoint(api)
        return {"api_endpoint": endpoint} if endpoint else {}

    @cached_property
    def functions(self) -> Any:
        from google.cloud import functions_v2

        return functions_v2.FunctionServiceClient(
            transport="rest", client_options=self._options("cloudfunctions"), credentials=self.credentials
        )

    @cached_property
    def services(self) -> Any:
        from google.cloud import run_v2

        return run_v2.ServicesClient(
            transport="rest", client_options=self._options("run"), credentials=self.credentials
        )

    @cached_property
    def scheduler(self) -> Any:
        from google.cloud import scheduler_v1

        return scheduler_v1.CloudSchedulerClient(
            transport="rest", client_options=self._options("cloudscheduler"), credentials=self.credentials
        )

    @cached_property
    def accounts(self) -> Any:
        from faas.providers.gcp.iam_rest import ServiceAccounts

        return ServiceAccounts(self.credentials, self.options.endpoint("iam"), self.gcp_project)

    @cached_property
    def project_policy(self) -> Any:
        from faas.providers.gcp.iam_rest import ProjectPolicy

        return ProjectPolicy(self.accounts, self.options.endpoint("cloudresourcemanager"), self.gcp_project)

    @cached_property
    def topics(self) -> Any:
        from faas.providers.gcp.iam_rest import Topics

        return Topics(self.accounts, self.options.endpoint("pubsub"))

    @cached_property
    def domain_mappings(self) -> Any:
        from faas.providers.gcp.domain_rest import DomainMappings

        # Served by the regional Cloud Run endpoint; the `run` override reaches it as well.
        return DomainMappings(self.accounts, self.options.endpoint("run"), self.gcp_project, self.region)

    @property
    def runtime_email(self) -> str:
        """The email of the stage's own runtime service account (whether or not it is in use)."""
        return f"{self.names.runtime_account}@{self.gcp_project}.iam.gserviceaccount.com"

    @property
    def runtime_identity(self) -> str:
        """The account the functions run as and scheduler jobs call with: the user's, else the stage's."""
        return self.options.service_account or self.runtime_email

    @cached_property
    def revisions(self) -> Any:
        from google.cloud import run_v2

        return run_v2.RevisionsClient(
            transport="rest", client_options=self._options("run"), credentials=self.credentials
        )

    @cached_property
    def secrets(self) -> Any:
        from google.cloud import secretmanager_v1

        return secretmanager_v1.SecretManagerServiceClient(
            transport="rest", client_options=self._options("secretmanager"), credentials=self.credentials
        )

    @cached_property
    def storage(self) -> Any:
        from google.cloud.storage import Client

        return Client(project=self.gcp_project, credentials=self.credentials, client_options=self._options("storage"))


def open_deployment(project: Any, options: GcpOptions, reporter: Any) -> Deployment:
    """The deployment with Application Default Credentials, and the project from options or ADC."""
    import google.auth

    credentials, adc_project = google.auth.default(scopes=["https://www.googleapis.com/auth/cloud-platform"])
    gcp_project = options.project or adc_project
    if not gcp_project:
        from faas import ConfigError

        raise ConfigError("no Google Cloud project: set [providers.gcp] project, or `gcloud config set project`")
    return Deployment(
        project=project,
        options=options,
        reporter=reporter,
        names=Names.of(project),
        credentials=credentials,
        gcp_project=gcp_project,
    )
