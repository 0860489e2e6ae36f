"""`faas manage`: run a Django management command (or a Flask CLI command) inside the deployed function."""

from __future__ import annotations

import click

from faas.core.cli.commands.invoke import print_result
from faas.core.cli.state import get_state, global_options
from faas.core.config import Project
from faas.core.errors import UsageError


def check_django(project: Project) -> None:
    """Refuse, before any call, `faas manage` on a project whose app is not Django."""
    app = project.config.app
    if app is None:
        raise UsageError(f"faas manage runs Django management commands in the app; {project.name} has no [app]")
    if app.framework is not None and app.framework not in ("django", "flask"):
        raise UsageError(
            f"faas manage runs Django management commands and Flask CLI commands; the app of {project.name} "
            f'is {app.framework} (app.framework = "{app.framework}")'
        )


@click.command(context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False})
@global_options
@click.argument("arguments", nargs=-1, type=click.UNPROCESSED, required=True)
def manage(arguments: tuple[str, ...]) -> None:
    """Run `manage.py ARGUMENTS` (Django) or `flask ARGUMENTS` (Flask) in the deployed function.

    For example `faas manage migrate`, or `faas manage init-db` for a Flask app's own command.
    """
    state = get_state()
    check_django(state.project())
    result = state.provider().manage(list(arguments))
    print_result(result)
    code = result.exit_status if result.exit_status is not None else (1 if result.error else 0)
    if code:
        raise click.exceptions.Exit(code)
