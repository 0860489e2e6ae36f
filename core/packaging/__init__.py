"""Building artifacts: neutral, no cloud calls. Providers describe their target with `PackageTarget`.

`build_artifact(project, target)` turns the user's project into the zip a provider uploads (see
docs/runtime-contract.md for what it holds) and a manifest JSON next to it.
"""

from __future__ import annotations

from faas.core.packaging.artifact import Artifact
from faas.core.packaging.build import build_artifact
from faas.core.packaging.target import PackageTarget, SizeLimits, manylinux_tags

__all__ = ["Artifact", "PackageTarget", "SizeLimits", "build_artifact", "manylinux_tags"]
