"""The reference docs are generated from the code; this fails when a checked-in copy is stale."""

from __future__ import annotations

import re
import types
from pathlib import Path

import pytest

from faas.core.plugins import get_plugin_manager, get_registry
from faas.core.reference import generated_files

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("path", sorted(generated_files(ROOT / "docs")), ids=lambda p: p.name)
def test_generated_docs_are_current(path: Path) -> None:
    expected = generated_files(ROOT / "docs")[path]
    assert path.is_file(), f"{path} is missing: run `python -m faas.core.reference`"
    assert path.read_text(encoding="utf-8") == expected, f"{path} is stale: run `python -m faas.core.reference`"


def test_the_plugin_guide_example_is_a_working_plugin() -> None:
    guide = (ROOT / "docs" / "writing-a-provider.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- example-plugin -->\s*```python\n(.*?)```", guide, re.S)
    assert match, "the guide must hold the complete example plugin"
    plugin = types.ModuleType("faas_example.plugin")
    exec(compile(match.group(1), "writing-a-provider.md", "exec"), plugin.__dict__)
    manager = get_plugin_manager(load_entry_points=False)
    manager.register_from(plugin, "faas-example")
    info = get_registry(manager).info("example")
    assert info.available
    assert info.package == "faas-example"
