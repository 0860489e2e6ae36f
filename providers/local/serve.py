"""`faas serve`: the local deployment in the foreground, rebuilt when a source file changes.

The same artifact, runtime client and gateway as `faas deploy --provider local`, run by an
in-process supervisor that prints every process's output. Changes are found by polling mtimes
once a second (stdlib only: no watcher dependency for a loop that rebuilds in seconds anyway);
a rebuild is switched in like a re-deploy, so requests in flight finish on the old version, and
a build or init error is printed while the old version keeps serving.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from faas import FaasError, load_project, workflow
from faas.providers.local.secrets import secret_values
from faas.providers.local.state import StageDir, write_deployment
from faas.providers.local.supervisor import Supervisor

if TYPE_CHECKING:
    from faas.providers.local.provider import LocalProvider

WATCHED = (".py", ".toml", ".txt", ".lock", ".html", ".css", ".js", ".json", ".cfg", ".ini", ".yaml", ".yml")
SKIPPED_DIRS = frozenset(
    {
        ".git",
        ".faas",
        "__pycache__",
        "node_modules",
        ".venv",
        "venv",
        ".tox",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        "build",
        "dist",
    }
)


def snapshot(root: Path) -> dict[str, int]:
    """mtime (ns) of every watched file under `root`, skipping caches, virtualenvs and build output."""
    found: dict[str, int] = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [name for name in dirs if name not in SKIPPED_DIRS and not name.endswith(".egg-info")]
        for name in files:
            if name.endswith(WATCHED):
                path = os.path.join(folder, name)
                try:
                    found[path] = os.stat(path).st_mtime_ns
                except OSError:
                    continue
    return found


def _reopen(provider: LocalProvider, emulate: str | None) -> LocalProvider:
    """The provider for the project as it is on disk now (faas.toml may have changed)."""
    project = load_project(provider.project.source, provider.project.stage)
    fresh = type(provider)(project, reporter=provider.reporter)
    if emulate:
        fresh = type(provider)(project, fresh.options.model_copy(update={"emulate": emulate}), provider.reporter)
    fresh.stage_root = provider.stage_dir.root.with_name(provider.project.stage + "-serve")
    return fresh


def build(provider: LocalProvider, token: str | None = None) -> dict[str, object]:
    """Package and prepare one version; the supervisor config that runs it."""
    provider.check_config()
    artifact = workflow.package(provider, provider.stage_dir.root / "artifacts")
    config = provider.deployment_config(artifact)
    if token is not None:
        config["token"] = token
    return config


def serve(
    provider: LocalProvider,
    *,
    reload: bool = True,
    emulate: str | None = None,
    poll: float = 1.0,
    stop: threading.Event | None = None,
) -> None:
    """Serve until interrupted (or `stop` is set), rebuilding on source changes when `reload`."""
    current = _reopen(provider, emulate)
    stage: StageDir = current.stage_dir.create()
    config = build(current)
    write_deployment(stage.deployment, config)
    supervisor = Supervisor(stage, echo=True, secrets=secret_values(config))
    stop = stop or threading.Event()
    try:
        try:
            supervisor.start()
        except OSError as error:
            raise FaasError(f"cannot serve on {config['host']}:{config['port']}: {error.strerror}") from None
        assert supervisor.gateway is not None
        history = stage.read_history()
        history["port"] = supervisor.gateway.port
        stage.write_history(history)
        print(
            f"Serving {current.project.resource_prefix} ({current.emulated} emulation) on {supervisor.url}", flush=True
        )
        seen = snapshot(current.project.root)
        while not stop.wait(poll):
            if not reload:
                continue
            now = snapshot(current.project.root)
            if now == seen:
                continue
            seen = now
            print("Source changed: rebuilding", flush=True)
            try:
                current = _reopen(provider, emulate)
                version = supervisor.switch(build(current, str(config["token"])))
                print(f"Serving version {version} on {supervisor.url}", flush=True)
            except (FaasError, OSError) as error:
                print(f"Rebuild failed, still serving the previous version: {error}", flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        supervisor.shutdown()
