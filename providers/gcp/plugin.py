"""Registers the GCP provider through the `faas` entry point, like any third-party plugin."""

from __future__ import annotations

from faas import Provider, hookimpl
from faas.providers.gcp.provider import GcpProvider


@hookimpl
def faas_providers() -> list[type[Provider]]:
    return [GcpProvider]
