"""`faas certify`: set up the custom domain and its certificate."""

from __future__ import annotations

import click

from faas.core.cli.output import emit_json, emit_lines
from faas.core.cli.state import get_state, global_options


@click.command()
@global_options
def certify() -> None:
    """Request or attach the certificate of the custom domain and map the domain to the app."""
    state = get_state()
    result = state.provider().certify()
    if state.json:
        emit_json(state, result.to_json())
        return
    lines = [f"Domain {result.domain}: certificate {result.certificate} ({result.certificate_status})"]
    if result.dns_records:
        lines.append("Create these DNS records:")
        lines += [f"  {record.name} {record.type} {record.value}" for record in result.dns_records]
    if result.target:
        lines.append(f"Point {result.domain} at: {result.target}")
    emit_lines(state, lines)
