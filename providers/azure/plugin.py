"""Registers the Azure provider through the `faas` entry point, like any third-party plugin."""

from __future__ import annotations

from faas import Provider, hookimpl
from faas.providers.azure.provider import AzureProvider


@hookimpl
def faas_providers() -> list[type[Provider]]:
    return [AzureProvider]
