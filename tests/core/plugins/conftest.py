from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

PluginInstaller = Callable[..., Path]


@pytest.fixture
def install_plugin(tmp_path: Path) -> PluginInstaller:
    """Build a real third-party plugin distribution and pip-install it into a private folder.

    Returns the folder; put it on PYTHONPATH of a `faas` subprocess so importlib.metadata finds
    the distribution and its `faas` entry point, exactly as for a user's `pip install`.
    """

    def install(distribution: str, provider_name: str, body: str = "") -> Path:
        module = distribution.replace("-", "_")
        source = tmp_path / f"src-{distribution}"
        (source / module).mkdir(parents=True)
        (source / "pyproject.toml").write_text(
            textwrap.dedent(
                f"""
                [build-system]
                requires = ["setuptools"]
                build-backend = "setuptools.build_meta"
                [project]
                name = "{distribution}"
                version = "1.2.3"
                [project.entry-points.faas]
                {provider_name} = "{module}.plugin"
                """
            )
        )
        (source / module / "__init__.py").write_text("")
        (source / module / "plugin.py").write_text(
            textwrap.dedent(
                f"""
                from faas import Capability, Provider, hookimpl

                class ThirdParty(Provider):
                    name = "{provider_name}"
                    description = "a provider from a third-party package"
                    capabilities = frozenset({{Capability.PACKAGE}})
                {textwrap.indent(textwrap.dedent(body), "    ")}

                @hookimpl
                def faas_providers():
                    return [ThirdParty]
                """
            )
        )
        target = tmp_path / f"site-{distribution}"
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), str(source)],
            check=True,
            capture_output=True,
        )
        return target

    return install


def run_faas(
    *args: str, path: Path | None = None, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, **(env or {})}
    if path is not None:
        environ["PYTHONPATH"] = str(path)
    return subprocess.run(
        [sys.executable, "-m", "faas.core.cli", *args],
        capture_output=True,
        text=True,
        env=environ,
        cwd=cwd,
        timeout=120,
    )


def listed(result: subprocess.CompletedProcess[str]) -> dict[str, dict[str, object]]:
    assert result.returncode == 0, result.stderr
    return {item["name"]: item for item in json.loads(result.stdout)}
