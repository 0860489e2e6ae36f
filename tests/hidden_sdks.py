"""Run faas as on a machine without the gcp and azure extras, in a dev environment that has them.

The dev install carries the Google and Azure SDKs (the local control planes in tests/fakes need
them), yet a user who installed only `faasport` or `faasport[aws]` must still list, package and
be told what to install. Every `google.*` and `azure.*` import fails here, azure.functions too.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

HIDDEN = ("google", "azure")

_SITECUSTOMIZE = f"""
import sys

class HideCloudSdks:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {HIDDEN!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None

sys.meta_path.insert(0, HideCloudSdks())
"""


class _HideCloudSdks(importlib.abc.MetaPathFinder):
    def find_spec(
        self, fullname: str, path: object = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname.split(".", maxsplit=1)[0] in HIDDEN:
            raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)
        return None


def hide_sdks_here(monkeypatch: pytest.MonkeyPatch) -> None:
    """In this process, until the test ends: forget the imported SDK modules and refuse new imports."""
    for name in [name for name in sys.modules if name.split(".")[0] in HIDDEN]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr(sys, "meta_path", [_HideCloudSdks(), *sys.meta_path])


def hidden_sdks_env(folder: Path) -> dict[str, str]:
    """Environment for a `faas` subprocess in which the SDKs cannot be imported (via sitecustomize)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sitecustomize.py").write_text(_SITECUSTOMIZE)
    return {"PYTHONPATH": os.pathsep.join(filter(None, [str(folder), os.environ.get("PYTHONPATH")]))}
