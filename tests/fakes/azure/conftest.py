from __future__ import annotations

from .fixture import azure_fake

__all__ = ["azure_fake"]
