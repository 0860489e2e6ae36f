"""Load a project's configuration: find the file, merge the stage, interpolate, validate.

Every problem found goes into one `ConfigError`, each naming the file and line, the key path as the
user wrote it (`stages.production.app.memory`, not the merged path) and what is allowed; a value
given on the command line (`-O python=3.11`) names the flag instead of the file.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from faas.core.config_lines import KeyLines, KeyPath
from faas.core.config_problems import by_line, format_key, validation_problems
from faas.core.errors import ConfigError, ConfigProblem
from faas.core.model import ProjectConfig

CONFIG_FILE = "faas.toml"
PYPROJECT = "pyproject.toml"
DEFAULT_STAGE = "dev"
_INTERPOLATION = re.compile(r"\$\$|\$\{env:([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
# Keys a stage may not override: they identify the project and its stages.
_NOT_PER_STAGE = ("name", "stages")


@dataclass(frozen=True)
class CommandLineOption:
    """A provider option given on the command line (`-O python=3.11`, `--emulate gcp`).

    `value` is VALUE read as TOML (else the plain string); `text` is VALUE as typed, used when the
    option wants a string and TOML read a number (`3.10` is the text "3.10", not the float 3.1).
    """

    key: str
    value: Any
    text: str
    flag: str
    """How the user gave it, for error messages: `-O python=3.11`."""


@dataclass(frozen=True)
class ConfigOrigins:
    """Where each value came from: the file and line of a key, or the command-line flag."""

    source: Path
    lines: KeyLines = field(default_factory=KeyLines)
    key_prefix: KeyPath = ()
    """Where the faas table sits in the file: ("tool", "faas") in pyproject.toml."""
    stage: str | None = None
    from_stage: frozenset[KeyPath] = frozenset()
    """Merged key paths a `[stages.<stage>]` table set: reported under stages.<stage>."""
    command_line: Mapping[KeyPath, CommandLineOption] = field(default_factory=dict)

    def locate(self, loc: KeyPath) -> tuple[KeyPath, str | None, int | None]:
        """(the key path as the user wrote it, the file or flag it came from, its line)."""
        for path, option in self.command_line.items():
            if loc[: len(path)] == path:
                return loc, option.flag, None
        if self.stage is not None and any(loc[: len(prefix)] == prefix for prefix in self.from_stage):
            loc = ("stages", self.stage, *loc)
        return loc, str(self.source), self.lines.locate((*self.key_prefix, *loc))

    def problem(self, message: str, loc: KeyPath) -> ConfigProblem:
        """A problem at `loc` (a key path as the user wrote it in the file)."""
        return ConfigProblem(
            message, format_key(loc) or None, str(self.source), self.lines.locate((*self.key_prefix, *loc))
        )


@dataclass(frozen=True)
class Project:
    """A project's configuration resolved for one stage, with where it came from."""

    config: ProjectConfig
    stage: str
    root: Path
    source: Path
    secrets: frozenset[str] = field(default=frozenset(), repr=False)
    origins: ConfigOrigins | None = field(default=None, repr=False, compare=False)

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def resource_prefix(self) -> str:
        """`<project>-<stage>`: the prefix of every cloud resource name."""
        return f"{self.config.name}-{self.stage}"

    def _origins(self) -> ConfigOrigins:
        return self.origins if self.origins is not None else ConfigOrigins(self.source)

    def with_options(self, provider: str, options: Iterable[CommandLineOption]) -> Project:
        """This project with `options` set in `[providers.<provider>]` for this run (the `-O` flags)."""
        given = list(options)
        if not given:
            return self
        table = {**self.config.providers.get(provider, {}), **{option.key: option.value for option in given}}
        config = self.config.model_copy(update={"providers": {**self.config.providers, provider: table}})
        origins = self._origins()
        command_line: dict[KeyPath, CommandLineOption] = dict(origins.command_line)
        command_line.update({("providers", provider, option.key): option for option in given})
        return dataclasses.replace(self, config=config, origins=dataclasses.replace(origins, command_line=command_line))

    def provider_options(self, provider: str, model: type[BaseModel]) -> BaseModel:
        """Validate `[providers.<provider>]` (with any `-O` values) with the provider's own Options model."""
        raw = self.config.providers.get(provider, {})
        try:
            return model.model_validate(raw)
        except ValidationError as error:
            as_typed = self._options_as_typed(provider, raw, error)
            if as_typed is None:
                raise self._options_error(error, provider, model) from None
        try:
            return model.model_validate(as_typed)
        except ValidationError as error:
            raise self._options_error(error, provider, model) from None

    def _options_as_typed(self, provider: str, raw: Mapping[str, Any], error: ValidationError) -> dict[str, Any] | None:
        """The options with the text the user typed for each `-O` value TOML read as a non-string and
        the option refused: `-O python=3.11` means the string "3.11" to an option that wants one."""
        command_line = self._origins().command_line
        retyped: dict[str, str] = {}
        for problem in error.errors(include_url=False):
            key = problem["loc"][0] if problem["loc"] else None
            option = command_line.get(("providers", provider, key)) if isinstance(key, str) else None
            if option is not None and not isinstance(option.value, str):
                retyped[option.key] = option.text
        return {**raw, **retyped} if retyped else None

    def _options_error(self, error: ValidationError, provider: str, model: type[BaseModel]) -> ConfigError:
        locate, prefix = self._origins().locate, ("providers", provider)
        return ConfigError(problems=validation_problems(error, model=model, locate=locate, prefix=prefix))

    def redact(self, text: str) -> str:
        """Replace every secret taken from the environment with *** (for logs and output)."""
        for secret in sorted(self.secrets, key=len, reverse=True):
            if secret:
                text = text.replace(secret, "***")
        return text


def find_config(start: Path, explicit: Path | None = None) -> Path:
    """The config file: `explicit`, else faas.toml or a pyproject.toml with [tool.faas] in `start` or above."""
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"no such config file: {explicit}")
        return explicit
    for folder in (start, *start.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder / CONFIG_FILE
        pyproject = folder / PYPROJECT
        if pyproject.is_file() and "faas" in _read_toml(pyproject).get("tool", {}):
            return pyproject
    raise ConfigError(
        f"no {CONFIG_FILE} (or [tool.faas] in {PYPROJECT}) in {start} or above; run `faas init` to create one"
    )


def load_project(path: Path, stage: str | None = None, environ: Mapping[str, str] | None = None) -> Project:
    """Read `path`, apply the stage's overrides and `${env:NAME}` values, and validate.

    Every problem found is reported at once, each with its key and the line it is written on.
    """
    text = _read_text(path)
    raw = _parse_toml(text, path)
    key_prefix: KeyPath = ()
    if path.name == PYPROJECT:
        raw = raw.get("tool", {}).get("faas")
        key_prefix = ("tool", "faas")
        if not isinstance(raw, dict):
            raise ConfigError("no [tool.faas] table", source=str(path))
    stage = stage or DEFAULT_STAGE
    origins = ConfigOrigins(path, KeyLines.of(text), key_prefix, stage)
    merged, from_stage = _apply_stage(raw, stage, origins)
    origins = dataclasses.replace(origins, from_stage=frozenset(from_stage))
    interpolation = _Interpolation(os.environ if environ is None else environ, origins)
    # Only the merged result is interpolated: another stage's ${env:...} (a production secret) must
    # not be required to deploy this one. The stages table is kept as written.
    stages_as_written = merged.pop("stages", None)
    interpolated = interpolation.apply(merged)
    if stages_as_written is not None:
        interpolated["stages"] = stages_as_written
    problems = list(interpolation.problems)
    try:
        config = ProjectConfig.model_validate(interpolated)
    except ValidationError as error:
        unset = {problem.key for problem in problems}
        problems += [
            problem
            for problem in validation_problems(error, model=ProjectConfig, locate=origins.locate)
            if problem.key not in unset  # an unset variable's empty stand-in is not a second problem
        ]
    if problems:
        raise ConfigError(problems=sorted(problems, key=by_line))
    if not config.has_work:
        raise ConfigError("nothing to deploy: add an [app] or a [[functions]] entry", source=str(path))
    return Project(
        config=config,
        stage=stage,
        root=path.parent.resolve(),
        source=path,
        secrets=frozenset(interpolation.secrets),
        origins=origins,
    )


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"cannot read: {error.strerror}", source=str(path)) from None


def _parse_toml(text: str, path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"not valid TOML: {error}", source=str(path)) from None


def _read_toml(path: Path) -> dict[str, Any]:
    return _parse_toml(_read_text(path), path)


def _apply_stage(raw: dict[str, Any], stage: str, origins: ConfigOrigins) -> tuple[dict[str, Any], set[KeyPath]]:
    stages = raw.get("stages", {})
    if not isinstance(stages, dict):
        message = "must be a table of stages, e.g. [stages.production]"
        raise ConfigError(problems=[origins.problem(message, ("stages",))])
    if stages and stage not in stages and stage != DEFAULT_STAGE:
        raise ConfigError(problems=[origins.problem(_unknown_stage(stage, list(stages)), ("stages",))])
    overrides = stages.get(stage, {})
    if not isinstance(overrides, dict):
        raise ConfigError(problems=[origins.problem("must be a table", ("stages", stage))])
    wrong = [key for key in _NOT_PER_STAGE if key in overrides]
    if wrong:
        raise ConfigError(
            problems=[origins.problem(f"'{key}' cannot differ per stage", ("stages", stage, key)) for key in wrong]
        )
    from_stage: set[KeyPath] = set()
    return _deep_merge(raw, overrides, (), from_stage), from_stage


def _unknown_stage(stage: str, known: list[str]) -> str:
    # A typo in --stage must not silently plan a brand-new stage (a second copy of everything).
    names = sorted({DEFAULT_STAGE, *known})
    hint = difflib.get_close_matches(stage, names, n=1)
    suggestion = f"; did you mean '{hint[0]}'?" if hint else ""
    return (
        f"no stage '{stage}' here{suggestion} (stages: {', '.join(names)}; add a [stages.{stage}] table to create it)"
    )


def _deep_merge(base: dict[str, Any], override: dict[str, Any], at: KeyPath, touched: set[KeyPath]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        here = (*at, key)
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value, here, touched)
        else:
            # Lists and scalars replace: merging trigger lists item by item would surprise everyone.
            merged[key] = value
            touched.add(here)
    return merged


@dataclass
class _Interpolation:
    """Substitutes `${env:NAME}` / `${env:NAME:-default}` (and `$$` for a literal $), recording secrets
    and every variable that is not set."""

    environ: Mapping[str, str]
    origins: ConfigOrigins
    secrets: set[str] = field(default_factory=set)
    problems: list[ConfigProblem] = field(default_factory=list)

    def apply(self, value: Any, at: KeyPath = ()) -> Any:
        if isinstance(value, dict):
            return {key: self.apply(item, (*at, key)) for key, item in value.items()}
        if isinstance(value, list):
            return [self.apply(item, (*at, index)) for index, item in enumerate(value)]
        if not isinstance(value, str) or "$" not in value:
            return value
        return _INTERPOLATION.sub(lambda match: self._substitute(match, at), value)

    def _substitute(self, match: re.Match[str], at: KeyPath) -> str:
        if match.group(0) == "$$":
            return "$"
        name, default = match.group(1), match.group(2)
        if name in self.environ:
            self.secrets.add(self.environ[name])
            return self.environ[name]
        if default is not None:
            return default
        written, source, line = self.origins.locate(at)
        message = f"environment variable {name} is not set (needed by ${{env:{name}}})"
        self.problems.append(ConfigProblem(message, format_key(written) or None, source, line))
        return ""
