# mypy: disable-error-code="no-untyped-call,import-untyped"
"""A deployed function answers at its URI: run.invoker enforced, traffic split honoured, output logged."""

from __future__ import annotations

import io
import time
import zipfile

import pytest
import requests
from google.api_core.future import polling
from google.cloud import functions_v2, run_v2
from google.cloud import logging as cloud_logging
from google.iam.v1 import iam_policy_pb2
from google.oauth2 import id_token
from google.protobuf import field_mask_pb2

from tests.fakes.gcp.clients import functions_client
from tests.fakes.gcp.fake import GcpFake

pytestmark = pytest.mark.slow
POLL = polling.DEFAULT_POLLING.with_delay(initial=0.01, maximum=0.05).with_timeout(60)


def code(greeting: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr(
            "main.py",
            "import os\n"
            "def hello(request):\n"
            f"    print('serving {greeting}', flush=True)\n"
            f"    return '{greeting} ' + os.environ.get('WHO', 'nobody')\n",
        )
    return buffer.getvalue()


def deploy(fake: GcpFake, function_id: str, greeting: str, *, update: bool = False) -> functions_v2.Function:
    client = functions_client(fake)
    answer = client.generate_upload_url(request={"parent": fake.location()})
    put = requests.put(answer.upload_url, data=code(greeting), headers={"content-type": "application/zip"}, timeout=30)
    assert put.status_code == 200
    function = functions_v2.Function(
        name=f"{fake.location()}/functions/{function_id}",
        build_config={
            "runtime": "python312",
            "entry_point": "hello",
            "source": {"storage_source": answer.storage_source},
        },
        service_config={"environment_variables": {"WHO": "world"}, "all_traffic_on_latest_revision": True},
    )
    if update:
        mask = field_mask_pb2.FieldMask(paths=["build_config.source", "service_config.all_traffic_on_latest_revision"])
        op = client.update_function(function=function, update_mask=mask)
    else:
        op = client.create_function(parent=fake.location(), function=function, function_id=function_id)
    result: functions_v2.Function = op.result(polling=POLL)
    return result


def grant(fake: GcpFake, service: str, member: str) -> None:
    client = run_v2.ServicesClient(transport="rest", client_options=fake.client_options("run"))
    policy = client.get_iam_policy(request=iam_policy_pb2.GetIamPolicyRequest(resource=service))
    policy.bindings.add(role="roles/run.invoker", members=[member])
    client.set_iam_policy(request=iam_policy_pb2.SetIamPolicyRequest(resource=service, policy=policy))


def test_a_private_function_needs_an_id_token_of_an_invoker(gcp_fake: GcpFake) -> None:
    function = deploy(gcp_fake, "private-fn", "hello")
    uri = function.service_config.uri
    assert requests.get(uri, timeout=60).status_code == 403  # no token
    assert requests.get(uri, headers={"authorization": "Bearer junk"}, timeout=60).status_code == 401
    # The compute account holds no role in the fake project: a valid token, but not an invoker.
    compute = f"{gcp_fake.project_number}-compute@developer.gserviceaccount.com"
    with_token = {"authorization": f"Bearer {gcp_fake.id_token(uri, account=compute)}"}
    assert requests.get(uri, headers=with_token, timeout=60).status_code == 403
    wrong_audience = gcp_fake.id_token("http://127.0.0.1:1", account=compute)
    grant(gcp_fake, function.service_config.service, f"serviceAccount:{compute}")
    assert requests.get(uri, headers={"authorization": f"Bearer {wrong_audience}"}, timeout=60).status_code == 401
    answer = requests.get(uri, headers=with_token, timeout=60)
    assert answer.status_code == 200 and answer.text == "hello world"


def test_a_project_owner_may_invoke_without_a_binding_on_the_service(gcp_fake: GcpFake) -> None:
    # roles/owner in the project holds run.routes.invoke, inherited by every service (the deployer's case).
    function = deploy(gcp_fake, "owned-fn", "hello")
    uri = function.service_config.uri
    token = id_token.fetch_id_token(gcp_fake.auth_request(), uri)
    answer = requests.get(uri, headers={"authorization": f"Bearer {token}"}, timeout=60)
    assert answer.status_code == 200 and answer.text == "hello world"


def test_all_users_makes_it_public_and_its_output_becomes_log_entries(gcp_fake: GcpFake) -> None:
    function = deploy(gcp_fake, "public-fn", "hi")
    grant(gcp_fake, function.service_config.service, "allUsers")
    assert requests.get(function.service_config.uri, timeout=60).text == "hi world"
    client = cloud_logging.Client(
        project=gcp_fake.project, client_options=gcp_fake.client_options("logging"), _use_grpc=False
    )
    query = 'resource.type="cloud_run_revision" resource.labels.service_name="public-fn" textPayload:"serving hi"'
    deadline = time.monotonic() + 10
    while not (found := list(client.list_entries(resource_names=[f"projects/{gcp_fake.project}"], filter_=query))):
        assert time.monotonic() < deadline, "the revision's stdout never reached Cloud Logging"
        time.sleep(0.1)
    assert found[0].resource.labels["revision_name"] == function.service_config.revision


def test_traffic_follows_a_rollback_and_the_next_deploy(gcp_fake: GcpFake) -> None:
    first = deploy(gcp_fake, "rolling-fn", "one")
    grant(gcp_fake, first.service_config.service, "allUsers")
    second = deploy(gcp_fake, "rolling-fn", "two", update=True)
    uri = second.service_config.uri
    assert requests.get(uri, timeout=60).text == "two world"
    services = run_v2.ServicesClient(transport="rest", client_options=gcp_fake.client_options("run"))
    pinned = run_v2.TrafficTarget(
        type_=run_v2.TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION,
        revision=first.service_config.revision,
        percent=100,
    )
    services.update_service(
        service=run_v2.Service(name=first.service_config.service, traffic=[pinned]),
        update_mask=field_mask_pb2.FieldMask(paths=["traffic"]),
    ).result(polling=POLL)
    assert requests.get(uri, timeout=60).text == "one world"
    deploy(gcp_fake, "rolling-fn", "three", update=True)  # all_traffic_on_latest_revision = true
    assert requests.get(uri, timeout=60).text == "three world"


def test_a_scheduler_job_calls_the_function_with_its_accounts_oidc_token(gcp_fake: GcpFake) -> None:
    from google.cloud import scheduler_v1

    function = deploy(gcp_fake, "scheduled-fn", "tick")
    uri = function.service_config.uri
    invoker = "faas-demo-dev@faas-fake-project.iam.gserviceaccount.com"
    grant(gcp_fake, function.service_config.service, f"serviceAccount:{invoker}")
    client = scheduler_v1.CloudSchedulerClient(
        transport="rest", client_options=gcp_fake.client_options("cloudscheduler")
    )
    for job_id, account in (
        ("tick-allowed", invoker),
        ("tick-denied", "someone-else@faas-fake-project.iam.gserviceaccount.com"),
    ):
        job = scheduler_v1.Job(
            name=f"{gcp_fake.location()}/jobs/{job_id}",
            schedule="*/5 * * * *",
            http_target=scheduler_v1.HttpTarget(
                uri=uri, oidc_token=scheduler_v1.OidcToken(service_account_email=account, audience=uri)
            ),
        )
        client.create_job(parent=gcp_fake.location(), job=job)
        client.run_job(name=job.name)
    attempts = {a.job.rsplit("/", 1)[1]: a for a in gcp_fake.scheduler.wait_for_attempts(2, timeout=60)}
    assert attempts["tick-allowed"].status == 200
    assert attempts["tick-denied"].status == 403


def test_code_that_cannot_start_fails_the_deploy_and_keeps_serving_the_old_revision(gcp_fake: GcpFake) -> None:
    from google.api_core import exceptions

    good = deploy(gcp_fake, "broken-fn", "fine")
    grant(gcp_fake, good.service_config.service, "allUsers")
    client = functions_client(gcp_fake)
    answer = client.generate_upload_url(request={"parent": gcp_fake.location()})
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as zf:
        zf.writestr("main.py", "import no_such_module_anywhere\n\ndef hello(request):\n    return 'never'\n")
    put = requests.put(
        answer.upload_url, data=broken.getvalue(), headers={"content-type": "application/zip"}, timeout=30
    )
    assert put.status_code == 200
    update = functions_v2.Function(name=good.name, build_config={"source": {"storage_source": answer.storage_source}})
    op = client.update_function(function=update, update_mask=field_mask_pb2.FieldMask(paths=["build_config.source"]))
    with pytest.raises(exceptions.GoogleAPICallError, match="Container Healthcheck failed") as exc:
        op.result(polling=POLL)
    assert "no_such_module_anywhere" in str(exc.value)
    assert client.get_function(name=good.name).state == functions_v2.Function.State.FAILED
    assert requests.get(good.service_config.uri, timeout=60).text == "fine world"


def test_an_entry_point_missing_from_main_fails_the_create(gcp_fake: GcpFake) -> None:
    from google.api_core import exceptions

    client = functions_client(gcp_fake)
    answer = client.generate_upload_url(request={"parent": gcp_fake.location()})
    requests.put(answer.upload_url, data=code("x"), headers={"content-type": "application/zip"}, timeout=30)
    function = functions_v2.Function(
        build_config={
            "runtime": "python312",
            "entry_point": "handler",
            "source": {"storage_source": answer.storage_source},
        }
    )
    op = client.create_function(parent=gcp_fake.location(), function=function, function_id="no-entry")
    with pytest.raises(exceptions.GoogleAPICallError, match=r"Function handler is not defined in main\.py"):
        op.result(polling=POLL)
    failed = client.get_function(name=f"{gcp_fake.location()}/functions/no-entry")
    assert failed.state == functions_v2.Function.State.FAILED


def test_a_delayed_iam_change_answers_403_until_it_propagates(gcp_fake: GcpFake) -> None:
    function = deploy(gcp_fake, "lagging-fn", "late")
    gcp_fake.faults.delay_iam(requests=2)
    grant(gcp_fake, function.service_config.service, "allUsers")
    uri = function.service_config.uri
    assert [requests.get(uri, timeout=60).status_code for _ in range(3)] == [403, 403, 200]


def test_the_build_loads_the_file_google_function_source_names_and_sees_the_callers_host(gcp_fake: GcpFake) -> None:
    # Only entry.py defines `hello`: main.py must not be what the revision runs.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("main.py", "raise SystemExit('main.py is not the source')\n")
        zf.writestr("entry.py", "def hello(request):\n    return 'from entry.py at ' + request.host\n")
    client = functions_client(gcp_fake)
    answer = client.generate_upload_url(request={"parent": gcp_fake.location()})
    requests.put(answer.upload_url, data=buffer.getvalue(), headers={"content-type": "application/zip"}, timeout=30)
    function = functions_v2.Function(
        build_config={
            "runtime": "python312",
            "entry_point": "hello",
            "environment_variables": {"GOOGLE_FUNCTION_SOURCE": "entry.py"},
            "source": {"storage_source": answer.storage_source},
        }
    )
    op = client.create_function(parent=gcp_fake.location(), function=function, function_id="own-source")
    created: functions_v2.Function = op.result(polling=POLL)
    grant(gcp_fake, created.service_config.service, "allUsers")
    uri = created.service_config.uri
    assert requests.get(uri, timeout=60).text == f"from entry.py at {uri.split('//', 1)[1]}"
