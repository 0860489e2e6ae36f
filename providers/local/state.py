"""A stage's files: versions, logs, the running supervisor's address. Another CLI call finds it here.

<state dir>/                  default <project>/.faas/local/<stage> (0700; .faas/ ignores itself for git)
    versions/<version>/code/  the unpacked artifact (the previous ones kept for rollback)
    versions/<version>/files.json  the artifact's file names (what the app wrote is the rest)
    data/                     what the app writes beside its code: every version's paths link here
    buckets/<bucket>/         local buckets: storage roles and storage-trigger buckets
    deployment.json           what the supervisor runs, without secret values (see secrets.py)
    supervisor.json           pid, ports and token of the running supervisor
    history.json              deployed versions, newest last; the port the stage uses
    logs/local.log            every process's output as JSON lines, with request ids

Every state file is written 0600: logs and the control token are the owner's only.
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

from faas import ensure_work_dir
from faas.providers.local.secrets import redacted


def write_json(path: Path, data: Any) -> None:
    """Write atomically (readers never see half a file), readable by the owner only (mkstemp's 0600)."""
    ensure_work_dir(path.parent)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2, sort_keys=True)
    os.replace(temporary, path)


def write_deployment(path: Path, config: dict[str, Any]) -> None:
    """Write a supervisor config without its secret values."""
    write_json(path, redacted(config))


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


@dataclass(frozen=True)
class StageDir:
    """Paths of one stage's local deployment."""

    root: Path

    def create(self) -> StageDir:
        """Make the state dir, private to its owner (it holds the app's logs and data)."""
        existed = self.root.is_dir()
        ensure_work_dir(self.root, mode=0o700)
        if not existed:
            os.chmod(self.root, 0o700)
        return self

    @property
    def data(self) -> Path:
        return self.root / "data"

    def bucket(self, name: str) -> Path:
        return self.root / "buckets" / name

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
    ensure_work_dir(path.parent)
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
