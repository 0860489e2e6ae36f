"""Load a project's configuration: find the file, merge the stage, interpolate, validate.

Every problem becomes one `ConfigError` naming the file, the key path as the user wrote it
(`stages.production.app.memory`, not the merged path) and what is allowed.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from faas.core.errors import ConfigError
from faas.core.model import ProjectConfig
from faas.core.model.triggers import TRIGGER_KINDS

CONFIG_FILE = "faas.toml"
PYPROJECT = "pyproject.toml"
DEFAULT_STAGE = "dev"
_INTERPOLATION = re.compile(r"\$\$|\$\{env:([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
# Keys a stage may not override: they identify the project and its stages.
_NOT_PER_STAGE = ("name", "stages")

KeyPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Project:
    """A project's configuration resolved for one stage, with where it came from."""

    config: ProjectConfig
    stage: str
    root: Path
    source: Path
    secrets: frozenset[str] = field(default=frozenset(), repr=False)

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def resource_prefix(self) -> str:
        """`<project>-<stage>`: the prefix of every cloud resource name."""
        return f"{self.config.name}-{self.stage}"

    def provider_options(self, provider: str, model: type[BaseModel]) -> BaseModel:
        """Validate `[providers.<provider>]` with the provider's own Options model."""
        raw = self.config.providers.get(provider, {})
        try:
            return model.model_validate(raw)
        except ValidationError as error:
            raise _config_error(error, self.source, prefix=("providers", provider), model=model) from None

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
    """Read `path`, apply the stage's overrides and `${env:NAME}` values, and validate."""
    raw = _read_toml(path)
    if path.name == PYPROJECT:
        raw = raw.get("tool", {}).get("faas")
        if not isinstance(raw, dict):
            raise ConfigError("no [tool.faas] table", source=str(path))
    stage = stage or DEFAULT_STAGE
    merged, from_stage = _apply_stage(raw, stage, path)
    interpolation = _Interpolation(os.environ if environ is None else environ, path, stage, from_stage)
    # Only the merged result is interpolated: another stage's ${env:...} (a production secret) must
    # not be required to deploy this one. The stages table is kept as written.
    stages_as_written = merged.pop("stages", None)
    interpolated = interpolation.apply(merged)
    if stages_as_written is not None:
        interpolated["stages"] = stages_as_written
    try:
        config = ProjectConfig.model_validate(interpolated)
    except ValidationError as error:
        raise _config_error(error, path, stage=stage, from_stage=from_stage) from None
    if not config.has_work:
        raise ConfigError("nothing to deploy: add an [app] or a [[functions]] entry", source=str(path))
    return Project(
        config=config,
        stage=stage,
        root=path.parent.resolve(),
        source=path,
        secrets=frozenset(interpolation.secrets),
    )


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"not valid TOML: {error}", source=str(path)) from None
    except OSError as error:
        raise ConfigError(f"cannot read: {error.strerror}", source=str(path)) from None


def _apply_stage(raw: dict[str, Any], stage: str, path: Path) -> tuple[dict[str, Any], set[KeyPath]]:
    stages = raw.get("stages", {})
    if not isinstance(stages, dict):
        raise ConfigError("must be a table of stages, e.g. [stages.production]", source=str(path), key="stages")
    overrides = stages.get(stage, {})
    if not isinstance(overrides, dict):
        raise ConfigError("must be a table", source=str(path), key=f"stages.{stage}")
    for key in _NOT_PER_STAGE:
        if key in overrides:
            raise ConfigError(f"'{key}' cannot differ per stage", source=str(path), key=f"stages.{stage}.{key}")
    from_stage: set[KeyPath] = set()
    return _deep_merge(raw, overrides, (), from_stage), from_stage


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
    """Substitutes `${env:NAME}` / `${env:NAME:-default}` (and `$$` for a literal $), recording secrets."""

    environ: Mapping[str, str]
    path: Path
    stage: str
    from_stage: set[KeyPath]
    secrets: set[str] = field(default_factory=set)

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
        raise ConfigError(
            f"environment variable {name} is not set (needed by ${{env:{name}}})",
            source=str(self.path),
            key=_user_key(at, self.from_stage, self.stage),
        )


def _user_key(loc: KeyPath, from_stage: set[KeyPath], stage: str | None) -> str:
    """The key path as the user wrote it: values a stage overrode are reported under stages.<stage>."""
    if stage is not None and any(loc[: len(prefix)] == prefix for prefix in from_stage):
        loc = ("stages", stage, *loc)
    return _format_loc(loc)


def _format_loc(loc: KeyPath) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _clean_loc(loc: tuple[str | int, ...]) -> KeyPath:
    # Discriminated unions repeat the tag in the location (triggers[0].queue.queue.name).
    cleaned: list[str | int] = []
    for part in loc:
        if cleaned and part == cleaned[-1] and part in TRIGGER_KINDS:
            continue
        cleaned.append(part)
    return tuple(cleaned)


def _config_error(
    error: ValidationError,
    path: Path,
    *,
    stage: str | None = None,
    from_stage: set[KeyPath] | None = None,
    prefix: KeyPath = (),
    model: type[BaseModel] = ProjectConfig,
) -> ConfigError:
    problems = error.errors(include_url=False)
    first = problems[0]
    loc = (*prefix, *_clean_loc(first["loc"]))
    message = _describe(first, model)
    more = len(problems) - 1
    if more:
        message += f" (and {more} more problem{'s' if more > 1 else ''})"
    return ConfigError(message, source=str(path), key=_user_key(loc, from_stage or set(), stage) or None)


def _describe(problem: Any, model: type[BaseModel]) -> str:
    kind = problem["type"]
    if kind == "extra_forbidden":
        unknown = str(problem["loc"][-1])
        allowed = _allowed_keys(model, _clean_loc(problem["loc"][:-1]))
        hint = difflib.get_close_matches(unknown, allowed, n=1)
        suggestion = f"; did you mean '{hint[0]}'?" if hint else ""
        listing = f" (allowed: {', '.join(allowed)})" if allowed else ""
        return f"unknown key '{unknown}'{suggestion}{listing}"
    message = str(problem["msg"])
    if kind == "value_error":
        message = message.removeprefix("Value error, ")
    if kind == "missing":
        return "required key is missing"
    if kind == "literal_error":
        return f"{message}, got {problem['input']!r}"
    return message


def _allowed_keys(model: type[BaseModel], loc: KeyPath) -> list[str]:
    """The keys allowed at `loc` in `model`, found by walking the model's fields."""
    current: Any = model
    for part in loc:
        if isinstance(part, int) or current is None:
            continue
        current = _field_model(current, part)
    if current is None or not hasattr(current, "model_fields"):
        return []
    return list(current.model_fields)


def _field_model(model: Any, key: str) -> Any:
    fields = getattr(model, "model_fields", {})
    if key not in fields:
        # A dict of models (storage.<role>) or a trigger kind: look one level into the annotation.
        return model if key not in TRIGGER_KINDS else _trigger_model(key)
    return _first_model(fields[key].annotation)


def _trigger_model(kind: str) -> Any:
    from faas.core.model.triggers import TRIGGER_TYPES

    model = TRIGGER_TYPES[kind]
    return model.source_model or model


def _first_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _first_model(arg)
        if found is not None:
            return found
    for meta in getattr(annotation, "__metadata__", ()):
        found = _first_model(meta)
        if found is not None:
            return found
    return None
