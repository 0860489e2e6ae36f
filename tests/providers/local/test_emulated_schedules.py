"""A weekday cron schedule through the real artifact on each emulated cloud (docs/runtime-contract.md).

`faas deploy --provider local --emulate azure` runs the Azure artifact in the local Functions host:
the timer must be registered with the NCRONTAB packaging wrote (`0 15 10 * * 1-5`), read here from
the very `azure.functions` objects the host loaded, and firing it through the local scheduler's
trigger path must reach the user function. Before the translators, any `cron(...)` trigger made
the Azure function app fail at import, so the deploy itself failed.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from faas.core import workflow
from faas.core.config import load_project
from faas.providers.local.provider import LocalProvider

from .conftest import functions_project, stop_all

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[3]

TASKS = """
import json, os, sys, time


def tick(event, context):
    seen = {"event": event}
    host = getattr(sys.modules.get("__main__"), "Host", None)
    if host is not None:  # Azure: the bindings the local Functions host indexed from function_app.app
        seen["timers"] = {
            name: trigger["schedule"] for name, (trigger, _) in host.others.items() if trigger["type"] == "timerTrigger"
        }
    path = os.path.join(os.environ["PROBE_DIR"], "tick-%d.json" % time.time_ns())
    with open(path + ".tmp", "w") as handle:
        json.dump(seen, handle, default=str)
    os.rename(path + ".tmp", path)
    return {"ticked": True}
"""


def run_faas(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "faas.core.cli", *args], cwd=cwd, capture_output=True, text=True, timeout=600
    )


def seen_ticks(folder: Path, timeout: float = 60) -> list[dict[str, object]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = sorted(folder.glob("tick-*.json"))
        if found:
            return [json.loads(path.read_text()) for path in found]
        time.sleep(0.1)
    pytest.fail("the schedule never reached the function")


@pytest.fixture
def weekday_project(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    root, seen = functions_project(
        tmp_path,
        TASKS,
        lambda seen: (
            'name = "clock"\nprovider = "local"\n'
            '[[functions]]\nname = "tick"\nentry = "tasks:tick"\n'
            'triggers = [{ schedule = "cron(15 10 * * MON-FRI)" }]\n'
            f'environment = {{ PROBE_DIR = "{seen}" }}\n'
        ),
    )
    try:
        yield root, seen
    finally:
        stop_all(tmp_path)


def test_azure_emulation_registers_the_weekday_timer_as_ncrontab_and_fires_it(weekday_project):
    root, seen = weekday_project
    deployed = run_faas("deploy", "--provider", "local", "--emulate", "azure", cwd=root)
    assert deployed.returncode == 0, deployed.stderr
    provider = workflow.open_provider(load_project(root / "faas.toml"), "local")
    assert isinstance(provider, LocalProvider)
    assert provider.deployed_platform == "azure"
    [outcome] = provider.fire_schedules("tick")
    assert outcome["kind"] == "ok", outcome
    [tick] = seen_ticks(seen)
    assert tick["timers"] == {"faas_tick_schedule_0": "0 15 10 * * 1-5"}
    assert tick["event"] == {"type": "schedule", "past_due": False}


def test_package_refuses_a_rate_the_azure_timer_cannot_keep(weekday_project):
    root, _ = weekday_project
    config = root / "faas.toml"
    config.write_text(config.read_text().replace("cron(15 10 * * MON-FRI)", "rate(7 minutes)"))
    result = run_faas("package", "--provider", "local", "-O", "emulate=azure", cwd=root)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1, result.stderr  # one line, before any dependency work
    error = result.stderr.strip()
    assert error.startswith("error: ")
    assert "functions[0].triggers[0].schedule: schedule rate(7 minutes) has no exact Azure NCRONTAB form" in error
    assert not list(root.glob(".faas/build/**/*.zip"))
