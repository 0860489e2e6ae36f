"""Finding a Python interpreter of a given version (`3.12`) on this machine.

Packaging compiles the artifact's bytecode with one, and the local provider runs the artifact on
one, because the cloud runtime runs the target version, not whatever runs faas. Looked for: the
running interpreter, `python3.12` on PATH, pyenv's installs, then `uv python find`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from functools import lru_cache
from pathlib import Path


def host_version() -> str:
    """`3.11` for the Python running faas."""
    return f"{sys.version_info.major}.{sys.version_info.minor}"


@lru_cache(maxsize=16)
def full_version(executable: str) -> str | None:
    """The CPython version (`3.12.1`) of `executable`, None for another implementation or nothing that runs.

    The patch level matters: pyc bytes can differ between patch releases.
    """
    try:
        result = subprocess.run(
            [executable, "-I", "-c", "import platform, sys; print(sys.implementation.name, platform.python_version())"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    name, _, version = result.stdout.strip().partition(" ")
    return version if result.returncode == 0 and name == "cpython" else None


def _minor(executable: str) -> str | None:
    full = full_version(executable)
    return ".".join(full.split(".")[:2]) if full else None


def _candidates(version: str) -> list[str]:
    found = [sys.executable] if version == host_version() else []
    pyenv_root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    on_path = shutil.which(f"python{version}")
    # A pyenv shim is a slow shell script that refuses versions not activated for the folder; the
    # interpreters it would dispatch to are found directly under versions/ below.
    if on_path and Path(on_path).parent != pyenv_root / "shims":
        found.append(on_path)
    patch = len(version) + 1
    installs = sorted(
        (path for path in (pyenv_root / "versions").glob(f"{version}.*") if path.name[patch:].isdigit()),
        key=lambda path: int(path.name[patch:]),
        reverse=True,
    )
    found += [str(path / "bin" / f"python{version}") for path in installs]
    uv = shutil.which("uv")
    if uv:
        try:
            result = subprocess.run(
                [uv, "python", "find", version], capture_output=True, text=True, timeout=60, check=False
            )
        except (OSError, subprocess.TimeoutExpired):
            result = None
        if result is not None and result.returncode == 0 and result.stdout.strip():
            found.append(result.stdout.strip())
    return found


@lru_cache(maxsize=8)
def find_interpreter(version: str) -> Path | None:
    """A CPython interpreter of `version` (`3.12`), newest patch release first; None if there is none."""
    for candidate in _candidates(version):
        if Path(candidate).exists() and _minor(candidate) == version:
            return Path(candidate)
    return None
