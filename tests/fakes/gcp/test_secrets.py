"""The fake's Secret Manager v1 through the official client: names, versions, checksums, IAM policies."""

from __future__ import annotations

import pytest
from google.api_core import exceptions
from google.cloud import secretmanager_v1
from google.iam.v1 import iam_policy_pb2, policy_pb2

from .clients import status_of
from .fake import GcpFake

AUTOMATIC = {"replication": {"automatic": {}}}


def client(fake: GcpFake) -> secretmanager_v1.SecretManagerServiceClient:
    return secretmanager_v1.SecretManagerServiceClient(
        transport="rest", client_options=fake.client_options("secretmanager"), credentials=fake.credentials()
    )


def test_a_secret_and_its_versions(gcp_fake: GcpFake) -> None:
    sm = client(gcp_fake)
    secret = sm.create_secret(parent=f"projects/{gcp_fake.project}", secret_id="db", secret=AUTOMATIC)
    assert secret.name == f"projects/{gcp_fake.project_number}/secrets/db"  # the number, as Google answers
    with pytest.raises(exceptions.NotFound, match="not found or has no versions"):
        sm.access_secret_version(name=f"projects/{gcp_fake.project}/secrets/db/versions/latest")
    sm.add_secret_version(parent=secret.name, payload={"data": b"one"})
    second = sm.add_secret_version(parent=f"projects/{gcp_fake.project}/secrets/db", payload={"data": b"two"})
    assert second.name.endswith("/versions/2")
    latest = sm.access_secret_version(name=f"projects/{gcp_fake.project}/secrets/db/versions/latest")
    assert latest.payload.data == b"two"
    first = sm.access_secret_version(name=f"projects/{gcp_fake.project}/secrets/db/versions/1")
    assert first.payload.data == b"one"

    with pytest.raises(exceptions.Conflict) as again:
        sm.create_secret(parent=f"projects/{gcp_fake.project}", secret_id="db", secret=AUTOMATIC)
    assert status_of(again) == "ALREADY_EXISTS"
    with pytest.raises(exceptions.BadRequest, match="Checksum mismatch"):
        sm.add_secret_version(parent=secret.name, payload={"data": b"three", "data_crc32c": 1})
    with pytest.raises(exceptions.NotFound):
        sm.get_secret(name=f"projects/{gcp_fake.project}/secrets/other")
    sm.delete_secret(name=secret.name)
    with pytest.raises(exceptions.NotFound):
        sm.get_secret(name=secret.name)


def test_create_needs_replication_and_a_valid_id(gcp_fake: GcpFake) -> None:
    sm = client(gcp_fake)
    with pytest.raises(exceptions.BadRequest, match="replication"):
        sm.create_secret(parent=f"projects/{gcp_fake.project}", secret_id="db", secret={})
    with pytest.raises(exceptions.BadRequest, match="Secret id"):
        sm.create_secret(parent=f"projects/{gcp_fake.project}", secret_id="no spaces", secret=AUTOMATIC)


def test_a_secret_policy_follows_the_etag_and_member_rules(gcp_fake: GcpFake) -> None:
    sm = client(gcp_fake)
    name = sm.create_secret(parent=f"projects/{gcp_fake.project}", secret_id="db", secret=AUTOMATIC).name
    policy = sm.get_iam_policy(request=iam_policy_pb2.GetIamPolicyRequest(resource=name))
    compute = f"{gcp_fake.project_number}-compute@developer.gserviceaccount.com"
    assert not gcp_fake.secrets.can_access("db", compute)  # a project editor cannot read secret versions
    assert gcp_fake.secrets.can_access("db", gcp_fake.account.email)  # the project owner can
    member = f"serviceAccount:{compute}"
    policy.bindings.append(policy_pb2.Binding(role="roles/secretmanager.secretAccessor", members=[member]))
    stored = sm.set_iam_policy(request=iam_policy_pb2.SetIamPolicyRequest(resource=name, policy=policy))
    assert stored.etag != policy.etag and gcp_fake.secrets.can_access("db", compute)
    with pytest.raises(exceptions.Conflict) as stale:
        sm.set_iam_policy(request=iam_policy_pb2.SetIamPolicyRequest(resource=name, policy=policy))
    assert status_of(stale) == "ABORTED"
    ghost = f"serviceAccount:nobody-here@{gcp_fake.project}.iam.gserviceaccount.com"
    stored.bindings[0].members.append(ghost)
    with pytest.raises(exceptions.BadRequest, match="does not exist"):
        sm.set_iam_policy(request=iam_policy_pb2.SetIamPolicyRequest(resource=name, policy=stored))
