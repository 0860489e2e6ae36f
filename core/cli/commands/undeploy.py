"""`faas undeploy`: remove everything the project and stage own."""

from __future__ import annotations

import click

from faas.core.cli.output import emit_json, emit_lines
from faas.core.cli.state import get_state, global_options
from faas.core.plugins import Capability


@click.command()
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@click.option("--keep-artifacts", is_flag=True, help="Keep the uploaded artifacts (and their bucket).")
@global_options
def undeploy(yes: bool, keep_artifacts: bool) -> None:
    """Delete the deployment of this stage."""
    state = get_state()
    provider = state.provider()
    provider.require(Capability.UNDEPLOY)
    removal = provider.plan_undeploy(keep_artifacts=keep_artifacts)
    if removal.is_empty:
        emit_json(state, removal.to_json()) if state.json else emit_lines(
            state, ["Nothing is deployed for this stage."]
        )
        return
    if not state.json:
        emit_lines(state, removal.render())
    if not yes:
        if state.json:
            raise click.UsageError("--json needs --yes for undeploy (nothing asks for confirmation in JSON mode)")
        click.confirm(f"Delete {provider.project.name} ({provider.project.stage}) from {provider.name}?", abort=True)
    provider.undeploy(removal)
    emit_json(state, removal.to_json()) if state.json else emit_lines(state, ["Undeployed."])
