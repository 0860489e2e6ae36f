"""One Deploy to the site's Kudu, then proof that the host indexed every function.

Flex reports a deployment as successful even when the worker could not import the app (zero
functions load); so a deploy is done only when the function list holds every expected function.
"""

from __future__ import annotations

import io
import json
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from azure.core import PipelineClient
from azure.core.exceptions import AzureError
from azure.core.pipeline.policies import BearerTokenCredentialPolicy, RetryPolicy
from azure.core.pipeline.transport import RequestsTransport
from azure.core.rest import HttpRequest, HttpResponse
from azure.mgmt.web.models import StringDictionary

from faas import ApplyState, Artifact, DeployError, StateKey
from faas.providers.azure import site as sites
from faas.providers.azure.context import Deployment

ARTIFACT = StateKey[Artifact]("artifact")
SUCCESS, FAILED = 4, 3
BUSY_WAITS = (2.0, 5.0, 10.0, 20.0, 30.0, 30.0)
DEPLOY_TIMEOUT = 600.0
INDEX_TIMEOUT = 120.0


def expected_functions(package: bytes) -> set[str]:
    """The functions function_app.py registers: faas_invoke, faas_http with an app, one per trigger."""
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        runtime = json.loads(archive.read("faas_runtime.json"))
    names = {"faas_invoke"}
    if runtime.get("app") or runtime.get("http"):
        names.add("faas_http")
    for triggers in (runtime.get("functions") or {}).values():
        names.update(t["name"] for t in triggers if isinstance(t, dict) and t.get("name"))
    return names


def scm_host(site: Any) -> str:
    for state in site.host_name_ssl_states or ():
        if str(state.host_type).lower().endswith("repository"):
            return str(state.name)
    raise DeployError("publish", f"function app {site.name} reports no Kudu (repository) host name yet")


def kudu_client(deployment: Deployment, host: str) -> PipelineClient[HttpRequest, HttpResponse]:
    session = deployment.session
    return PipelineClient(
        f"https://{host}",
        policies=[RetryPolicy(), BearerTokenCredentialPolicy(session.credential, session.scope)],
        transport=RequestsTransport(connection_verify=session.connection_verify),
    )


@dataclass(frozen=True)
class PublishStep:
    def run(self, deployment: Deployment, state: ApplyState) -> None:
        artifact = state.require(ARTIFACT)
        site = sites.read_site(deployment)
        if site is None:
            raise DeployError("publish", f"function app {deployment.site} does not exist")
        release(deployment, site, artifact.path.read_bytes(), artifact.sha256)
        state.versions[deployment.primary] = artifact.sha256[:12]


def release(deployment: Deployment, site: Any, data: bytes, sha256: str, *, keep: bool = True) -> None:
    """Publish a package, prove it indexed, keep it (with its settings) for rollback, then mark it released."""
    from faas.providers.azure import releases

    client = kudu_client(deployment, scm_host(site))
    base = f"https://{scm_host(site)}"
    location = _publish(deployment, client, base, data)
    location = location if location.startswith("https://") else base + location
    _wait_deployed(client, location)
    _wait_indexed(deployment, expected_functions(data), lambda: host_error(client, location))
    settings = sites.current_settings(deployment)
    if keep:
        releases.store(deployment, sha256, data, settings)
    # Recorded last: an interrupted publish is redone by the next deploy.
    settings[sites.RELEASE] = sha256
    sites.web(deployment).web_apps.update_application_settings(
        deployment.group, deployment.site, StringDictionary(properties=settings)
    )


def _publish(deployment: Deployment, client: PipelineClient[HttpRequest, HttpResponse], base: str, data: bytes) -> str:
    for wait in (*BUSY_WAITS, None):
        request = HttpRequest(
            "POST",
            f"{base}/api/publish",
            # The package carries its dependencies in .python_packages unless the user asked Azure to build.
            params={"RemoteBuild": "true" if deployment.options.remote_build else "false", "Deployer": "faas"},
            headers={"Content-Type": "application/zip"},
            content=data,
        )
        response = client.send_request(request)
        if response.status_code == 409 and wait is not None:
            # another deployment is running (ours from a moment ago, or a teammate's)
            deployment.say(f"Kudu is busy with another deployment; retrying in {wait:g}s")
            time.sleep(wait)
            continue
        if response.status_code not in (200, 202):
            raise DeployError("publish", f"Kudu answered {response.status_code}: {response.text()[:300]}")
        location = response.headers.get("Location")
        if location:
            return str(location)
        return "/api/deployments/latest"
    raise DeployError("publish", "Kudu stayed busy with another deployment")


def _wait_deployed(client: PipelineClient[HttpRequest, HttpResponse], location: str) -> None:
    deadline = time.monotonic() + DEPLOY_TIMEOUT
    while True:
        response = client.send_request(HttpRequest("GET", location))
        if response.status_code == 200:
            # a 200 only says the status was read: the deployment's own status says how it went
            status = response.json()
            if status.get("complete"):
                if status.get("status") != SUCCESS:
                    raise DeployError("publish", f"the deployment failed: {status.get('status_text')}")
                return
        elif response.status_code != 202:
            raise DeployError("publish", f"deployment status answered {response.status_code}")
        if time.monotonic() > deadline:
            raise DeployError("publish", "the deployment did not finish in 10 minutes")
        time.sleep(1.0)


def _wait_indexed(deployment: Deployment, expected: set[str], error_line: Callable[[], str | None]) -> None:
    deadline = time.monotonic() + INDEX_TIMEOUT
    while True:
        found = {
            str(fn.name).rsplit("/", 1)[-1]
            for fn in sites.web(deployment).web_apps.list_functions(deployment.group, deployment.site)
        }
        missing = expected - found
        if not missing:
            return
        if time.monotonic() > deadline:
            break
        time.sleep(2.0)
    line = error_line()
    raise DeployError(
        "publish",
        f"{len(found)} functions indexed, expected {', '.join(sorted(expected))}"
        + (f": {line}" if line else " (see the host's logs: faas logs)"),
    )


def host_error(client: PipelineClient[HttpRequest, HttpResponse], location: str) -> str | None:
    """The first warning or error of the deployment's log (where Flex reports a failed indexing)."""
    try:
        response = client.send_request(HttpRequest("GET", f"{location.rstrip('/')}/log"))
        entries = response.json() if response.status_code == 200 else []
    except (AzureError, ValueError):
        return None  # the reason is what the caller reports; the log only adds to it
    # Kudu's LogEntry type: 0 message, 1 warning, 2 error
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict) and entry.get("type") in (1, 2) and entry.get("message"):
            return str(entry["message"]).splitlines()[0]
    return None
