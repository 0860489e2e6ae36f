"""A throwaway project on disk: faas_runtime.json, a web app module and a functions module."""

from __future__ import annotations

import json
import sys
import textwrap
import uuid
from pathlib import Path
from typing import Any

WEBAPP = """
import json
IMPORTS = 1

def app(environ, start_response):
    body = json.dumps({"path": environ["PATH_INFO"], "script": environ["SCRIPT_NAME"]}).encode()
    start_response("200 OK", [("Content-Type", "application/json")])
    return [body]
"""

TASKS = """
CALLS = []

def record(name):
    def fn(event, context):
        CALLS.append((name, event))
        return {"ran": name}
    return fn

nightly = record("nightly")
thumbs = record("thumbs")
uploads = record("uploads")
deleted = record("deleted")
alerts = record("alerts")
"""


class Project:
    """Writes the modules under unique names (so tests never share sys.modules entries)."""

    def __init__(
        self,
        root: Path,
        *,
        app: bool = True,
        functions: dict[str, Any] | None = None,
        app_extra: dict[str, Any] | None = None,
        platform: str = "aws",
    ) -> None:
        suffix = uuid.uuid4().hex[:8]
        self.root = root
        self.webapp = f"webapp_{suffix}"
        self.tasks = f"tasks_{suffix}"
        (root / f"{self.webapp}.py").write_text(textwrap.dedent(WEBAPP))
        (root / f"{self.tasks}.py").write_text(textwrap.dedent(TASKS))
        if functions is None:
            functions = default_functions(self.tasks, platform)
        config = {
            "format": 1,
            "project": "bestpuppers",
            "stage": "dev",
            "platform": platform,
            "app": (
                {
                    "entry": f"{self.webapp}:app",
                    "interface": "wsgi",
                    "base_path": "",
                    "framework": None,
                    **(app_extra or {}),
                }
                if app
                else None
            ),
            "functions": functions,
        }
        (root / "faas_runtime.json").write_text(json.dumps(config))

    def calls(self) -> list[tuple[str, Any]]:
        return sys.modules[self.tasks].CALLS if self.tasks in sys.modules else []


def default_functions(tasks: str, platform: str = "aws") -> dict[str, Any]:
    """The functions section as packaging writes it for `platform`: each trigger with its platform name."""

    def name(function: str, kind: str) -> str:
        if platform == "azure":
            return f"faas_{function}_{kind}_0".replace("-", "_")
        return f"bestpuppers-dev-{function}-0" if kind == "schedule" else f"{function}-{kind}-0"

    schedule: dict[str, Any] = {"type": "schedule", "name": name("nightly-report", "schedule")}
    schedule["expression"] = "rate(4 hours)"
    schedule["platform_expression"] = {"aws": "rate(4 hours)", "gcp": "0 */4 * * *", "azure": "0 0 */4 * * *"}[platform]
    return {
        "nightly-report": {"entry": f"{tasks}:nightly", "triggers": [schedule]},
        "thumbnails": {
            "entry": f"{tasks}:thumbs",
            "triggers": [
                {"type": "queue", "name": name("thumbnails", "queue"), "queue": "thumbnails", "batch_size": 10}
            ],
        },
        "on-upload": {
            "entry": f"{tasks}:uploads",
            "triggers": [
                {
                    "type": "storage",
                    "name": name("on-upload", "storage"),
                    "bucket": "uploads",
                    "events": ["created"],
                    "prefix": "img/",
                    "suffix": ".jpg",
                }
            ],
        },
        "on-delete": {
            "entry": f"{tasks}:deleted",
            "triggers": [
                {
                    "type": "storage",
                    "name": name("on-delete", "storage"),
                    "bucket": "uploads",
                    "events": ["deleted"],
                    "prefix": "",
                    "suffix": "",
                }
            ],
        },
        "alerts": {
            "entry": f"{tasks}:alerts",
            "triggers": [{"type": "topic", "name": name("alerts", "topic"), "topic": "alerts"}],
        },
    }
