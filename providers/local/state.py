"""A stage's files: versions, logs, the running supervisor's address. Another CLI call finds it here.

<state dir>/                  default <project>/.faas/local/<stage>
    versions/<version>/code/  the unpacked artifact (the previous one kept for rollback)
    deployment.json           what the supervisor runs (0600: it holds the app's environment)
    supervisor.json           pid, ports and token of the running supervisor
    history.json              deployed versions, newest last; the port the stage uses
    logs/local.log            every process's output as JSON lines, with request ids
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def write_json(path: Path, data: Any, private: bool = False) -> None:
    """Write atomically (readers never see half a file); `private` makes it readable by the owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2, sort_keys=True)
    if not private:
        os.chmod(temporary, 0o644)
    os.replace(temporary, path)


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


@dataclass(frozen=True)
class StageDir:
    """Paths of one stage's local deployment."""

    root: Path

    @property
    def versions(self) -> Path:
        return self.root / "versions"

    def code_dir(self, version: str) -> Path:
        return self.versions / version / "code"

    @property
    def deployment(self) -> Path:
        return self.root / "deployment.json"

    @property
    def supervisor(self) -> Path:
        return self.root / "supervisor.json"

    @property
    def history(self) -> Path:
        return self.root / "history.json"

    @property
    def log(self) -> Path:
        return self.root / "logs" / "local.log"

    @property
    def supervisor_output(self) -> Path:
        return self.root / "logs" / "supervisor.out"

    def lock(self) -> contextlib.AbstractContextManager[None]:
        """Held while a deploy, rollback or undeploy changes the stage: two at once would race."""
        return file_lock(self.root.parent / f".{self.root.name}.lock")

    def read_history(self) -> dict[str, Any]:
        data = read_json(self.history)
        if not isinstance(data, dict):
            data = {}
        data.setdefault("versions", [])
        data.setdefault("port", None)
        return data

    def write_history(self, history: dict[str, Any]) -> None:
        write_json(self.history, history)


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """An exclusive lock on `path` (created if missing), shared by every process of this machine."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
