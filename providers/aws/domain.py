"""Custom domain: the API Gateway domain name, its mapping to the stage's API, and an alias record
in Route 53 when the account hosts the zone (otherwise the target to point DNS at is printed).
The certificate side lives in certificate.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from faas import Action, CertifyResult, Change, DeployError, DnsRecord, Resource, UsageError
from faas.providers.aws import certificate as certs
from faas.providers.aws import frontdoor
from faas.providers.aws.context import API_ID, ApplyState, Deployment
from faas.providers.aws.session import is_missing


def _check_supported(deployment: Deployment) -> None:
    if deployment.options.front_door == "function-url":
        raise DeployError(
            "plan", 'a Function URL cannot have a custom domain; use front_door = "http-api" (or CloudFront)'
        )
    arn = deployment.project.config.certificate
    if arn and arn != "managed" and certs.is_edge(deployment) and ":us-east-1:" not in arn:
        raise DeployError("plan", "an edge endpoint's certificate must be in us-east-1 (CloudFront reads only there)")


@dataclass(frozen=True)
class CustomDomain:
    kind: str  # http-api or rest-api
    target: str
    target_zone: str
    certificate: str
    mapped_api: str | None


def find_domain(deployment: Deployment) -> CustomDomain | None:
    domain = certs.domain_of(deployment)
    if domain is None:
        return None
    v2 = deployment.session.client("apigatewayv2")
    try:
        found = v2.get_domain_name(DomainName=domain)
        config = found["DomainNameConfigurations"][0]
        mappings = v2.get_api_mappings(DomainName=domain).get("Items", [])
        key = deployment.project.config.base_path.strip("/")
        mapped = next((m["ApiId"] for m in mappings if m.get("ApiMappingKey", "") == key), None)
        if deployment.names.owns(found.get("Tags")):
            return CustomDomain(
                "http-api",
                config.get("ApiGatewayDomainName", ""),
                config.get("HostedZoneId", ""),
                config.get("CertificateArn", ""),
                mapped,
            )
    except Exception as error:
        if not is_missing(error):
            raise
    v1 = deployment.session.client("apigateway")
    try:
        found = v1.get_domain_name(domainName=domain)
    except Exception as error:
        if is_missing(error):
            return None
        raise
    if not deployment.names.owns(found.get("tags")):
        return None
    key = deployment.project.config.base_path.strip("/") or "(none)"
    mappings = v1.get_base_path_mappings(domainName=domain).get("items", [])
    mapped = next((m["restApiId"] for m in mappings if m.get("basePath", "(none)") == key), None)
    target = found.get("regionalDomainName") or found.get("distributionDomainName", "")
    zone = found.get("regionalHostedZoneId") or found.get("distributionHostedZoneId", "")
    certificate = found.get("regionalCertificateArn") or found.get("certificateArn", "")
    return CustomDomain("rest-api", target, zone, certificate, mapped)


def custom_url(deployment: Deployment) -> str | None:
    """https://domain/base_path/ once the domain is mapped, else None."""
    if certs.domain_of(deployment) is None:
        return None
    found = find_domain(deployment)
    if found is None or found.mapped_api is None:
        return None
    return f"https://{certs.domain_of(deployment)}{deployment.project.config.base_path}/"


def owned_domains(deployment: Deployment) -> list[tuple[str, str]]:
    """(kind, domain name) of every API Gateway domain name tagged for this stage."""
    found = []
    v2 = deployment.session.client("apigatewayv2")
    token = None
    while True:
        page = v2.get_domain_names(**({"NextToken": token} if token else {}))
        found += [("http-api", d["DomainName"]) for d in page.get("Items", []) if deployment.names.owns(d.get("Tags"))]
        token = page.get("NextToken")
        if not token:
            break
    for page in deployment.session.client("apigateway").get_paginator("get_domain_names").paginate():
        found += [("rest-api", d["domainName"]) for d in page.get("items", []) if deployment.names.owns(d.get("tags"))]
    return found


def _current_api(deployment: Deployment, state: ApplyState | None) -> str | None:
    learned = state.get(API_ID) if state is not None else None
    if learned:
        return learned
    finder = frontdoor.find_http_apis if deployment.options.front_door == "http-api" else frontdoor.find_rest_apis
    apis = finder(deployment)
    return (apis[0].get("ApiId") or apis[0].get("id")) if apis else None


def plan_domain(deployment: Deployment) -> list[Action]:
    domain = certs.domain_of(deployment)
    kind = deployment.options.front_door
    actions: list[Action] = [
        Action(Change.DELETE, "custom domain", name, (), RemoveDomainStep(found_kind, name))
        for found_kind, name in owned_domains(deployment)
        if name != domain or found_kind != kind
    ]
    if domain is None or deployment.project.config.app is None:
        return actions
    _check_supported(deployment)
    certificate = certs.find_certificate(deployment)
    found = find_domain(deployment)
    details: list[tuple[str, str, str]] = []
    if certificate is None:
        details.append(("certificate", "", "request (DNS validation)"))
    elif certificate.get("Status") != "ISSUED":
        details.append(("certificate", str(certificate.get("Status")), "ISSUED"))
    if found is None or found.kind != kind:
        details.append(("domain name", "", f"{domain} ({kind})"))
    else:
        api = _current_api(deployment, None)
        if found.mapped_api is None or found.mapped_api != api:
            details.append(("mapping", found.mapped_api or "", f"{deployment.project.config.base_path or '/'} -> api"))
    if details:
        change = Change.CREATE if found is None else Change.UPDATE
        actions.append(Action(change, "custom domain", domain, tuple(details), DomainStep()))
    return actions


@dataclass(frozen=True)
class DomainStep:
    """Certificate, domain name, mapping and DNS alias; skipped with a warning while validation is pending."""

    wait: float = 300

    def run(self, deployment: Deployment, state: ApplyState | None) -> None:
        domain = certs.domain_of(deployment)
        assert domain is not None
        zone = certs.hosted_zone(deployment)
        certificate = certs.ensure_certificate(deployment, self.wait if zone else 0)
        if certificate.get("Status") != "ISSUED":
            records = "; ".join(f"{r.name} {r.type} {r.value}" for r in certs.validation_records(certificate))
            deployment.reporter.warning(
                f"certificate for {domain} is {certificate.get('Status')}: create these DNS records, then deploy "
                f"again (or run `faas certify`): {records}"
            )
            return
        api = _current_api(deployment, state)
        if api is None:
            raise DeployError("custom domain", "no API to map the domain to")
        found = find_domain(deployment)
        target, target_zone = self._ensure(deployment, domain, certificate["CertificateArn"], api, found)
        if not target:
            # API Gateway always reports it; an emulator may not (moto's apigatewayv2 does not).
            deployment.reporter.warning(f"API Gateway reported no target for {domain}; no DNS record was written")
            return
        if zone:
            _upsert_alias(deployment, zone, domain, (target, target_zone))
            deployment.say(f"{domain} now points at {target} (Route 53 zone {zone})")
        else:
            deployment.say(f"point {domain} at {target} (CNAME, or an alias record)")
        if state is not None:
            state.outputs["dns_target"] = target

    def _ensure(
        self, deployment: Deployment, domain: str, arn: str, api: str, found: CustomDomain | None
    ) -> tuple[str, str]:
        key = deployment.project.config.base_path.strip("/")
        if deployment.options.front_door == "http-api":
            v2 = deployment.session.client("apigatewayv2")
            if found is None:
                created = v2.create_domain_name(
                    DomainName=domain,
                    DomainNameConfigurations=[
                        {"CertificateArn": arn, "EndpointType": "REGIONAL", "SecurityPolicy": "TLS_1_2"}
                    ],
                    Tags=deployment.tags(),
                )
                config = created["DomainNameConfigurations"][0]
                found = CustomDomain(
                    "http-api", config.get("ApiGatewayDomainName", ""), config.get("HostedZoneId", ""), arn, None
                )
            for mapping in v2.get_api_mappings(DomainName=domain).get("Items", []):
                if mapping.get("ApiMappingKey", "") == key:
                    v2.delete_api_mapping(DomainName=domain, ApiMappingId=mapping["ApiMappingId"])
            v2.create_api_mapping(DomainName=domain, ApiId=api, Stage="$default", ApiMappingKey=key)
            return found.target, found.target_zone
        v1 = deployment.session.client("apigateway")
        created_now = found is None
        if found is None:
            arguments: dict[str, Any] = {"domainName": domain, "tags": deployment.tags(), "securityPolicy": "TLS_1_2"}
            if certs.is_edge(deployment):
                arguments.update(certificateArn=arn, endpointConfiguration={"types": ["EDGE"]})
            else:
                arguments.update(regionalCertificateArn=arn, endpointConfiguration={"types": ["REGIONAL"]})
            created = v1.create_domain_name(**arguments)
            target = created.get("regionalDomainName") or created.get("distributionDomainName", "")
            zone = created.get("regionalHostedZoneId") or created.get("distributionHostedZoneId", "")
            found = CustomDomain("rest-api", target, zone, arn, None)
        base = key or "(none)"
        # A domain created just now has no mappings to replace (and moto fails listing an empty set).
        existing: list[dict[str, Any]] | None = [] if found.mapped_api is None and created_now else None
        if existing is None:
            existing = v1.get_base_path_mappings(domainName=domain).get("items", [])
        for mapping in existing:
            if mapping.get("basePath", "(none)") == base:
                v1.delete_base_path_mapping(domainName=domain, basePath=base)
        mapping_args = {"domainName": domain, "restApiId": api, "stage": deployment.project.stage}
        v1.create_base_path_mapping(**mapping_args, **({"basePath": key} if key else {}))
        return found.target, found.target_zone


def _upsert_alias(deployment: Deployment, zone: str, domain: str, target_and_zone: tuple[str, str]) -> None:
    target, target_zone = target_and_zone
    record: dict[str, Any] = {"Name": domain, "Type": "A"}
    if target_zone:
        record["AliasTarget"] = {"HostedZoneId": target_zone, "DNSName": target, "EvaluateTargetHealth": False}
    else:
        record.update(Type="CNAME", TTL=300, ResourceRecords=[{"Value": target}])
    deployment.session.client("route53").change_resource_record_sets(
        HostedZoneId=zone,
        ChangeBatch={"Comment": "faas custom domain", "Changes": [{"Action": "UPSERT", "ResourceRecordSet": record}]},
    )


@dataclass(frozen=True)
class RemoveDomainStep:
    """Delete the domain name (its mappings go with it), its DNS alias and a managed certificate."""

    kind: str
    name: str

    def run(self, deployment: Deployment, state: ApplyState | None = None) -> None:
        target = zone_id = certificate = ""
        try:
            if self.kind == "http-api":
                v2 = deployment.session.client("apigatewayv2")
                config = v2.get_domain_name(DomainName=self.name)["DomainNameConfigurations"][0]
                target, zone_id, certificate = (
                    config.get("ApiGatewayDomainName", ""),
                    config.get("HostedZoneId", ""),
                    config.get("CertificateArn", ""),
                )
                for mapping in v2.get_api_mappings(DomainName=self.name).get("Items", []):
                    v2.delete_api_mapping(DomainName=self.name, ApiMappingId=mapping["ApiMappingId"])
                v2.delete_domain_name(DomainName=self.name)
            else:
                v1 = deployment.session.client("apigateway")
                found = v1.get_domain_name(domainName=self.name)
                target = found.get("regionalDomainName") or found.get("distributionDomainName", "")
                zone_id = found.get("regionalHostedZoneId") or found.get("distributionHostedZoneId", "")
                certificate = found.get("regionalCertificateArn") or found.get("certificateArn", "")
                v1.delete_domain_name(domainName=self.name)
        except Exception as error:
            if not is_missing(error):
                raise
        certs.remove_dns_and_certificate(deployment, self.name, target, zone_id, certificate)


def plan_domain_removal(deployment: Deployment) -> list[Action]:
    actions: list[Action] = [
        Action(Change.DELETE, "custom domain", name, (), RemoveDomainStep(kind, name))
        for kind, name in owned_domains(deployment)
    ]
    if not actions and certs.domain_of(deployment):
        certificate = (
            certs.find_certificate(deployment) if deployment.project.config.certificate in (None, "managed") else None
        )
        if certificate is not None:
            arn = certificate["CertificateArn"]
            actions.append(Action(Change.DELETE, "certificate", arn, (), RemoveCertificateStep(arn)))
    return actions


@dataclass(frozen=True)
class RemoveCertificateStep:
    arn: str

    def run(self, deployment: Deployment, state: ApplyState | None = None) -> None:
        certs.remove_dns_and_certificate(deployment, certs.domain_of(deployment) or "", "", "", self.arn)


def resources(deployment: Deployment) -> list[Resource]:
    found = [Resource("custom domain", name, kind) for kind, name in owned_domains(deployment)]
    if certs.domain_of(deployment) and deployment.project.config.certificate in (None, "managed"):
        certificate = certs.find_certificate(deployment)
        if certificate is not None:
            found.append(Resource("certificate", certificate["CertificateArn"], str(certificate.get("Status"))))
    return found


def certify(deployment: Deployment) -> CertifyResult:
    """Certificate (requested and validated through Route 53 when possible), then the domain if the API exists."""
    domain = certs.domain_of(deployment)
    if domain is None:
        raise UsageError(f'{deployment.project.name} has no domain; set domain = "example.com" in the config')
    _check_supported(deployment)
    zone = certs.hosted_zone(deployment)
    certificate = certs.ensure_certificate(deployment, 300 if zone else 0)
    records = certs.validation_records(certificate)
    target = None
    if certificate.get("Status") == "ISSUED" and _current_api(deployment, None) is not None:
        state = ApplyState(deploy_id="certify")
        DomainStep(wait=0).run(deployment, state)
        target = state.outputs.get("dns_target")
    if records and not zone:
        deployment.say("create these DNS records to validate the certificate:")
        for record in records:
            deployment.say(f"  {record.name} {record.type} {record.value}")
    if target:
        records = [*records, DnsRecord(domain, "CNAME", target)]
    return CertifyResult(domain, certificate["CertificateArn"], str(certificate.get("Status")), target, tuple(records))
