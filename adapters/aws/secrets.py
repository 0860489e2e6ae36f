"""`${secret:NAME}` values on Lambda: read from Secrets Manager or SSM during init, before the app imports.

Lambda has no secret environment variables: the deploy side leaves `DB_PASSWORD = "${secret:...}"`
in the function's configuration and sets FAAS_SECRETS_STORE; here each such value is replaced
in `os.environ` by the store's, once per execution environment, so the app reads it as usual.

Why a signed HTTPS call made with the standard library, rather than the alternatives:
- boto3 is in the Lambda runtime, but importing it (botocore's service models) costs a cold start
  ~150-250 ms; the adapter imports only the standard library (see tests/adapters/test_import_cost.py).
- The AWS Parameters and Secrets Lambda Extension needs a layer whose ARN differs per region and
  architecture, and starts one more process on every cold start.
One GetSecretValue over HTTPS, signed with the execution role's credentials (SigV4, ~40 lines of
hmac and hashlib), costs one round trip within the region per secret and no import worth
measuring (docs/providers/aws.md gives the figures). The role may read exactly those secrets.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import time

from faas.adapters.contract import ENV_SECRETS_STORE, SECRET_REFERENCE_PATTERN
from faas.adapters.errors import ConfigError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import MutableMapping
    from typing import Any

_REFERENCE = re.compile(SECRET_REFERENCE_PATTERN)
_STORES = {
    # store: (signing name, endpoint variable, X-Amz-Target)
    "secretsmanager": ("secretsmanager", "AWS_ENDPOINT_URL_SECRETS_MANAGER", "secretsmanager.GetSecretValue"),
    "ssm": ("ssm", "AWS_ENDPOINT_URL_SSM", "AmazonSSM.GetParameter"),
}


def fill_environment(environ: MutableMapping[str, str] | None = None) -> list[str]:
    """Replace each `${secret:NAME}` value of `environ` (default os.environ); the variables filled."""
    environ = os.environ if environ is None else environ
    store = environ.get(ENV_SECRETS_STORE) or "secretsmanager"
    if store not in _STORES:
        raise ConfigError(f"{ENV_SECRETS_STORE}={store!r}: expected secretsmanager or ssm")
    filled = []
    for variable, value in list(environ.items()):
        match = _REFERENCE.match(value)
        if match:
            environ[variable] = read_secret(match.group(1), store, environ)
            filled.append(variable)
    return filled


def read_secret(name: str, store: str, environ: MutableMapping[str, str]) -> str:
    """The current value of secret `name` in `store`, read with the function's own credentials."""
    service, endpoint_variable, target = _STORES[store]
    region = environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION") or ""
    suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
    endpoint = (
        environ.get(endpoint_variable) or environ.get("AWS_ENDPOINT_URL") or f"https://{service}.{region}.{suffix}"
    )
    body = json.dumps({"SecretId": name} if store == "secretsmanager" else {"Name": name, "WithDecryption": True})
    status, answer = _post(endpoint, target, body.encode(), service=service, region=region, environ=environ)
    if status != 200:
        kind = str(answer.get("__type") or answer.get("code") or status).rsplit("#", 1)[-1]
        raise ConfigError(f"cannot read secret {name} from {store}: {kind} {answer.get('message') or ''}".rstrip())
    if store == "ssm":
        return str(answer["Parameter"]["Value"])
    if "SecretString" not in answer:
        raise ConfigError(f"secret {name} holds binary data; an environment variable needs a SecretString")
    return str(answer["SecretString"])


def _post(
    endpoint: str, target: str, body: bytes, *, service: str, region: str, environ: MutableMapping[str, str]
) -> tuple[int, dict[str, Any]]:
    import http.client  # only when the function has secrets
    from urllib.parse import urlsplit

    url = urlsplit(endpoint)
    host = url.netloc
    headers = sign(
        target=target,
        host=host,
        path=url.path or "/",
        body=body,
        service=service,
        region=region,
        access_key=environ.get("AWS_ACCESS_KEY_ID", ""),
        secret_key=environ.get("AWS_SECRET_ACCESS_KEY", ""),
        token=environ.get("AWS_SESSION_TOKEN"),
        now=time.gmtime(),
    )
    connection_class = http.client.HTTPSConnection if url.scheme == "https" else http.client.HTTPConnection
    connection = connection_class(host, timeout=10)
    try:
        connection.request("POST", url.path or "/", body=body, headers=headers)
        response = connection.getresponse()
        text = response.read()
    finally:
        connection.close()
    try:
        answer = json.loads(text) if text else {}
    except ValueError:
        answer = {"message": text[:200].decode(errors="replace")}
    return response.status, answer if isinstance(answer, dict) else {}


def sign(
    *,
    target: str,
    host: str,
    path: str,
    body: bytes,
    service: str,
    region: str,
    access_key: str,
    secret_key: str,
    token: str | None,
    now: time.struct_time,
) -> dict[str, str]:
    """The headers of a SigV4-signed AWS JSON 1.1 POST (what botocore's SigV4Auth sends)."""
    amz_date = time.strftime("%Y%m%dT%H%M%SZ", now)
    headers = {
        "content-type": "application/x-amz-json-1.1",
        "host": host,
        "x-amz-date": amz_date,
        "x-amz-target": target,
    }
    if token:
        headers["x-amz-security-token"] = token
    names = sorted(headers)
    signed = ";".join(names)
    canonical = "\n".join(
        [
            "POST",
            path,
            "",
            "".join(f"{name}:{headers[name]}\n" for name in names),
            signed,
            hashlib.sha256(body).hexdigest(),
        ]
    )
    scope = f"{amz_date[:8]}/{region}/{service}/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = f"AWS4{secret_key}".encode()
    for part in (amz_date[:8], region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    headers["authorization"] = (
        f"AWS4-HMAC-SHA256 Credential={access_key}/{scope}, SignedHeaders={signed}, Signature={signature}"
    )
    return headers
