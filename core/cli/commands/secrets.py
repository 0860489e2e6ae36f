"""`faas secrets set NAME`: store a `${secret:NAME}` value in the provider's secret store.

The value is read from stdin (or a hidden prompt on a terminal), never from argv: an argument
would land in the shell history and in every `ps` listing.
"""

from __future__ import annotations

import sys

import click

from faas.core.cli.output import emit_json, emit_lines
from faas.core.cli.state import get_state, global_options
from faas.core.errors import UsageError
from faas.core.model.secrets import SECRET_REFERENCE
from faas.core.plugins import Capability


@click.group()
def secrets() -> None:
    """Manage the values behind ${secret:NAME} environment references."""


@secrets.command(name="set")
@click.argument("name")
@global_options
def set_secret(name: str) -> None:
    """Store secret NAME in the provider's store; the value is read from stdin.

    \b
    printf %s "$DB_PASSWORD" | faas secrets set DB_PASSWORD --provider aws
    """
    if not SECRET_REFERENCE.match(f"${{secret:{name}}}"):
        raise UsageError(f"'{name}' is not a secret name: letters, digits, _ and -, up to 128, starting with a letter")
    state = get_state()
    value = _read_value(name)
    provider = state.provider()
    provider.require(Capability.SECRETS, "it has no secret store")
    where = provider.set_secret(name, value)
    if state.json:
        emit_json(state, {"secret": name, "provider": provider.name, "stage": provider.project.stage, "store": where})
    else:
        emit_lines(state, [f"Stored secret {name} in {where} ({provider.name}, stage {provider.project.stage})."])


def _read_value(name: str) -> str:
    if sys.stdin.isatty():
        value = str(click.prompt(f"Value of {name}", hide_input=True, err=True))
    else:
        value = sys.stdin.read()
        # `echo value |` adds one newline that is not part of the secret; keep any other whitespace.
        if value.endswith("\n"):
            value = value[:-2] if value.endswith("\r\n") else value[:-1]
    if not value:
        raise UsageError(f'no value for {name} on stdin: pipe it in, e.g. printf %s "$VALUE" | faas secrets set {name}')
    return value
