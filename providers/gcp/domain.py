"""Custom domain: a Cloud Run domain mapping of the app's service, with a Google-managed certificate.

The mapping (Cloud Run v1, domain_rest.py) maps a whole host to one service and provisions the
certificate itself once DNS points at Google; faas prints the records the mapping reports. What a
mapping cannot do (regions without mappings, a path prefix, the user's own certificate) is refused
before any write, with the global external Application Load Balancer commands that do it instead.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from google.api_core import exceptions

from faas import (
    Action,
    ApplyState,
    CertifyResult,
    Change,
    DeployError,
    DnsRecord,
    NotDeployedError,
    ProjectConfig,
    Resource,
    UsageError,
)
from faas.providers.gcp.context import Deployment, describe

RESOURCE = "domain mapping"
# Cloud Run domain mappings are served only in these regions (run/docs/mapping-custom-domains, "Limitations").
MAPPING_REGIONS = frozenset(
    {
        "asia-east1",
        "asia-northeast1",
        "asia-southeast1",
        "europe-north1",
        "europe-west1",
        "europe-west4",
        "us-central1",
        "us-east1",
        "us-east4",
        "us-west1",
    }
)
AUTOMATIC = "AUTOMATIC"
CERTIFICATE = "Google-managed (Cloud Run domain mapping)"
# How long certify waits for the mapping to report its DNS records (seconds after create, usually).
RECORDS_WAIT = 30.0


def domain_of(deployment: Deployment) -> str | None:
    domain = deployment.project.config.domain
    return domain.rstrip(".").lower() if domain else None


def load_balancer_steps(deployment: Deployment, domain: str) -> str:
    """The gcloud commands of a global external Application Load Balancer in front of the app's service."""
    service = deployment.names.function("")
    region = deployment.region
    name = deployment.names.prefix
    certificate = deployment.project.config.certificate
    certificate_step = (
        f"gcloud compute ssl-certificates create {name}-cert --domains={domain} --global"
        if certificate in (None, "managed")
        else f"use your certificate {certificate} (gcloud compute ssl-certificates list)"
    )
    path = deployment.project.config.base_path
    url_map = (
        f"gcloud compute url-maps create {name}-lb --default-service={name}-backend"
        if not path
        else f"gcloud compute url-maps create {name}-lb --default-service=<your default backend>; "
        f"gcloud compute url-maps add-path-matcher {name}-lb --path-matcher-name={name} "
        f"--default-service=<your default backend> --path-rules='{path}/*={name}-backend' --new-hosts={domain}"
    )
    steps = [
        f"gcloud compute network-endpoint-groups create {name}-neg --region={region} "
        f"--network-endpoint-type=serverless --cloud-run-service={service}",
        f"gcloud compute backend-services create {name}-backend --global --load-balancing-scheme=EXTERNAL_MANAGED",
        f"gcloud compute backend-services add-backend {name}-backend --global "
        f"--network-endpoint-group={name}-neg --network-endpoint-group-region={region}",
        url_map,
        certificate_step,
        f"gcloud compute target-https-proxies create {name}-proxy --url-map={name}-lb --ssl-certificates={name}-cert",
        f"gcloud compute addresses create {name}-ip --global",
        f"gcloud compute forwarding-rules create {name}-https --global --load-balancing-scheme=EXTERNAL_MANAGED "
        f"--address={name}-ip --target-https-proxy={name}-proxy --ports=443",
        f"then point {domain} at the address (an A record: gcloud compute addresses describe {name}-ip --global)",
    ]
    return "; ".join(f"({number}) {step}" for number, step in enumerate(steps, 1))


def unsupported_reason(config: ProjectConfig, region: str) -> str | None:
    """Why a Cloud Run domain mapping cannot serve `config.domain` in `region`, or None when it can."""
    domain = config.domain
    if region not in MAPPING_REGIONS:
        return f"Cloud Run domain mappings are not available in {region} (only {', '.join(sorted(MAPPING_REGIONS))})"
    if config.base_path:
        return f"a Cloud Run domain mapping maps the whole host {domain}, not the path {config.base_path}"
    if config.certificate not in (None, "managed"):
        return (
            f"a Cloud Run domain mapping provisions its own Google-managed certificate and cannot use "
            f"{config.certificate}"
        )
    return None


def check_supported(deployment: Deployment, step: str) -> str:
    """The domain, when a Cloud Run domain mapping can serve it; else DeployError with what to set up instead."""
    domain = domain_of(deployment)
    if domain is None:
        raise UsageError(f'{deployment.project.name} has no domain; set domain = "www.example.com" in the config')
    config = deployment.project.config
    if config.app is None:
        raise DeployError(step, f"{domain} maps to the app, and {deployment.project.name} has no [app]")
    reason = unsupported_reason(config, deployment.region)
    if reason is not None:
        raise DeployError(
            step,
            f"{reason}; nothing was changed. Serve {domain} through a global external Application Load Balancer "
            f"with a serverless NEG instead: {load_balancer_steps(deployment, domain)}",
        )
    return domain


def owned_mappings(deployment: Deployment) -> list[dict[str, Any]]:
    """Every domain mapping labelled for this project and stage (none where the region has no mappings)."""
    if deployment.region not in MAPPING_REGIONS:
        return []
    found = deployment.domain_mappings.list(deployment.names.tags())
    return [m for m in found if deployment.names.owns(m.get("metadata", {}).get("labels"))]


def _route(deployment: Deployment) -> str:
    """The app's Cloud Run service id: read from the function once it exists, else as Cloud Functions names it."""
    from faas.providers.gcp.functions import deployed

    function = deployed(deployment, deployment.function_name(""))
    if function is not None and function.service_config.service:
        return str(function.service_config.service).rsplit("/", 1)[1]
    return deployment.names.function("").lower().replace("_", "-")


def _matches(mapping: dict[str, Any], route: str) -> bool:
    spec = mapping.get("spec", {})
    return bool(spec.get("routeName") == route and spec.get("certificateMode", AUTOMATIC) == AUTOMATIC)


def plan_domain(deployment: Deployment) -> list[Action]:
    """Stale mappings of the stage deleted; the configured domain mapped to the app when it is not yet.

    The planner has already refused (with `check_supported`) a domain a mapping cannot serve.
    """
    domain = domain_of(deployment) if deployment.project.config.app is not None else None
    actions: list[Action] = []
    for mapping in owned_mappings(deployment):
        name = str(mapping.get("metadata", {}).get("name", ""))
        if name != domain:
            actions.append(Action(Change.DELETE, RESOURCE, name, (), DeleteMappingStep(name)))
    if domain is None:
        return actions
    route = _route(deployment)
    have = deployment.domain_mappings.get(domain)
    if have is None:
        details = (("route", "", route), ("certificate", "", "Google-managed (AUTOMATIC)"))
        actions.append(Action(Change.CREATE, RESOURCE, domain, details, MappingStep(domain)))
        return actions
    _check_ours(deployment, domain, have)
    if not _matches(have, route):
        spec = have.get("spec", {})
        details = (
            ("route", str(spec.get("routeName", "")), route),
            ("certificate", str(spec.get("certificateMode", "")), AUTOMATIC),
        )
        actions.append(Action(Change.UPDATE, RESOURCE, domain, details, MappingStep(domain)))
    return actions


def _check_ours(deployment: Deployment, domain: str, mapping: dict[str, Any]) -> None:
    if not deployment.names.owns(mapping.get("metadata", {}).get("labels")):
        route = mapping.get("spec", {}).get("routeName", "?")
        raise DeployError(
            "plan",
            f"{domain} is already mapped to Cloud Run service {route} by something other than this stage; "
            f"remove that mapping (gcloud beta run domain-mappings delete --domain={domain} "
            f"--region={deployment.region}) or choose another domain",
        )


@dataclass(frozen=True)
class MappingStep:
    """The mapping of `domain` to the app's service (replaced when it points elsewhere)."""

    domain: str

    def run(self, deployment: Deployment, state: ApplyState | None) -> None:
        ensure_mapping(deployment, self.domain)


def ensure_mapping(deployment: Deployment, domain: str) -> tuple[dict[str, Any], bool]:
    """The mapping, created (or replaced) when missing or different; True when a write was made."""
    route = _route(deployment)
    have = deployment.domain_mappings.get(domain)
    if have is not None:
        _check_ours(deployment, domain, have)
        if _matches(have, route):
            return have, False
        # Mappings have no update in the v1 API: a different route or mode is a delete and a create.
        deployment.domain_mappings.delete(domain)
    try:
        created = deployment.domain_mappings.create(
            domain, route=route, labels=deployment.tags(), certificate_mode=AUTOMATIC
        )
    except exceptions.Forbidden as error:
        if "verif" not in str(error.message).lower():
            raise
        raise DeployError(
            f"map {domain}",
            f"{describe(error)}. Google Cloud maps only a domain you have verified: run "
            f"`gcloud domains verify {_verify_root(domain)}` with the account faas deploys as, add the TXT record "
            "Search Console shows to DNS, wait for it to say verified, then run `faas certify` again",
        ) from None
    deployment.say(f"mapped {domain} to Cloud Run service {route} (certificate: Google-managed)")
    return created, True


def _verify_root(domain: str) -> str:
    # Verifying the registered domain covers every subdomain; a two-label guess is only a suggestion.
    parts = domain.split(".")
    return ".".join(parts[-2:]) if len(parts) > 2 else domain


@dataclass(frozen=True)
class DeleteMappingStep:
    domain: str

    def run(self, deployment: Deployment, state: ApplyState | None) -> None:
        deployment.domain_mappings.delete(self.domain)


def condition(mapping: dict[str, Any], kind: str) -> dict[str, Any]:
    found = [c for c in mapping.get("status", {}).get("conditions", []) if c.get("type") == kind]
    return found[0] if found else {}


def certificate_status(mapping: dict[str, Any]) -> str:
    """ACTIVE once CertificateProvisioned is True, FAILED when False, else PROVISIONING (with the reason)."""
    found = condition(mapping, "CertificateProvisioned")
    state = found.get("status", "Unknown")
    if state == "True":
        return "ACTIVE"
    word = "FAILED" if state == "False" else "PROVISIONING"
    message = found.get("message") or found.get("reason")
    return f"{word}: {message}" if message else word


def dns_records(domain: str, mapping: dict[str, Any]) -> tuple[DnsRecord, ...]:
    """The records the mapping asks for, named in full (the API names them relative to the apex)."""
    return tuple(
        DnsRecord(domain, str(record.get("type", "")), str(record.get("rrdata", "")))
        for record in mapping.get("status", {}).get("resourceRecords", [])
    )


def certify(deployment: Deployment) -> CertifyResult:
    """Map the domain (if not yet), then report its DNS records and the certificate's state."""
    domain = check_supported(deployment, "certify")
    if _app_service(deployment) is None:
        raise NotDeployedError(
            f"{deployment.names.function('')} is not deployed: run `faas deploy --provider gcp` (it maps {domain} "
            "too), or deploy first and run `faas certify` again"
        )
    mapping, _ = ensure_mapping(deployment, domain)
    deadline = time.monotonic() + RECORDS_WAIT
    while not mapping.get("status", {}).get("resourceRecords") and time.monotonic() < deadline:
        time.sleep(1)
        mapping = deployment.domain_mappings.get(domain) or mapping
    records = dns_records(domain, mapping)
    if not records:
        deployment.reporter.warning(
            f"Cloud Run has not reported the DNS records of {domain} yet; run `faas certify` again in a minute"
        )
    cname = next((r.value for r in records if r.type == "CNAME"), None)
    status = certificate_status(mapping)
    if status != "ACTIVE":
        deployment.say(
            f"the certificate of {domain} is provisioned once these records are in DNS (about 15 minutes after)"
        )
    return CertifyResult(domain, CERTIFICATE, status, cname, records)


def _app_service(deployment: Deployment) -> str | None:
    from faas.providers.gcp.functions import deployed

    function = deployed(deployment, deployment.function_name(""))
    return str(function.service_config.service) if function is not None and function.service_config.service else None


def resources(deployment: Deployment) -> list[Resource]:
    """The stage's mappings for status: route, readiness, certificate and the DNS records."""
    found = []
    for mapping in owned_mappings(deployment):
        name = str(mapping.get("metadata", {}).get("name", ""))
        ready = condition(mapping, "Ready").get("status", "Unknown")
        records = ", ".join(f"{r.type} {r.value}" for r in dns_records(name, mapping)) or "not reported yet"
        detail = (
            f"https://{name}/ -> {mapping.get('spec', {}).get('routeName', '?')}; ready {ready}; "
            f"certificate {certificate_status(mapping)}; DNS {records}"
        )
        found.append(Resource(RESOURCE, name, detail))
    return found


def plan_removal(deployment: Deployment) -> list[Action]:
    return [
        Action(Change.DELETE, RESOURCE, name, (), DeleteMappingStep(name))
        for name in sorted(str(m.get("metadata", {}).get("name", "")) for m in owned_mappings(deployment))
    ]
