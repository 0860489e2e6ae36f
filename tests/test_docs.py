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
