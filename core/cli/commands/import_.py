"""`faas import`: turn a Zappa, Serverless, Chalice or SAM config into faas.toml, with a report."""

from __future__ import annotations

from pathlib import Path

import click

from faas.core.cli.output import emit_json, emit_lines
from faas.core.cli.state import get_state, global_options
from faas.core.migrate import FORMATS, ImportResult, import_project

_MARK = {"mapped": "ok  ", "warn": "warn", "info": "info"}


@click.command("import")
@click.argument("source", required=False, default=".", type=click.Path(path_type=Path))
@click.option("--from", "source_format", type=click.Choice(FORMATS), help="The tool (default: from the file names).")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write (default: faas.toml beside the source).",
)
@click.option("--force", is_flag=True, help="Overwrite an existing faas.toml.")
@global_options
def import_(*, source: Path, source_format: str | None, output: Path | None, force: bool) -> None:
    """Write faas.toml from SOURCE (a file or folder, default .) and report what became of every key.

    --stage imports that one stage only. Nothing is looked up in a cloud or in this machine's
    environment: references like ${env:...} and ${ssm:...} stay references.
    """
    state = get_state()
    result = import_project(source, source_format=source_format, stage=state.stage, output=output, force=force)
    if state.json:
        emit_json(state, result.to_json())
        return
    emit_lines(state, render_report(result))


def render_report(result: ImportResult) -> list[str]:
    counts = {"mapped": 0, "warn": 0, "info": 0}
    for entry in result.entries:
        counts[entry.status] += 1
    lines = [
        f"Imported {result.source} ({result.format}) into {result.path}: "
        f"{counts['mapped']} mapped, {counts['warn']} to check, {counts['info']} dropped safely.",
    ]
    for status in ("warn", "mapped", "info"):
        for entry in result.entries:
            if entry.status != status:
                continue
            target = f" -> {entry.target}" if entry.target else ""
            lines.append(f"  {_MARK[status]}  {entry.source_key}{target}: {entry.reason}")
    has_work = bool(result.config.get("app") or result.config.get("functions")) or any(
        isinstance(stage, dict) and (stage.get("app") or stage.get("functions"))
        for stage in result.config.get("stages", {}).values()
    )
    lines.append(
        "Next: faas plan --provider local" if has_work else "Nothing faas can deploy yet: see the warnings above."
    )
    return lines
