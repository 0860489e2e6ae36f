"""The generated part of the artifact: faas_runtime.json, the entry module, the adapter package.

See docs/runtime-contract.md. The runtime settings hold no environment values: `${env:...}`
values are secrets the provider sets as environment variables, never written into the zip.
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path
from typing import Any

from faas.core.config import Project
from faas.core.errors import PackagingError
from faas.core.model import FunctionConfig, QueueTrigger, ScheduleTrigger, StorageTrigger
from faas.core.packaging.archive import Entry
from faas.core.packaging.target import PackageTarget

RUNTIME_FILE = "faas_runtime.json"
RUNTIME_FORMAT = 1


def runtime_settings(project: Project, target: PackageTarget, settings_module: str | None) -> dict[str, Any]:
    """The content of faas_runtime.json (format 1)."""
    config = project.config
    app = None
    if config.app is not None:
        app = {
            "entry": config.app.entry,
            "interface": config.app.interface,
            "base_path": config.base_path,
            # A Django project found through manage.py is Django even when the config leaves it out.
            "framework": config.app.framework or ("django" if settings_module else None),
            "settings_module": settings_module,
            "adapter_options": dict(target.adapter_options),
        }
    return {
        "format": RUNTIME_FORMAT,
        "project": config.name,
        "stage": project.stage,
        "platform": target.provider,
        "app": app,
        "functions": {function.name: _function(function) for function in config.functions},
    }


def _function(function: FunctionConfig) -> dict[str, Any]:
    triggers: list[dict[str, Any]] = []
    for trigger in function.triggers:
        if isinstance(trigger, ScheduleTrigger):
            triggers.append({"type": "schedule", "expression": str(trigger.schedule)})
        elif isinstance(trigger, StorageTrigger):
            triggers.append({"type": "storage", **trigger.storage.model_dump(mode="json")})
        elif isinstance(trigger, QueueTrigger):
            triggers.append({"type": "queue", "queue": trigger.queue.name, "batch_size": trigger.queue.batch_size})
    return {"entry": function.entry, "triggers": triggers}


def adapter_entries() -> list[Entry]:
    """faas/__init__.py (empty, generated) and faas/adapters/** from the installed faas.adapters.

    Never the deploy-side `faas/__init__.py`: it imports faas.core, pydantic and pluggy, which
    the function neither has nor should pay for at cold start.
    """
    spec = importlib.util.find_spec("faas.adapters")
    locations = list(spec.submodule_search_locations or []) if spec else []
    if not locations:
        raise PackagingError("faas.adapters is not installed; reinstall faasport")
    root = Path(locations[0])
    entries = [Entry("faas/__init__.py", data=b"", origin="generated")]
    for folder, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(name for name in dirnames if name != "__pycache__")
        for name in sorted(filenames):
            if name.endswith((".pyc", ".pyo")):
                continue
            path = Path(folder) / name
            arcname = "faas/adapters/" + path.relative_to(root).as_posix()
            entries.append(Entry(arcname, path=path, origin="generated"))
    return entries


def generated_entries(project: Project, target: PackageTarget, settings_module: str | None) -> list[Entry]:
    """The entry module, faas_runtime.json, the provider's extra files and the adapter package."""
    settings = runtime_settings(project, target, settings_module)
    text = json.dumps(settings, indent=2, sort_keys=True) + "\n"
    entries = [
        Entry(f"{target.entry_module}.py", data=target.entry_source.encode(), origin="generated"),
        Entry(RUNTIME_FILE, data=text.encode(), origin="generated"),
        *(Entry(path, data=content.encode(), origin="generated") for path, content in target.extra_files),
    ]
    return entries + adapter_entries()
