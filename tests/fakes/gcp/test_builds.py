# mypy: disable-error-code="no-untyped-call,import-untyped"
"""The build step: the archive's requirements.txt is installed per revision, or the build fails."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
import requests
from google.cloud import functions_v2, run_v2
from google.iam.v1 import iam_policy_pb2

from .builds import Builder, BuildFailed
from .clients import POLL, functions_client
from .fake import GcpFake

pytestmark = pytest.mark.slow
# In this machine's index and not installed in the test venv, so only the build can provide it.
MAIN = "import humanize\ndef hello(request):\n    return humanize.intcomma(1234567)\n"


def deploy(fake: GcpFake, function_id: str, requirements: str) -> functions_v2.Function:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("main.py", MAIN)
        zf.writestr("requirements.txt", requirements)
    client = functions_client(fake)
    answer = client.generate_upload_url(request={"parent": fake.location()})
    put = requests.put(
        answer.upload_url, data=buffer.getvalue(), headers={"content-type": "application/zip"}, timeout=30
    )
    assert put.status_code == 200
    function = functions_v2.Function(
        build_config={
            "runtime": "python312",
            "entry_point": "hello",
            "source": {"storage_source": answer.storage_source},
        }
    )
    op = client.create_function(parent=fake.location(), function=function, function_id=function_id)
    result: functions_v2.Function = op.result(polling=POLL)
    return result


def make_public(fake: GcpFake, service: str) -> None:
    client = run_v2.ServicesClient(
        transport="rest", client_options=fake.client_options("run"), credentials=fake.credentials()
    )
    policy = client.get_iam_policy(request=iam_policy_pb2.GetIamPolicyRequest(resource=service))
    policy.bindings.add(role="roles/run.invoker", members=["allUsers"])
    client.set_iam_policy(request=iam_policy_pb2.SetIamPolicyRequest(resource=service, policy=policy))


def test_the_requirements_are_installed_for_the_revision(gcp_fake: GcpFake) -> None:
    with pytest.raises(ImportError):
        import humanize  # type: ignore[import-not-found]  # noqa: F401  (only the build can provide it)
    function = deploy(gcp_fake, "with-deps", "humanize\n")
    make_public(gcp_fake, function.service_config.service)
    answer = requests.get(function.service_config.uri, timeout=60)
    assert (answer.status_code, answer.text) == (200, "1,234,567")


def test_a_requirement_that_does_not_resolve_fails_the_build(gcp_fake: GcpFake) -> None:
    from google.api_core import exceptions

    with pytest.raises(exceptions.GoogleAPICallError, match="No matching distribution found for faas-no-such-dist"):
        deploy(gcp_fake, "bad-deps", "faas-no-such-dist==9.9.9\n")
    stored = functions_client(gcp_fake).get_function(name=f"{gcp_fake.location()}/functions/bad-deps")
    assert stored.state == functions_v2.Function.State.FAILED
    assert "Build failed" in stored.state_messages[0].message


def test_a_missing_requirement_fails_the_health_check_not_the_build(gcp_fake: GcpFake) -> None:
    from google.api_core import exceptions

    with pytest.raises(exceptions.GoogleAPICallError, match="Container Healthcheck failed"):
        deploy(gcp_fake, "no-deps", "# nothing\n")


def test_the_same_requirements_are_installed_once(gcp_fake: GcpFake) -> None:
    deploy(gcp_fake, "cached-one", "humanize\n")
    before = gcp_fake.functions.builder.installs if gcp_fake.functions.builder else -1
    deploy(gcp_fake, "cached-two", "humanize\n")
    assert gcp_fake.functions.builder is not None and gcp_fake.functions.builder.installs == before


def test_requirements_the_host_satisfies_are_not_installed(gcp_fake: GcpFake, tmp_path: Path) -> None:
    builder = Builder(tmp_path, proxy=gcp_fake.env()["HTTP_PROXY"])
    assert builder.install("# platform\nfunctions-framework==3.10.2\nrequests>=2\n\n") is None
    assert builder.installs == 0
    with pytest.raises(BuildFailed, match="No matching distribution"):
        builder.install("functions-framework==3.10.2\nfunctions-framework==0.0.1\n")
