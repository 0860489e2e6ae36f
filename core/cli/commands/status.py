"""`faas status`: what is deployed for this stage."""

from __future__ import annotations

import click

from faas.core.cli.output import emit_json, emit_lines
from faas.core.cli.state import get_state, global_options


@click.command()
@global_options
def status() -> None:
    """Show the URL, the version serving (and what it serves through), last deploy and resources."""
    state = get_state()
    current = state.provider().status()
    if state.json:
        emit_json(state, current.to_json())
        return
    if not current.deployed:
        emit_lines(state, [f"Not deployed ({current.provider}, stage {current.stage})."])
        return
    lines = [f"{current.provider} stage {current.stage}: deployed"]
    for label, value in (("URL", current.url), ("Version", current.version), ("Serving through", current.serving)):
        if value:
            lines.append(f"{label}: {value}")
    if current.last_deploy:
        lines.append(f"Last deploy: {current.last_deploy.isoformat(timespec='seconds')}")
    lines += [f"  {r.kind:<16} {r.name}  {r.detail}".rstrip() for r in current.resources]
    emit_lines(state, lines)
