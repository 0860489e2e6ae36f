from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from faas.core.model import ProjectConfig, QueueTrigger, ScheduleTrigger, StorageTrigger


def project(**fields: Any) -> dict[str, Any]:
    return {"name": "bestpuppers", "app": {"entry": "bestpuppers.wsgi:application"}, **fields}


def test_minimal_project_gets_safe_defaults() -> None:
    config = ProjectConfig.model_validate(project())
    assert config.provider == "local"
    assert config.python == "3.12"
    assert config.app is not None
    assert (config.app.memory, config.app.timeout, config.app.interface) == (512, 30, "auto")
    assert config.package.bytecode is True


def test_triggers_are_one_key_tables_of_each_kind() -> None:
    config = ProjectConfig.model_validate(
        project(
            functions=[
                {
                    "name": "nightly-report",
                    "entry": "reports.tasks:nightly",
                    "triggers": [
                        {"schedule": "rate(4 hours)"},
                        {"storage": {"bucket": "uploads", "events": ["created"], "prefix": "img/"}},
                        {"queue": "thumbnails"},
                        {"queue": {"name": "big", "batch_size": 100}},
                    ],
                }
            ]
        )
    )
    schedule, storage, queue, big = config.functions[0].triggers
    assert isinstance(schedule, ScheduleTrigger)
    assert str(schedule.schedule) == "rate(4 hours)"
    assert isinstance(storage, StorageTrigger)
    assert storage.storage.prefix == "img/"
    assert isinstance(queue, QueueTrigger)
    assert (queue.queue.name, queue.queue.batch_size) == ("thumbnails", 10)
    assert isinstance(big, QueueTrigger)
    assert big.queue.batch_size == 100


def test_schedules_serialise_in_canonical_form() -> None:
    config = ProjectConfig.model_validate(
        project(functions=[{"name": "f", "entry": "m:f", "triggers": [{"schedule": "cron(0 18 ? * MON-FRI *)"}]}])
    )
    dumped = config.model_dump(mode="json")
    assert dumped["functions"][0]["triggers"][0] == {"schedule": "cron(0 18 * * MON-FRI)"}


@pytest.mark.parametrize(
    ("fields", "location", "message"),
    [
        ({"name": "Best Puppers"}, ("name",), "not a usable resource name"),
        ({"app": {"entry": "bestpuppers.wsgi"}}, ("app", "entry"), "module:attribute"),
        ({"app": {"entry": "a:b", "memroy": 1}}, ("app", "memroy"), "Extra inputs"),
        ({"app": {"entry": "a:b", "memory": 32}}, ("app", "memory"), "greater than or equal to 64"),
        ({"app": {"entry": "a:b", "timeout": 86401}}, ("app", "timeout"), "less than or equal to 86400"),
        ({"app": {"entry": "a:b", "interface": "cgi"}}, ("app", "interface"), "'wsgi', 'asgi' or 'auto'"),
        ({"app": {"entry": "a:b", "environment": {"1BAD": "x"}}}, ("app", "environment"), "not a valid environment"),
        ({"python": "3.9"}, ("python",), "3.10"),
        (
            {"functions": [{"name": "f", "entry": "m:f", "triggers": [{"bogus": 1}]}]},
            ("functions", 0, "triggers", 0),
            "exactly one",
        ),
        (
            {"functions": [{"name": "f", "entry": "m:f", "triggers": [{"schedule": "rate(1 hour)", "queue": "q"}]}]},
            ("functions", 0, "triggers", 0),
            "exactly one",
        ),
        (
            {
                "functions": [
                    {"name": "f", "entry": "m:f", "triggers": [{"storage": {"bucket": "b", "events": ["moved"]}}]}
                ]
            },
            ("functions", 0, "triggers", 0, "storage", "storage", "events", 0),
            "'created' or 'deleted'",
        ),
        ({"functions": [{"name": "f", "entry": "m:f"}, {"name": "f", "entry": "m:g"}]}, (), "unique; repeated: f"),
        ({"certificate": "managed"}, (), "domain is not"),
        ({"domain": "x.com", "base_path": "api/"}, ("base_path",), "must start with /"),
        ({"stages": {"Prod": {}}}, ("stages",), "not a stage name"),
        ({"unknown": 1}, ("unknown",), "Extra inputs"),
    ],
)
def test_invalid_configs_are_refused_with_their_location(
    fields: dict[str, Any], location: tuple[Any, ...], message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        ProjectConfig.model_validate(project(**fields))
    problems = caught.value.errors()
    assert any(problem["loc"] == location and message in problem["msg"] for problem in problems), problems


def test_validated_config_cannot_change_under_a_deploy() -> None:
    config = ProjectConfig.model_validate(project())
    with pytest.raises(ValidationError):
        config.name = "other"  # type: ignore[misc]


def test_the_model_takes_any_platforms_sizes_and_leaves_limits_to_the_providers() -> None:
    # 1 hour and 16 GB exist on Cloud Functions; Lambda's 900 s / 10240 MB are the AWS provider's check.
    config = ProjectConfig.model_validate(project(app={"entry": "a:b", "memory": 16384, "timeout": 3600}))
    assert config.app is not None
    assert (config.app.memory, config.app.timeout) == (16384, 3600)


def test_core_descriptions_use_no_one_clouds_identifiers() -> None:
    """The model is the user's documentation for every provider: an id's form (an ACM ARN, a Lambda
    alias) belongs on that provider's page, not in core's description of the key."""
    import json
    import re

    from faas.core.model.project import ProjectConfig

    text = json.dumps(ProjectConfig.model_json_schema())
    assert not re.findall(r"\b(ACM|ARN|arn:aws|alias)\b", text)
    certificate = ProjectConfig.model_fields["certificate"].description or ""
    assert "provider's own certificate store" in certificate and '"managed"' in certificate


@pytest.mark.parametrize("entry", ["flaskr:create_app()", "pkg.app:factories.make()"])
def test_an_app_factory_is_an_entry(entry: str) -> None:
    config = ProjectConfig.model_validate(project(app={"entry": entry}))
    assert config.app is not None and config.app.entry == entry


@pytest.mark.parametrize("entry", ["flaskr:create_app(1)", "flaskr:create_app(", "flaskr:create_app()()", "flaskr()"])
def test_a_factory_call_with_arguments_is_refused(entry: str) -> None:
    with pytest.raises(ValidationError, match=r"module:factory\(\) for an app factory called with no argument"):
        ProjectConfig.model_validate(project(app={"entry": entry}))
