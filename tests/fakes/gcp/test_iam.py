# mypy: disable-error-code="no-untyped-call,import-untyped"
"""IAM service accounts and Resource Manager project policies on the fake, through googleapiclient."""

from __future__ import annotations

from typing import Any

import google_auth_httplib2
import httplib2
import pytest
from google.api_core import exceptions
from googleapiclient import discovery
from googleapiclient.errors import HttpError

from .clients import create, functions_client, new_function, upload
from .fake import GcpFake


def service(fake: GcpFake, api: str, version: str) -> Any:
    # httplib2 refuses any connection while HTTP(S)_PROXY is set and PySocks is missing, even to a
    # NO_PROXY host, so the client gets an Http without proxy settings (the fixture's proxy is a
    # closed port anyway: it only guarantees nothing leaves loopback).
    http = google_auth_httplib2.AuthorizedHttp(fake.credentials(), http=httplib2.Http(proxy_info=None))
    return discovery.build(
        api,
        version,
        http=http,
        client_options={"api_endpoint": fake.endpoints[api]},
        static_discovery=True,
        cache_discovery=False,
    )


def accounts(fake: GcpFake) -> Any:
    return service(fake, "iam", "v1").projects().serviceAccounts()


def new_account(fake: GcpFake, account_id: str) -> dict[str, Any]:
    body = {"accountId": account_id, "serviceAccount": {"displayName": "faas runtime"}}
    account: dict[str, Any] = accounts(fake).create(name=f"projects/{fake.project}", body=body).execute()
    return account


def status(exc: pytest.ExceptionInfo[HttpError]) -> tuple[int, str]:
    import json

    return exc.value.resp.status, json.loads(exc.value.content)["error"]["status"]


def test_create_get_list_delete_a_service_account(gcp_fake: GcpFake) -> None:
    account = new_account(gcp_fake, "faas-demo-dev")
    email = f"faas-demo-dev@{gcp_fake.project}.iam.gserviceaccount.com"
    assert account["email"] == email
    assert account["name"] == f"projects/{gcp_fake.project}/serviceAccounts/{email}"
    assert account["displayName"] == "faas runtime" and account["uniqueId"].isdigit()
    client = accounts(gcp_fake)
    assert client.get(name=f"projects/-/serviceAccounts/{email}").execute()["uniqueId"] == account["uniqueId"]
    by_id = client.get(name=f"projects/{gcp_fake.project}/serviceAccounts/{account['uniqueId']}").execute()
    assert by_id["email"] == email
    listed = client.list(name=f"projects/{gcp_fake.project}").execute()["accounts"]
    assert email in [a["email"] for a in listed] and gcp_fake.account.email in [a["email"] for a in listed]
    assert client.delete(name=account["name"]).execute() == {}
    with pytest.raises(HttpError) as missing:
        client.get(name=account["name"]).execute()
    assert status(missing) == (404, "NOT_FOUND")
    with pytest.raises(HttpError) as wildcard:
        client.get(name=f"projects/-/serviceAccounts/{email}").execute()
    assert status(wildcard) == (403, "PERMISSION_DENIED")  # the reference warns the wildcard answers 403


def test_a_second_create_is_already_exists(gcp_fake: GcpFake) -> None:
    new_account(gcp_fake, "faas-demo-dev")
    with pytest.raises(HttpError) as exc:
        new_account(gcp_fake, "faas-demo-dev")
    assert status(exc) == (409, "ALREADY_EXISTS")


@pytest.mark.parametrize("account_id", ["short", "a" * 31, "Upper-case1", "1starts-digit", "ends-with-"])
def test_account_ids_outside_the_pattern_are_refused(gcp_fake: GcpFake, account_id: str) -> None:
    with pytest.raises(HttpError) as exc:
        new_account(gcp_fake, account_id)
    assert status(exc) == (400, "INVALID_ARGUMENT")
    assert gcp_fake.iam.accounts.keys() == {
        gcp_fake.account.email,
        f"{gcp_fake.project_number}-compute@developer.gserviceaccount.com",
    }


def test_an_unknown_body_field_is_refused(gcp_fake: GcpFake) -> None:
    body = {"accountId": "faas-demo-dev", "serviceAccount": {"colour": "red"}}
    with pytest.raises(HttpError) as exc:
        accounts(gcp_fake).create(name=f"projects/{gcp_fake.project}", body=body).execute()
    assert status(exc) == (400, "INVALID_ARGUMENT") and "colour" in str(exc.value.content)


@pytest.mark.parametrize("version", ["v1", "v3"])
def test_project_policy_read_modify_write_with_etag(gcp_fake: GcpFake, version: str) -> None:
    crm = service(gcp_fake, "cloudresourcemanager", version).projects()
    resource = gcp_fake.project if version == "v1" else f"projects/{gcp_fake.project}"
    policy = crm.getIamPolicy(resource=resource, body={}).execute()
    assert {"role": "roles/owner", "members": [f"serviceAccount:{gcp_fake.account.email}"]} in policy["bindings"]
    email = new_account(gcp_fake, "faas-demo-dev")["email"]
    policy["bindings"].append({"role": "roles/logging.logWriter", "members": [f"serviceAccount:{email}"]})
    stored = crm.setIamPolicy(resource=resource, body={"policy": policy}).execute()
    assert stored["etag"] != policy["etag"]
    with pytest.raises(HttpError) as stale:
        crm.setIamPolicy(resource=resource, body={"policy": {**policy, "bindings": []}}).execute()
    assert status(stale) == (409, "ABORTED")
    now = crm.getIamPolicy(resource=resource, body={}).execute()
    assert now == stored  # the stale write changed nothing


def test_a_binding_for_a_missing_account_is_refused(gcp_fake: GcpFake) -> None:
    crm = service(gcp_fake, "cloudresourcemanager", "v3").projects()
    resource = f"projects/{gcp_fake.project}"
    policy = crm.getIamPolicy(resource=resource, body={}).execute()
    ghost = f"serviceAccount:ghost-account@{gcp_fake.project}.iam.gserviceaccount.com"
    policy["bindings"].append({"role": "roles/logging.logWriter", "members": [ghost]})
    with pytest.raises(HttpError) as exc:
        crm.setIamPolicy(resource=resource, body={"policy": policy}).execute()
    assert status(exc) == (400, "INVALID_ARGUMENT") and "does not exist" in str(exc.value.content)


def test_a_new_account_can_lag_behind_its_create(gcp_fake: GcpFake) -> None:
    gcp_fake.faults.delay_accounts(checks=1)
    email = new_account(gcp_fake, "faas-demo-dev")["email"]
    crm = service(gcp_fake, "cloudresourcemanager", "v3").projects()
    resource = f"projects/{gcp_fake.project}"
    policy = crm.getIamPolicy(resource=resource, body={}).execute()
    policy["bindings"].append({"role": "roles/logging.logWriter", "members": [f"serviceAccount:{email}"]})
    with pytest.raises(HttpError) as exc:
        crm.setIamPolicy(resource=resource, body={"policy": policy}).execute()
    assert status(exc)[0] == 400
    assert crm.setIamPolicy(resource=resource, body={"policy": policy}).execute()["bindings"][-1]["members"] == [
        f"serviceAccount:{email}"
    ]


def test_deleting_an_account_leaves_a_deleted_member(gcp_fake: GcpFake) -> None:
    account = new_account(gcp_fake, "faas-demo-dev")
    crm = service(gcp_fake, "cloudresourcemanager", "v3").projects()
    resource = f"projects/{gcp_fake.project}"
    policy = crm.getIamPolicy(resource=resource, body={}).execute()
    policy["bindings"].append({"role": "roles/logging.logWriter", "members": [f"serviceAccount:{account['email']}"]})
    crm.setIamPolicy(resource=resource, body={"policy": policy}).execute()
    accounts(gcp_fake).delete(name=account["name"]).execute()
    members = crm.getIamPolicy(resource=resource, body={}).execute()["bindings"][-1]["members"]
    assert members == [f"deleted:serviceAccount:{account['email']}?uid={account['uniqueId']}"]


def test_another_project_is_permission_denied(gcp_fake: GcpFake) -> None:
    crm = service(gcp_fake, "cloudresourcemanager", "v3").projects()
    with pytest.raises(HttpError) as exc:
        crm.getIamPolicy(resource="projects/someone-elses", body={}).execute()
    assert status(exc) == (403, "PERMISSION_DENIED")


def test_a_function_must_run_as_an_existing_account(gcp_fake: GcpFake) -> None:
    email = f"faas-demo-dev@{gcp_fake.project}.iam.gserviceaccount.com"
    client = functions_client(gcp_fake)
    function = new_function(upload(gcp_fake, client), service_account_email=email)
    with pytest.raises(exceptions.NotFound, match="was not found"):
        client.create_function(parent=gcp_fake.location(), function=function, function_id="runs-as")
    new_account(gcp_fake, "faas-demo-dev")
    created = create(gcp_fake, "runs-as", service_account_email=email)
    assert created.service_config.service_account_email == email


def test_id_tokens_are_minted_only_for_existing_accounts(gcp_fake: GcpFake) -> None:
    from google.oauth2 import id_token

    email = new_account(gcp_fake, "faas-demo-dev")["email"]
    token = gcp_fake.id_token("http://127.0.0.1/x", account=email)
    claims = id_token.verify_token(token, gcp_fake.auth_request(), "http://127.0.0.1/x", certs_url=gcp_fake.certs_url)
    assert claims["email"] == email
    with pytest.raises(KeyError):
        gcp_fake.id_token("http://127.0.0.1/x", account=f"ghost-account@{gcp_fake.project}.iam.gserviceaccount.com")


def test_a_function_has_its_own_policy_with_the_etag_rule(gcp_fake: GcpFake) -> None:
    from google.iam.v1 import iam_policy_pb2, policy_pb2

    name = create(gcp_fake, "own-policy").name
    client = functions_client(gcp_fake)
    read = client.get_iam_policy(request=iam_policy_pb2.GetIamPolicyRequest(resource=name))
    assert list(read.bindings) == [] and read.etag
    changed = policy_pb2.Policy()
    changed.CopyFrom(read)
    changed.bindings.add(role="roles/cloudfunctions.viewer", members=[f"serviceAccount:{gcp_fake.account.email}"])
    stored = client.set_iam_policy(request=iam_policy_pb2.SetIamPolicyRequest(resource=name, policy=changed))
    assert stored.etag != read.etag and [b.role for b in stored.bindings] == ["roles/cloudfunctions.viewer"]
    with pytest.raises(exceptions.Conflict):
        client.set_iam_policy(request=iam_policy_pb2.SetIamPolicyRequest(resource=name, policy=read))
    with pytest.raises(exceptions.NotFound):
        client.get_iam_policy(request=iam_policy_pb2.GetIamPolicyRequest(resource=name + "-gone"))
