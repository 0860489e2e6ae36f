"""Cached runtime environments: the platform's runtime client, outside the artifact.

In the cloud the runtime client (awslambdaric in /var/runtime, functions-framework, the Azure
worker) lives beside the function's code, not inside it. Locally each (platform, Python version)
gets one virtual environment holding only that client, under the user cache dir (FAAS_CACHE_DIR
overrides it), built once and reused by every project.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from faas import DeployError, FaasError
from faas.providers.local.state import file_lock

# The runtime client each platform runs the artifact with; the host's installed version is pinned
# when there is one, so the emulation matches what the test suite exercised.
RUNTIME_CLIENTS = {"aws": "awslambdaric", "gcp": "functions-framework", "azure": "azure-functions"}
READY_MARK = ".faas-ready"


class RuntimeEnvError(FaasError):
    """The runtime environment or the artifact's requirements could not be installed."""

    exit_code = DeployError.exit_code  # a deploy step failed, as on every provider


def cache_dir() -> Path:
    """FAAS_CACHE_DIR, else the user cache dir of faas."""
    explicit = os.environ.get("FAAS_CACHE_DIR")
    if explicit:
        return Path(explicit)
    import platformdirs

    return Path(platformdirs.user_cache_dir("faas"))


@dataclass(frozen=True)
class RuntimeEnv:
    """A virtual environment with one platform's runtime client installed."""

    platform: str
    python_version: str
    root: Path

    @property
    def python(self) -> Path:
        return self.root / "bin" / "python"


def _requirement(distribution: str) -> str:
    try:
        return f"{distribution}=={metadata.version(distribution)}"
    except metadata.PackageNotFoundError:
        return distribution


def _run(command: list[str | os.PathLike[str]], what: str) -> None:
    completed = subprocess.run(command, capture_output=True, text=True, check=False, timeout=600)
    if completed.returncode != 0:
        tail = (completed.stderr or completed.stdout).strip().splitlines()[-5:]
        raise RuntimeEnvError(f"{what} failed: " + " | ".join(tail))


def ensure_runtime_env(platform: str, interpreter: str, python_version: str) -> RuntimeEnv:
    """The runtime env for `platform` on `python_version`, created with `interpreter` on first use."""
    requirement = _requirement(RUNTIME_CLIENTS[platform])
    env = RuntimeEnv(platform, python_version, cache_dir() / "runtimes" / f"{platform}-py{python_version}")
    mark = env.root / READY_MARK
    if mark.is_file() and mark.read_text() == requirement and env.python.exists():
        return env
    with file_lock(env.root.parent / f".{env.root.name}.lock"):
        if mark.is_file() and mark.read_text() == requirement and env.python.exists():
            return env
        building = env.root.with_name(env.root.name + ".building")
        shutil.rmtree(building, ignore_errors=True)
        _run([interpreter, "-m", "venv", building], f"creating the {platform} runtime env for Python {python_version}")
        pip: list[str | os.PathLike[str]] = [
            building / "bin" / "python",
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ]
        try:
            _run([*pip, requirement], f"installing {requirement} for Python {python_version}")
        except RuntimeEnvError:
            # The host's version may not support the target Python (azure-functions 1.x stops at
            # 3.12): take the newest release that does, as the platform's own image would.
            distribution = RUNTIME_CLIENTS[platform]
            _run([*pip, distribution], f"installing {distribution} for Python {python_version}")
        # Built aside and renamed, so a half-built env is never used; only `python -m` is ever
        # run from it, which does not depend on the paths venv writes into its scripts.
        shutil.rmtree(env.root, ignore_errors=True)
        building.rename(env.root)
        mark.write_text(requirement)
    return env


def install_requirements(env: RuntimeEnv, requirements: Path) -> Path | None:
    """Install an artifact's requirements.txt the way GCP and Azure build it remotely.

    Returns the directory to put on sys.path after the artifact (cached by the file's content),
    or None when nothing is required.
    """
    text = requirements.read_text(encoding="utf-8") if requirements.is_file() else ""
    wanted = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    if not wanted:
        return None
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    target = cache_dir() / "deps" / f"{env.platform}-py{env.python_version}-{digest}"
    if (target / READY_MARK).is_file():
        return target
    with file_lock(target.parent / f".{target.name}.lock"):
        if (target / READY_MARK).is_file():
            return target
        shutil.rmtree(target, ignore_errors=True)
        _run(
            [
                env.python,
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--target",
                target,
                "-r",
                requirements,
            ],
            f"installing the artifact's requirements ({requirements})",
        )
        (target / READY_MARK).write_text(digest)
    return target
