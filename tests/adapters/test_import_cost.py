"""Importing the adapter in a fresh process stays cheap: it runs on every cold start."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ADAPTERS = Path(__file__).resolve().parents[2] / "adapters"

#: Never in the function: the deploy-side stack and any cloud SDK.
FORBIDDEN = ("pydantic", "pluggy", "boto3", "botocore", "faas.core", "google", "azure")
#: Stdlib modules that cost milliseconds; the HTTP path of a WSGI app needs none of them.
SLOW_STDLIB = ("asyncio", "inspect", "dataclasses", "logging", "typing", "json", "pathlib", "threading")


def modules_after(statement: str, *, flags: tuple[str, ...] = (), path: str | None = None) -> set[str]:
    prelude = f"import sys; sys.path.insert(0, {path!r}); " if path else "import sys; "
    code = prelude + f"before = set(sys.modules); {statement}; print(repr(sorted(set(sys.modules) - before)))"
    out = subprocess.run([sys.executable, *flags, "-c", code], capture_output=True, text=True, check=True)
    return set(eval(out.stdout.splitlines()[-1]))  # a repr of a list of str


def matching(loaded: set[str], names: tuple[str, ...]) -> set[str]:
    return {m for m in loaded for name in names if m == name or m.startswith(name + ".")}


@pytest.mark.parametrize("module", ["faas.adapters.aws", "faas.adapters.gcp", "faas.adapters.bootstrap"])
def test_installed_adapter_pulls_no_deploy_side_package(module):
    loaded = modules_after(f"import {module}")
    assert module in loaded
    assert not matching(loaded, FORBIDDEN), sorted(matching(loaded, FORBIDDEN))


@pytest.fixture(scope="module")
def artifact(tmp_path_factory) -> str:
    """The artifact's layout (docs/runtime-contract.md): an empty faas/__init__.py + faas/adapters."""
    root = tmp_path_factory.mktemp("artifact")
    (root / "faas").mkdir()
    (root / "faas" / "__init__.py").write_text("")
    shutil.copytree(ADAPTERS, root / "faas" / "adapters", ignore=shutil.ignore_patterns("__pycache__"))
    return str(root)


def test_aws_adapter_is_stdlib_only_and_lean(artifact):
    # -S: no site-packages at all, so any third-party import would fail here.
    loaded = modules_after("import faas.adapters.aws", flags=("-S",), path=artifact)
    assert "faas.adapters.aws" in loaded
    assert not matching(loaded, SLOW_STDLIB), sorted(matching(loaded, SLOW_STDLIB))


def test_bootstrap_is_stdlib_only(artifact):
    loaded = modules_after("import faas.adapters.bootstrap", flags=("-S",), path=artifact)
    assert not matching(loaded, ("asyncio", "inspect", "dataclasses", "logging", "pathlib", "typing"))


def test_asgi_machinery_loads_only_for_asgi_apps(artifact):
    loaded = modules_after(
        "from faas.adapters.aws import make_handler; make_handler(lambda e, s: [])", flags=("-S",), path=artifact
    )
    assert "asyncio" not in loaded
    loaded = modules_after(
        "from faas.adapters.aws import make_handler\nasync def app(s, r, x): pass\nmake_handler(app)",
        flags=("-S",),
        path=artifact,
    )
    assert "asyncio" in loaded


def test_serving_a_request_needs_no_slow_stdlib(artifact):
    statement = (
        "from faas.adapters.aws import make_handler; "
        "h = make_handler(lambda e, s: (s('200 OK', []), [b'ok'])[1], access_log=False); "
        "h({'version': '2.0', 'rawPath': '/', 'headers': {}, "
        "'requestContext': {'http': {'method': 'GET', 'sourceIp': '1.2.3.4'}}}, None)"
    )
    loaded = modules_after(statement, flags=("-S",), path=artifact)
    assert not matching(loaded, SLOW_STDLIB), sorted(matching(loaded, SLOW_STDLIB))
