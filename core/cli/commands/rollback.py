"""`faas rollback`: point the stage back at an earlier version."""

from __future__ import annotations

import click

from faas.core.cli.output import emit_json, emit_lines
from faas.core.cli.state import get_state, global_options


@click.command()
@click.option("--to", "version", help="Version to return to (default: the one before the current).")
@global_options
def rollback(version: str | None) -> None:
    """Roll the stage back to the previous (or a given) version."""
    state = get_state()
    result = state.provider().rollback(to=version)
    if state.json:
        emit_json(state, result.to_json())
    else:
        emit_lines(state, [f"Rolled back from version {result.previous_version} to {result.current_version}."])
