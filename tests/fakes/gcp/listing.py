"""List methods: AIP-158 pages and the AIP-160 filter terms the fake applies (label equality)."""

from __future__ import annotations

import re
from typing import Any

from .errors import invalid_argument

_LABEL_TERM = re.compile(r'^labels\.([a-z][\w-]*)\s*(=|!=|:)\s*"?([^"\s]*)"?$')


def label_filter(text: str) -> list[tuple[str, str, str]]:
    """`labels.k=v AND labels.x:*` -> terms; any other filter is refused, never ignored."""
    terms = []
    for part in re.split(r"\s+AND\s+", text.strip()) if text.strip() else []:
        found = _LABEL_TERM.match(part.strip())
        if found is None:
            raise invalid_argument(
                f"The fake applies only labels.KEY=VALUE filters, not {part!r}.", field_path="filter"
            )
        terms.append((found.group(1), found.group(2), found.group(3)))
    return terms


def matches(resource: dict[str, Any], terms: list[tuple[str, str, str]]) -> bool:
    labels: dict[str, str] = resource.get("labels", {})
    for key, op, value in terms:
        if op == ":" and key not in labels:
            return False
        if op == "=" and labels.get(key) != value:
            return False
        if op == "!=" and labels.get(key) == value:
            return False
    return True


def page(items: list[dict[str, Any]], query: dict[str, str], field: str) -> dict[str, Any]:
    """One page of `items` under `field`, with `nextPageToken` while more remain."""
    size = int(query.get("pageSize") or 0) or len(items) or 1
    start = int(query.get("pageToken") or 0) if (query.get("pageToken") or "0").isdigit() else -1
    if start < 0 or start > len(items):
        raise invalid_argument(f"Invalid page token {query.get('pageToken')!r}.", field_path="page_token")
    out: dict[str, Any] = {field: items[start : start + size]}
    if start + size < len(items):
        out["nextPageToken"] = str(start + size)
    return out
