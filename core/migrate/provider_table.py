"""`faas migrate --to X --write`: add `[providers.X]` to faas.toml or pyproject's [tool.faas].

tomlkit edits the document in place, so the file's comments, order and formatting stay as they
were; an existing `[providers.X]` table is never touched.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.items import InlineTable, Table

from faas.core.errors import ConfigError


def add_provider_table(path: Path, provider: str, options: dict[str, Any], *, comment: str = "") -> bool:
    """Add `[providers.<provider>]` with `options`; False (file unchanged) when the table exists."""
    document = tomlkit.parse(path.read_text(encoding="utf-8"))
    root: Any = document
    if path.name == "pyproject.toml":
        root = document.get("tool", {}).get("faas")
        if not isinstance(root, Table | InlineTable):
            raise ConfigError("no [tool.faas] table", source=str(path))
    providers = root.get("providers")
    if providers is None:
        providers = tomlkit.table(is_super_table=True)
        root.append("providers", providers)
    elif not isinstance(providers, Table | InlineTable):
        raise ConfigError("providers must be a table", source=str(path), key="providers")
    if provider in providers:
        return False
    if isinstance(providers, InlineTable):
        inline = tomlkit.inline_table()
        inline.update(options)
        providers[provider] = inline  # append() would leave a double space after the previous entry
    else:
        table = tomlkit.table()
        if comment:
            table.add(tomlkit.comment(comment))
        for key, value in options.items():
            table.add(key, value)
        table.add(tomlkit.nl())  # the blank line before the next table, as the file's others have
        providers.append(provider, table)
    path.write_text(tomlkit.dumps(document), encoding="utf-8")
    return True
