"""Stage names: a source's stage becomes a faas stage, renamed (and warned) when it does not fit."""

from __future__ import annotations

from faas.core.migrate.report import Report
from faas.core.migrate.values import stage_name


class StageNames:
    """Source stage name -> faas stage name, unique; the report keeps the source's name as the key."""

    def __init__(self, report: Report, *, key_prefix: str = "") -> None:
        self.report = report
        self.key_prefix = key_prefix
        self.names: dict[str, str] = {}

    def add(self, source_name: str, *, key: str | None = None) -> str:
        name = base = stage_name(source_name)
        counter = 2
        while name in self.names.values():
            name = f"{base[:13]}-{counter}"
            counter += 1
        self.names[source_name] = name
        entry_key = key or f"{self.key_prefix}{source_name}"
        if name != source_name:
            self.report.warn(
                entry_key,
                f"'{source_name}' is not a faas stage name (lowercase letters, digits, hyphens, up to 16); "
                f"renamed to '{name}'",
                f"stages.{name}",
            )
        else:
            self.report.mapped(entry_key, f"stages.{name}", f"stage {name}")
        return name
