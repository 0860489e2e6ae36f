"""`faas serve`: run the project locally in the foreground, reloading on source changes."""

from __future__ import annotations

import click

from faas.adapters.bootstrap import platforms
from faas.core.cli.state import get_state, global_options
from faas.core.errors import CapabilityError


@click.command()
@click.option("--reload/--no-reload", default=True, help="Restart when a source file changes (default: on).")
@click.option(
    "--emulate",
    type=click.Choice(platforms()),  # the platforms whose runtime adapter is registered
    help="Platform to emulate (default: the config's).",
)
@global_options
def serve(reload: bool, emulate: str | None) -> None:
    """Serve the app in the foreground through the local provider, as the cloud would run it."""
    state = get_state()
    provider = state.provider("local")
    serve_foreground = getattr(provider, "serve", None)
    if serve_foreground is None:
        raise CapabilityError("local", "serve")
    serve_foreground(reload=reload, emulate=emulate)
