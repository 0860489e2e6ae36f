# mypy: disable-error-code="no-untyped-call,import-untyped"
"""Cloud Run v1 domain mappings on the fake: Kubernetes-style objects, Google's errors, provisioning."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests
from google.auth.transport.requests import AuthorizedSession

from tests.fakes.gcp.clients import create
from tests.fakes.gcp.fake import GcpFake

pytestmark = pytest.mark.slow


def base(fake: GcpFake, namespace: str | None = None) -> str:
    return f"{fake.endpoints['run']}/apis/domains.cloudrun.com/v1/namespaces/{namespace or fake.project}/domainmappings"


def mapping(fake: GcpFake, domain: str, route: str, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "domains.cloudrun.com/v1",
        "kind": "DomainMapping",
        "metadata": {"name": domain, "namespace": fake.project, "labels": {"team": "web"}},
        "spec": {"routeName": route, "certificateMode": "AUTOMATIC", **spec},
    }


def service_of(fake: GcpFake, function_id: str) -> str:
    return str(create(fake, function_id).service_config.service).rsplit("/", 1)[1]


def test_create_get_list_delete_as_cloud_run_answers(gcp_fake: GcpFake) -> None:
    route = service_of(gcp_fake, "mapped")
    gcp_fake.domains.verify("example.com")
    session = AuthorizedSession(gcp_fake.credentials())
    made = session.post(base(gcp_fake), json=mapping(gcp_fake, "www.example.com", route), timeout=30)
    assert made.status_code == 200, made.text
    found = made.json()
    assert (found["apiVersion"], found["kind"]) == ("domains.cloudrun.com/v1", "DomainMapping")
    assert found["metadata"]["name"] == "www.example.com"
    assert found["metadata"]["namespace"] == gcp_fake.project_number  # whichever way the path named it
    assert found["status"]["resourceRecords"] == [{"name": "www", "rrdata": "ghs.googlehosted.com.", "type": "CNAME"}]
    states = {c["type"]: c["status"] for c in found["status"]["conditions"]}
    assert states == {"Ready": "Unknown", "CertificateProvisioned": "Unknown", "DomainRoutable": "True"}

    time.sleep(gcp_fake.domains.provision_after)
    read = session.get(f"{base(gcp_fake, gcp_fake.project_number)}/www.example.com", timeout=30).json()
    assert {c["status"] for c in read["status"]["conditions"]} == {"True"}

    listed = session.get(base(gcp_fake), params={"labelSelector": "team=web"}, timeout=30).json()
    assert [m["metadata"]["name"] for m in listed["items"]] == ["www.example.com"]
    none = session.get(base(gcp_fake), params={"labelSelector": "team=api"}, timeout=30).json()
    assert none["items"] == []

    again = session.post(base(gcp_fake), json=mapping(gcp_fake, "www.example.com", route), timeout=30)
    assert again.status_code == 409 and again.json()["error"]["status"] == "ALREADY_EXISTS"

    gone = session.delete(f"{base(gcp_fake)}/www.example.com", timeout=30)
    assert gone.status_code == 200 and gone.json()["status"] == "Success"
    missing = session.get(f"{base(gcp_fake)}/www.example.com", timeout=30)
    assert missing.status_code == 404
    assert missing.json()["error"]["status"] == "NOT_FOUND" and "DOMAIN_MAPPING" in missing.json()["error"]["message"]


def test_an_apex_domain_gets_google_a_and_aaaa_records(gcp_fake: GcpFake) -> None:
    route = service_of(gcp_fake, "apex")
    gcp_fake.domains.verify("example.org")
    session = AuthorizedSession(gcp_fake.credentials())
    found = session.post(base(gcp_fake), json=mapping(gcp_fake, "example.org", route), timeout=30).json()
    records = found["status"]["resourceRecords"]
    assert {r["type"] for r in records} == {"A", "AAAA"} and len(records) == 8
    assert all("name" not in r for r in records)  # apex records carry no relative name


def test_an_unverified_domain_is_403_and_a_missing_route_404(gcp_fake: GcpFake) -> None:
    route = service_of(gcp_fake, "unverified")
    session = AuthorizedSession(gcp_fake.credentials())
    refused = session.post(base(gcp_fake), json=mapping(gcp_fake, "www.example.net", route), timeout=30)
    assert refused.status_code == 403 and refused.json()["error"]["status"] == "PERMISSION_DENIED"
    assert "verifying ownership" in refused.json()["error"]["message"]
    gcp_fake.domains.verify("example.net")  # a verified parent covers the subdomain
    no_route = session.post(base(gcp_fake), json=mapping(gcp_fake, "www.example.net", "nothing-here"), timeout=30)
    assert no_route.status_code == 404
    assert gcp_fake.domains.mappings == {}


def test_bodies_are_checked_against_the_discovery_document_and_a_token_is_required(gcp_fake: GcpFake) -> None:
    route = service_of(gcp_fake, "checked")
    gcp_fake.domains.verify("example.com")
    session = AuthorizedSession(gcp_fake.credentials())
    body = mapping(gcp_fake, "www.example.com", route, certificateMode="SOMETIMES")
    assert session.post(base(gcp_fake), json=body, timeout=30).status_code == 400
    body = mapping(gcp_fake, "www.example.com", route, tls="yes")
    unknown = session.post(base(gcp_fake), json=body, timeout=30)
    assert unknown.status_code == 400 and 'Unknown name "tls"' in unknown.json()["error"]["message"]
    body = mapping(gcp_fake, "www.example.com", route)
    del body["metadata"]["namespace"]  # "Required." in ObjectMeta
    assert session.post(base(gcp_fake), json=body, timeout=30).status_code == 400
    anonymous = requests.get(base(gcp_fake), timeout=30)
    assert anonymous.status_code == 401 and anonymous.json()["error"]["status"] == "UNAUTHENTICATED"
    assert gcp_fake.domains.mappings == {}


def test_the_front_end_routes_a_mapped_host_to_its_service(gcp_fake: GcpFake) -> None:
    route = service_of(gcp_fake, "served")
    gcp_fake.domains.verify("example.com")
    session = AuthorizedSession(gcp_fake.credentials())
    assert session.post(base(gcp_fake), json=mapping(gcp_fake, "hello.example.com", route), timeout=30).ok
    # The function's service is not public (no allUsers invoker): the mapped host applies its IAM too.
    assert requests.get(gcp_fake.domains_url, headers={"Host": "hello.example.com"}, timeout=30).status_code == 403
    assert requests.get(gcp_fake.domains_url, headers={"Host": "nobody.example.com"}, timeout=30).status_code == 404
