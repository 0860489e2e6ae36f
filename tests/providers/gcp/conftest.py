"""The GCP provider's tests run against the fake control plane (tests/fakes/gcp): real HTTP, real clients."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.gcp.fake import GcpFake
from tests.fakes.gcp.fixture import gcp_fake, gcp_fake_session  # noqa: F401

EXAMPLE = Path(__file__).parents[3] / "examples" / "flask"


@pytest.fixture
def gcp_env(gcp_fake: GcpFake, monkeypatch: pytest.MonkeyPatch) -> GcpFake:  # noqa: F811
    """The fake's endpoints in FAAS_GCP_API_ENDPOINTS, the way a user points faas at other endpoints."""
    endpoints = ",".join(f"{key}={url}" for key, url in gcp_fake.endpoints.items())
    monkeypatch.setenv("FAAS_GCP_API_ENDPOINTS", endpoints)
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", gcp_fake.project)
    return gcp_fake


@pytest.fixture
def flask_project(tmp_path: Path, gcp_env: GcpFake) -> Any:
    """The Flask example copied, with `[providers.gcp]` naming the fake's region; `extra` appends config."""
    from faas.core.config import load_project

    root = tmp_path / "flask"
    shutil.copytree(EXAMPLE, root)
    base = (root / "faas.toml").read_text()

    def write(extra: str = "", *, greeting: str | None = None) -> Any:
        config = base + f'\n[providers.gcp]\nregion = "{gcp_env.region}"\n' + extra
        (root / "faas.toml").write_text(config)
        if greeting is not None:
            app = (root / "app.py").read_text().replace("Hello from Flask", greeting)
            (root / "app.py").write_text(app)
        return load_project(root / "faas.toml", "dev")

    write.root = root  # type: ignore[attr-defined]  # tests that edit the copied app by hand
    return write


def deploy(project: Any) -> Any:
    """Deploy through the shared workflow (package -> plan -> apply); returns (provider, outcome)."""
    from faas.core import workflow
    from faas.core.reporting import NullReporter

    provider = workflow.open_provider(project, "gcp", reporter=NullReporter())
    return provider, workflow.deploy(provider)
