"""Index a published package the way the Python worker does: import function_app, ask the app.

The worker puts `.python_packages/lib/site-packages` and the package root on sys.path, imports
`function_app` and collects the FunctionApp's functions; an import error leaves the host with zero
functions and an error line. This runs that in a child interpreter (with azure-functions installed)
so the fake's function list is what the package really declares, not what the deployer claims.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any

_CHILD = r"""
import importlib, json, os, sys
root = sys.argv[1]
sys.path[:0] = [os.path.join(root, ".python_packages", "lib", "site-packages"), root]
try:
    module = importlib.import_module("function_app")
    apps = [v for v in vars(module).values() if callable(getattr(v, "get_functions", None)) and not isinstance(v, type)]
    if not apps:
        raise LookupError("function_app.py defines no FunctionApp")
    functions = [{"name": f.get_function_name(), **json.loads(f.get_function_json())} for f in apps[0].get_functions()]
    print(json.dumps({"functions": functions, "error": None}))
except BaseException as error:
    print(json.dumps({"functions": [], "error": f"{type(error).__name__}: {error}"}))
"""


@dataclass
class Index:
    functions: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None


def index_package(package: bytes) -> Index:
    with tempfile.TemporaryDirectory(prefix="azure-fake-index-") as folder:
        with zipfile.ZipFile(BytesIO(package)) as archive:
            archive.extractall(folder)
        if not (Path(folder) / "function_app.py").is_file():
            return Index([], "function_app.py not found at the root of the package")
        result = subprocess.run(
            [sys.executable, "-c", _CHILD, folder], capture_output=True, text=True, timeout=120, cwd=folder
        )
        lines = result.stdout.strip().splitlines()
        if not lines:
            return Index([], f"the worker could not start: {result.stderr.strip()[-500:]}")
        parsed = json.loads(lines[-1])
        return Index(parsed["functions"], parsed["error"])
