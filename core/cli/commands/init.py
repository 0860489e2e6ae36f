"""`faas init`: write faas.toml for an existing Django, Flask or FastAPI project."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import click

from faas.core.cli.output import emit_json, emit_lines
from faas.core.cli.state import get_state, global_options
from faas.core.init import write_config


@click.command()
@click.option("--entry", help="The app as module:attribute (default: detected).")
@click.option("--interface", type=click.Choice(["wsgi", "asgi"]), help="WSGI or ASGI (default: detected).")
@click.option("--name", help="Project name (default: the folder's name).")
@click.option("--python", default="3.12", type=click.Choice(["3.10", "3.11", "3.12", "3.13"]), show_default=True)
@click.option("--force", is_flag=True, help="Overwrite an existing faas.toml.")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path), default=Path("."))
@global_options
def init(
    *,
    entry: str | None,
    interface: Literal["wsgi", "asgi"] | None,
    name: str | None,
    python: str,
    force: bool,
    directory: Path,
) -> None:
    """Detect the app and write faas.toml with stages dev and production."""
    state = get_state()
    requirements = directory / "requirements.txt"
    had_requirements = requirements.exists()
    path, app = write_config(
        directory,
        entry=entry,
        interface=interface,
        name=name,
        provider=state.provider_name or "local",
        python=python,
        force=force,
    )
    if state.json:
        emit_json(
            state, {"config": str(path), "entry": app.entry, "interface": app.interface, "framework": app.framework}
        )
        return
    found = f"{app.framework} app" if app.framework else "app"
    lines = [f"Wrote {path} for the {found} {app.entry} ({app.interface})."]
    if not had_requirements and requirements.is_file():
        lines.append(f"Wrote {requirements}: the app's dependencies (add yours there).")
    emit_lines(state, [*lines, "Next: faas deploy"])
