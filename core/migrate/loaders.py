"""Reading source configs: JSON with `//` comments, YAML with CloudFormation tags, TOML.

Every failure is one `ConfigError` naming the file and the line, never a parser traceback.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import yaml

from faas.core.errors import ConfigError

# The CloudFormation short forms, read into the long (JSON) forms so importers see one shape.
_INTRINSICS = {
    "!Ref": "Ref",
    "!Condition": "Condition",
    "!GetAtt": "Fn::GetAtt",
    "!Sub": "Fn::Sub",
    "!Join": "Fn::Join",
    "!If": "Fn::If",
    "!ImportValue": "Fn::ImportValue",
    "!FindInMap": "Fn::FindInMap",
    "!Select": "Fn::Select",
    "!Split": "Fn::Split",
    "!GetAZs": "Fn::GetAZs",
    "!Base64": "Fn::Base64",
    "!Cidr": "Fn::Cidr",
    "!Equals": "Fn::Equals",
    "!And": "Fn::And",
    "!Or": "Fn::Or",
    "!Not": "Fn::Not",
    "!Transform": "Fn::Transform",
}


class _CloudFormationLoader(yaml.SafeLoader):
    """A safe loader that also accepts `!Ref`, `!Sub`, `!GetAtt`... (plain `yaml.safe_load` refuses them)."""


def _intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    tag = f"!{suffix}"
    name = _INTRINSICS.get(tag, f"Fn::{suffix}")
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if name == "Fn::GetAtt" and isinstance(value, str):
            # `!GetAtt Queue.Arn` is the short form of ["Queue", "Arn"].
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {name: value}


_CloudFormationLoader.add_multi_constructor("!", _intrinsic)

# YAML 1.2 booleans, as js-yaml (Serverless) and CloudFormation read them: `Off`, `yes` and `on` stay
# text (an event named Off is a name, not false).
_CloudFormationLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_CloudFormationLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _timestamps_as_text(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    # A date (AWSTemplateFormatVersion: 2010-09-09) stays the text the author wrote.
    return str(loader.construct_scalar(node))  # type: ignore[arg-type]


_CloudFormationLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamps_as_text)


def load_yaml(path: Path) -> Any:
    """A YAML file, CloudFormation short tags read as their long forms."""
    text = _read(path)
    try:
        return yaml.load(text, Loader=_CloudFormationLoader)  # a SafeLoader subclass
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise ConfigError(f"not valid YAML: {where}{problem}", source=str(path)) from None


def strip_json_comments(text: str) -> str:
    """JSON text without `//` and `/* */` comments (outside strings) and without trailing commas."""
    out: list[str] = []
    index, length = 0, len(text)
    in_string = False
    while index < length:
        char = text[index]
        if in_string:
            out.append(char)
            if char == "\\" and index + 1 < length:
                out.append(text[index + 1])
                index += 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
            out.append(char)
        elif text.startswith("//", index):
            end = text.find("\n", index)
            index = length if end == -1 else end
            continue
        elif text.startswith("/*", index):
            end = text.find("*/", index + 2)
            # Keep the line count so error messages still point at the right line.
            skipped = text[index : length if end == -1 else end + 2]
            out.append("\n" * skipped.count("\n"))
            index = length if end == -1 else end + 2
            continue
        else:
            out.append(char)
        index += 1
    return _drop_trailing_commas("".join(out))


def _drop_trailing_commas(text: str) -> str:
    out: list[str] = []
    in_string = False
    for index, char in enumerate(text):
        if in_string:
            in_string = not (char == '"' and not _escaped(text, index))
        elif char == '"':
            in_string = True
        elif char == ",":
            rest = text[index + 1 :].lstrip()
            if rest[:1] in ("}", "]"):
                continue
        out.append(char)
    return "".join(out)


def _escaped(text: str, index: int) -> bool:
    backslashes = 0
    while index - backslashes - 1 >= 0 and text[index - backslashes - 1] == "\\":
        backslashes += 1
    return backslashes % 2 == 1


def load_json(path: Path) -> Any:
    """A JSON file; `//` and `/* */` comments (common in hand-edited zappa_settings.json) are allowed."""
    text = strip_json_comments(_read(path))
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ConfigError(f"not valid JSON: line {error.lineno}: {error.msg}", source=str(path)) from None


def load_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(_read(path))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"not valid TOML: {error}", source=str(path)) from None


def load_any(path: Path) -> Any:
    """By extension: .json, .yml/.yaml or .toml."""
    suffix = path.suffix.lower()
    if suffix == ".json":
        return load_json(path)
    if suffix in (".yml", ".yaml"):
        return load_yaml(path)
    if suffix == ".toml":
        return load_toml(path)
    raise ConfigError("unknown file type; expected .json, .yml, .yaml or .toml", source=str(path))


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"cannot read: {error.strerror}", source=str(path)) from None
    except UnicodeDecodeError:
        raise ConfigError("is not UTF-8 text", source=str(path)) from None
