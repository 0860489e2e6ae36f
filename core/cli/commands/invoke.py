"""`faas invoke`: send an event to the deployed app or a function."""

from __future__ import annotations

import difflib
import json
import sys
from pathlib import Path
from typing import Any

import click

from faas.core.cli.commands.logs import record_lines
from faas.core.cli.output import emit_json, emit_lines
from faas.core.cli.state import get_state, global_options
from faas.core.config import Project
from faas.core.errors import UsageError
from faas.core.results import InvokeResult

NO_EVENT = (
    'give the event to send: --data \'{"key": "value"}\' (inline JSON), --event event.json, '
    "--event - (standard input), or a sample event such as --event apigw-v2, s3-put, sqs or schedule"
)


def read_event(event: str | None, data: str | None) -> Any:
    if event and data:
        raise UsageError("give --event or --data, not both")
    if data is not None:
        return _parse(data, "--data")
    if event is None:
        raise UsageError(NO_EVENT)
    if event == "-":
        return _parse(sys.stdin.read(), "standard input")
    path = Path(event)
    if path.is_file():
        return _parse(path.read_text(encoding="utf-8"), str(path))
    return None  # a sample event name, resolved by the provider


def _parse(text: str, where: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise UsageError(f"{where} is not JSON: {error}") from None


def check_function(project: Project, function: str | None) -> None:
    """Refuse, before any call, a --function the project does not define (with did-you-mean)."""
    if function is None:
        if project.config.app is None:
            listed = ", ".join(f.name for f in project.config.functions)
            raise UsageError(f"{project.name} has no [app]; name a function with --function ({listed})")
        return
    names = [f.name for f in project.config.functions]
    if function in names:
        return
    hint = difflib.get_close_matches(function, names, n=1)
    suggestion = f"; did you mean '{hint[0]}'?" if hint else ""
    known = f" (functions: {', '.join(names)})" if names else " (it defines no [[functions]])"
    raise UsageError(f"no function '{function}' in {project.name}{suggestion}{known}")


def print_result(result: InvokeResult) -> None:
    state = get_state()
    if state.json:
        emit_json(state, result.to_json())
        return
    lines = [json.dumps(result.payload, indent=2, default=str)]
    if result.logs:
        lines += ["--- log tail ---", *record_lines(result.logs)]
    if result.error:
        lines.append(f"error: {result.error}")
    emit_lines(state, lines)


@click.command()
@click.option("--function", "-f", "function", help="Function to invoke (default: the app).")
@click.option(
    "--event", "-e", help="Event: a JSON file, - for standard input, or a sample name (s3-put, sqs, schedule...)."
)
@click.option("--data", "-d", help="Event as inline JSON.")
@global_options
def invoke(function: str | None, event: str | None, data: str | None) -> None:
    """Invoke the deployment with a raw event; prints the response and the log tail."""
    state = get_state()
    check_function(state.project(), function)
    payload = read_event(event, data)
    provider = state.provider()
    if payload is None and event is not None:
        payload = provider.sample_event(event)
    result = provider.invoke(payload, function=function)
    print_result(result)
    if result.error:
        raise click.exceptions.Exit(1)
