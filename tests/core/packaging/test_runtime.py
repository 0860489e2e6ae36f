"""faas_runtime.json carries each target's own schedule syntax and trigger names; packaging refuses the rest."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from faas.core import workflow
from faas.core.config import Project, load_project
from faas.core.errors import ConfigError
from faas.core.packaging.runtime import runtime_settings
from faas.core.plugins import Provider, get_registry

TASKS = "def tick(event, context):\n    return {'ticked': True}\n"


def write_project(root: Path, triggers: str, provider: str = "aws") -> Project:
    root.mkdir(parents=True, exist_ok=True)
    (root / "tasks.py").write_text(TASKS)
    (root / "requirements.txt").write_text("")
    (root / "faas.toml").write_text(
        f'name = "clock"\nprovider = "{provider}"\n'
        f'[[functions]]\nname = "tick"\nentry = "tasks:tick"\ntriggers = [{triggers}]\n'
    )
    return load_project(root / "faas.toml", "dev")


def provider_for(project: Project, name: str) -> Provider:
    # Packaging needs no cloud SDK: the class is taken even where its extra is not installed.
    return get_registry().info(name).provider(project)


def triggers_for(project: Project, provider: str) -> list[dict[str, object]]:
    target = provider_for(project, provider).package_target()
    settings = runtime_settings(project, target, None)
    triggers: list[dict[str, object]] = settings["functions"]["tick"]["triggers"]
    return triggers


WEEKDAYS = '{ schedule = "cron(15 10 * * MON-FRI)" }, { queue = "jobs" }, { schedule = "rate(1 hour)" }'


@pytest.mark.parametrize(
    ("provider", "first", "second"),
    [
        (
            "aws",
            {"name": "clock-dev-tick-0", "platform_expression": "cron(15 10 ? * MON-FRI *)"},
            {"name": "clock-dev-tick-1", "platform_expression": "rate(1 hour)"},
        ),
        (
            "gcp",
            {"name": "clock-dev_tick_0", "platform_expression": "15 10 * * 1-5", "time_zone": "Etc/UTC"},
            {"name": "clock-dev_tick_1", "platform_expression": "0 * * * *", "time_zone": "Etc/UTC"},
        ),
        (
            "azure",
            {"name": "faas_tick_schedule_0", "platform_expression": "0 15 10 * * 1-5"},
            {"name": "faas_tick_schedule_1", "platform_expression": "0 0 * * * *"},
        ),
    ],
)
def test_each_target_gets_its_own_expression_and_trigger_names(
    tmp_path: Path, provider: str, first: dict[str, str], second: dict[str, str]
) -> None:
    schedule, queue, hourly = triggers_for(write_project(tmp_path, WEEKDAYS, provider), provider)
    # The canonical form stays for faas's own tools (the local scheduler); the adapter uses the native one.
    assert schedule == {"type": "schedule", "expression": "cron(15 10 * * MON-FRI)", **first}
    assert hourly == {"type": "schedule", "expression": "rate(1 hour)", **second}
    assert queue["type"] == "queue" and queue["queue"] == "jobs" and isinstance(queue["name"], str)


def test_aws_trigger_names_are_the_rule_names_the_provider_creates(tmp_path: Path) -> None:
    from faas.providers.aws.naming import Names

    project = write_project(tmp_path, WEEKDAYS)
    schedule = triggers_for(project, "aws")[0]
    assert schedule["name"] == Names.of(project).rule("tick", 0)


def test_topic_triggers_reach_the_manifest(tmp_path: Path) -> None:
    (topic,) = triggers_for(write_project(tmp_path, '{ topic = "alerts" }'), "gcp")
    assert topic == {"type": "topic", "name": "tick-topic-0", "topic": "alerts"}


@pytest.mark.parametrize(
    ("provider", "schedule", "message"),
    [
        ("azure", "rate(7 minutes)", r"rate\(7 minutes\) has no exact Azure NCRONTAB form"),
        ("gcp", "rate(7 days)", r"rate\(7 days\) has no exact Google Cloud Scheduler form"),
        ("azure", "cron(0 0 1 * MON)", "NCRONTAB fires only on days matching both"),
        ("aws", "cron(0 0 1 * MON)", "EventBridge form: it cannot restrict both"),
    ],
)
def test_package_refuses_a_schedule_the_target_cannot_express(
    tmp_path: Path, provider: str, schedule: str, message: str
) -> None:
    project = write_project(tmp_path / "p", f'{{ schedule = "{schedule}" }}', provider)
    provider_object = provider_for(project, provider)
    with pytest.raises(ConfigError, match=message) as caught:
        workflow.package(provider_object, tmp_path / "out")
    assert caught.value.key == "functions[0].triggers[0].schedule"
    assert caught.value.exit_code == 2
    assert not list(tmp_path.glob("out/*.zip")), "no broken artifact is left behind"


def test_a_packaged_azure_artifact_holds_the_ncrontab(tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", '{ schedule = "cron(0 3 * * *)" }', "azure")
    artifact = workflow.package(provider_for(project, "azure"), tmp_path / "out")
    with zipfile.ZipFile(artifact.path) as archive:
        runtime = json.loads(archive.read("faas_runtime.json"))
    assert runtime["functions"]["tick"]["triggers"][0]["platform_expression"] == "0 0 3 * * *"
    assert artifact.manifest["target"]["schedules"] == "Azure NCRONTAB"
