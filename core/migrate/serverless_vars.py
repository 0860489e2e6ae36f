"""Serverless Framework variables, resolved offline for one stage.

`${self:...}` (nested too), `${opt:stage}`, `${sls:stage}`, `${param:...}` and `${file(...)}` are
resolved from the service's own files, with cycle detection. Everything that needs a cloud or the
deploying machine (`${env:}`, `${ssm:}`, `${cf:}`, `${s3:}`, `${aws:accountId}`...) stays a
*reference*: an opaque token the importer turns into `${env:NAME}` where faas can take it from the
deploying environment, or reports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from faas.core.errors import ConfigError
from faas.core.migrate.loaders import load_any

# The innermost variable: its body holds no other `${`.
_VARIABLE = re.compile(r"\$\{([^${}]*)\}")
_TOKEN = re.compile("\x00REF(\\d+)\x00")
_FILE = re.compile(r"^file\(([^)]+)\)(?::(.*))?$")
_STAGE_MAP = re.compile(r"\$\{self:([\w.-]+)\.\$\{(?:sls:stage|opt:stage[^}]*|self:provider\.stage)\}")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Reference:
    """A variable the importer must not resolve: its source, its address and its fallback, if any."""

    kind: str
    address: str
    text: str
    fallback: str | None = None

    @property
    def env_name(self) -> str | None:
        return self.address if self.kind == "env" and _ENV_NAME.match(self.address) else None


@dataclass
class Resolver:
    """Resolves one stage's view of a serverless.yml."""

    config: dict[str, Any]
    stage: str
    root: Path
    source: Path
    references: list[Reference] = field(default_factory=list)
    _resolving: list[str] = field(default_factory=list)
    _cache: dict[str, Any] = field(default_factory=dict)

    def resolve(self, value: Any, at: str = "") -> Any:
        if isinstance(value, dict):
            return {key: self.resolve(item, f"{at}.{key}" if at else str(key)) for key, item in value.items()}
        if isinstance(value, list):
            return [self.resolve(item, f"{at}[{index}]") for index, item in enumerate(value)]
        if isinstance(value, str) and "${" in value:
            return self._string(value, at)
        return value

    def _string(self, text: str, at: str) -> Any:
        # The value being resolved is on the stack too, so a cycle is named from where it starts.
        pushed = bool(at) and at not in self._resolving
        if pushed:
            self._resolving.append(at)
        try:
            while True:
                match = _VARIABLE.search(text)
                if match is None:
                    return text
                value = self._variable(match.group(1).strip(), at, match.group(0))
                if match.group(0) == text and not isinstance(value, str):
                    return value
                text = text[: match.start()] + _as_text(value) + text[match.end() :]
        finally:
            if pushed:
                self._resolving.pop()

    def _variable(self, body: str, at: str, text: str) -> Any:
        address, fallback = _split_fallback(body)
        value = self._lookup(address, at, text, fallback)
        if value is None and fallback is not None:
            return _literal(fallback)
        if value is None:
            return self._reference("unresolved", address, text, None)
        return value

    def _lookup(self, address: str, at: str, text: str, fallback: str | None) -> Any:
        source, _, rest = address.partition(":")
        if _TOKEN.search(address):
            # An address built from a reference cannot be looked up offline.
            return self._reference("unresolved", address, text, fallback)
        if address in ("sls:stage", "opt:stage", "self:provider.stage"):
            # Serverless docs use these interchangeably for "the stage being deployed".
            return self.stage
        if source == "self":
            return self._self(rest, at)
        if source == "opt":
            return None if rest != "region" else self._self("provider.region", at)
        if source == "param":
            return self._param(rest)
        if source == "aws" and rest == "region":
            return self._self("provider.region", at) or "us-east-1"
        if source == "strToBool":
            return None
        file_match = _FILE.match(address)
        if file_match:
            return self._file(file_match.group(1), file_match.group(2), at)
        kind = source if source in ("env", "ssm", "cf", "s3", "aws", "param", "construct", "sls") else "unknown"
        return self._reference(kind, rest if kind != "unknown" else address, text, fallback)

    def _reference(self, kind: str, address: str, text: str, fallback: str | None) -> str:
        reference = Reference(kind, address, text, fallback)
        self.references.append(reference)
        return f"\x00REF{len(self.references) - 1}\x00"

    def reference(self, token: str) -> Reference:
        return self.references[int(token)]

    def _self(self, path: str, at: str) -> Any:
        if not path:
            return self.config
        if path in self._resolving:
            cycle = " -> ".join([*self._resolving[self._resolving.index(path) :], path])
            raise ConfigError(f"variable cycle: {cycle}", source=str(self.source), key=at or None)
        if path in self._cache:
            return self._cache[path]
        self._resolving.append(path)
        try:
            value = self._walk_resolving(path)
        finally:
            self._resolving.pop()
        self._cache[path] = value
        return value

    def _walk_resolving(self, path: str) -> Any:
        # A node on the way may itself be a variable (`settings: ${file(...)}`): resolve it, then go on.
        node: Any = self.config
        walked: list[str] = []
        for part in path.split("."):
            if isinstance(node, str) and "${" in node:
                node = self.resolve(node, ".".join(walked))
            node = _walk(node, part)
            walked.append(part)
            if node is None:
                return None
        return self.resolve(node, path)

    def _param(self, name: str) -> Any:
        params = self.config.get("params")
        if not isinstance(params, dict):
            return None
        for scope in (self.stage, "default"):
            table = params.get(scope)
            if isinstance(table, dict) and name in table:
                return self.resolve(table[name], f"params.{scope}.{name}")
        return None

    def _file(self, name: str, key: str | None, at: str) -> Any:
        path = (self.root / self._string(name.strip().strip("'\""), at)).resolve()
        if path.suffix.lower() not in (".yml", ".yaml", ".json", ".toml") or not path.is_file():
            return None
        content = load_any(path)
        value = _walk(content, key) if key else content
        return None if value is None else Resolver(content, self.stage, path.parent, path).resolve(value)

    def tokens(self, text: str) -> list[Reference]:
        return [self.reference(match.group(1)) for match in _TOKEN.finditer(text)]


def has_reference(value: Any) -> bool:
    if isinstance(value, str):
        return bool(_TOKEN.search(value))
    if isinstance(value, dict):
        return any(has_reference(item) for item in value.values())
    if isinstance(value, list):
        return any(has_reference(item) for item in value)
    return False


def replace_tokens(text: str, resolver: Resolver, render: Any) -> str:
    return _TOKEN.sub(lambda match: str(render(resolver.reference(match.group(1)))), text)


def stages_named_in(config: dict[str, Any], text: str) -> list[str]:
    """Stages a service names: `params` keys and maps indexed by the stage (`${self:custom.x.${sls:stage}}`)."""
    found: list[str] = []
    params = config.get("params")
    if isinstance(params, dict):
        found += [str(key) for key in params if key != "default"]
    for match in _STAGE_MAP.finditer(text):
        table = _walk(config, match.group(1))
        if isinstance(table, dict):
            found += [str(key) for key in table if str(key) not in found]
    return list(dict.fromkeys(found))


def _walk(value: Any, path: str) -> Any:
    for part in path.split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def _split_fallback(body: str) -> tuple[str, str | None]:
    depth, quote = 0, ""
    for index, char in enumerate(body):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth == 0:
            return body[:index].strip(), body[index + 1 :].strip()
    return body.strip(), None


def _literal(text: str) -> Any:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if text in ("true", "false"):
        return text == "true"
    if text == "null":
        return None
    return text


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
