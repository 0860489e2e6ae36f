"""ruff and mypy (strict) over the whole project, as part of the one test command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def test_ruff_lint_and_format() -> None:
    lint = subprocess.run([BIN / "ruff", "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    form = subprocess.run([BIN / "ruff", "format", "--check", "."], cwd=ROOT, capture_output=True, text=True)
    assert form.returncode == 0, form.stdout + form.stderr


def installed_shape() -> Path:
    """A link tree with the installed layout (faas/core -> core/...), which mypy can follow.

    mypy does not understand the package-dir mapping; the tree lives under build/ (ignored by git)
    so that mypy's cache stays valid between runs.
    """
    tree = ROOT / "build" / "typecheck"
    package = tree / "faas"
    package.mkdir(parents=True, exist_ok=True)
    links = {"__init__.py": ROOT / "core" / "api" / "__init__.py", "py.typed": ROOT / "core" / "api" / "py.typed"}
    links |= {folder: ROOT / folder for folder in ("core", "providers", "adapters")}
    for name, target in links.items():
        link = package / name
        if not link.is_symlink():
            link.symlink_to(target, target_is_directory=target.is_dir())
    return tree


@pytest.mark.slow
def test_mypy_strict() -> None:
    tree = installed_shape()
    env = {**os.environ, "MYPYPATH": str(tree)}
    # Every module by path: `-p faas` stops at the linked folders and checks only what faas/__init__ reaches.
    modules = sorted(
        os.path.join(folder, name)
        for folder, _, names in os.walk(tree / "faas", followlinks=True)
        for name in names
        if name.endswith(".py") and "__pycache__" not in folder
    )
    assert len(modules) > 100, modules
    result = subprocess.run([BIN / "mypy", *modules], cwd=ROOT, capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_import_contracts() -> None:
    # pyproject's [tool.importlinter]: adapters stay stdlib-only, core imports no provider, a provider
    # imports no other and reaches core only through `faas`. grimp walks the installed layout.
    env = {**os.environ, "PYTHONPATH": str(installed_shape())}
    result = subprocess.run([BIN / "lint-imports", "--no-cache"], cwd=ROOT, capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
