"""From per-stage settings to one faas.toml: factor, validate, render, write.

Importers hand over each stage's *complete* effective settings. faas merges `[stages.<s>]` into the
top level key by key, so the top level may only hold what every stage has with the same value: a
variable one stage has and another lacks goes into that stage's table alone, and cannot leak.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import ValidationError

from faas.core.errors import ConfigError, UsageError
from faas.core.migrate.report import Report
from faas.core.model import ProjectConfig

CONFIG_FILE = "faas.toml"
# The order a person reads a faas.toml in.
_KEY_ORDER = ("name", "provider", "python", "app", "functions", "storage", "package", "domain", "certificate")
_MISSING = object()


@dataclass
class Imported:
    """What an importer made of a source config, before it is written."""

    format: str
    source: Path
    root: Path
    name: str
    stages: dict[str, dict[str, Any]]
    report: Report
    notes: list[str] = field(default_factory=list)

    def document(self) -> dict[str, Any]:
        """The faas.toml content: common settings at the top, the rest per stage."""
        return compose(self.name, self.stages)


# A custom domain and its certificate belong to one deployment: written in each stage's own table,
# never at the top, which is also what faas's default stage (dev) deploys.
_STAGE_BOUND = ("domain", "certificate")


def compose(name: str, stages: dict[str, dict[str, Any]]) -> dict[str, Any]:
    cleaned = {stage: _without_nulls(settings) for stage, settings in stages.items()}
    if not cleaned:
        return {"name": name}
    bound = {
        stage: {key: settings.pop(key) for key in _STAGE_BOUND if key in settings}
        for stage, settings in cleaned.items()
    }
    base, overrides = _factor(list(cleaned.values()))
    document: dict[str, Any] = {"name": name}
    for key in sorted(base, key=_order):
        document[key] = base[key]
    document["stages"] = {
        stage: {**bound[stage], **override} for stage, override in zip(cleaned, overrides, strict=True)
    }
    return document


def _order(key: str) -> tuple[int, str]:
    return (_KEY_ORDER.index(key) if key in _KEY_ORDER else len(_KEY_ORDER), key)


def _factor(values: list[dict[str, Any]]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    base: dict[str, Any] = {}
    overrides: list[dict[str, Any]] = [{} for _ in values]
    keys: list[str] = []
    for value in values:
        keys += [key for key in value if key not in keys]
    for key in keys:
        present = [value.get(key, _MISSING) for value in values]
        if all(item is not _MISSING and item == present[0] for item in present):
            base[key] = present[0]
        elif all(isinstance(item, dict) for item in present):
            sub_base, sub_overrides = _factor(present)
            # Kept even when empty if a stage would otherwise lose a table it has (e.g. an empty one).
            if sub_base or not all(sub_overrides):
                base[key] = sub_base
            for override, sub in zip(overrides, sub_overrides, strict=True):
                if sub:
                    override[key] = sub
        else:
            for override, item in zip(overrides, present, strict=True):
                if item is not _MISSING:
                    override[key] = item
    return base, overrides


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _without_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_without_nulls(item) for item in value if item is not None]
    return value


def merged_stage(document: dict[str, Any], stage: str) -> dict[str, Any]:
    """What faas sees for `stage`: the top level with the stage's table merged in (as core.config does)."""
    top = {key: value for key, value in document.items() if key != "stages"}
    return _deep_merge(top, document.get("stages", {}).get(stage, {}))


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def validate(imported: Imported, document: dict[str, Any]) -> None:
    """Every stage, as faas will merge it, is exactly the importer's settings and a valid ProjectConfig."""
    for stage, settings in imported.stages.items():
        merged = merged_stage(document, stage)
        expected = {"name": imported.name, **_without_nulls(settings)}
        if merged != expected:
            raise AssertionError(f"stage {stage} does not survive the merge: {merged} != {expected}")
        try:
            ProjectConfig.model_validate(merged)
        except ValidationError as error:
            problem = error.errors(include_url=False)[0]
            key = ".".join(str(part) for part in problem["loc"])
            raise ConfigError(
                f"the imported stage '{stage}' is not a valid faas config: {key}: {problem['msg']}",
                source=str(imported.source),
            ) from None


def locate_targets(imported: Imported, document: dict[str, Any]) -> None:
    """Point a single-stage entry at `stages.<s>.<key>` when that is where its value was written."""
    stages = document.get("stages", {})
    if len(stages) < 2:
        return
    for entry in imported.report.entries:
        if len(entry.stages) != 1:
            continue
        (stage,) = entry.stages
        table = stages.get(stage, {})
        entry.targets = [
            f"stages.{stage}.{target}"
            if not target.startswith("stages.") and _holds(table, target.split("."))
            else target
            for target in entry.targets
        ]


def _holds(table: Any, path: list[str]) -> bool:
    for part in path:
        if not isinstance(table, dict):
            return True
        if part not in table:
            return False
        table = table[part]
    return True


def render(document: dict[str, Any], notes: list[str]) -> str:
    header = [f"# {line}" if line else "#" for line in notes]
    return "\n".join(header) + ("\n\n" if header else "") + tomli_w.dumps(document)


def write(imported: Imported, output: Path | None = None, *, force: bool = False) -> tuple[Path, dict[str, Any]]:
    """Validate and write faas.toml (beside the source unless `output` says otherwise)."""
    document = imported.document()
    validate(imported, document)
    locate_targets(imported, document)
    target = output if output is not None else imported.root / CONFIG_FILE
    if target.exists() and not force:
        raise UsageError(f"{target} exists; use --force to overwrite it")
    try:
        target.write_text(render(document, imported.notes), encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot write {target}: {error.strerror}") from None
    return target, document
