"""The Azure provider's tests run against tests/fakes/azure: a real ARM, Kudu and Azurite on loopback.

No __init__.py here: as a package this folder would be importable as `azure` (tests/providers has
none) and hide the Azure SDK's namespace package.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from faas.core import workflow
from faas.core.config import load_project
from faas.providers.azure import publish
from tests.fakes.azure.fake import AzureFake
from tests.fakes.azure.fixture import azure_env, azure_fake  # noqa: F401

EXAMPLES = Path(__file__).parents[3] / "examples"


@pytest.fixture(scope="module")
def fake(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AzureFake]:
    """One fake per test module, for modules whose tests build on one deployment (operate, timers)."""
    running = AzureFake(tmp_path_factory.mktemp("azure"))
    with pytest.MonkeyPatch.context() as patch:
        for name, value in running.environment().items():
            patch.setenv(name, value)
        patch.setattr(publish, "INDEX_TIMEOUT", 3.0)  # the fake indexes synchronously
        try:
            yield running
        finally:
            running.stop()
    crashes = [f"{c.method} {c.path}\n{c.error}" for c in running.calls if c.error]
    assert not crashes, "the fake ARM crashed on:\n" + "\n".join(crashes)


@pytest.fixture
def flask_project(tmp_path: Path) -> Path:
    target = tmp_path / "flask"
    shutil.copytree(EXAMPLES / "flask", target)
    return target


def open_azure(root: Path) -> Any:
    return workflow.open_provider(load_project(root / "faas.toml"), "azure")


@pytest.fixture
def azure_provider(azure_env: Any) -> Callable[[Path], Any]:  # noqa: F811
    """The azure provider of a project folder, against the fake (its deployment, status, rollback...)."""
    return open_azure


@pytest.fixture
def deploy(azure_env: Any) -> Callable[[Path], workflow.DeployOutcome]:  # noqa: F811
    """`faas deploy --provider azure` of a project folder, against the fake."""

    def run(root: Path) -> workflow.DeployOutcome:
        return workflow.deploy(open_azure(root), out_dir=root / ".faas-out")

    return run


@pytest.fixture
def undeploy(azure_env: Any) -> Callable[[Path], Any]:  # noqa: F811
    def run(root: Path) -> Any:
        return workflow.undeploy(open_azure(root))

    return run
