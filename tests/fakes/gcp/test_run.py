# mypy: disable-error-code="no-untyped-call,import-untyped"
"""Cloud Run v2 on the fake: a function's service, its revisions and traffic, and its IAM policy."""

from __future__ import annotations

import pytest
from google.api_core import exceptions
from google.cloud import functions_v2, run_v2
from google.iam.v1 import iam_policy_pb2, policy_pb2
from google.protobuf import field_mask_pb2

from tests.fakes.gcp.clients import POLL, create, functions_client, status_of
from tests.fakes.gcp.fake import GcpFake

pytestmark = pytest.mark.slow
INVOKER = "roles/run.invoker"


def services(fake: GcpFake) -> run_v2.ServicesClient:
    return run_v2.ServicesClient(
        transport="rest", client_options=fake.client_options("run"), credentials=fake.credentials()
    )


def test_a_new_service_has_an_empty_policy_and_setting_it_changes_the_etag(gcp_fake: GcpFake) -> None:
    service = create(gcp_fake, "iam-fresh").service_config.service
    client = services(gcp_fake)
    policy = client.get_iam_policy(request=iam_policy_pb2.GetIamPolicyRequest(resource=service))
    assert list(policy.bindings) == [] and policy.etag

    policy.bindings.add(role=INVOKER, members=["allUsers"])
    stored = client.set_iam_policy(request=iam_policy_pb2.SetIamPolicyRequest(resource=service, policy=policy))
    assert stored.etag != policy.etag
    again = client.get_iam_policy(request=iam_policy_pb2.GetIamPolicyRequest(resource=service))
    assert [(b.role, list(b.members)) for b in again.bindings] == [(INVOKER, ["allUsers"])]
    assert again.etag == stored.etag


def test_a_stale_etag_is_409_aborted_and_changes_nothing(gcp_fake: GcpFake) -> None:
    service = create(gcp_fake, "iam-stale").service_config.service
    client = services(gcp_fake)
    read = client.get_iam_policy(request=iam_policy_pb2.GetIamPolicyRequest(resource=service))
    other = policy_pb2.Policy()
    other.CopyFrom(read)
    other.bindings.add(role="roles/run.developer", members=["user:someone@example.com"])
    client.set_iam_policy(
        request=iam_policy_pb2.SetIamPolicyRequest(resource=service, policy=other)
    )  # someone else wins

    read.bindings.add(role=INVOKER, members=["allUsers"])
    with pytest.raises(exceptions.Conflict, match="concurrent policy changes") as exc:
        client.set_iam_policy(request=iam_policy_pb2.SetIamPolicyRequest(resource=service, policy=read))
    assert status_of(exc) == "ABORTED"
    now = client.get_iam_policy(request=iam_policy_pb2.GetIamPolicyRequest(resource=service))
    assert [b.role for b in now.bindings] == ["roles/run.developer"]


def test_a_policy_without_an_etag_overwrites_blindly(gcp_fake: GcpFake) -> None:
    service = create(gcp_fake, "iam-blind").service_config.service
    client = services(gcp_fake)
    first = policy_pb2.Policy(bindings=[policy_pb2.Binding(role="roles/run.developer", members=["user:a@example.com"])])
    client.set_iam_policy(request=iam_policy_pb2.SetIamPolicyRequest(resource=service, policy=first))
    blind = policy_pb2.Policy(bindings=[policy_pb2.Binding(role=INVOKER, members=["allUsers"])])
    client.set_iam_policy(request=iam_policy_pb2.SetIamPolicyRequest(resource=service, policy=blind))
    now = client.get_iam_policy(request=iam_policy_pb2.GetIamPolicyRequest(resource=service))
    assert [b.role for b in now.bindings] == [INVOKER]


def test_the_fake_keeps_duplicate_bindings_as_sent(gcp_fake: GcpFake) -> None:
    # A provider must merge into the existing binding itself; the fake does not tidy up for it.
    service = create(gcp_fake, "iam-dupes").service_config.service
    client = services(gcp_fake)
    policy = client.get_iam_policy(request=iam_policy_pb2.GetIamPolicyRequest(resource=service))
    policy.bindings.add(role=INVOKER, members=["allUsers"])
    policy.bindings.add(role=INVOKER, members=["allUsers"])
    client.set_iam_policy(request=iam_policy_pb2.SetIamPolicyRequest(resource=service, policy=policy))
    now = client.get_iam_policy(request=iam_policy_pb2.GetIamPolicyRequest(resource=service))
    assert [b.role for b in now.bindings].count(INVOKER) == 2


@pytest.mark.parametrize(
    ("function_id", "role", "member"),
    [("iam-bad-role", "run.invoker", "allUsers"), ("iam-bad-member", INVOKER, "everyone")],
)
def test_bad_roles_and_members_are_400(gcp_fake: GcpFake, function_id: str, role: str, member: str) -> None:
    service = create(gcp_fake, function_id).service_config.service
    policy = policy_pb2.Policy(bindings=[policy_pb2.Binding(role=role, members=[member])])
    with pytest.raises(exceptions.BadRequest):
        services(gcp_fake).set_iam_policy(request=iam_policy_pb2.SetIamPolicyRequest(resource=service, policy=policy))


def test_iam_on_a_missing_service_is_404(gcp_fake: GcpFake) -> None:
    with pytest.raises(exceptions.NotFound):
        services(gcp_fake).get_iam_policy(
            request=iam_policy_pb2.GetIamPolicyRequest(resource=f"{gcp_fake.location()}/services/nothing")
        )


def test_rollback_pins_traffic_and_the_traffic_flag_decides_what_a_later_deploy_serves(gcp_fake: GcpFake) -> None:
    first = create(gcp_fake, "traffic-fn")
    functions = functions_client(gcp_fake)
    mask = field_mask_pb2.FieldMask(
        paths=["service_config.available_memory", "service_config.all_traffic_on_latest_revision"]
    )
    second = functions.update_function(
        function=functions_v2.Function(
            name=first.name, service_config={"available_memory": "512Mi", "all_traffic_on_latest_revision": True}
        ),
        update_mask=mask,
    ).result(polling=POLL)
    client = services(gcp_fake)
    name = first.service_config.service
    revisions = [
        r.name.rsplit("/", 1)[1]
        for r in run_v2.RevisionsClient(
            transport="rest", client_options=gcp_fake.client_options("run"), credentials=gcp_fake.credentials()
        ).list_revisions(parent=name)
    ]
    assert revisions == [second.service_config.revision, first.service_config.revision]

    # Rollback: traffic pinned to the first revision by name.
    pinned = run_v2.TrafficTarget(
        type_=run_v2.TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION,
        revision=first.service_config.revision,
        percent=100,
    )
    rolled = client.update_service(
        service=run_v2.Service(name=name, traffic=[pinned]), update_mask=field_mask_pb2.FieldMask(paths=["traffic"])
    ).result(polling=POLL)
    assert [s.revision for s in rolled.traffic_statuses] == [first.service_config.revision]

    # A deploy that clears the flag (masked, absent) leaves traffic pinned: the new code serves nothing.
    third = functions.update_function(
        function=functions_v2.Function(name=first.name, service_config={"available_memory": "1Gi"}), update_mask=mask
    ).result(polling=POLL)
    assert third.service_config.all_traffic_on_latest_revision is False
    assert [s.revision for s in client.get_service(name=name).traffic_statuses] == [first.service_config.revision]
    # With the flag set, the deploy serves its new revision again.
    fourth = functions.update_function(
        function=functions_v2.Function(
            name=first.name, service_config={"available_memory": "1Gi", "all_traffic_on_latest_revision": True}
        ),
        update_mask=mask,
    ).result(polling=POLL)
    statuses = client.get_service(name=name).traffic_statuses
    assert [(s.revision, s.percent) for s in statuses] == [(fourth.service_config.revision, 100)]


def test_traffic_to_a_revision_that_does_not_exist_is_refused(gcp_fake: GcpFake) -> None:
    name = create(gcp_fake, "traffic-bad").service_config.service
    ghost = run_v2.TrafficTarget(
        type_=run_v2.TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION,
        revision="ghost-00009-abc",
        percent=100,
    )
    with pytest.raises(exceptions.BadRequest, match="does not exist"):
        services(gcp_fake).update_service(
            service=run_v2.Service(name=name, traffic=[ghost]), update_mask=field_mask_pb2.FieldMask(paths=["traffic"])
        )
