"""Shared fixtures: one cache of runtime environments for the whole session, and no process left behind."""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from faas.core import workflow
from faas.core.config import load_project
from faas.providers.local import control
from faas.providers.local.provider import LocalProvider
from faas.providers.local.state import StageDir


@pytest.fixture(scope="session", autouse=True)
def faas_cache() -> Iterator[Path]:
    """Runtime envs and wheels are reused across tests and runs (FAAS_CACHE_DIR wins if set)."""
    chosen = os.environ.get("FAAS_CACHE_DIR") or str(Path(tempfile.gettempdir()) / "faas-test-cache")
    previous = os.environ.get("FAAS_CACHE_DIR")
    os.environ["FAAS_CACHE_DIR"] = chosen
    yield Path(chosen)
    if previous is None:
        os.environ.pop("FAAS_CACHE_DIR", None)


@pytest.fixture(scope="session", autouse=True)
def no_process_left_behind(tmp_path_factory) -> Iterator[None]:
    """After the session, no process may still run in a test's folder; any found is killed and reported."""
    yield
    base = str(tmp_path_factory.getbasetemp())
    leftovers = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if os.readlink(proc / "cwd").startswith(base):
                leftovers.append(int(proc.name))
        except OSError:
            continue
    described = {pid: _command_line(pid) for pid in leftovers}
    for pid in leftovers:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    assert not leftovers, f"processes left behind by the local provider tests: {described}"


def _command_line(pid: int) -> str:
    """What a leftover process runs, for the report (which fixture forgot it)."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")[:200]
    except OSError:
        return "?"


def stop_all(root: Path) -> None:
    """Stop every local deployment under `root` (fixture teardown: never leave processes behind)."""
    for supervisor_file in root.rglob("supervisor.json"):
        control.stop_supervisor(StageDir(supervisor_file.parent))


def get(
    url: str, headers: dict[str, str] | None = None, timeout: float = 30
) -> tuple[int, dict[str, list[str]], bytes]:
    """GET `url`: (status, headers by lower-cased name with every value, body); error statuses too."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, message, body = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, message, body = error.code, error.headers, error.read()
    collected: dict[str, list[str]] = {}
    for name, value in message.items():
        collected.setdefault(name.lower(), []).append(value)
    return status, collected, body


def functions_project(base: Path, tasks: str, config: Callable[[Path], str]) -> tuple[Path, Path]:
    """A project of plain functions under `base`; its tasks record what they receive in `seen`.

    `config(seen)` gives faas.toml. Returns (project root, seen).
    """
    seen = base / "seen"
    seen.mkdir()
    root = base / "project"
    root.mkdir()
    (root / "tasks.py").write_text(tasks)
    (root / "requirements.txt").write_text("")
    (root / "faas.toml").write_text(config(seen))
    return root, seen


@contextlib.contextmanager
def deployed_locally(root: Path, base: Path) -> Iterator[LocalProvider]:
    """`root` deployed on the local provider; every process under `base` stopped afterwards."""
    provider = workflow.open_provider(load_project(root / "faas.toml"), "local")
    assert isinstance(provider, LocalProvider)
    try:
        workflow.deploy(provider)
        yield provider
    finally:
        stop_all(base)
