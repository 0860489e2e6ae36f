"""Fixtures for packaging tests: a shared build cache, the example projects, target interpreters."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from faas.core.config import Project, load_project
from faas.core.interpreters import find_interpreter
from faas.core.packaging import PackageTarget, SizeLimits, manylinux_tags
from faas.providers.entry import entry_source

PROJECTS = Path(__file__).parent / "projects"
MB = 1024 * 1024


@pytest.fixture(scope="session", autouse=True)
def faas_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One build cache for the session (CI may point FAAS_CACHE_DIR at a cache it keeps between runs)."""
    configured = os.environ.get("FAAS_CACHE_DIR")
    path = Path(configured) if configured else tmp_path_factory.mktemp("faas-cache")
    os.environ["FAAS_CACHE_DIR"] = str(path)
    yield path
    if configured is None:
        os.environ.pop("FAAS_CACHE_DIR", None)
    else:
        os.environ["FAAS_CACHE_DIR"] = configured


def require_python(version: str) -> Path:
    """The interpreter for `version`: missing fails the test in CI and skips it elsewhere."""
    found = find_interpreter(version)
    if found is None:
        message = f"no Python {version} interpreter on PATH, under pyenv or from `uv python find`"
        if os.environ.get("CI", "").lower() in ("true", "1"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def aws_like_target(architecture: str = "x86_64", **overrides: object) -> PackageTarget:
    """A target shaped like the AWS provider's: vendored manylinux wheels, boto3 provided."""
    fields: dict[str, object] = {
        "provider": "aws",
        "python": "3.12",
        "entry_module": "faas_entry",
        "entry_source": entry_source("aws", "handler"),
        "architecture": architecture,
        "platform_tags": manylinux_tags(architecture),  # type: ignore[arg-type]
        "runtime_provided": frozenset({"boto3", "botocore"}),
        "limits": SizeLimits(zipped=None, unzipped=250 * MB, direct_upload=50 * MB),
    }
    fields.update(overrides)
    return PackageTarget(**fields)  # type: ignore[arg-type]


def copy_project(name: str, destination: Path) -> Path:
    root = destination / name
    shutil.copytree(PROJECTS / name, root)
    return root


def plant_secrets(root: Path) -> list[str]:
    """Files a careless packager would ship; returns their paths relative to the root."""
    planted = {
        ".env": "DJANGO_SECRET_KEY=planted-secret\n",
        ".env.production": "DATABASE_PASSWORD=planted-secret\n",
        ".git/config": "[remote]\n",
        ".git/objects/ab/cdef": "blob",
        "id_rsa": "-----BEGIN OPENSSH PRIVATE KEY-----\n",
        "deploy/server.pem": "-----BEGIN CERTIFICATE-----\n",
        ".aws/credentials": "[default]\naws_secret_access_key = planted-secret\n",
        ".ssh/id_ed25519": "key\n",
        "node_modules/left-pad/index.js": "module.exports = 1\n",
        ".venv/lib/python3.12/site-packages/evil.py": "x = 1\n",
        "media/uploads/cat.jpg": "jpeg",
        "djsite/__pycache__/stale.cpython-311.pyc": "stale",
    }
    for relative, text in planted.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return sorted(planted)


def load(root: Path, environ: dict[str, str] | None = None) -> Project:
    return load_project(root / "faas.toml", environ=environ or {})
