"""The `azure_fake` pytest fixture. Another test folder gets it with

from tests.fakes.azure.fixture import azure_fake  # noqa: F401  (in its conftest.py)

and `azure_env` with it: the fake, and the environment that points faas at it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from faas.providers.azure import publish

from .fake import AzureFake


@pytest.fixture
def azure_fake(tmp_path: Path) -> Iterator[AzureFake]:
    """A local Azure on random loopback ports: token endpoint, ARM over HTTPS, Azurite, a Kudu per site."""
    fake = AzureFake(tmp_path / "azure")
    try:
        yield fake
    finally:
        fake.stop()
    # a request the fake itself failed on (500 FakeInternalError) is a bug in the fake: never let it pass
    crashes = [f"{c.method} {c.path}\n{c.error}" for c in fake.calls if c.error]
    if crashes:
        pytest.fail("the fake ARM crashed on:\n" + "\n".join(crashes))


@pytest.fixture
def azure_env(azure_fake: AzureFake, monkeypatch: pytest.MonkeyPatch) -> AzureFake:
    """The environment a CI job sets for a service principal, pointed at the fake."""
    for name, value in azure_fake.environment().items():
        monkeypatch.setenv(name, value)
    # the fake indexes synchronously: no need to wait minutes for functions that will never appear
    monkeypatch.setattr(publish, "INDEX_TIMEOUT", 3.0)
    return azure_fake
