"""The `azure_fake` pytest fixture. Another test folder gets it with

from tests.fakes.azure.fixture import azure_fake  # noqa: F401  (in its conftest.py)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

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
