"""`${secret:NAME}`: an environment value the platform's secret store supplies at run time.

Unlike `${env:NAME}` (read from the deploying machine when the config loads), a secret
reference is kept as written through config loading and planning: faas never reads the value
on a cloud, so it cannot end up in the artifact, the state, a plan or a log. Each provider maps
the reference to its store (AWS Secrets Manager or SSM Parameter Store, GCP Secret Manager,
Azure Key Vault, the local provider's own store) and says how the value reaches the process.

A reference is a variable's whole value: GCP secret environment variables and Azure Key Vault
references replace a whole value too, so one rule holds on every platform.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from faas.adapters.contract import SECRET_REFERENCE_PATTERN

__all__ = ["SECRET_REFERENCE", "check_secret_references", "secret_references"]

SECRET_REFERENCE = re.compile(SECRET_REFERENCE_PATTERN)
_ANY_REFERENCE = "${secret:"


def secret_references(environment: Mapping[str, str]) -> dict[str, str]:
    """{variable: secret name} for each variable whose value is a `${secret:NAME}` reference."""
    found: dict[str, str] = {}
    for variable, value in environment.items():
        match = SECRET_REFERENCE.match(value)
        if match:
            found[variable] = match.group(1)
    return found


def check_secret_references(environment: Mapping[str, str]) -> None:
    """Raise ValueError for a `${secret:...}` that is not a whole value with a usable name."""
    for variable, value in environment.items():
        if _ANY_REFERENCE in value and not SECRET_REFERENCE.match(value):
            raise ValueError(
                f"{variable}: a ${{secret:NAME}} reference must be the whole value, with NAME of letters, "
                'digits, _ and - (up to 128, starting with a letter), e.g. DB_PASSWORD = "${secret:DB_PASSWORD}"'
            )
