"""CloudFormation intrinsics evaluated offline for one SAM stage (a samconfig.toml environment).

Parameters come from their `Default` or the stage's `parameter_overrides`; `Fn::Sub`, `Fn::Join`,
`Fn::If` (with `Conditions`), `Fn::FindInMap` and `Fn::Select` are computed. What needs a deployed
stack (`Fn::GetAtt`, `Fn::ImportValue`, account ids) stays `Unresolved`, named in the report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_SUB = re.compile(r"\$\{([^}!][^}]*)\}")


@dataclass(frozen=True)
class Unresolved:
    """An intrinsic that cannot be evaluated without the cloud."""

    text: str

    def __str__(self) -> str:
        return self.text


@dataclass
class Intrinsics:
    template: dict[str, Any]
    parameters: dict[str, Any]
    pseudo: dict[str, str] = field(default_factory=dict)

    def evaluate(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.evaluate(item) for item in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((name, argument),) = value.items()
            handler = _FUNCTIONS.get(name)
            if handler is not None:
                return handler(self, argument)
        return {key: self.evaluate(item) for key, item in value.items()}

    def ref(self, name: Any) -> Any:
        name = str(name)
        if name in self.parameters:
            return self.parameters[name]
        if name in self.pseudo:
            return self.pseudo[name]
        if name in self.template.get("Resources", {}):
            return Unresolved(f"!Ref {name}")
        return Unresolved(f"!Ref {name}")

    def _sub(self, argument: Any) -> Any:
        text, variables = (argument[0], argument[1]) if isinstance(argument, list) else (argument, {})
        local = {key: self.evaluate(item) for key, item in (variables or {}).items()}
        unresolved: list[str] = []

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            value = (
                local.get(name)
                if name in local
                else (self.ref(name) if "." not in name else Unresolved(f"${{{name}}}"))
            )
            if isinstance(value, Unresolved | dict | list):
                unresolved.append(name)
                return match.group(0)
            return _text(value)

        result = _SUB.sub(replace, str(text))
        return Unresolved(f"!Sub {text}") if unresolved else result.replace("${!", "${")

    def _join(self, argument: Any) -> Any:
        if not isinstance(argument, list) or len(argument) != 2:
            return Unresolved(f"!Join {argument}")
        delimiter, items = argument
        values = self.evaluate(items)
        if not isinstance(values, list) or any(isinstance(item, Unresolved | dict | list) for item in values):
            return Unresolved(f"!Join {argument}")
        return str(delimiter).join(_text(item) for item in values)

    def _if(self, argument: Any) -> Any:
        if not isinstance(argument, list) or len(argument) != 3:
            return Unresolved(f"!If {argument}")
        condition = self.condition(str(argument[0]))
        if condition is None:
            return Unresolved(f"!If {argument[0]}")
        chosen = argument[1] if condition else argument[2]
        if isinstance(chosen, dict) and chosen.get("Ref") == "AWS::NoValue":
            return None
        return self.evaluate(chosen)

    def condition(self, name: str) -> bool | None:
        definition = self.template.get("Conditions", {}).get(name)
        return self._truth(definition) if definition is not None else None

    def _truth(self, value: Any) -> bool | None:
        if isinstance(value, dict) and len(value) == 1:
            ((name, argument),) = value.items()
            if name == "Condition":
                return self.condition(str(argument))
            if name == "Fn::Equals" and isinstance(argument, list) and len(argument) == 2:
                left, right = self.evaluate(argument[0]), self.evaluate(argument[1])
                if isinstance(left, Unresolved) or isinstance(right, Unresolved):
                    return None
                return _text(left) == _text(right)
            parts = [self._truth(item) for item in argument] if isinstance(argument, list) else []
            if None in parts:
                return None
            if name == "Fn::Not" and len(parts) == 1:
                return not parts[0]
            if name == "Fn::And":
                return all(parts)
            if name == "Fn::Or":
                return any(parts)
        return None

    def _find_in_map(self, argument: Any) -> Any:
        keys = self.evaluate(argument)
        if not isinstance(keys, list) or len(keys) != 3 or any(isinstance(key, Unresolved) for key in keys):
            return Unresolved(f"!FindInMap {argument}")
        value = self.template.get("Mappings", {}).get(str(keys[0]), {}).get(str(keys[1]), {}).get(str(keys[2]))
        return value if value is not None else Unresolved(f"!FindInMap {keys}")

    def _select(self, argument: Any) -> Any:
        values = self.evaluate(argument)
        if isinstance(values, list) and len(values) == 2 and isinstance(values[1], list):
            index = int(str(values[0])) if str(values[0]).isdigit() else -1
            if 0 <= index < len(values[1]):
                return values[1][index]
        return Unresolved(f"!Select {argument}")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _get_att(intrinsics: Intrinsics, argument: Any) -> Any:
    target = ".".join(str(part) for part in argument) if isinstance(argument, list) else str(argument)
    return Unresolved(f"!GetAtt {target}")


_FUNCTIONS: dict[str, Any] = {
    "Ref": Intrinsics.ref,
    "Fn::Sub": Intrinsics._sub,
    "Fn::Join": Intrinsics._join,
    "Fn::If": Intrinsics._if,
    "Fn::FindInMap": Intrinsics._find_in_map,
    "Fn::Select": Intrinsics._select,
    "Fn::GetAtt": _get_att,
    "Fn::ImportValue": lambda intrinsics, argument: Unresolved(f"!ImportValue {argument}"),
}


def is_unresolved(value: Any) -> bool:
    if isinstance(value, Unresolved):
        return True
    if isinstance(value, dict):
        return any(is_unresolved(item) for item in value.values())
    if isinstance(value, list):
        return any(is_unresolved(item) for item in value)
    return False


def parse_overrides(value: Any) -> dict[str, str]:
    """samconfig's `parameter_overrides`: `Key=Value Key2="two words"` or a list of `Key=Value`."""
    items: list[str]
    if isinstance(value, list):
        items = [str(item) for item in value]
    else:
        items = [match.group(0) for match in re.finditer(r'[^\s=]+=(?:"[^"]*"|\'[^\']*\'|\S*)', str(value))]
    result: dict[str, str] = {}
    for item in items:
        key, _, raw = item.partition("=")
        result[key.strip()] = raw.strip().strip("\"'")
    return result
