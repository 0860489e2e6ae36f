"""Custom domains: a requested certificate validated through Route 53, domain name, mapping, DNS alias."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from faas.core import workflow
from faas.core.errors import DeployError

from .conftest import deploy, open_aws, record_calls


def _zone(name: str) -> str:
    zone = boto3.client("route53").create_hosted_zone(Name=name, CallerReference=name)
    return str(zone["HostedZone"]["Id"].rpartition("/")[2])


def _records(zone: str) -> dict[tuple[str, str], dict[str, Any]]:
    sets = boto3.client("route53").list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"]
    return {(r["Name"], r["Type"]): r for r in sets if r["Type"] not in ("NS", "SOA")}


def _domain_target(front_door: str, domain: str, names: Any) -> tuple[str, str, str]:
    """(DNS target, mapped API id, mapping key) as API Gateway reports them."""
    if front_door == "http-api":
        v2 = boto3.client("apigatewayv2")
        config = v2.get_domain_name(DomainName=domain)["DomainNameConfigurations"][0]
        [mapping] = v2.get_api_mappings(DomainName=domain)["Items"]
        assert mapping["Stage"] == "$default"
        # moto's apigatewayv2 does not report ApiGatewayDomainName (real API Gateway does).
        return config.get("ApiGatewayDomainName", ""), mapping["ApiId"], mapping["ApiMappingKey"]
    v1 = boto3.client("apigateway")
    found = v1.get_domain_name(domainName=domain)
    [mapping] = v1.get_base_path_mappings(domainName=domain)["items"]
    assert mapping["stage"] == names.stage
    return found.get("regionalDomainName") or found["distributionDomainName"], mapping["restApiId"], mapping["basePath"]


@pytest.mark.parametrize("front_door", ["rest-api", "http-api"])
def test_certify_then_deploy_serves_the_domain_and_undeploy_cleans_up(write_project: Any, front_door: str) -> None:
    base = write_project.base
    zone = _zone(f"{base}.example.com")
    domain = f"api.{base}.example.com"
    config = f'domain = "{domain}"\ncertificate = "managed"\nbase_path = "/v1"\n[app]\nentry = "app:application"\n'
    project = write_project(config + f'[providers.aws]\nfront_door = "{front_door}"\n')
    provider, _ = deploy(project)
    names = provider.deployment.names

    certified = open_aws(project).certify()
    assert certified.domain == domain
    assert certified.certificate_status == "ISSUED"
    acm = boto3.client("acm")
    certificate = acm.describe_certificate(CertificateArn=certified.certificate)["Certificate"]
    assert certificate["DomainName"] == domain
    tags = {t["Key"]: t["Value"] for t in acm.list_tags_for_certificate(CertificateArn=certified.certificate)["Tags"]}
    assert tags["faas:stage"] == "dev"
    validation = [r for r in certified.dns_records if r.type == "CNAME" and r.name.startswith("_")]
    assert validation, certified.dns_records
    records = _records(zone)
    for record in validation:
        assert (record.name, "CNAME") in records, "validation records written to the hosted zone"

    target, api_id, key = _domain_target(front_door, domain, names)
    door = provider.status().resources
    assert api_id in {r.name for r in door}
    assert key == "v1"
    if target:
        assert certified.target == target
        assert records[(domain + ".", "A")]["AliasTarget"]["DNSName"].rstrip(".") == target

    again = open_aws(project)
    calls = record_calls(again)
    outcome = workflow.deploy(again)
    assert outcome.plan.is_empty, outcome.plan.render()
    assert calls.writes == []
    assert outcome.result.url == f"https://{domain}/v1/"
    assert again.status().url == outcome.result.url

    workflow.undeploy(open_aws(project))
    assert not [d for d in boto3.client("apigatewayv2").get_domain_names()["Items"] if d["DomainName"] == domain]
    assert not [d for d in boto3.client("apigateway").get_domain_names()["items"] if d["domainName"] == domain]
    arns = [c["CertificateArn"] for c in acm.list_certificates()["CertificateSummaryList"]]
    assert certified.certificate not in arns
    assert _records(zone) == {}


def test_deploy_requests_the_certificate_and_prints_records_without_a_zone(write_project: Any) -> None:
    domain = f"www.{write_project.base}.example.org"
    project = write_project(
        f'domain = "{domain}"\n[app]\nentry = "app:application"\n[providers.aws]\nfront_door = "rest-api"\n'
    )
    provider, outcome = deploy(project)
    assert any(a.resource == "custom domain" for a in outcome.plan.actions)
    found = boto3.client("apigateway").get_domain_name(domainName=domain)
    assert found["regionalCertificateArn"]
    assert outcome.result.url == f"https://{domain}/"
    [mapping] = boto3.client("apigateway").get_base_path_mappings(domainName=domain)["items"]
    assert mapping["stage"] == "dev"
    assert any("point" in m and domain in m for m in provider.reporter.messages)
    certified = open_aws(project).certify()
    assert certified.dns_records and certified.target


def test_edge_endpoint_needs_a_us_east_1_certificate(write_project: Any) -> None:
    arn = "arn:aws:acm:eu-west-1:123456789012:certificate/abc"
    config = f'domain = "e.example.net"\ncertificate = "{arn}"\n[app]\nentry = "app:application"\n'
    project = write_project(config + '[providers.aws]\nfront_door = "rest-api"\nendpoint_type = "edge"\n')
    with pytest.raises(DeployError, match="us-east-1"):
        workflow.deploy(open_aws(project))


def test_function_url_cannot_have_a_domain(write_project: Any) -> None:
    project = write_project(
        'domain = "f.example.net"\n[app]\nentry = "app:application"\n[providers.aws]\nfront_door = "function-url"\n'
    )
    with pytest.raises(DeployError, match="Function URL cannot have a custom domain"):
        workflow.deploy(open_aws(project))


def test_edge_endpoint_requests_its_certificate_in_us_east_1(write_project: Any) -> None:
    base = write_project.base
    _zone(f"{base}.example.net")
    domain = f"edge.{base}.example.net"
    config = f'domain = "{domain}"\n[app]\nentry = "app:application"\n'
    project = write_project(config + '[providers.aws]\nfront_door = "rest-api"\nendpoint_type = "edge"\n')
    _, outcome = deploy(project)
    certified = open_aws(project).certify()
    assert certified.certificate.startswith("arn:aws:acm:us-east-1:")
    assert not [
        c for c in boto3.client("acm").list_certificates()["CertificateSummaryList"] if c["DomainName"] == domain
    ]
    found = boto3.client("apigateway").get_domain_name(domainName=domain)
    assert found["certificateArn"] == certified.certificate
    assert found["endpointConfiguration"]["types"] == ["EDGE"]
    assert outcome.result.url == f"https://{domain}/"
    workflow.undeploy(open_aws(project))
    us_east = boto3.client("acm", region_name="us-east-1").list_certificates()["CertificateSummaryList"]
    assert not [c for c in us_east if c["DomainName"] == domain]
