"""Building artifacts: neutral, no cloud calls. Providers describe their target with `PackageTarget`."""

from __future__ import annotations

from faas.core.packaging.target import PackageTarget, SizeLimits, manylinux_tags

__all__ = ["PackageTarget", "SizeLimits", "manylinux_tags"]
