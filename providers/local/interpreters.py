"""The Python interpreter the local provider runs the artifact with (found by faas.core.interpreters).

The local provider runs the artifact with the target version, not with whatever runs faas, so a
wheel or syntax that only works on the host's version fails here as it would in the cloud.
"""

from __future__ import annotations

from faas import FaasError, find_interpreter, host_version

__all__ = ["InterpreterNotFoundError", "find_interpreter", "host_version", "require_interpreter"]


class InterpreterNotFoundError(FaasError):
    """No interpreter of the target Python version exists on this machine."""


def require_interpreter(version: str) -> str:
    """The interpreter for `version`, or an error that says how to get one or emulate with the host's."""
    found = find_interpreter(version)
    if found is None:
        host = host_version()
        raise InterpreterNotFoundError(
            f"no Python {version} interpreter found (looked for python{version} on PATH, in pyenv's "
            f"versions and with `uv python find`); install one (`uv python install {version}`), or emulate "
            f"with this machine's Python {host}: `faas deploy -O python={host}`, or allow_host_python = true in "
            "[providers.local] (the artifact is then built for Python " + host + ")"
        )
    return str(found)
