"""Sizes: what the artifact weighs, which distributions weigh most, and the platform's limits."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from faas.core.errors import PackagingError
from faas.core.packaging.archive import Entry
from faas.core.packaging.target import PackageTarget

MB = 1024 * 1024
LARGEST = 10
_NOT_DISTRIBUTIONS = ("source", "generated", "static")


def human(size: int) -> str:
    return f"{size / MB:.1f} MB" if size >= MB / 10 else f"{size / 1024:.1f} KB"


def largest_distributions(
    entries: Iterable[Entry], sizes: dict[str, int], count: int = LARGEST
) -> list[dict[str, Any]]:
    """The `count` heaviest distributions (unzipped, bytecode included), heaviest first."""
    totals: Counter[str] = Counter()
    for entry in entries:
        if entry.origin not in _NOT_DISTRIBUTIONS:
            totals[entry.origin] += sizes[entry.arcname]
    ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0]))[:count]
    return [{"name": name, "size": size} for name, size in ranked]


def check_limit(
    kind: str,
    size: int,
    limit: int | None,
    target: PackageTarget,
    largest: list[dict[str, Any]],
    *,
    project_size: int = 0,
) -> None:
    """Raise PackagingError naming the biggest offenders (distributions, or the project's own files)."""
    if limit is None or size <= limit:
        return
    ranked = sorted([*largest, {"name": "the project's own files", "size": project_size}], key=lambda i: -i["size"])
    offenders = ", ".join(f"{item['name']} {human(item['size'])}" for item in ranked[:6] if item["size"])
    advice = target.limits.advice or "leave large packages out or load them at runtime from storage."
    raise PackagingError(
        f"the artifact is {human(size)} {kind}, above the {target.provider} limit of {human(limit)}. "
        f"Biggest: {offenders}. {advice} Runtime-provided packages are left out with package.runtime_provided; "
        "package.exclude drops files."
    )
