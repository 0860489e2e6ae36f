"""A published package answers at the site's URL, run by the local provider's Azure host."""

from __future__ import annotations

import ssl
import time
import urllib.error
import urllib.request
from typing import Any

from azure.core.rest import HttpRequest
from azure.mgmt.web import WebSiteManagementClient
from azure.mgmt.web import models as web

from .fake import AzureFake
from .test_kudu import _publish, _scm_client, _site, _wait, _zip

APP = """
import os
import azure.functions as func
app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)

@app.route(route="{*route}")
def http_app_func(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse(f"hello {req.route_params.get('route', '')} {os.environ.get('GREETING', '-')}")

@app.route(route="private/keyed", auth_level=func.AuthLevel.FUNCTION)
def keyed(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse("secret")

@app.timer_trigger(arg_name="timer", schedule="0 15 10 * * 1-5")
def nightly(timer: func.TimerRequest) -> None:
    print("nightly ran", flush=True)
"""
ROOT_HOST_JSON = '{"version": "2.0", "extensions": {"http": {"routePrefix": ""}}}'


def _call(url: str, fake: AzureFake, *, method: str = "GET", headers: dict[str, str] | None = None) -> tuple[int, str]:
    context = ssl.create_default_context(cafile=fake.ca_bundle)
    request = urllib.request.Request(
        url, method=method, headers=headers or {}, data=b"{}" if method == "POST" else None
    )
    try:
        with urllib.request.urlopen(request, context=context, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _deployed(fake: AzureFake, files: dict[str, str]) -> tuple[Any, str]:
    stack, scm = _site(fake)
    client = _scm_client(fake, scm)
    status = _wait(client, scm, _publish(client, scm, _zip(files)).json()["id"])
    assert status["status"] == 4, status
    site = fake.client(WebSiteManagementClient).web_apps.get(stack.group, "faas-kudu")
    assert site.default_host_name
    return stack, site.default_host_name


def test_the_site_serves_the_published_app_at_its_root_over_https_and_http(azure_fake: AzureFake) -> None:
    _, host = _deployed(azure_fake, {"function_app.py": APP, "host.json": ROOT_HOST_JSON})
    assert _call(f"https://{host}/", azure_fake) == (200, "hello  -")
    assert _call(f"https://{host}/some/page", azure_fake) == (200, "hello some/page -")
    assert _call(f"http://{host}/plain", azure_fake) == (200, "hello plain -")


def test_the_default_route_prefix_is_api(azure_fake: AzureFake) -> None:
    _, host = _deployed(azure_fake, {"function_app.py": APP, "host.json": '{"version": "2.0"}'})
    assert _call(f"https://{host}/api/x", azure_fake) == (200, "hello x -")
    assert _call(f"https://{host}/x", azure_fake)[0] == 404


def test_keys_guard_function_routes_and_the_admin_api(azure_fake: AzureFake) -> None:
    stack, host = _deployed(azure_fake, {"function_app.py": APP, "host.json": ROOT_HOST_JSON})
    keys = azure_fake.client(WebSiteManagementClient).web_apps.list_host_keys(stack.group, "faas-kudu")
    assert keys.master_key and keys.function_keys
    assert _call(f"https://{host}/private/keyed", azure_fake)[0] == 401
    assert _call(f"https://{host}/private/keyed?code=wrong", azure_fake)[0] == 401
    default = keys.function_keys["default"]
    assert _call(f"https://{host}/private/keyed?code={default}", azure_fake) == (200, "secret")
    assert _call(f"https://{host}/private/keyed", azure_fake, headers={"x-functions-key": keys.master_key}) == (
        200,
        "secret",
    )
    admin = f"https://{host}/admin/functions/nightly"
    assert _call(admin, azure_fake, method="POST")[0] == 401
    assert _call(admin, azure_fake, method="POST", headers={"x-functions-key": default})[0] == 401  # not master
    status, _ = _call(admin, azure_fake, method="POST", headers={"x-functions-key": keys.master_key})
    assert status == 202
    site_host = azure_fake.sites.for_site("faas-kudu")
    deadline = time.monotonic() + 10
    while not any("nightly ran" in line.text for line in site_host.logs) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert any("nightly ran" in line.text for line in site_host.logs)


def test_new_app_settings_restart_the_app_with_them(azure_fake: AzureFake) -> None:
    stack, host = _deployed(azure_fake, {"function_app.py": APP, "host.json": ROOT_HOST_JSON})
    client = azure_fake.client(WebSiteManagementClient)
    client.web_apps.update_application_settings(
        stack.group, "faas-kudu", web.StringDictionary(properties={"GREETING": "bonjour"})
    )
    assert _call(f"https://{host}/", azure_fake) == (200, "hello  bonjour")


def test_before_a_publish_and_after_a_broken_one_the_site_shows_the_host_homepage(azure_fake: AzureFake) -> None:
    stack, scm = _site(azure_fake)
    site = azure_fake.client(WebSiteManagementClient).web_apps.get(stack.group, "faas-kudu")
    status, body = _call(f"https://{site.default_host_name}/", azure_fake)
    assert status == 200 and "up and running" in body
    client = _scm_client(azure_fake, scm)
    broken = _zip({"function_app.py": "import missing_module\n" + APP, "host.json": ROOT_HOST_JSON})
    deployment = _wait(client, scm, _publish(client, scm, broken).json()["id"])
    assert deployment["status"] == 4  # Flex reports the deployment, not the indexing
    log = client.send_request(HttpRequest("GET", f"{scm}/api/deployments/{deployment['id']}/log")).json()
    assert any(entry["type"] == 1 and "missing_module" in entry["message"] for entry in log)
    assert _call(f"https://{site.default_host_name}/page", azure_fake)[0] == 404
    assert azure_fake.sites.for_site("faas-kudu").error is not None
