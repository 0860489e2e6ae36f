"""The provider plugin system (pluggy): hook specs, the `Provider` base class, the registry."""

from __future__ import annotations

from faas.core.plugins.manager import (
    FaasPluginManager,
    ProviderInfo,
    ProviderRegistry,
    get_plugin_manager,
    get_registry,
)
from faas.core.plugins.provider import Capability, Provider, ProviderOptions, required_capabilities
from faas.core.plugins.spec import hookimpl, hookspec

__all__ = [
    "Capability",
    "FaasPluginManager",
    "Provider",
    "ProviderInfo",
    "ProviderOptions",
    "ProviderRegistry",
    "get_plugin_manager",
    "get_registry",
    "hookimpl",
    "hookspec",
    "required_capabilities",
]
