"""The GCP provider's tests run against the fake control plane (tests/fakes/gcp): real HTTP, real clients."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.gcp.fake import GcpFake
from tests.fakes.gcp.fixture import gcp_env, gcp_fake, gcp_fake_session  # noqa: F401

EXAMPLE = Path(__file__).parents[3] / "examples" / "flask"


@pytest.fixture
def flask_project(tmp_path: Path, gcp_env: GcpFake) -> Any:  # noqa: F811
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
