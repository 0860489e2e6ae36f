"""Memory and timeout limits: the model is wide, each provider refuses its platform's out-of-range values."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from faas.core.config import Project, load_project
from faas.core.errors import CapabilityError, ConfigError
from faas.core.plugins import Provider, get_registry


def project_with(tmp_path: Path, body: str, options: str = "") -> Project:
    (tmp_path / "faas.toml").write_text(f'name = "sizes"\n{body}\n{options}')
    return load_project(tmp_path / "faas.toml", "dev")


def provider(name: str, project: Project) -> Provider:
    # check_config makes no cloud call: the class is used even where its SDK is not installed.
    return get_registry().info(name).provider(project)


APP = '[app]\nentry = "app:application"\nmemory = {memory}\ntimeout = {timeout}\n'
FUNCTION = '[[functions]]\nname = "job"\nentry = "tasks:job"\nmemory = {memory}\ntimeout = {timeout}\n'


@pytest.mark.parametrize(
    ("name", "body", "options", "key", "message"),
    [
        ("aws", APP.format(memory=512, timeout=901), "", "app.timeout", "901 s is longer than AWS Lambda's 900 s"),
        ("aws", APP.format(memory=10241, timeout=30), "", "app.memory", "outside AWS Lambda's 128-10240 MB"),
        ("aws", FUNCTION.format(memory=64, timeout=30), "", "functions[0].memory", "AWS Lambda's 128-10240 MB"),
        ("gcp", APP.format(memory=512, timeout=3601), "", "app.timeout", "Cloud Functions (HTTP)'s 3600 s"),
        (
            "gcp",
            FUNCTION.format(memory=512, timeout=541),
            "",
            "functions[0].timeout",
            "Cloud Functions (event-driven)'s 540 s",
        ),
        (
            "azure",
            APP.format(memory=1024, timeout=30),
            "",
            "app.memory",
            "1024 MB is not one of Azure Functions Flex Consumption's memory sizes: 512, 2048, 4096 MB",
        ),
        (
            "azure",
            APP.format(memory=2048, timeout=231),
            "",
            "app.timeout",
            "231 s is longer than Azure Functions Flex Consumption's 230 s",
        ),
    ],
)
def test_each_provider_names_its_platforms_limit(tmp_path, name, body, options, key, message):
    with pytest.raises(ConfigError, match=re.escape(message)) as caught:
        provider(name, project_with(tmp_path, body, options)).check_limits()
    assert caught.value.key == key


def test_the_limits_are_checked_with_the_config_before_any_cloud_call(tmp_path):
    with pytest.raises(ConfigError, match="AWS Lambda's 900 s"):
        provider("aws", project_with(tmp_path, APP.format(memory=512, timeout=1800))).check_config()


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("gcp", APP.format(memory=16384, timeout=3600)),  # over Lambda's limits, fine on Cloud Functions
        ("gcp", FUNCTION.format(memory=512, timeout=540)),
        ("azure", FUNCTION.format(memory=4096, timeout=3600)),  # Flex has no run limit for events
        ("aws", APP.format(memory=10240, timeout=900)),
    ],
)
def test_values_within_the_platforms_limits_pass(tmp_path, name, body):
    provider(name, project_with(tmp_path, body)).check_limits()


def test_aws_refuses_a_topic_trigger_before_any_cloud_call(tmp_path):
    project = project_with(
        tmp_path, '[[functions]]\nname = "pager"\nentry = "tasks:page"\ntriggers = [{ topic = "alerts" }]'
    )
    with pytest.raises(CapabilityError, match="provider 'aws' does not support topic trigger: the configuration of"):
        provider("aws", project).check_config()
