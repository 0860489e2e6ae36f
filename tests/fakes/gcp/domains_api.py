# mypy: disable-error-code="no-untyped-call,import-untyped"
"""Cloud Run v1 domain mappings (`run.namespaces.domainmappings.*`), on the Cloud Run endpoint.

Served as Cloud Run (fully managed) answers them: Kubernetes-style objects (`apiVersion`
domains.cloudrun.com/v1, `kind` DomainMapping, `metadata.name` the domain, `metadata.namespace` the
project number whichever way the path named the project), routed and validated by the run.v1
discovery document. A create needs `spec.routeName` naming an existing service of the region and a
domain the caller has verified (a verified parent domain covers its subdomains); otherwise 403 with
the verification message. The status fills in as the real controller does: `resourceRecords` at once
(CNAME ghs.googlehosted.com. for a subdomain, Google's A and AAAA addresses for an apex), `Ready` and
`CertificateProvisioned` Unknown, both turning True `provision_after` seconds after the create (the
real certificate takes about 15 minutes once DNS points at Google). Errors are Google's envelope.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from .errors import GoogleError, invalid_argument
from .operations import now
from .run_api import RunState
from .server import Handler, Request

PREFIX = "run.namespaces.domainmappings."
API_VERSION = "domains.cloudrun.com/v1"
APEX_A = ("216.239.32.21", "216.239.34.21", "216.239.36.21", "216.239.38.21")
APEX_AAAA = ("2001:4860:4802:32::15", "2001:4860:4802:34::15", "2001:4860:4802:36::15", "2001:4860:4802:38::15")


@dataclass
class DomainsState:
    run: RunState
    region: str
    verified: set[str] = field(default_factory=set)
    mappings: dict[str, dict[str, Any]] = field(default_factory=dict)
    created: dict[str, float] = field(default_factory=dict)
    provision_after: float = 0.5

    def forget(self) -> None:
        self.verified.clear()
        self.mappings.clear()
        self.created.clear()
        self.provision_after = 0.5

    def verify(self, domain: str) -> None:
        """What `gcloud domains verify` and Search Console do: the deployer may map `domain` and its subdomains."""
        self.verified.add(domain.lower())

    def is_verified(self, domain: str) -> bool:
        parts = domain.lower().split(".")
        return any(".".join(parts[i:]) in self.verified for i in range(len(parts) - 1))

    def service_of(self, host: str) -> str | None:
        """The Cloud Run service the mapped `host` serves, or None."""
        mapping = self.mappings.get(host.lower())
        if mapping is None:
            return None
        return f"projects/{self.run.project}/locations/{self.region}/services/{mapping['spec']['routeName']}"

    def view(self, domain: str) -> dict[str, Any]:
        """The mapping as read now: its conditions turn True once provisioning has had its time."""
        mapping = self.mappings[domain]
        done = time.monotonic() - self.created[domain] >= self.provision_after
        if done and mapping["status"]["conditions"][0]["status"] != "True":
            for condition in mapping["status"]["conditions"]:
                condition.update(status="True", lastTransitionTime=now())
                condition.pop("reason", None)
                condition.pop("message", None)
        return mapping


def _namespace(state: DomainsState, path_value: str) -> str:
    namespace = path_value.split("/")[1]
    if namespace not in (state.run.project, state.run.project_number):
        raise GoogleError("PERMISSION_DENIED", f"Permission denied on resource project {namespace}.")
    return state.run.project_number


def _missing(state: DomainsState, domain: str) -> GoogleError:
    return GoogleError(
        "NOT_FOUND",
        f"Resource '{domain}' of kind 'DOMAIN_MAPPING' in region '{state.region}' in project "
        f"'{state.run.project}' does not exist.",
    )


def _records(domain: str) -> list[dict[str, str]]:
    labels = domain.split(".")
    if len(labels) > 2:
        return [{"name": ".".join(labels[:-2]), "rrdata": "ghs.googlehosted.com.", "type": "CNAME"}]
    return [{"rrdata": a, "type": "A"} for a in APEX_A] + [{"rrdata": a, "type": "AAAA"} for a in APEX_AAAA]


def _selector(expression: str) -> dict[str, str]:
    wanted: dict[str, str] = {}
    for term in filter(None, expression.split(",")):
        key, sep, value = term.partition("=")
        if not sep or key.endswith("!") or not key:
            raise invalid_argument(f"The fake applies only key=value label selectors, not {term!r}")
        wanted[key.strip()] = value.strip().lstrip("=")
    return wanted


def handlers(state: DomainsState) -> dict[str, Handler]:
    def create(req: Request) -> Any:
        number = _namespace(state, req.param("parent"))
        body = req.body
        domain = str(body.get("metadata", {}).get("name", "")).lower()
        if not domain or "." not in domain:
            raise invalid_argument("metadata.name must be the domain to map, e.g. www.example.com")
        if body.get("metadata", {}).get("namespace") not in (state.run.project, state.run.project_number):
            raise invalid_argument("metadata.namespace must be the project ID or number", field_path="metadata")
        if body.get("apiVersion") != API_VERSION or body.get("kind") != "DomainMapping":
            raise invalid_argument(f"apiVersion must be {API_VERSION} and kind DomainMapping")
        route = str(body.get("spec", {}).get("routeName", ""))
        if not route:
            raise invalid_argument("spec.routeName is required", field_path="spec.routeName")
        if not state.is_verified(domain):
            raise GoogleError(
                "PERMISSION_DENIED",
                f"Caller is not authorized to administer the domain {domain}. If you own {domain}, you can obtain "
                "authorization by verifying ownership of the domain, or any of its parent domains, via the Webmaster "
                f"Central portal: https://www.google.com/webmasters/verification/verification?domain={domain}. We "
                "recommend verifying ownership of the largest scope you wish to use with subdomains (eg. verify "
                "'example.com' if you wish to map 'subdomain.example.com').",
            )
        if f"projects/{state.run.project}/locations/{state.region}/services/{route}" not in state.run.services:
            raise GoogleError("NOT_FOUND", f"Service '{route}' could not be found in region {state.region}.")
        if domain in state.mappings:
            raise GoogleError(
                "ALREADY_EXISTS",
                f"Resource '{domain}' of kind 'DOMAIN_MAPPING' in region '{state.region}' in project "
                f"'{state.run.project}' already exists.",
            )
        if req.match.query.get("dryRun"):
            return body
        pending = {"status": "Unknown", "lastTransitionTime": now()}
        mode = body.get("spec", {}).get("certificateMode", "AUTOMATIC")
        conditions = [
            {"type": "Ready", **pending, "reason": "CertificatePending"},
            {
                "type": "CertificateProvisioned",
                **pending,
                "reason": "CertificatePending",
                "message": "Certificate issuance pending. The challenge data was not visible through the public "
                "internet. This may indicate that DNS is not properly configured or has not fully propagated.",
            },
            {"type": "DomainRoutable", "status": "True", "lastTransitionTime": now()},
        ]
        if mode == "NONE":
            conditions = [c for c in conditions if c["type"] != "CertificateProvisioned"]
        mapping = {
            "apiVersion": API_VERSION,
            "kind": "DomainMapping",
            "metadata": {
                **body["metadata"],
                "name": domain,
                "namespace": number,
                "uid": str(uuid.uuid4()),
                "generation": 1,
                "resourceVersion": uuid.uuid4().hex[:16],
                "creationTimestamp": now(),
                "selfLink": f"/apis/{API_VERSION}/namespaces/{number}/domainmappings/{domain}",
                "annotations": {**body["metadata"].get("annotations", {}), "run.googleapis.com/launch-stage": "BETA"},
            },
            "spec": {
                "routeName": route,
                "certificateMode": mode,
                **({"forceOverride": True} if body["spec"].get("forceOverride") else {}),
            },
            "status": {
                "conditions": conditions,
                "observedGeneration": 1,
                "resourceRecords": _records(domain),
                "mappedRouteName": route,
            },
        }
        state.mappings[domain] = mapping
        state.created[domain] = time.monotonic()
        return mapping

    def get(req: Request) -> Any:
        _namespace(state, req.param("name"))
        domain = req.param("name").rsplit("/", 1)[1].lower()
        if domain not in state.mappings:
            raise _missing(state, domain)
        return state.view(domain)

    def list_(req: Request) -> Any:
        _namespace(state, req.param("parent"))
        wanted = _selector(req.match.query.get("labelSelector", ""))
        items = [
            state.view(domain)
            for domain in sorted(state.mappings)
            if all(state.mappings[domain]["metadata"].get("labels", {}).get(k) == v for k, v in wanted.items())
        ]
        return {"apiVersion": API_VERSION, "kind": "DomainMappingList", "metadata": {}, "items": items}

    def delete(req: Request) -> Any:
        _namespace(state, req.param("name"))
        domain = req.param("name").rsplit("/", 1)[1].lower()
        if domain not in state.mappings:
            raise _missing(state, domain)
        gone = state.mappings.pop(domain)
        state.created.pop(domain, None)
        return {
            "status": "Success",
            "details": {
                "name": domain,
                "group": "domains.cloudrun.com",
                "kind": "domainmappings",
                "uid": gone["metadata"]["uid"],
            },
        }

    return {PREFIX + "create": create, PREFIX + "get": get, PREFIX + "list": list_, PREFIX + "delete": delete}
