"""`faas schema`: print the JSON Schema of faas.toml."""

from __future__ import annotations

import json

import click

from faas.core.cli.state import get_state, with_options
from faas.core.schema import build_schema


@click.command()
@with_options("verbose")
def schema() -> None:
    """Print the JSON Schema of faas.toml, with the options of every installed provider."""
    click.echo(json.dumps(build_schema(get_state().registry()), indent=2, sort_keys=True))
