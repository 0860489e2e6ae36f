# mypy: disable-error-code="no-untyped-call,import-untyped"
"""The fault switches: the failures Google documents, on the call a test chooses."""

from __future__ import annotations

import pytest
from google.api_core import exceptions
from google.cloud import functions_v2
from google.protobuf import field_mask_pb2

from tests.fakes.gcp.clients import POLL, create, functions_client, new_function, status_of, upload
from tests.fakes.gcp.fake import GcpFake

pytestmark = pytest.mark.slow


def test_the_nth_mutating_call_fails_with_503_unavailable(gcp_fake: GcpFake) -> None:
    client = functions_client(gcp_fake)
    gcp_fake.faults.fail("UNAVAILABLE", nth=2, api="cloudfunctions")
    source = upload(gcp_fake, client)  # generateUploadUrl (a POST) is mutating call 1: it passes
    client.list_functions(parent=gcp_fake.location())  # reads never count
    with pytest.raises(exceptions.ServiceUnavailable) as exc:
        client.create_function(
            parent=gcp_fake.location(), function=new_function(source), function_id="fault-503", retry=None
        )
    assert status_of(exc) == "UNAVAILABLE"
    # The switch fired once; the retry goes through and nothing half-made was left behind.
    with pytest.raises(exceptions.NotFound):
        client.get_function(name=f"{gcp_fake.location()}/functions/fault-503")
    op = client.create_function(parent=gcp_fake.location(), function=new_function(source), function_id="fault-503")
    assert op.result(polling=POLL).state == functions_v2.Function.State.ACTIVE


def test_a_fault_counts_only_the_calls_it_names(gcp_fake: GcpFake) -> None:
    before = create(gcp_fake, "fault-named")
    client = functions_client(gcp_fake)
    quota = "Quota exceeded for quota metric 'Write requests'"
    gcp_fake.faults.fail("RESOURCE_EXHAUSTED", quota, method="functions.patch")
    upload(gcp_fake, client)  # a POST of another method: not counted
    mask = field_mask_pb2.FieldMask(paths=["labels"])
    with pytest.raises(exceptions.TooManyRequests, match="Quota exceeded") as exc:
        client.update_function(function=functions_v2.Function(name=before.name, labels={"a": "b"}), update_mask=mask)
    assert status_of(exc) == "RESOURCE_EXHAUSTED"
    labelled = functions_v2.Function(name=before.name, labels={"a": "b"})
    again = client.update_function(function=labelled, update_mask=mask)
    assert dict(again.result(polling=POLL).labels) == {"a": "b"}


def test_times_makes_several_calls_in_a_row_fail(gcp_fake: GcpFake) -> None:
    client = functions_client(gcp_fake)
    gcp_fake.faults.fail("UNAVAILABLE", times=2, api="cloudfunctions")
    request = functions_v2.GenerateUploadUrlRequest(parent=gcp_fake.location())
    for _ in range(2):
        with pytest.raises(exceptions.ServiceUnavailable):
            client.generate_upload_url(request=request, retry=None)
    assert client.generate_upload_url(request=request).upload_url


def test_a_disabled_api_answers_service_disabled(gcp_fake: GcpFake) -> None:
    gcp_fake.faults.disable_api("cloudfunctions")
    client = functions_client(gcp_fake)
    with pytest.raises(exceptions.Forbidden) as exc:
        client.list_functions(parent=gcp_fake.location())
    assert exc.value.reason == "SERVICE_DISABLED"
    assert "cloudfunctions.googleapis.com" in exc.value.message
    assert status_of(exc) == "PERMISSION_DENIED"


def test_a_failed_build_ends_the_operation_in_error_and_the_function_failed(gcp_fake: GcpFake) -> None:
    client = functions_client(gcp_fake)
    source = upload(gcp_fake, client)
    gcp_fake.faults.fail_next_build("Build failed: pip could not resolve flask==99")
    op = client.create_function(parent=gcp_fake.location(), function=new_function(source), function_id="fault-build")
    with pytest.raises(exceptions.GoogleAPICallError, match="could not resolve flask==99"):
        op.result(polling=POLL)
    assert op.operation.done and op.operation.error.code == 3  # google.rpc.Code.INVALID_ARGUMENT
    function = client.get_function(name=f"{gcp_fake.location()}/functions/fault-build")
    assert function.state == functions_v2.Function.State.FAILED
    assert "flask==99" in function.state_messages[0].message
    # A FAILED function is updated, not re-created, and then serves.
    fixed = client.update_function(
        function=functions_v2.Function(name=function.name, build_config=function.build_config),
        update_mask=field_mask_pb2.FieldMask(paths=["build_config.source"]),
    )
    assert fixed.result(polling=POLL).state == functions_v2.Function.State.ACTIVE


def test_a_read_fault_makes_an_operation_poll_fail_once(gcp_fake: GcpFake) -> None:
    client = functions_client(gcp_fake)
    source = upload(gcp_fake, client)
    op = client.create_function(parent=gcp_fake.location(), function=new_function(source), function_id="fault-poll")
    gcp_fake.faults.fail("UNAVAILABLE", method="operations.get", reads=True)
    # The operations client retries UNAVAILABLE on its own: the poll fails once, then the result comes.
    assert op.result(polling=POLL).state == functions_v2.Function.State.ACTIVE
    polls = [r.status for r in gcp_fake.requests if r.method_id and r.method_id.endswith("operations.get")]
    assert polls[0] == 503 and polls[-1] == 200
