"""`faas plan`: what a deploy would change, using read-only calls."""

from __future__ import annotations

import click

from faas.core import workflow
from faas.core.cli.output import emit_json, emit_lines
from faas.core.cli.state import get_state, global_options


@click.command()
@global_options
def plan() -> None:
    """Show what `faas deploy` would create, update or delete."""
    state = get_state()
    _, deploy_plan = workflow.plan_deploy(state.provider())
    if state.json:
        emit_json(state, deploy_plan.to_json())
    else:
        emit_lines(state, deploy_plan.render())
