"""The provider conformance suite, for the local provider emulating each cloud."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from faas.core.plugins import Provider
from faas.core.results import DeployResult
from faas.core.testing.conformance import ProviderConformance

from .conftest import get, stop_all

pytestmark = pytest.mark.slow


class LocalConformance(ProviderConformance):
    provider_name = "local"
    emulate: ClassVar[str]

    @pytest.fixture
    def cloud(self, tmp_path: Path) -> Iterator[None]:
        yield
        stop_all(tmp_path)

    def options(self) -> dict[str, Any]:
        return {"emulate": self.emulate, "pool_size": 2}

    def fetch(self, provider: Provider, result: DeployResult, path: str) -> tuple[int, bytes]:
        assert result.url is not None
        status, _, body = get(result.url + path)
        return status, body


class TestLocalAwsConformance(LocalConformance):
    emulate = "aws"


class TestLocalGcpConformance(LocalConformance):
    emulate = "gcp"


class TestLocalAzureConformance(LocalConformance):
    emulate = "azure"
