"""The reference docs are generated from the code; this fails when a checked-in copy is stale."""

from __future__ import annotations

from pathlib import Path

import pytest

from faas.core.reference import generated_files

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("path", sorted(generated_files(ROOT / "docs")), ids=lambda p: p.name)
def test_generated_docs_are_current(path: Path) -> None:
    expected = generated_files(ROOT / "docs")[path]
    assert path.is_file(), f"{path} is missing: run `python -m faas.core.reference`"
    assert path.read_text(encoding="utf-8") == expected, f"{path} is stale: run `python -m faas.core.reference`"


# The plugin guide (docs/writing-a-provider.md) is built, installed and run by tests/test_plugin_guide.py.


@pytest.mark.parametrize("provider", ["aws", "gcp", "azure"])
def test_the_worked_production_example_is_a_valid_config_for_every_cloud(tmp_path: Path, provider: str) -> None:
    import re

    from faas.core import workflow
    from faas.core.config import load_project

    text = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    (example,) = re.findall(r"```toml\n(.*?)```", text, flags=re.S)
    (tmp_path / "faas.toml").write_text(example)
    project = load_project(tmp_path / "faas.toml", "prod")
    assert project.config.app is not None and project.config.app.min_instances == 1
    workflow.open_provider(project, provider).check_config()  # options and capabilities, no cloud call
