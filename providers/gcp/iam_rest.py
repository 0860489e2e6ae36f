"""IAM v1 service accounts (and the project policy, Pub/Sub topic reads) over REST, errors as api_core exceptions.

google-cloud-iam's `iam_admin_v1.IAMClient` ships only gRPC transports, and every other client
here speaks REST (so one endpoint override per API reaches Private Service Connect or a local
control plane). This is the three calls faas makes, on an authorized requests session; a non-2xx
answer becomes the same `google.api_core.exceptions` class the GAPIC clients raise, read from the
error envelope, so `describe` and the NotFound checks treat it like any other API's error.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any
from urllib.parse import quote

from google.api_core import exceptions

DEFAULT_ENDPOINT = "https://iam.googleapis.com"
TIMEOUT = 60


class ServiceAccounts:
    """`projects.serviceAccounts` of one project."""

    def __init__(self, credentials: Any, endpoint: str | None, project: str) -> None:
        self.credentials = credentials
        self.endpoint = (endpoint or DEFAULT_ENDPOINT).rstrip("/")
        self.project = project

    @cached_property
    def session(self) -> Any:
        import google.auth
        from google.auth.transport.requests import AuthorizedSession

        credentials = self.credentials
        if credentials is None:
            credentials, _ = google.auth.default(scopes=["https://www.googleapis.com/auth/cloud-platform"])
        return AuthorizedSession(credentials)  # type: ignore[no-untyped-call]

    def name(self, email: str) -> str:
        return f"projects/{self.project}/serviceAccounts/{email}"

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        url = f"{self.endpoint}/v1/{quote(path, safe='/@:')}"
        answer = self.session.request(method, url, json=body, timeout=TIMEOUT)
        if answer.status_code >= 300:
            # api_core's helper is unannotated; it reads Google's error envelope from the response.
            error: exceptions.GoogleAPICallError = exceptions.from_http_response(answer)  # type: ignore[no-untyped-call]
            raise error
        found: dict[str, Any] = answer.json() if answer.content else {}
        return found

    def get(self, email: str) -> dict[str, Any] | None:
        """The account, or None when there is none."""
        try:
            return self._call("GET", self.name(email))
        except exceptions.NotFound:
            return None

    def create(self, account_id: str, *, display_name: str, description: str) -> dict[str, Any]:
        body = {"accountId": account_id, "serviceAccount": {"displayName": display_name, "description": description}}
        return self._call("POST", f"projects/{self.project}/serviceAccounts", body)

    def delete(self, email: str) -> None:
        self._call("DELETE", self.name(email))


class ProjectPolicy:
    """The project's IAM policy through Resource Manager v3 (`projects.getIamPolicy`/`setIamPolicy`).

    google-cloud-resource-manager is not a dependency for two calls; they go over the same kind of
    authorized session as the accounts, with the same errors.
    """

    DEFAULT_ENDPOINT = "https://cloudresourcemanager.googleapis.com"

    def __init__(self, accounts: ServiceAccounts, endpoint: str | None, project: str) -> None:
        self.accounts = accounts
        self.endpoint = (endpoint or self.DEFAULT_ENDPOINT).rstrip("/")
        self.project = project

    def _call(self, verb: str, body: dict[str, Any]) -> dict[str, Any]:
        url = f"{self.endpoint}/v3/projects/{quote(self.project, safe='')}:{verb}"
        answer = self.accounts.session.request("POST", url, json=body, timeout=TIMEOUT)
        if answer.status_code >= 300:
            error: exceptions.GoogleAPICallError = exceptions.from_http_response(answer)  # type: ignore[no-untyped-call]
            raise error
        found: dict[str, Any] = answer.json() if answer.content else {}
        return found

    def get(self) -> dict[str, Any]:
        """The policy, version 3 (conditional bindings included), with its etag."""
        return self._call("getIamPolicy", {"options": {"requestedPolicyVersion": 3}})

    def set(self, policy: dict[str, Any]) -> dict[str, Any]:
        """Write `policy` back; its etag makes a concurrent change answer 409 ABORTED instead of being lost."""
        return self._call("setIamPolicy", {"policy": policy})


class Topics:
    """Pub/Sub v1 topics, read only: whether a trigger's topic exists (faas never creates one)."""

    DEFAULT_ENDPOINT = "https://pubsub.googleapis.com"

    def __init__(self, accounts: ServiceAccounts, endpoint: str | None) -> None:
        self.accounts = accounts
        self.endpoint = (endpoint or self.DEFAULT_ENDPOINT).rstrip("/")

    def exists(self, name: str) -> bool:
        """True when topic `name` (`projects/<p>/topics/<t>`) exists; other errors are raised."""
        answer = self.accounts.session.request("GET", f"{self.endpoint}/v1/{quote(name, safe='/')}", timeout=TIMEOUT)
        if answer.status_code == 404:
            return False
        if answer.status_code >= 300:
            error: exceptions.GoogleAPICallError = exceptions.from_http_response(answer)  # type: ignore[no-untyped-call]
            raise error
        return True
