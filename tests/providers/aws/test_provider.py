"""The provider's static side: package target, options, schedule translation, availability without boto3."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from faas.core.config import load_project
from faas.core.errors import ConfigError, DeployError
from faas.core.model.schedule import parse_schedule
from faas.providers.aws.naming import Names
from faas.providers.aws.provider import AwsProvider
from faas.providers.aws.schedules import aws_expression


def _project(tmp_path: Path, extra: str = "", python: str = "3.12") -> AwsProvider:
    (tmp_path / "faas.toml").write_text(
        f'name = "pups"\npython = "{python}"\n[app]\nentry = "app:application"\n' + extra
    )
    return AwsProvider(load_project(tmp_path / "faas.toml", "dev"))


def test_package_target_for_arm64_on_amazon_linux_2023(tmp_path: Path) -> None:
    target = _project(tmp_path, '[providers.aws]\narchitecture = "arm64"\n').package_target()
    assert (target.provider, target.python, target.architecture) == ("aws", "3.12", "arm64")
    assert target.entry_module == "faas_entry"
    assert 'handler = build("aws")' in target.entry_source
    assert target.platform_tags[0] == "manylinux_2_34_aarch64"
    assert all("aarch64" in tag for tag in target.platform_tags)
    assert target.runtime_provided == {"boto3", "botocore", "s3transfer", "jmespath"}
    assert target.limits.unzipped == 250 * 1024 * 1024
    assert target.limits.direct_upload == 50 * 1024 * 1024
    assert "250 MB" in target.limits.advice


def test_package_target_for_python_311_uses_amazon_linux_2_glibc(tmp_path: Path) -> None:
    target = _project(tmp_path, "[providers.aws]\nruntime_provided = []\n", python="3.11").package_target()
    assert target.platform_tags[0] == "manylinux_2_26_x86_64"
    assert "manylinux2014_x86_64" in target.platform_tags
    assert target.runtime_provided == frozenset()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ('front_door = "alb"', "providers.aws.front_door"),
        ('region = "moon-1"', "not an AWS region"),
        ("log_retention_days = 10", "not a CloudWatch retention"),
        ('tags = { "faas:stage" = "x" }', "reserved"),
        (
            '[[providers.aws.iam_statements]]\nactions = ["*"]\nresources = ["arn:aws:s3:::b"]',
            "grants every AWS action",
        ),
    ],
)
def test_invalid_options_are_config_errors(tmp_path: Path, options: str, message: str) -> None:
    table = "" if options.startswith("[[") else "[providers.aws]\n"
    with pytest.raises(ConfigError, match=message):
        _project(tmp_path, table + options + "\n")


@pytest.mark.parametrize(
    ("canonical", "aws"),
    [
        ("rate(1 hour)", "rate(1 hour)"),
        ("rate(1 hours)", "rate(1 hour)"),
        ("rate(5 minutes)", "rate(5 minutes)"),
        ("rate(2 day)", "rate(2 days)"),
        ("cron(0 3 * * *)", "cron(0 3 * * ? *)"),
        ("cron(30 4 * * 1-5)", "cron(30 4 ? * MON-FRI *)"),
        ("cron(0 12 1 * *)", "cron(0 12 1 * ? *)"),
        ("cron(15 10 ? * 2 *)", "cron(15 10 ? * MON *)"),  # AWS numbering pasted in: 2 = Monday
        ("cron(0 8 * JAN,JUL 0)", "cron(0 8 ? JAN,JUL SUN *)"),
        ("*/15 * * * *", "cron(*/15 * * * ? *)"),
    ],
)
def test_schedules_translate_to_eventbridge(canonical: str, aws: str) -> None:
    assert aws_expression(parse_schedule(canonical)) == aws


def test_cron_restricting_both_days_is_refused() -> None:
    with pytest.raises(DeployError, match="both day-of-month and day-of-week"):
        aws_expression(parse_schedule("cron(0 0 1 * MON)"))


def test_names_never_collide_across_stages() -> None:
    assert Names("a", "b-c").function("") != Names("a", "b").function("c")
    long = Names("p" * 40, "s" * 16)
    assert len(long.function("f" * 40)) <= 64 and len(long.role) <= 64
    assert len(long.bucket("artifacts", "123456789012", "eu-west-1")) <= 63
    assert long.function("f" * 40) != long.function("f" * 39 + "g")


def test_listed_without_boto3_with_its_install_hint() -> None:
    # boto3 is imported only by the modules that call AWS: the plugin loads without it.
    code = (
        "import sys; sys.modules['boto3'] = None; sys.modules['botocore'] = None\n"
        "from faas.providers.aws.plugin import faas_providers\n"
        "[provider] = faas_providers()\n"
        "print(provider.name, provider.requires, provider.extra)\n"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.split() == ["aws", "('boto3',)", "aws"]
