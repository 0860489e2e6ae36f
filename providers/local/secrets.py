"""Secret environment values of a local deployment: kept in memory, never written to disk.

Values taken from `${env:NAME}` are secrets. The files under the state dir keep, for each such
variable, only a digest (scrypt: slow to guess, the same on every machine) to tell a changed
value from the same one. The supervisor gets the values over a pipe when it starts and in the
body of a loopback control call when it switches; a rollback takes them from the project's
current environment where the digest matches, else from the supervisor's memory.
"""

from __future__ import annotations

import copy
import functools
import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

from faas import UsageError

SECRETS_KEY = "secret_environment"
"""The key of a deployment config holding {variable: digest} for the secret variables."""


@functools.lru_cache(maxsize=256)
def digest(name: str, value: str) -> str:
    """A digest of `value` that detects a change without revealing it (costly to brute-force)."""
    salt = f"faas-local-secret:{name}".encode()
    return hashlib.scrypt(value.encode(), salt=salt, n=2**14, r=8, p=1, dklen=16).hex()


def secret_names(environment: Mapping[str, str], secrets: Iterable[str]) -> list[str]:
    """The variables of `environment` whose value holds a secret (an `${env:...}` value)."""
    found = [secret for secret in secrets if secret]
    return sorted(name for name, value in environment.items() if any(secret in value for secret in found))


def mark_secrets(config: dict[str, Any], secrets: Iterable[str]) -> dict[str, Any]:
    """Record in `config` which of its spec's variables are secret, with their digests."""
    environment: dict[str, str] = config["spec"]["environment"]
    config[SECRETS_KEY] = {name: digest(name, environment[name]) for name in secret_names(environment, secrets)}
    return config


def redacted(config: dict[str, Any]) -> dict[str, Any]:
    """A copy of `config` fit for disk: the secret variables' values left out."""
    safe = copy.deepcopy(config)
    environment = safe.get("spec", {}).get("environment", {})
    for name in safe.get(SECRETS_KEY) or {}:
        environment.pop(name, None)
    return safe


def secret_values(config: dict[str, Any]) -> dict[str, str]:
    """The secret variables' values present in `config` (an in-memory one)."""
    environment = config.get("spec", {}).get("environment", {})
    return {name: environment[name] for name in config.get(SECRETS_KEY) or {} if name in environment}


def missing(config: dict[str, Any]) -> list[str]:
    """Secret variables of `config` whose value it does not hold (a config read from disk)."""
    environment = config.get("spec", {}).get("environment", {})
    return sorted(name for name in config.get(SECRETS_KEY) or {} if name not in environment)


def fill(config: dict[str, Any], candidates: Mapping[str, str]) -> list[str]:
    """Put back each missing secret whose candidate value has the recorded digest; the ones still missing."""
    environment = config["spec"]["environment"]
    wanted: dict[str, str] = config.get(SECRETS_KEY) or {}
    for name in missing(config):
        value = candidates.get(name)
        if value is not None and digest(name, value) == wanted[name]:
            environment[name] = value
    return missing(config)


def require_complete(config: dict[str, Any], version: str) -> None:
    """Refuse to run a version whose secret values are not all known."""
    absent = missing(config)
    if absent:
        names = ", ".join(absent)
        raise UsageError(
            f"version {version} ran with other values of {names} than the environment has now (faas keeps "
            "no secret on disk): export the values it was deployed with, then run the command again"
        )
