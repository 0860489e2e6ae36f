"""`faas invoke` and `faas manage` on Azure: the envelope goes to the app's `faas_invoke` function.

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
from azure.core.rest import HttpRequest

from faas import APP, DeployError, InvokeResult, NotDeployedError, UsageError, translated
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


def _call(deployment: Deployment, envelope: Any) -> InvokeResult:
    with translated(deployment, "read function app", ERRORS):
        site = sites.read_site(deployment)
        if site is None:
            raise NotDeployedError(f"function app {deployment.site} is not deployed")
        keys = sites.web(deployment).web_apps.list_host_keys(deployment.group, deployment.site)
    url = invoke_url(deployment, site)
    # no retry policy: an invocation is not idempotent
    client: PipelineClient[HttpRequest, Any] = PipelineClient(
        url, policies=[], transport=RequestsTransport(connection_verify=deployment.session.connection_verify)
    )
    request = HttpRequest(
        "POST",
        url,
        headers={"Content-Type": "application/json", "x-functions-key": str(keys.master_key)},
        content=json.dumps(envelope).encode(),
    )
    try:
        response = client.send_request(request, connection_timeout=INVOKE_TIMEOUT, read_timeout=INVOKE_TIMEOUT)
    except AzureError as error:
        raise DeployError(f"invoke {deployment.site}", str(error)) from None
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
