"""The names the runtime contract fixes (docs/runtime-contract.md), spelt once.

Packaging and the providers (deploy side) and the adapters (in the function) import them from
here, so the two sides cannot drift apart. Standard library only: it runs on every cold start.
"""

from __future__ import annotations

__all__ = [
    "CONFIG_NAME",
    "ENV_ACCESS_LOG",
    "ENV_FUNCTION",
    "ENV_PRIVATE",
    "ENV_SECRETS_STORE",
    "ENV_STATIC_BUCKET",
    "ENV_STATIC_URL",
    "PLATFORM_ENTRY_POINTS",
    "SECRET_REFERENCE_PATTERN",
    "SUPPORTED_FORMAT",
    "storage_bucket_env",
    "storage_url_env",
]

CONFIG_NAME = "faas_runtime.json"
"""The runtime settings packaging writes at the artifact's root."""
SUPPORTED_FORMAT = 1
"""The faas_runtime.json format these adapters read."""

ENV_ACCESS_LOG = "FAAS_ACCESS_LOG"
"""`1` writes one access line per request to stdout, `0` none. Default: none on AWS (Lambda and
API Gateway log requests themselves, and each line costs Lambda's runtime a write and a flush),
one on GCP and Azure."""
ENV_FUNCTION = "FAAS_FUNCTION"
"""Set by a provider that deploys each function on its own: the function every non-HTTP event goes to."""
ENV_PRIVATE = "FAAS_PRIVATE"
"""Set ("1") on a private copy of the app that routes events and envelopes by shape (HTTP-only platforms)."""
ENV_SECRETS_STORE = "FAAS_SECRETS_STORE"
"""Set by a provider whose platform has no secret variables: the store `${secret:NAME}` values are read from."""
SECRET_REFERENCE_PATTERN = r"^\$\{secret:([A-Za-z][A-Za-z0-9_-]{0,127})\}$"
"""A `${secret:NAME}` value (a reference is a variable's whole value); NAME, the group, is letters,
digits, `_` and `-`, up to 128, which every platform's store accepts (mapped as needed)."""
ENV_STATIC_BUCKET = "FAAS_STATIC_BUCKET"
"""The bucket of the `static` storage role."""
ENV_STATIC_URL = "FAAS_STATIC_URL"
"""The public URL of the `static` storage role (Django: `STATIC_URL = os.environ["FAAS_STATIC_URL"]`)."""

PLATFORM_ENTRY_POINTS = "faas.platforms"
"""Entry-point group where a third-party adapter registers its platform's bootstrap."""


def storage_bucket_env(role: str) -> str:
    """`FAAS_STORAGE_<ROLE>_BUCKET`: the bucket of a storage role."""
    return f"FAAS_STORAGE_{_role(role)}_BUCKET"


def storage_url_env(role: str) -> str:
    """`FAAS_STORAGE_<ROLE>_URL`: the URL of a storage role."""
    return f"FAAS_STORAGE_{_role(role)}_URL"


def _role(role: str) -> str:
    # Roles may hold hyphens (`user-media`); environment variable names may not.
    return role.upper().replace("-", "_")
