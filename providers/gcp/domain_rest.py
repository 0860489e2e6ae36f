"""Cloud Run v1 domain mappings over REST (`namespaces.domainmappings`), errors as api_core exceptions.

google-cloud-run's run_v2 has no domain mappings: they exist only in the Knative-style v1 API,
served on the regional endpoint `https://{region}-run.googleapis.com`. These are the four calls
faas makes, on the same authorized session as iam_rest.py; the `run` endpoint override reaches
them too (one Cloud Run endpoint for Private Service Connect or a local control plane).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from google.api_core import exceptions

from faas.providers.gcp.iam_rest import TIMEOUT, ServiceAccounts

API_VERSION = "domains.cloudrun.com/v1"
KIND = "DomainMapping"


class DomainMappings:
    """The domain mappings of one project (its namespace) in one region."""

    def __init__(self, accounts: ServiceAccounts, endpoint: str | None, project: str, region: str) -> None:
        self.accounts = accounts
        self.endpoint = (endpoint or f"https://{region}-run.googleapis.com").rstrip("/")
        self.namespace = project

    @property
    def _base(self) -> str:
        return f"{self.endpoint}/apis/{API_VERSION}/namespaces/{quote(self.namespace, safe='')}/domainmappings"

    def _call(
        self, method: str, url: str, body: dict[str, Any] | None = None, *, params: dict[str, str] | None = None
    ) -> dict[str, Any]:
        answer = self.accounts.session.request(method, url, json=body, params=params, timeout=TIMEOUT)
        if answer.status_code >= 300:
            error: exceptions.GoogleAPICallError = exceptions.from_http_response(answer)  # type: ignore[no-untyped-call]
            raise error
        found: dict[str, Any] = answer.json() if answer.content else {}
        return found

    def get(self, domain: str) -> dict[str, Any] | None:
        """The mapping of `domain`, or None when there is none."""
        try:
            return self._call("GET", f"{self._base}/{quote(domain, safe='')}")
        except exceptions.NotFound:
            return None

    def list(self, labels: dict[str, str]) -> list[dict[str, Any]]:
        """The mappings carrying every one of `labels` (a Kubernetes equality label selector)."""
        selector = ",".join(f"{key}={value}" for key, value in sorted(labels.items()))
        found: list[dict[str, Any]] = []
        token = ""
        while True:
            params = {"labelSelector": selector, **({"continue": token} if token else {})}
            page = self._call("GET", self._base, params=params)
            found += page.get("items", [])
            token = str(page.get("metadata", {}).get("continue", ""))
            if not token:
                return found

    def create(self, domain: str, *, route: str, labels: dict[str, str], certificate_mode: str) -> dict[str, Any]:
        body = {
            "apiVersion": API_VERSION,
            "kind": KIND,
            "metadata": {"name": domain, "namespace": self.namespace, "labels": labels},
            "spec": {"routeName": route, "certificateMode": certificate_mode},
        }
        return self._call("POST", self._base, body)

    def delete(self, domain: str) -> None:
        self._call("DELETE", f"{self._base}/{quote(domain, safe='')}")
