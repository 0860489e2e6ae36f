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

from faas.adapters.contract import CONFIG_NAME, SUPPORTED_FORMAT
from faas.core.config import Project
from faas.core.errors import ConfigError, PackagingError
from faas.core.model import FunctionConfig, ScheduleTrigger, UnsupportedScheduleError
from faas.core.packaging.archive import Entry
from faas.core.packaging.target import PackageTarget, TriggerRef

# Spelt once, in the contract module the adapters read them from.
RUNTIME_FILE = CONFIG_NAME
RUNTIME_FORMAT = SUPPORTED_FORMAT


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
        "functions": {
            function.name: _function(project, index, function, target)
            for index, function in enumerate(config.functions)
        },
    }


def _function(project: Project, position: int, function: FunctionConfig, target: PackageTarget) -> dict[str, Any]:
    """A function's entry and triggers: each with its kind, the platform's name for it and its data."""
    triggers: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for number, trigger in enumerate(function.triggers):
        index = seen[trigger.kind] = seen.get(trigger.kind, -1) + 1
        ref = TriggerRef(function.name, trigger.kind, index, trigger)
        entry: dict[str, Any] = {"type": trigger.kind, "name": target.trigger_name(ref), **trigger.manifest()}
        if isinstance(trigger, ScheduleTrigger) and target.schedules is not None:
            try:
                entry.update(target.schedules.translate(trigger.schedule).manifest())
            except UnsupportedScheduleError as error:
                # Refused here, not in the function: a zip whose timer cannot be registered fails at import.
                key = f"functions[{position}].triggers[{number}].schedule"
                raise ConfigError(str(error), source=str(project.source), key=key) from None
        options = target.trigger_options(ref) if target.trigger_options is not None else None
        if options:
            entry["adapter_options"] = dict(options)
        triggers.append(entry)
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
