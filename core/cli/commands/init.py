"""`faas init`: write faas.toml for an existing Django, Flask or FastAPI project, or plain functions."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import click

from faas.core.cli.output import emit_json, emit_lines
from faas.core.cli.state import get_state, global_options
from faas.core.init import init_project


@click.command()
@click.option("--entry", help="The app as module:attribute (default: detected).")
@click.option("--interface", type=click.Choice(["wsgi", "asgi"]), help="WSGI or ASGI (default: detected).")
@click.option("--name", help="Project name (default: the folder's name).")
@click.option(
    "--function",
    "functions",
    multiple=True,
    metavar="[NAME=]MODULE:ATTR",
    help="A plain function to deploy, called as fn(event, context); repeat for more. Without --entry and "
    "with no web app found, the project is functions-only. Default: top-level def f(event, context) "
    "handlers, when there is no web app.",
)
@click.option(
    "--python",
    default="3.12",
    type=click.Choice(["3.10", "3.11", "3.12", "3.13"]),
    show_default=True,
    help="Python version the functions run on in the cloud.",
)
@click.option("--force", is_flag=True, help="Overwrite an existing faas.toml.")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    help="The project folder to write faas.toml in (default: this one).",
)
@global_options
def init(
    *,
    entry: str | None,
    interface: Literal["wsgi", "asgi"] | None,
    name: str | None,
    functions: tuple[str, ...],
    python: str,
    force: bool,
    directory: Path,
) -> None:
    """Detect the app (or functions) and write faas.toml with stages dev and production."""
    state = get_state()
    requirements = directory / "requirements.txt"
    had_requirements = requirements.exists()
    result = init_project(
        directory,
        entry=entry,
        interface=interface,
        name=name,
        provider=state.provider_name or "local",
        python=python,
        force=force,
        functions=list(functions),
    )
    path, app, written = result.path, result.app, result.functions
    listed = [{"name": function.name, "entry": function.entry} for function in written]
    if state.json:
        document: dict[str, object] = {"config": str(path), "functions": listed}
        if app is not None:
            document.update(entry=app.entry, interface=app.interface, framework=app.framework)
        emit_json(state, document)
        return
    parts = []
    if app is not None:
        found = f"{app.framework} app" if app.framework else "app"
        parts.append(f"the {found} {app.entry} ({app.interface})")
    if written:
        parts.append("the functions " + ", ".join(f"{function.name} ({function.entry})" for function in written))
    lines = [f"Wrote {path} for {' and '.join(parts)}."]
    if written:
        lines.append("Add each function's triggers in faas.toml (a commented example is there).")
    if not had_requirements and requirements.is_file():
        lines.append(f"Wrote {requirements}: the app's dependencies (add yours there).")
    emit_lines(state, [*lines, "Next: faas deploy"])
