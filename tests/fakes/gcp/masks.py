"""`update_mask` semantics (google.protobuf.FieldMask, AIP-134), shared by every patch the fake serves.

A path in the mask replaces that field with the body's value, or clears it when the body leaves it
out (the only way to set `false` or `0`: proto3 JSON omits zero values). No mask means every
writable field is replaced by the body's, and what the body omits is gone, as the Cloud Functions
and Cloud Scheduler references say.
"""

from __future__ import annotations

import copy
from typing import Any

from .discovery import Api, camel
from .errors import invalid_argument

_MISSING = object()


def parse_mask(api: Api, schema: str, mask: str) -> list[str]:
    """The mask's paths in camelCase, each checked to name a field of `schema`."""
    paths = [camel(part.strip()) for part in mask.split(",") if part.strip()]
    for path in paths:
        node = api.schemas[schema]
        for part in path.split("."):
            props = node.get("properties", {})
            if part not in props:
                raise invalid_argument(
                    f"Invalid field mask path: {path!r} is not a field of {schema}", field_path="update_mask"
                )
            spec = props[part]
            node = api.schemas[spec["$ref"]] if "$ref" in spec else spec
            if node.get("type") == "object" and "additionalProperties" in node:
                break  # a map field is replaced whole; a path into its keys stops here
    return paths


def _get(tree: dict[str, Any], path: str) -> Any:
    node: Any = tree
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return _MISSING
        node = node[part]
    return node


def _set(tree: dict[str, Any], path: str, value: Any) -> None:
    *parents, leaf = path.split(".")
    node = tree
    for part in parents:
        node = node.setdefault(part, {})
    if value is _MISSING:
        node.pop(leaf, None)
    else:
        node[leaf] = copy.deepcopy(value)


def apply_mask(stored: dict[str, Any], body: dict[str, Any], paths: list[str]) -> dict[str, Any]:
    """`stored` with each masked path taken from `body` (or cleared); nothing else changes."""
    result = copy.deepcopy(stored)
    for path in paths:
        _set(result, path, _get(body, path))
    return _prune(result)


def replace_all(stored: dict[str, Any], body: dict[str, Any], output_only: dict[str, Any]) -> dict[str, Any]:
    """A mask-less update: the body replaces every field; only output-only fields survive from `stored`."""
    del stored  # every writable field comes from the body; kept in the signature for the reader
    result = copy.deepcopy(body)
    for path, value in output_only.items():
        if value is not _MISSING:
            _set(result, path, value)
    return _prune(result)


def keep(stored: dict[str, Any], paths: list[str]) -> dict[str, Any]:
    """The values of `paths` in `stored` (for `replace_all`'s output-only fields)."""
    return {path: _get(stored, path) for path in paths}


def _prune(tree: dict[str, Any]) -> dict[str, Any]:
    """Drop the empty messages clearing leaves behind, as proto3 JSON would not print them."""
    for key in list(tree):
        value = tree[key]
        if isinstance(value, dict):
            _prune(value)
            if not value:
                del tree[key]
    return tree
