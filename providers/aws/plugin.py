"""Registers the AWS provider through the `faas` entry point, like any third-party plugin."""

from __future__ import annotations

from faas import Provider, hookimpl
from faas.providers.aws.provider import AwsProvider


@hookimpl
def faas_providers() -> list[type[Provider]]:
    return [AwsProvider]
