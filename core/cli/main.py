"""The `faas` command: a thin click group; every command lives in its own module.

Errors a user can cause are `FaasError`s: one line on stderr (or a JSON document with --json) and
the error's exit code, never a traceback. Anything else is a bug: one line, exit 70, and the
traceback with -v.
"""

from __future__ import annotations

import json
import sys
import traceback

import click

from faas import __version__
from faas.core.cli import commands
from faas.core.cli.hints import local_deployment_hint
from faas.core.cli.state import get_state, global_options
from faas.core.errors import ConfigError, ConfigProblem, FaasError

INTERNAL_ERROR = 70


class FaasGroup(click.Group):
    """The `faas` group: its help gives each command's first sentence whole, wrapped, never cut at "..."."""

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit=1000)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=FaasGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="faas")
@global_options
def cli() -> None:
    """Deploy a Python web app or functions to AWS Lambda, Google Cloud Functions, Azure
    Functions, or this machine, from one faas.toml."""


for command in commands.ALL:
    cli.add_command(command)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: run the CLI and turn errors into one line and an exit code."""
    sys.exit(run(argv))


def run(argv: list[str] | None = None) -> int:
    ctx_state = None
    try:
        with cli.make_context("faas", list(sys.argv[1:] if argv is None else argv)) as ctx:
            ctx_state = get_state(ctx)
            cli.invoke(ctx)
        return 0
    except click.exceptions.Exit as done:
        return done.exit_code
    except click.ClickException as error:
        error.show()
        return error.exit_code
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return 1
    except ConfigError as error:
        return _report(ctx_state, str(error), error.exit_code, problems=error.problems)
    except FaasError as error:
        message = str(error)
        if ctx_state is not None and (hint := local_deployment_hint(ctx_state)):
            message = f"{message} ({hint})"
        return _report(ctx_state, message, error.exit_code)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        return 130
    except Exception as error:  # a bug in faas or a plugin: say so, without burying the user in a traceback
        if ctx_state is not None and ctx_state.verbose:
            traceback.print_exc()
        message = f"internal error: {type(error).__name__}: {error} (run with -v for the traceback)"
        return _report(ctx_state, message, INTERNAL_ERROR)


def _report(state: object, message: str, code: int, problems: tuple[ConfigProblem, ...] = ()) -> int:
    """One `error:` line per problem on stderr, or one JSON document (with a `problems` list) on stdout."""
    from faas.core.cli.state import CliState

    redact = state.redact if isinstance(state, CliState) else (lambda text: text)
    message = redact(message)
    if isinstance(state, CliState) and state.json:
        document: dict[str, object] = {"error": message, "exit_code": code}
        if problems:
            document["problems"] = [
                {key: redact(value) if isinstance(value, str) else value for key, value in problem.to_json().items()}
                for problem in problems
            ]
        click.echo(json.dumps(document))
        return code
    if problems:
        for problem in message.splitlines():
            click.echo(f"error: {problem}", err=True)
        return code
    # A message with more lines (a runtime's traceback) keeps them as they are, below the error line.
    click.echo(f"error: {message}", err=True)
    return code
