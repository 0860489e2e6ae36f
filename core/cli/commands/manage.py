"""`faas manage`: run a Django management command inside the deployed function."""

from __future__ import annotations

import click

from faas.core.cli.commands.invoke import print_result
from faas.core.cli.state import get_state, global_options


@click.command(context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False})
@global_options
@click.argument("arguments", nargs=-1, type=click.UNPROCESSED, required=True)
def manage(arguments: tuple[str, ...]) -> None:
    """Run `manage.py ARGUMENTS` in the deployed function, e.g. `faas manage migrate`."""
    result = get_state().provider().manage(list(arguments))
    print_result(result)
    code = result.exit_status if result.exit_status is not None else (1 if result.error else 0)
    if code:
        raise click.exceptions.Exit(code)
