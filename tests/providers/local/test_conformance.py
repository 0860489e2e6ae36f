"""The provider conformance suite, for the local provider emulating each cloud."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from faas.core.plugins import Provider
from faas.core.results import DeployResult
from faas.core.testing.conformance import ProviderConformance
from faas.providers.local import control
from faas.providers.local.provider import LocalProvider

from .conftest import get, stop_all

pytestmark = pytest.mark.slow


class Faults:
    """The local provider's mutating calls (starting and switching its supervisor), the n-th failing."""

    def __init__(self) -> None:
        self.n = 0
        self.count = 0

    def arm(self, n: int) -> None:
        self.n, self.count = n, 0

    def step(self, what: str) -> None:
        self.count += 1
        if self.count == self.n:
            raise control.SupervisorError(f"injected failure of step {self.n} ({what})")


class LocalConformance(ProviderConformance):
    provider_name = "local"
    emulate: ClassVar[str]
    faults: Faults

    @pytest.fixture(autouse=True)
    def fault_points(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.faults = Faults()
        spawn, call = control.spawn_supervisor, control.Supervisor.call

        def spawn_supervisor(*args: Any, **kwargs: Any) -> Any:
            self.faults.step("start the supervisor")
            return spawn(*args, **kwargs)

        def supervisor_call(supervisor: Any, path: str, *args: Any, **kwargs: Any) -> Any:
            if path == "/switch":
                self.faults.step("switch to the new version")
            return call(supervisor, path, *args, **kwargs)

        monkeypatch.setattr(control, "spawn_supervisor", spawn_supervisor)
        monkeypatch.setattr(control.Supervisor, "call", supervisor_call)

    def inject_fault(self, provider: Provider, n: int) -> Callable[[], int]:
        self.faults.arm(n)
        return lambda: self.faults.count

    def fire_schedule(self, provider: Provider, function: str) -> None:
        # Through the supervisor's scheduler, the path a due job takes.
        assert isinstance(provider, LocalProvider)
        outcomes = provider.fire_schedules(function)
        assert outcomes and all(outcome["kind"] == "ok" for outcome in outcomes), outcomes

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
