"""`faas migrate --to gcp|azure`: what carries over to another cloud, feature by feature."""

from __future__ import annotations

from pathlib import Path

import click

from faas.core.cli.output import emit_json, emit_lines
from faas.core.cli.state import get_state, global_options
from faas.core.config import find_config
from faas.core.errors import NEEDS_USER_EXIT_CODE
from faas.core.migrate.portability import TARGETS, PortabilityReport, load_for_report, portability_report
from faas.core.migrate.provider_table import add_provider_table
from faas.core.plugins import Capability

_STATUS = {
    "maps": "same     ",
    "differs": "differs  ",
    "missing": "none     ",
    "breaks": "breaks   ",
    "check": "check    ",
}


@click.command()
@click.option("--to", "target", required=True, type=click.Choice(TARGETS), help="The cloud to move to.")
@click.option("--write", is_flag=True, help="Add the target's [providers.<target>] table to the config.")
@global_options
def migrate(*, target: str, write: bool) -> None:
    """Report how the project carries over to another cloud; --write adds its [providers] table.

    Each feature maps 1:1, works through a different mechanism (named), or has no equivalent (the
    nearest is named); limits the target breaks and values naming the old cloud are listed with
    what to do. -O KEY=VALUE sets an option of the target (-O plan=premium). No cloud is called and
    no SDK is needed. Exit code 8 when something needs you.
    """
    state = get_state()
    path = find_config(Path.cwd(), state.config_path)
    # -O sets the target's options for this report: `--to azure -O plan=premium` checks that plan's limits.
    project = load_for_report(path, state.stage).with_options(target, state.option_overrides.values())
    report = portability_report(project, target, state.registry())
    written = None
    if write:
        comment = f"added by `faas migrate --to {target}`; see docs/migrating.md"
        # What the report carried over, and the -O values it was made with.
        table = {**report.provider_table, **{option.key: option.value for option in state.option_overrides.values()}}
        written = add_provider_table(path, target, table, comment=comment)
        load_for_report(path, state.stage).provider_options(
            target, state.registry().get(target, capability=Capability.PACKAGE).Options
        )
    if state.json:
        document = report.to_json()
        if written is not None:
            document["written"] = written
        emit_json(state, document)
    else:
        emit_lines(state, render(report, path, written))
    if report.needs_user:
        raise click.exceptions.Exit(NEEDS_USER_EXIT_CODE)


def render(report: PortabilityReport, path: Path, written: bool | None) -> list[str]:
    lines = [f"{report.source} (stage {report.stage}) on {report.target}:"]
    for finding in sorted(report.findings, key=lambda finding: not finding.needs_user):
        action = f" -> {finding.action}" if finding.action else ""
        mark = "FIX" if finding.needs_user else "ok "
        lines.append(f"  {mark} {_STATUS[finding.status]}{finding.feature}: {finding.target}; {finding.detail}{action}")
    lines += [f"  note  {note}" for note in report.notes]
    if written is True:
        lines.append(f"Added [providers.{report.target}] to {path}.")
    elif written is False:
        lines.append(f"{path} already has [providers.{report.target}]: left as it is.")
    count = len(report.needs_user)
    lines.append(f"{count} to fix before moving to {report.target}." if count else f"Ready for {report.target}.")
    return lines
