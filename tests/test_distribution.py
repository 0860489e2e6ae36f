"""The built wheel installs faas, faas.core, faas.providers and faas.adapters, and nothing else at the top."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(ROOT)], check=True, capture_output=True
    )
    (path,) = out.glob("faasport-*.whl")
    return zipfile.ZipFile(path)


@pytest.mark.slow
def test_wheel_installs_only_the_faas_package(wheel: zipfile.ZipFile) -> None:
    tops = {name.split("/", 1)[0] for name in wheel.namelist()}
    assert tops == {"faas", "faasport-0.1.0.dist-info"}


@pytest.mark.slow
def test_wheel_holds_every_source_package(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    assert {
        "faas/__init__.py",
        "faas/core/__init__.py",
        "faas/providers/__init__.py",
        "faas/adapters/__init__.py",
    } <= names
    for folder, package in (("core", "faas/core"), ("providers", "faas/providers"), ("adapters", "faas/adapters")):
        for source in (ROOT / folder).rglob("*.py"):
            relative = source.relative_to(ROOT / folder).as_posix()
            if folder == "core" and relative.startswith("api/"):
                expected = "faas/" + relative.removeprefix("api/")
            else:
                expected = f"{package}/{relative}"
            assert expected in names, f"{source} is missing from the wheel as {expected}"
    assert not any(name.startswith(("faas/tests", "faas/core/api/")) for name in names)


@pytest.mark.slow
def test_wheel_declares_the_console_script_and_builtin_plugins(wheel: zipfile.ZipFile) -> None:
    entry_points = wheel.read("faasport-0.1.0.dist-info/entry_points.txt").decode()
    assert "faas = faas.core.cli.main:main" in entry_points
    for provider in ("aws", "gcp", "azure", "local"):
        assert f"{provider} = faas.providers.{provider}.plugin" in entry_points
    metadata = wheel.read("faasport-0.1.0.dist-info/METADATA").decode()
    requirements = [line for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    core = [line for line in requirements if "extra ==" not in line]
    # A plain install needs no cloud SDK.
    assert not any(sdk in line for line in core for sdk in ("boto3", "google", "azure"))
    for extra in ("aws", "gcp", "azure", "local", "dev"):
        assert f"Provides-Extra: {extra}" in metadata
