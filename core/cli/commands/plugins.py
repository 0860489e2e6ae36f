"""`faas plugins`: the installed providers, their packages, capabilities and availability."""

from __future__ import annotations

import click
from rich.markup import escape
from rich.table import Table

from faas.core.cli.output import emit_json
from faas.core.cli.state import get_state, with_options


@click.command()
@with_options("json", "verbose")
def plugins() -> None:
    """List the installed providers (and any plugin that is broken, with its error)."""
    state = get_state()
    registry = state.registry()
    infos = registry.infos()
    if state.json:
        listing: list[dict[str, object]] = [
            {
                "name": info.name,
                "package": info.package,
                "version": info.version,
                "available": info.available,
                "install_hint": None if info.available else info.install_hint,
                "capabilities": sorted(c.value for c in info.provider.capabilities),
                "description": info.provider.description,
                "broken": None,
            }
            for info in infos
        ]
        listing += [
            {
                "name": broken.name,
                "package": broken.package,
                "version": broken.version,
                "available": False,
                "install_hint": None,
                "capabilities": [],
                "description": "",
                "broken": broken.error,
            }
            for broken in registry.broken
        ]
        emit_json(state, listing)
        return
    table = Table("provider", "package", "capabilities", "status")
    for info in infos:
        capabilities = ", ".join(sorted(c.value for c in info.provider.capabilities)) or "(none)"
        availability = "available" if info.available else f"[yellow]unavailable[/]: {escape(info.install_hint)}"
        table.add_row(escape(info.name), escape(f"{info.package} {info.version}".strip()), capabilities, availability)
    for broken in registry.broken:
        package = escape(f"{broken.package} {broken.version}".strip())
        table.add_row(escape(broken.name), package, "-", f"[red]broken[/]: {escape(broken.error)}")
    state.out.print(table)
