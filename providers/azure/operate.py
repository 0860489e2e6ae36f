"""`faas invoke`, `faas manage` and firing timers on Azure, all with the host's master key.

`faas invoke` and `faas manage` send their envelope to the app's `faas_invoke` function; a timer
runs now through the host's admin API (`POST /admin/functions/<name>`).

That function is key-protected (auth level FUNCTION) and never anonymous; faas calls it with the
host's master key, read through ARM with the deployer's own credential, so no key is stored or
printed. The key travels in the `x-functions-key` header, never in the URL (URLs end up in logs).
"""

from __future__ import annotations

import json
from typing import Any

from azure.core import PipelineClient
from azure.core.exceptions import AzureError
from azure.core.pipeline.transport import RequestsTransport
from azure.core.rest import HttpRequest, HttpResponse

from faas import APP, DeployError, InvokeResult, NotDeployedError, TriggerRef, UsageError, translated
from faas.providers.azure import site as sites
from faas.providers.azure.context import ERRORS, Deployment

INVOKE_ROUTE = "_faas/invoke"
# The front end drops a response after 230 s; wait a little longer so its own error is what we see.
INVOKE_TIMEOUT = 240.0


def invoke(deployment: Deployment, event: Any, function: str | None) -> InvokeResult:
    if function is not None and function not in deployment.function_keys:
        known = ", ".join(k for k in deployment.function_keys if k != APP) or "(none)"
        raise UsageError(f"no function '{function}' in {deployment.project.name}; known: {known}")
    if function is not None:
        envelope: Any = {"function": function, "event": event}
    else:
        # a raw envelope, as the other platforms take it: {"faas": {...}} or its body
        envelope = event.get("faas", event) if isinstance(event, dict) else event
    return _call(deployment, envelope)


def manage(deployment: Deployment, arguments: list[str]) -> InvokeResult:
    if deployment.project.config.app is None:
        raise UsageError("manage runs management commands in the app; this project has no [app]")
    return _call(deployment, {"manage": arguments}).as_manage()


def invoke_url(deployment: Deployment, site: Any) -> str:
    prefix = deployment.options.route_prefix.strip("/")
    return f"https://{site.default_host_name}/{prefix + '/' if prefix else ''}{INVOKE_ROUTE}"


def site_and_master_key(deployment: Deployment) -> tuple[Any, str]:
    """The deployed site and its host's master key (read through ARM, never stored)."""
    with translated(deployment, "read function app", ERRORS):
        site = sites.read_site(deployment)
        if site is None:
            raise NotDeployedError(f"function app {deployment.site} is not deployed")
        keys = sites.web(deployment).web_apps.list_host_keys(deployment.group, deployment.site)
    return site, str(keys.master_key)


def post_with_master_key(deployment: Deployment, url: str, key: str, body: Any, what: str) -> HttpResponse:
    """POST JSON to the site with the master key in `x-functions-key`; no retry (a run is not idempotent)."""
    client: PipelineClient[HttpRequest, HttpResponse] = PipelineClient(
        url, policies=[], transport=RequestsTransport(connection_verify=deployment.session.connection_verify)
    )
    request = HttpRequest(
        "POST",
        url,
        headers={"Content-Type": "application/json", "x-functions-key": key},
        content=json.dumps(body).encode(),
    )
    try:
        return client.send_request(request, connection_timeout=INVOKE_TIMEOUT, read_timeout=INVOKE_TIMEOUT)
    except AzureError as error:
        raise DeployError(f"{what} {deployment.site}", str(error)) from None


def timer_names(deployment: Deployment, function: str) -> list[str]:
    """The Azure functions (timer triggers) that run `function` on its schedules, as packaging named them."""
    from faas.providers.azure.provider import function_name

    for spec in deployment.project.config.functions:
        if spec.name == function:
            schedules = [t for t in spec.triggers if t.kind == "schedule"]
            return [function_name(TriggerRef(function, "schedule", n, t)) for n, t in enumerate(schedules)]
    known = ", ".join(f.name for f in deployment.project.config.functions) or "(none)"
    raise UsageError(f"no function '{function}' in {deployment.project.name}; known: {known}")


def fire_schedules(deployment: Deployment, function: str) -> list[str]:
    """Run `function`'s timers now through the host's admin API, as Azure documents for non-HTTP functions.

    The host answers 202 and runs the function in the background: its output goes to the host's logs.
    """
    names = timer_names(deployment, function)
    if not names:
        raise UsageError(f"function '{function}' has no schedule")
    site, key = site_and_master_key(deployment)
    for name in names:
        url = f"https://{site.default_host_name}/admin/functions/{name}"
        response = post_with_master_key(deployment, url, key, {"input": ""}, "run timer")
        if response.status_code == 404:
            raise NotDeployedError(f"function app {deployment.site} has no function {name} (not published yet?)")
        if response.status_code != 202:
            raise DeployError(f"run timer {name}", f"HTTP {response.status_code}: {response.text()[:300]}")
    return names


def _call(deployment: Deployment, envelope: Any) -> InvokeResult:
    site, key = site_and_master_key(deployment)
    response = post_with_master_key(deployment, invoke_url(deployment, site), key, envelope, "invoke")
    text = response.text()
    if response.status_code == 404:
        raise NotDeployedError(f"function app {deployment.site} serves no {INVOKE_ROUTE} (not published yet?)")
    if response.status_code >= 400:
        # the host logs the function's traceback; the caller gets only the status
        return InvokeResult(payload=text or None, error=f"HTTP {response.status_code}: {text[:300]}".rstrip(": "))
    try:
        payload = json.loads(text) if text else None
    except ValueError:
        payload = text
    return InvokeResult(payload=payload)
