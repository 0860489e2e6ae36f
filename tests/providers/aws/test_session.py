"""The region, found as the AWS CLI v2 and the SDKs document it, against the real moto server."""

from __future__ import annotations

from pathlib import Path

import pytest

from faas.core.errors import DeployError
from faas.providers.aws.session import AwsSession

from .conftest import REGION


@pytest.fixture
def no_region(aws_env: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """The moto server's credentials, but no region anywhere (no env var, an empty AWS config file)."""
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    config = tmp_path / "aws-config"
    config.write_text("")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    return monkeypatch


def test_aws_region_alone_is_honoured(no_region: pytest.MonkeyPatch) -> None:
    no_region.setenv("AWS_REGION", REGION)
    session = AwsSession(None, None)
    assert session.region == REGION
    assert session.account  # a real STS call through the moto server
    lambda_client = session.client("lambda")
    assert lambda_client.meta.region_name == REGION
    # A real call in that region (the shared moto server may hold other tests' functions).
    assert isinstance(lambda_client.list_functions()["Functions"], list)


def test_aws_default_region_alone_is_honoured(no_region: pytest.MonkeyPatch) -> None:
    no_region.setenv("AWS_DEFAULT_REGION", REGION)
    assert AwsSession(None, None).region == REGION


def test_aws_region_wins_over_aws_default_region_and_the_profile(no_region: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "profiles"
    config.write_text("[profile work]\nregion = ap-south-1\n[default]\nregion = ap-south-1\n")
    no_region.setenv("AWS_CONFIG_FILE", str(config))
    no_region.setenv("AWS_DEFAULT_REGION", "us-east-2")
    no_region.setenv("AWS_REGION", REGION)
    assert AwsSession(None, "work").region == REGION
    assert AwsSession(None, None).region == REGION
    no_region.delenv("AWS_REGION")
    assert AwsSession(None, "work").region == "us-east-2"
    no_region.delenv("AWS_DEFAULT_REGION")
    assert AwsSession(None, "work").region == "ap-south-1"


def test_the_region_option_wins_over_the_environment(no_region: pytest.MonkeyPatch) -> None:
    no_region.setenv("AWS_REGION", "us-east-2")
    no_region.setenv("AWS_DEFAULT_REGION", "us-east-2")
    session = AwsSession(REGION, None)
    assert session.region == REGION
    assert session.client("sts").meta.region_name == REGION


def test_an_empty_aws_region_counts_as_unset(no_region: pytest.MonkeyPatch) -> None:
    no_region.setenv("AWS_REGION", "")
    with pytest.raises(DeployError, match=r"no region: set region in \[providers.aws\], AWS_REGION"):
        AwsSession(None, None)
