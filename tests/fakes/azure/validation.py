"""Request bodies judged by the installed azure-mgmt-* models, the way ARM judges them.

ARM answers 400 for a field it does not know, a read-only field, a wrong type or a missing required
field. The SDK models carry exactly that knowledge: the TypeSpec-generated ones (web, storage,
resource) through `_attr_to_rest_field` (rest name, visibility, optional) and their type hints; the
older msrest ones (msi, authorization) through `_attribute_map` and `_validation`. A body the fake
accepts is therefore one the published schema accepts, not whatever the provider happened to send.
"""

from __future__ import annotations

import datetime
import enum
import importlib
import sys
import typing
from typing import Any

from .errors import ArmError

_PRIMITIVES: dict[type, tuple[type, ...]] = {
    str: (str,),
    int: (int,),
    float: (int, float),
    bool: (bool,),
    datetime.datetime: (str,),
    datetime.date: (str,),
    datetime.timedelta: (str,),
    bytes: (str,),
}


def validate_body(model: type, body: Any, *, what: str) -> None:
    """Raise a 400 ArmError unless `body` is a valid request body for `model`."""
    problems: list[str] = []
    if hasattr(model, "_attribute_map"):
        _check_msrest(model, body, "", problems)
    else:
        _check_typespec(model, body, "", problems)
    if problems:
        details = [{"code": "InvalidRequestContent", "message": p} for p in problems]
        raise ArmError(
            400, "InvalidRequestContent", f"The request content for {what} was invalid: {problems[0]}", details
        )


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


# -- TypeSpec models (azure.mgmt.*._utils.model_base) -------------------------------------------


def _hints(cls: type) -> dict[str, Any]:
    module = sys.modules[cls.__module__]
    package = importlib.import_module(cls.__module__.rsplit(".", 1)[0])
    return typing.get_type_hints(cls, globalns={**vars(module), "_models": package})


def _rest_fields(cls: type) -> dict[str, Any]:
    cls()  # the model computes its field table on first construction
    return dict(cls._attr_to_rest_field)  # type: ignore[attr-defined]


def _check_typespec(cls: type, data: Any, path: str, problems: list[str]) -> None:
    if not isinstance(data, dict):
        problems.append(f"'{path or '<body>'}' must be an object, got {type(data).__name__}")
        return
    fields = _rest_fields(cls)
    by_rest = {rf._rest_name: (attr, rf) for attr, rf in fields.items()}
    hints = _hints(cls)
    for key, value in data.items():
        where = _join(path, key)
        if key not in by_rest:
            problems.append(f"Could not find member '{key}' on object of type '{cls.__name__}' (path '{where}')")
            continue
        attr, rf = by_rest[key]
        if rf._visibility == ["read"]:
            problems.append(f"'{where}' is read-only and cannot be set")
            continue
        if value is None:
            continue
        _check_value(hints.get(attr, Any), value, where, problems)
    for rf in fields.values():
        if not rf._is_optional and rf._visibility != ["read"] and rf._rest_name not in data:
            problems.append(f"'{_join(path, rf._rest_name)}' is required")


def _check_value(hint: Any, value: Any, where: str, problems: list[str]) -> None:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Union:
        options = [a for a in args if a is not type(None)]
        if len(options) == 1:
            _check_value(options[0], value, where, problems)
            return
        # Union[str, SomeEnum]: ARM enums are extensible strings
        if all(a is str or (isinstance(a, type) and issubclass(a, enum.Enum)) for a in options):
            _check_value(str, value, where, problems)
        return
    if origin is list:
        if not isinstance(value, list):
            problems.append(f"'{where}' must be an array")
            return
        for index, item in enumerate(value):
            _check_value(args[0] if args else Any, item, f"{where}[{index}]", problems)
        return
    if origin is dict:
        if not isinstance(value, dict):
            problems.append(f"'{where}' must be an object")
            return
        for key, item in value.items():
            _check_value(args[1] if len(args) > 1 else Any, item, _join(where, key), problems)
        return
    if hint is Any:
        return
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        hint = str
    if (isinstance(hint, type) and hasattr(hint, "_attr_to_rest_field")) or _is_typespec_model(hint):
        _check_typespec(hint, value, where, problems)
        return
    allowed = _PRIMITIVES.get(hint) if isinstance(hint, type) else None
    if allowed is None:
        return
    if isinstance(value, bool) and bool not in allowed:
        problems.append(f"'{where}' must be of type {hint.__name__}, got a boolean")
    elif not isinstance(value, allowed):
        problems.append(f"'{where}' must be of type {hint.__name__}, got {type(value).__name__}")


def _is_typespec_model(hint: Any) -> bool:
    return isinstance(hint, type) and any(
        base.__name__ == "Model" and "model_base" in base.__module__ for base in hint.__mro__
    )


# -- msrest models (azure.mgmt.msi, azure.mgmt.authorization) -----------------------------------

_MSREST_PRIMITIVES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "long": (int,),
    "float": (int, float),
    "bool": (bool,),
    "iso-8601": (str,),
    "rfc-1123": (str,),
    "duration": (str,),
    "date": (str,),
    "object": (object,),
}


def _split_key(key: str) -> list[str]:
    # msrest escapes dots that belong to a name as "\\."
    return (
        [part.replace("\\.", ".") for part in key.replace("\\.", "\0").split(".")] if "\\." in key else key.split(".")
    )


def _check_msrest(cls: type, data: Any, path: str, problems: list[str]) -> None:
    if not isinstance(data, dict):
        problems.append(f"'{path or '<body>'}' must be an object, got {type(data).__name__}")
        return
    tree: dict[str, Any] = {}
    validation: dict[str, dict[str, bool]] = getattr(cls, "_validation", {})
    for attr, spec in cls._attribute_map.items():  # type: ignore[attr-defined]
        node = tree
        parts = [p.replace("\0", ".") for p in _split_key(spec["key"])]
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = (attr, spec["type"])
    _walk_msrest(cls, tree, data, path, problems, validation)
    for attr, rule in validation.items():
        if rule.get("required") and not rule.get("readonly"):
            key = cls._attribute_map[attr]["key"]  # type: ignore[attr-defined]
            found: Any = data
            for part in key.split("."):
                found = found.get(part) if isinstance(found, dict) else None
            if found is None:
                problems.append(f"'{_join(path, key)}' is required")


def _walk_msrest(
    cls: type,
    tree: dict[str, Any],
    data: dict[str, Any],
    path: str,
    problems: list[str],
    validation: dict[str, dict[str, bool]],
) -> None:
    for key, value in data.items():
        where = _join(path, key)
        if key not in tree:
            problems.append(f"Could not find member '{key}' on object of type '{cls.__name__}' (path '{where}')")
            continue
        node = tree[key]
        if isinstance(node, dict):
            if not isinstance(value, dict):
                problems.append(f"'{where}' must be an object")
                continue
            _walk_msrest(cls, node, value, where, problems, validation)
            continue
        attr, type_name = node
        if validation.get(attr, {}).get("readonly"):
            problems.append(f"'{where}' is read-only and cannot be set")
            continue
        if value is not None:
            _check_msrest_value(cls, type_name, value, where, problems)


def _check_msrest_value(cls: type, type_name: str, value: Any, where: str, problems: list[str]) -> None:
    if type_name.startswith("[") and type_name.endswith("]"):
        if not isinstance(value, list):
            problems.append(f"'{where}' must be an array")
            return
        for index, item in enumerate(value):
            _check_msrest_value(cls, type_name[1:-1], item, f"{where}[{index}]", problems)
        return
    if type_name.startswith("{") and type_name.endswith("}"):
        if not isinstance(value, dict):
            problems.append(f"'{where}' must be an object")
            return
        for key, item in value.items():
            _check_msrest_value(cls, type_name[1:-1], item, _join(where, key), problems)
        return
    allowed = _MSREST_PRIMITIVES.get(type_name)
    if allowed is not None:
        if isinstance(value, bool) and bool not in allowed and object not in allowed:
            problems.append(f"'{where}' must be of type {type_name}, got a boolean")
        elif not isinstance(value, allowed):
            problems.append(f"'{where}' must be of type {type_name}, got {type(value).__name__}")
        return
    nested = getattr(sys.modules[cls.__module__], type_name, None)
    if isinstance(nested, type) and hasattr(nested, "_attribute_map"):
        _check_msrest(nested, value, where, problems)
    elif isinstance(nested, type) and issubclass(nested, enum.Enum) and not isinstance(value, str):
        problems.append(f"'{where}' must be a string")
