"""`faas plugins`: the installed providers, their packages, capabilities and availability."""

from __future__ import annotations

import click
from rich.markup import escape
from rich.table import Table

from faas.core.cli.output import emit_json
from faas.core.cli.state import get_state, global_options
from faas.core.plugins import get_registry


@click.command()
@global_options
def plugins() -> None:
    """List the installed providers."""
    state = get_state()
    infos = get_registry().infos()
    if state.json:
        emit_json(
            state,
            [
                {
                    "name": info.name,
                    "package": info.package,
                    "version": info.version,
                    "available": info.available,
                    "install_hint": None if info.available else info.install_hint,
                    "capabilities": sorted(c.value for c in info.provider.capabilities),
                    "description": info.provider.description,
                }
                for info in infos
            ],
        )
        return
    table = Table("provider", "package", "capabilities", "status")
    for info in infos:
        capabilities = ", ".join(sorted(c.value for c in info.provider.capabilities)) or "(none)"
        availability = "available" if info.available else f"[yellow]unavailable[/]: {escape(info.install_hint)}"
        table.add_row(escape(info.name), escape(f"{info.package} {info.version}".strip()), capabilities, availability)
    state.out.print(table)
