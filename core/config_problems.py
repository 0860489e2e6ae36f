"""Turning pydantic's validation errors into config problems a user can act on.

Each problem names the key path as the user wrote it (`stages.production.app.memory`,
`functions[0].triggers[1].storage.prefix`), what is wrong, and, for a misspelt key, the closest
allowed key and the full list.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ValidationError

from faas.core.errors import ConfigProblem
from faas.core.model.triggers import TRIGGER_KINDS, TRIGGER_TYPES

KeyPath = tuple[str | int, ...]


def format_key(loc: KeyPath) -> str:
    """`functions[0].triggers[1].storage` for ("functions", 0, "triggers", 1, "storage")."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def clean_loc(loc: tuple[str | int, ...]) -> KeyPath:
    """pydantic's location without the tags discriminated unions repeat (triggers[0].queue.queue.name)."""
    cleaned: list[str | int] = []
    for part in loc:
        if cleaned and part == cleaned[-1] and part in TRIGGER_KINDS:
            continue
        cleaned.append(part)
    return tuple(cleaned)


def validation_problems(
    error: ValidationError,
    *,
    model: type[BaseModel],
    locate: Callable[[KeyPath], tuple[KeyPath, str | None, int | None]],
    prefix: KeyPath = (),
) -> list[ConfigProblem]:
    """Every problem of `error`, in the order they are written in the file (command-line ones last).

    `locate` maps a merged key path to (the path as the user wrote it, its source, its line).
    """
    problems: list[ConfigProblem] = []
    for problem in error.errors(include_url=False):
        written, source, line = locate((*prefix, *clean_loc(problem["loc"])))
        found = ConfigProblem(describe(problem, model), key=format_key(written) or None, source=source, line=line)
        if found not in problems:
            problems.append(found)
    return sorted(problems, key=by_line)


def by_line(problem: ConfigProblem) -> tuple[bool, int]:
    """Sort key: in file order; problems without a line (a command-line flag, a whole file) after."""
    return (problem.line is None, problem.line or 0)


def describe(problem: Any, model: type[BaseModel]) -> str:
    """One pydantic error as a sentence, with did-you-mean for a misspelt key."""
    kind = problem["type"]
    if kind == "extra_forbidden":
        unknown = str(problem["loc"][-1])
        allowed = _allowed_keys(model, clean_loc(problem["loc"][:-1]))
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
