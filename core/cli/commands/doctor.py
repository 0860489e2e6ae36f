"""`faas doctor`: what would stop a deploy, one line per finding with what to do."""

from __future__ import annotations

import os

import click

from faas.core.cli.output import emit_json, emit_lines
from faas.core.cli.state import get_state, global_options
from faas.core.doctor import diagnose
from faas.core.errors import NEEDS_USER_EXIT_CODE


@click.command()
@global_options
def doctor() -> None:
    """Check the project against the provider before deploying: limits, package size, credentials.

    Builds the artifact as `faas package` does and makes read-only calls only (AWS: who the
    credentials belong to). Exit code 8 when something needs you, 0 when all is well.
    """
    state = get_state()
    project = state.project()
    name = state.provider_name or os.environ.get("FAAS_PROVIDER") or project.config.provider
    project = project.with_options(name, state.option_overrides.values())
    findings = diagnose(project, name, state.registry())
    problems = [finding for finding in findings if not finding.ok]
    if state.json:
        emit_json(
            state,
            {"provider": name, "findings": [finding.to_json() for finding in findings], "problems": len(problems)},
        )
    else:
        # What needs the user first; the checks that passed after, so a clean run still says what it checked.
        ordered = sorted(findings, key=lambda finding: finding.ok)
        lines = [("ok    " if finding.ok else "FIX   ") + finding.line() for finding in ordered]
        lines.append(
            f"{len(problems)} to fix before deploying to {name}." if problems else f"Ready to deploy to {name}."
        )
        emit_lines(state, [project.redact(line) for line in lines])
    if problems:
        raise click.exceptions.Exit(NEEDS_USER_EXIT_CODE)
