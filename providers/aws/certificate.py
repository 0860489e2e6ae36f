"""The custom domain's certificate: the configured ACM ARN, or one requested with DNS validation whose
records go into the Route 53 hosted zone when the account has it (and stay there: ACM renews through them).

Edge REST endpoints are served by CloudFront, which only reads certificates from us-east-1.
"""

from __future__ import annotations

import time
from typing import Any

from faas import DeployError, DnsRecord
from faas.providers.aws.context import Deployment, tag_list
from faas.providers.aws.session import is_missing


def domain_of(deployment: Deployment) -> str | None:
    return deployment.project.config.domain


def is_edge(deployment: Deployment) -> bool:
    return deployment.options.front_door == "rest-api" and deployment.options.endpoint_type == "edge"


def certificate_region(deployment: Deployment) -> str:
    return "us-east-1" if is_edge(deployment) else deployment.region


def acm_client(deployment: Deployment) -> Any:
    return deployment.session.client("acm", certificate_region(deployment))


def find_certificate(deployment: Deployment) -> dict[str, Any] | None:
    """The configured certificate, or the managed one requested for this stage (by domain and tags)."""
    acm = acm_client(deployment)
    configured = deployment.project.config.certificate
    if configured and configured != "managed":
        try:
            return dict(acm.describe_certificate(CertificateArn=configured)["Certificate"])
        except Exception as error:
            if is_missing(error):
                raise DeployError(
                    "plan", f"certificate {configured} not found in {certificate_region(deployment)}"
                ) from None
            raise
    for page in acm.get_paginator("list_certificates").paginate():
        for summary in page.get("CertificateSummaryList", []):
            if summary.get("DomainName") != domain_of(deployment):
                continue
            arn = summary["CertificateArn"]
            tags = {
                t["Key"]: t.get("Value", "") for t in acm.list_tags_for_certificate(CertificateArn=arn).get("Tags", [])
            }
            if deployment.names.owns(tags):
                return dict(acm.describe_certificate(CertificateArn=arn)["Certificate"])
    return None


def validation_records(certificate: dict[str, Any]) -> list[DnsRecord]:
    records = []
    for option in certificate.get("DomainValidationOptions", []):
        record = option.get("ResourceRecord")
        if record:
            records.append(DnsRecord(record["Name"], record["Type"], record["Value"]))
    return records


def hosted_zone(deployment: Deployment) -> str | None:
    """The Route 53 zone for the domain: the option, else the zone with the longest matching name."""
    if deployment.options.hosted_zone_id:
        return deployment.options.hosted_zone_id.rpartition("/")[2]
    domain = (domain_of(deployment) or "").rstrip(".") + "."
    best: tuple[int, str] | None = None
    for page in deployment.session.client("route53").get_paginator("list_hosted_zones").paginate():
        for zone in page.get("HostedZones", []):
            name = zone["Name"]
            private = zone.get("Config", {}).get("PrivateZone", False)
            if (
                not private
                and (domain == name or domain.endswith("." + name))
                and (best is None or len(name) > best[0])
            ):
                best = (len(name), zone["Id"].rpartition("/")[2])
    return best[1] if best else None


def _upsert(deployment: Deployment, zone: str, records: list[DnsRecord]) -> None:
    changes = [
        {
            "Action": "UPSERT",
            "ResourceRecordSet": {"Name": r.name, "Type": r.type, "TTL": 300, "ResourceRecords": [{"Value": r.value}]},
        }
        for r in records
    ]
    if changes:
        deployment.session.client("route53").change_resource_record_sets(
            HostedZoneId=zone, ChangeBatch={"Comment": "faas certificate validation", "Changes": changes}
        )


def _missing(deployment: Deployment, zone: str, records: list[DnsRecord]) -> list[DnsRecord]:
    route53 = deployment.session.client("route53")
    missing = []
    for record in records:
        found = route53.list_resource_record_sets(
            HostedZoneId=zone, StartRecordName=record.name, StartRecordType=record.type, MaxItems="1"
        ).get("ResourceRecordSets", [])
        if not any(r["Name"] == record.name and r["Type"] == record.type for r in found):
            missing.append(record)
    return missing


def ensure_certificate(deployment: Deployment, wait: float) -> dict[str, Any]:
    """Find or request the certificate; write its validation records to the hosted zone; wait for issue."""
    certificate = find_certificate(deployment)
    acm = acm_client(deployment)
    if certificate is None:
        domain = domain_of(deployment)
        assert domain is not None
        arn = acm.request_certificate(
            DomainName=domain,
            ValidationMethod="DNS",
            IdempotencyToken=deployment.names.prefix.replace("-", "")[:32],
            Tags=tag_list(deployment.tags()),
        )["CertificateArn"]
        deployment.say(f"requested certificate {arn} for {domain}")
        certificate = dict(acm.describe_certificate(CertificateArn=arn)["Certificate"])
    zone = hosted_zone(deployment)
    written = False
    deadline = time.monotonic() + wait
    while True:
        records = validation_records(certificate)
        if zone and records and not written and certificate.get("Type") != "IMPORTED":
            # Kept in the zone even once issued: ACM renews the certificate through the same records.
            _upsert(deployment, zone, _missing(deployment, zone, records))
            written = True
        if certificate.get("Status") != "PENDING_VALIDATION" or time.monotonic() >= deadline:
            break
        # A fresh request lists its validation records only after a few seconds; issue takes minutes.
        time.sleep(min(10.0, max(0.5, deadline - time.monotonic())))
        certificate = dict(acm.describe_certificate(CertificateArn=certificate["CertificateArn"])["Certificate"])
    return certificate


def remove_dns_and_certificate(deployment: Deployment, domain: str, target: str, target_zone: str, arn: str) -> None:
    route53 = deployment.session.client("route53")
    zone = hosted_zone(deployment) if deployment.options.hosted_zone_id or domain_of(deployment) == domain else None
    if zone and target:
        wanted = domain.rstrip(".") + "."
        for record in route53.list_resource_record_sets(HostedZoneId=zone, StartRecordName=wanted).get(
            "ResourceRecordSets", []
        ):
            alias = record.get("AliasTarget", {}).get("DNSName", "").rstrip(".")
            values = [v["Value"].rstrip(".") for v in record.get("ResourceRecords", [])]
            if record["Name"] == wanted and (alias == target.rstrip(".") or target.rstrip(".") in values):
                route53.change_resource_record_sets(
                    HostedZoneId=zone, ChangeBatch={"Changes": [{"Action": "DELETE", "ResourceRecordSet": record}]}
                )
    if not arn:
        return
    acm = acm_client(deployment)
    try:
        tags = {t["Key"]: t.get("Value", "") for t in acm.list_tags_for_certificate(CertificateArn=arn).get("Tags", [])}
        if not deployment.names.owns(tags):
            return  # the user's certificate: never deleted
        certificate = acm.describe_certificate(CertificateArn=arn)["Certificate"]
        if zone:
            records = validation_records(certificate)
            existing = route53.list_resource_record_sets(HostedZoneId=zone).get("ResourceRecordSets", [])
            doomed = [r for r in existing if any(r["Name"] == v.name and r["Type"] == v.type for v in records)]
            if doomed:
                route53.change_resource_record_sets(
                    HostedZoneId=zone,
                    ChangeBatch={"Changes": [{"Action": "DELETE", "ResourceRecordSet": r} for r in doomed]},
                )
        acm.delete_certificate(CertificateArn=arn)
    except Exception as error:
        if not is_missing(error):
            raise
