"""The artifact a provider uploads: a reproducible zip plus its manifest."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from faas.core.packaging.target import PackageTarget


@dataclass(frozen=True)
class Artifact:
    """A built artifact. The same inputs give the same `sha256` on every run and machine.

    `manifest` is the JSON written next to the zip: files with sizes and sha256, dependency
    versions, the target. Providers use `sha256` to skip uploads when nothing changed.
    """

    path: Path
    sha256: str
    target: PackageTarget
    zipped_size: int
    unzipped_size: int
    manifest_path: Path
    manifest: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
