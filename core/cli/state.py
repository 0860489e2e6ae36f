"""What every command shares: the global options, the loaded project, the provider, the console.

The global options (--stage, --provider, --config, --json, -v) are accepted before the command
(`faas --stage prod deploy`) and after it (`faas deploy --stage prod`); the later one wins.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.markup import escape

from faas.core.config import CommandLineOption, Project, find_config, load_project
from faas.core.plugins import Capability, Provider, ProviderRegistry, get_registry
from faas.core.workflow import open_provider

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class CliState:
    stage: str | None = None
    provider_name: str | None = None
    config_path: Path | None = None
    json: bool = False
    verbose: int = 0
    option_overrides: dict[str, CommandLineOption] = field(default_factory=dict)
    _project: Project | None = field(default=None, repr=False)
    _registry: ProviderRegistry | None = field(default=None, repr=False)

    @property
    def out(self) -> Console:
        """Results (stdout). In --json mode only the JSON document goes here."""
        return Console(highlight=False, soft_wrap=True)

    @property
    def err(self) -> Console:
        """Progress, warnings and errors (stderr)."""
        return Console(stderr=True, highlight=False, soft_wrap=True)

    def redact(self, text: str) -> str:
        """Mask secrets taken from the environment (once the project is loaded)."""
        return self._project.redact(text) if self._project is not None else text

    def project(self) -> Project:
        if self._project is None:
            path = find_config(Path.cwd(), self.config_path)
            self._project = load_project(path, self.stage or os.environ.get("FAAS_STAGE"))
        return self._project

    def registry(self) -> ProviderRegistry:
        """The providers of every installed plugin, built once per run; a broken plugin is one warning."""
        if self._registry is None:
            self._registry = get_registry()
            for broken in self._registry.broken:
                self.err.print(f"[yellow]warning:[/yellow] {escape(broken.warning)}")
        return self._registry

    def provider(self, name: str | None = None, *, for_capability: Capability | None = None) -> Provider:
        """The provider of this run (`name`, else --provider, FAAS_PROVIDER, the config's) with the -O values.

        `for_capability=Capability.PACKAGE` opens it even where its SDK is missing: packaging makes
        no cloud call. Anything else says which extra to install.
        """
        from faas.core.cli.output import RichReporter

        project = self.project()
        name = name or self.provider_name or os.environ.get("FAAS_PROVIDER") or project.config.provider
        project = project.with_options(name, self.option_overrides.values())
        reporter = RichReporter(self.err, quiet=self.json, redact=project.redact)
        return open_provider(project, name, registry=self.registry(), reporter=reporter, capability=for_capability)


def get_state(ctx: click.Context | None = None) -> CliState:
    ctx = ctx or click.get_current_context()
    root = ctx.find_root()
    if not isinstance(root.obj, CliState):
        root.obj = CliState()
    return root.obj


def _store(attribute: str, convert: Callable[[Any], Any] = lambda value: value) -> Callable[..., None]:
    def callback(ctx: click.Context, _param: click.Parameter, value: Any) -> None:
        if value not in (None, False, 0):
            setattr(get_state(ctx), attribute, convert(value))

    return callback


def parse_option(text: str) -> CommandLineOption:
    """`KEY=VALUE` with VALUE read as a TOML value (`3`, `true`, `"x"`), else as a plain string.

    The text as typed is kept too: an option that wants a string gets `3.11`, not the float 3.11.
    """
    key, equals, value = text.partition("=")
    key = key.strip()
    if not equals or not key:
        raise click.BadParameter(f"'{text}' is not KEY=VALUE")
    try:
        parsed = tomllib.loads(f"value = {value}")["value"]
    except tomllib.TOMLDecodeError:
        parsed = value
    return CommandLineOption(key, parsed, value, flag=f"-O {key}={value}")


def _store_options(ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]) -> None:
    for text in values:
        option = parse_option(text)
        get_state(ctx).option_overrides[option.key] = option


def _option_decorators() -> dict[str, Callable[[F], F]]:
    return {
        "stage": click.option(
            "--stage", "-s", expose_value=False, callback=_store("stage"), help="Stage to act on (default: dev)."
        ),
        "provider": click.option(
            "--provider",
            "-p",
            expose_value=False,
            callback=_store("provider_name"),
            help="Provider (default: the config's).",
        ),
        "config": click.option(
            "--config",
            "-c",
            type=click.Path(dir_okay=False, path_type=Path),
            expose_value=False,
            callback=_store("config_path"),
            help="Config file (default: faas.toml or pyproject.toml found here or above).",
        ),
        "json": click.option(
            "--json",
            "as_json",
            is_flag=True,
            expose_value=False,
            callback=_store("json"),
            help="Machine-readable output.",
        ),
        "option": click.option(
            "--option",
            "-O",
            multiple=True,
            expose_value=False,
            callback=_store_options,
            help="Set a provider option for this run: KEY=VALUE (overrides [providers.<name>]); VALUE is "
            "read as TOML, else as the text typed.",
        ),
        "verbose": click.option(
            "-v",
            "--verbose",
            count=True,
            expose_value=False,
            callback=_store("verbose"),
            help="More output; -v shows tracebacks.",
        ),
    }


def global_options(command: F) -> F:
    """Add the global options to a command (and to the `faas` group itself)."""
    return with_options(*_option_decorators())(command)


def with_options(*names: str) -> Callable[[F], F]:
    """Add only the global options `names` (a command about faas itself takes no --stage or --provider)."""

    def decorate(command: F) -> F:
        decorators = _option_decorators()
        for name in reversed(names):
            command = decorators[name](command)
        return command

    return decorate
