"""Flex One Deploy through Kudu, sent with azure-core's pipeline and an ARM bearer token, as the provider will."""

from __future__ import annotations

import io
import time
import zipfile
from typing import Any

import pytest
from azure.core import PipelineClient
from azure.core.pipeline.policies import BearerTokenCredentialPolicy, RetryPolicy
from azure.core.rest import HttpRequest
from azure.mgmt.web import WebSiteManagementClient
from azure.storage.blob import BlobServiceClient

from .fake import AzureFake
from .stack import Stack, base_resources, flex_site

ARM_SCOPE = "https://management.azure.com/.default"


def _package() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("function_app.py", "import azure.functions as func\napp = func.FunctionApp()\n")
        archive.writestr("host.json", '{"version": "2.0"}')
    return buffer.getvalue()


def _site(fake: AzureFake, *, grant_role: bool = True) -> tuple[Stack, str]:
    stack = base_resources(fake, grant_role=grant_role)
    site = (
        fake.client(WebSiteManagementClient)
        .web_apps.begin_create_or_update(stack.group, "faas-kudu", flex_site(stack))
        .result()
    )
    scm = next(s.name for s in site.host_name_ssl_states or [] if s.host_type == "Repository")
    assert scm
    return stack, f"https://{scm}"


def _scm_client(fake: AzureFake, scm: str) -> PipelineClient[Any, Any]:
    policies = [RetryPolicy(retry_total=0), BearerTokenCredentialPolicy(fake.credential(), ARM_SCOPE)]
    return PipelineClient(scm, policies=policies, connection_verify=fake.ca_bundle)


def _publish(client: PipelineClient[Any, Any], scm: str, body: bytes, content_type: str = "application/zip") -> Any:
    request = HttpRequest(
        "POST",
        f"{scm}/api/publish",
        params={"RemoteBuild": "false", "Deployer": "faas"},
        content=body,
        headers={"Content-Type": content_type},
    )
    return client.send_request(request)


def _wait(client: PipelineClient[Any, Any], scm: str, deployment_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        status: dict[str, Any] = client.send_request(
            HttpRequest("GET", f"{scm}/api/deployments/{deployment_id}")
        ).json()
        if status["complete"]:
            return status
        time.sleep(0.05)
    raise AssertionError("deployment never completed")


def _released(fake: AzureFake, stack: Stack) -> list[str]:
    account_url = stack.container_url.rsplit("/", 1)[0]
    blobs = BlobServiceClient(account_url, credential=fake.credential(), connection_verify=fake.ca_bundle)
    return [b.name for b in blobs.get_container_client("app-package").list_blobs()]


def test_publish_lands_the_package_in_the_deployment_container(azure_fake: AzureFake) -> None:
    stack, scm = _site(azure_fake)
    client = _scm_client(azure_fake, scm)
    package = _package()
    response = _publish(client, scm, package)
    assert response.status_code == 202
    status = _wait(client, scm, response.json()["id"])
    assert status["status"] == 4 and status["deployer"] == "faas", status
    assert _released(azure_fake, stack) == ["released-package.zip"]
    account_url = stack.container_url.rsplit("/", 1)[0]
    blobs = BlobServiceClient(account_url, credential=azure_fake.credential(), connection_verify=azure_fake.ca_bundle)
    assert blobs.get_blob_client("app-package", "released-package.zip").download_blob().readall() == package
    latest = client.send_request(HttpRequest("GET", f"{scm}/api/deployments/latest")).json()
    assert latest["id"] == status["id"]


def test_publish_without_a_blob_role_fails_the_deployment_like_azure(azure_fake: AzureFake) -> None:
    stack, scm = _site(azure_fake, grant_role=False)
    client = _scm_client(azure_fake, scm)
    response = _publish(client, scm, _package())
    assert response.status_code == 202  # accepted: the failure shows only in the deployment status
    status = _wait(client, scm, response.json()["id"])
    assert status["status"] == 3 and "BlobUploadFailedException" in status["status_text"]
    assert _released(azure_fake, stack) == []


def test_a_busy_scm_site_answers_409_until_it_is_free(azure_fake: AzureFake) -> None:
    _, scm = _site(azure_fake)
    client = _scm_client(azure_fake, scm)
    azure_fake.kudu.for_site("faas-kudu").busy_publishes = 1
    assert _publish(client, scm, _package()).status_code == 409
    response = _publish(client, scm, _package())
    assert response.status_code == 202
    assert _wait(client, scm, response.json()["id"])["status"] == 4


def test_publish_refuses_what_kudu_refuses(azure_fake: AzureFake) -> None:
    _, scm = _site(azure_fake)
    client = _scm_client(azure_fake, scm)
    assert _publish(client, scm, _package(), content_type="application/octet-stream").status_code == 415
    assert _publish(client, scm, b"not a zip").status_code == 400
    anonymous: PipelineClient[Any, Any] = PipelineClient(
        scm, policies=[RetryPolicy(retry_total=0)], connection_verify=azure_fake.ca_bundle
    )
    assert _publish(anonymous, scm, _package()).status_code == 401
    assert azure_fake.kudu.for_site("faas-kudu").deployments == []


@pytest.mark.parametrize("polls", [0, 3])
def test_the_site_lro_waits_for_its_operation(azure_fake: AzureFake, polls: int) -> None:
    stack = base_resources(azure_fake)
    azure_fake.arm.switches.lro_polls = polls
    before = len(azure_fake.calls)
    site = (
        azure_fake.client(WebSiteManagementClient)
        .web_apps.begin_create_or_update(stack.group, "faas-lro", flex_site(stack))
        .result()
    )
    statuses = [c for c in azure_fake.calls[before:] if "operationStatuses" in c.path]
    assert len(statuses) == polls + 1  # InProgress `polls` times, then Succeeded
    assert site.host_name_ssl_states  # the final GET saw the finished site


def test_deleting_the_group_takes_the_site_and_its_scm_host_with_it(azure_fake: AzureFake) -> None:
    from azure.mgmt.resource.resources import ResourceManagementClient

    stack, scm = _site(azure_fake)
    client = _scm_client(azure_fake, scm)
    assert client.send_request(HttpRequest("GET", f"{scm}/api/deployments")).status_code == 200
    azure_fake.client(ResourceManagementClient).resource_groups.begin_delete(stack.group).result()
    assert azure_fake.kudu.kudus == {}
    assert not [
        d
        for d in azure_fake.arm.resources.values()
        if d["id"].lower().startswith(f"/subscriptions/{azure_fake.subscription_id}/resourcegroups/rg-app".lower())
    ]


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


APP = """
import azure.functions as func
import helper
app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)

@app.route(route="{*route}")
def http_app_func(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse(helper.GREETING)

@app.timer_trigger(arg_name="timer", schedule="0 15 10 * * 1-5")
def nightly(timer: func.TimerRequest) -> None:
    pass
"""


def test_the_function_list_is_what_the_published_package_declares(azure_fake: AzureFake) -> None:
    stack, scm = _site(azure_fake)
    client = _scm_client(azure_fake, scm)
    package = _zip({"function_app.py": APP, ".python_packages/lib/site-packages/helper.py": "GREETING = 'hi'\n"})
    assert _wait(client, scm, _publish(client, scm, package).json()["id"])["status"] == 4
    web = azure_fake.client(WebSiteManagementClient)
    functions = {f.name: f for f in web.web_apps.list_functions(stack.group, "faas-kudu")}
    assert set(functions) == {"faas-kudu/http_app_func", "faas-kudu/nightly"}
    bindings = functions["faas-kudu/nightly"].config["bindings"]
    assert bindings[0]["type"] == "timerTrigger" and bindings[0]["schedule"] == "0 15 10 * * 1-5"


def test_a_package_whose_import_fails_deploys_with_zero_functions(azure_fake: AzureFake) -> None:
    stack, scm = _site(azure_fake)
    client = _scm_client(azure_fake, scm)
    package = _zip({"function_app.py": APP})  # helper is missing: ModuleNotFoundError in the worker
    assert _wait(client, scm, _publish(client, scm, package).json()["id"])["status"] == 4  # as Flex: "success"
    web = azure_fake.client(WebSiteManagementClient)
    assert list(web.web_apps.list_functions(stack.group, "faas-kudu")) == []
    error = azure_fake.kudu.for_site("faas-kudu").index.error
    assert error is not None and "ModuleNotFoundError" in error and "helper" in error
