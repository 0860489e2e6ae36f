"""The walks share the local provider tests' session fixtures: one runtime cache, no process left behind."""

from __future__ import annotations

from tests.providers.local.conftest import faas_cache, no_process_left_behind

__all__ = ["faas_cache", "no_process_left_behind"]
