"""invoke and manage: the faas envelope POSTed to a private function with an ID token, never a public route.

The gcp adapter honours `{"faas": {...}}` only on a private (IAM-authenticated) function: each plain
function is one (FAAS_FUNCTION is set), the public web app is not. So both go to a plain function's
URL, with an ID token for that URL minted from the deployer's own credentials. A Django app with no
plain function is deployed with a private copy (FAAS_PRIVATE=1, functions.MANAGE_KEY) for manage.
"""

from __future__ import annotations

from typing import Any

import requests

from faas import APP, DeployError, InvokeResult, NotDeployedError, UsageError
from faas.providers.gcp import functions
from faas.providers.gcp.context import Deployment


def id_token(deployment: Deployment, audience: str) -> str:
    """An ID token for `audience` from the deployer's credentials (service-account key or ADC)."""
    credentials = deployment.credentials
    from google.auth.transport import requests as auth_requests

    request = auth_requests.Request()
    signer = getattr(credentials, "signer", None)
    if signer is not None:
        from google.oauth2 import service_account

        # Same key, same token endpoint (the fake's in tests): the JWT-bearer grant with target_audience.
        minted = service_account.IDTokenCredentials(  # type: ignore[no-untyped-call]
            signer,
            credentials.service_account_email,
            credentials._token_uri,
            target_audience=audience,
        )
        minted.refresh(request)
        return str(minted.token)
    from google.oauth2 import id_token as oauth_id_token

    token = oauth_id_token.fetch_id_token(request, audience)  # type: ignore[no-untyped-call]
    return str(token)


def _private_key(deployment: Deployment, function: str | None) -> str:
    if function is not None:
        if function == APP or function not in deployment.function_keys:
            known = ", ".join(k for k in deployment.function_keys if k) or "(none)"
            raise UsageError(f"no function '{function}' in {deployment.project.name}; known: {known}")
        return function
    plain = [k for k in deployment.function_keys if k != APP]
    if not plain:
        raise UsageError(
            f"{deployment.project.name} has no private function on Google Cloud: the web app is public, and faas "
            "never sends an invoke envelope to a public route; add a [[functions]] entry to invoke or manage "
            "(a Django app gets a private copy for manage by itself)"
        )
    return plain[0]


def _post(deployment: Deployment, key: str, body: Any) -> InvokeResult:
    name = deployment.function_name(key)
    have = functions.deployed(deployment, name)
    if have is None or not have.service_config.uri:
        raise NotDeployedError(f"{name.rsplit('/', 1)[1]} is not deployed")
    url = str(have.service_config.uri)
    headers = {"Authorization": f"Bearer {id_token(deployment, url)}"}
    answer = requests.post(url, json=body, headers=headers, timeout=have.service_config.timeout_seconds + 30)
    if answer.status_code in (401, 403):
        raise DeployError(f"invoke {key}", f"{answer.status_code}: the deployer may not invoke {url} (run.invoker)")
    try:
        payload = answer.json()
    except ValueError:
        payload = answer.text
    error = None
    if answer.status_code >= 400:
        error = deployment.project.redact(f"HTTP {answer.status_code}: {answer.text[:2000]}")
    return InvokeResult(payload=payload, error=error)


def invoke(deployment: Deployment, event: Any, function: str | None) -> InvokeResult:
    key = _private_key(deployment, function)
    return _post(deployment, key, {"faas": {"function": key, "event": event}})


def manage(deployment: Deployment, arguments: list[str]) -> InvokeResult:
    if deployment.project.config.app is None:
        raise UsageError("manage runs Django management commands in the app; this project has no [app]")
    key = functions.MANAGE_KEY if functions.needs_manage_copy(deployment) else _private_key(deployment, None)
    return _post(deployment, key, {"faas": {"manage": arguments}}).as_manage()


__all__ = ["id_token", "invoke", "manage"]
