"""`faas import`: read a Zappa, Serverless, Chalice or SAM config and write the equivalent faas.toml.

Nothing is resolved against a cloud and nothing is read from the importer's own environment:
references such as `${env:...}` or `${ssm:...}` stay references and are reported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import Any

from faas.core.errors import UsageError
from faas.core.migrate.report import Report, ReportEntry
from faas.core.migrate.writer import Imported, write

FORMATS = ("zappa", "serverless", "chalice", "sam")
SOURCE_FILES: dict[str, tuple[str, ...]] = {
    "zappa": ("zappa_settings.json", "zappa_settings.yml", "zappa_settings.yaml", "zappa_settings.toml"),
    "serverless": ("serverless.yml", "serverless.yaml"),
    "chalice": (".chalice/config.json",),
    "sam": ("template.yaml", "template.yml"),
}

Importer = Callable[..., Imported]


@dataclass(frozen=True)
class ImportResult:
    """The written faas.toml, its content and the report."""

    format: str
    path: Path
    source: Path
    config: dict[str, Any]
    entries: list[ReportEntry]

    def to_json(self) -> dict[str, Any]:
        return {"format": self.format, "config": self.config, "report": [entry.to_json() for entry in self.entries]}


def detect(source: Path, source_format: str | None = None) -> tuple[str, Path]:
    """The format and the config file for SOURCE (a file or a folder), from the file names."""
    if source.is_dir():
        if source.name == ".chalice" and (source / "config.json").is_file():
            return "chalice", source / "config.json"
        found = [
            (kind, source / name)
            for kind, names in SOURCE_FILES.items()
            if source_format in (None, kind)
            for name in names
            if (source / name).is_file()
        ]
        kinds = sorted({kind for kind, _ in found})
        if not found:
            wanted = ", ".join(SOURCE_FILES[source_format] if source_format else sum(SOURCE_FILES.values(), ()))
            raise UsageError(f"no config to import in {source} (looked for {wanted})")
        if len(kinds) > 1:
            listing = ", ".join(str(path.relative_to(source)) for _, path in found)
            raise UsageError(f"{source} holds configs of several tools ({listing}); choose one with --from")
        return found[0]
    if not source.is_file():
        raise UsageError(f"no such file or folder: {source}")
    for kind, names in SOURCE_FILES.items():
        if _is_named(source, names) and source_format in (None, kind):
            return kind, source
    if source_format is not None:
        return source_format, source
    raise UsageError(f"cannot tell which tool {source.name} belongs to; say it with --from {'|'.join(FORMATS)}")


def _is_named(path: Path, names: tuple[str, ...]) -> bool:
    for name in names:
        folder, _, file_name = name.rpartition("/")
        if path.name == file_name and (not folder or path.parent.name == folder):
            return True
    return False


def importer(kind: str) -> Importer:
    """The import function of a format (modules load only when used)."""
    module = import_module(f"faas.core.migrate.{kind}")
    function: Importer = getattr(module, f"import_{kind}")
    return function


def import_project(
    source: Path,
    *,
    source_format: str | None = None,
    stage: str | None = None,
    output: Path | None = None,
    force: bool = False,
) -> ImportResult:
    """Detect, read and convert SOURCE, then write faas.toml and return it with the report."""
    kind, path = detect(source, source_format)
    imported = importer(kind)(path, only_stage=stage)
    written, document = write(imported, output, force=force)
    return ImportResult(kind, written, path, document, imported.report.entries)


__all__ = ["FORMATS", "ImportResult", "Report", "ReportEntry", "detect", "import_project"]
