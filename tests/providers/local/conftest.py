"""Helpers shared by the local provider tests (the session fixtures are in tests/conftest.py)."""

from __future__ import annotations

import contextlib
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

from faas.core import workflow
from faas.core.config import load_project
from faas.providers.local import control
from faas.providers.local.provider import LocalProvider
from faas.providers.local.state import StageDir


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
