from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .fake import AzureFake


@pytest.fixture
def azure_fake(tmp_path: Path) -> Iterator[AzureFake]:
    """A local Azure (token endpoint, ARM over HTTPS, Azurite, Kudu per site) on loopback ports."""
    fake = AzureFake(tmp_path / "azure")
    try:
        yield fake
    finally:
        fake.stop()
