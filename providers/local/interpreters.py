"""Finding a Python interpreter of the version the cloud runtime would use.

The local provider runs the artifact with the target version, not with whatever runs faas, so a
wheel or syntax that only works on the host's version fails here as it would in the cloud.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from pathlib import Path

from faas.core.errors import FaasError


class InterpreterNotFoundError(FaasError):
    """No interpreter of the target Python version exists on this machine."""


def host_version() -> str:
    """`3.11` for the Python running faas."""
    return f"{sys.version_info.major}.{sys.version_info.minor}"


def _version_of(executable: str) -> str | None:
    try:
        completed = subprocess.run(
            [executable, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return completed.stdout.strip() if completed.returncode == 0 else None


def _candidates(version: str) -> list[str]:
    found: list[str] = []
    if version == host_version():
        found.append(sys.executable)
    on_path = shutil.which(f"python{version}")
    if on_path:
        found.append(on_path)
    # pyenv's shims answer only for the "activated" versions; the installs themselves always work.
    pyenv_root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    for install in sorted((pyenv_root / "versions").glob(f"{version}.*"), reverse=True):
        found.append(str(install / "bin" / f"python{version}"))
    uv = shutil.which("uv")
    if uv:
        try:
            completed = subprocess.run(
                [uv, "python", "find", version], capture_output=True, text=True, timeout=30, check=False
            )
        except (OSError, subprocess.TimeoutExpired):
            completed = None
        if completed is not None and completed.returncode == 0 and completed.stdout.strip():
            found.append(completed.stdout.strip())
    return found


@functools.cache
def find_interpreter(version: str) -> str | None:
    """An interpreter of `version` (`3.12`): on PATH, in pyenv's versions, or as `uv python find` says."""
    for candidate in _candidates(version):
        if Path(candidate).exists() and _version_of(candidate) == version:
            return candidate
    return None


def require_interpreter(version: str) -> str:
    """The interpreter for `version`, or an error that says how to get one or emulate with the host's."""
    found = find_interpreter(version)
    if found is None:
        host = host_version()
        raise InterpreterNotFoundError(
            f"no Python {version} interpreter found (looked for python{version} on PATH, in pyenv's "
            f"versions and with `uv python find`); install one (`uv python install {version}`), or emulate "
            f"with this machine's Python {host}: `--python {host}`, or allow_host_python = true in "
            "[providers.local] (the artifact is then built for Python " + host + ")"
        )
    return found
