"""`faas deploy`: package, plan, apply; prints the URL."""

from __future__ import annotations

from pathlib import Path

import click

from faas.adapters.bootstrap import platforms
from faas.core import workflow
from faas.core.cli.output import emit_json, emit_lines
from faas.core.cli.state import get_state, global_options
from faas.core.config import CommandLineOption


@click.command()
@click.option("--dry-run", is_flag=True, help="Print the plan and change nothing.")
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), help="Where the artifact is built.")
@click.option(
    "--emulate",
    type=click.Choice(platforms()),  # the platforms whose runtime adapter is registered
    help="With --provider local: the platform to run as (same as -O emulate=...).",
)
@global_options
def deploy(dry_run: bool, output: Path | None, emulate: str | None) -> None:
    """Package the project and deploy it to the provider."""
    state = get_state()
    if emulate:
        state.option_overrides["emulate"] = CommandLineOption("emulate", emulate, emulate, flag=f"--emulate {emulate}")
    provider = state.provider()
    outcome = workflow.deploy(provider, dry_run=dry_run, out_dir=output)
    if state.json:
        document = {
            "plan": outcome.plan.to_json(),
            "artifact": str(outcome.artifact.path),
            "sha256": outcome.artifact.sha256,
        }
        if outcome.result is not None:
            document["result"] = outcome.result.to_json()
        emit_json(state, document)
        return
    emit_lines(state, outcome.plan.render())
    result = outcome.result
    if result is None:
        emit_lines(state, ["Dry run: nothing was changed."])
        return
    lines = [f"Deployed {provider.project.name} ({provider.project.stage}) to {provider.name}"]
    if result.version:
        lines[0] += f", version {result.version}"
    if result.url:
        lines.append(f"URL: {result.url}")
    lines += [f"{key}: {value}" for key, value in sorted(result.outputs.items())]
    emit_lines(state, lines)
