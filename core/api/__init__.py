"""faas: deploy one Python app to AWS Lambda, Google Cloud Functions or Azure Functions.

This root package is the public plugin API: a provider plugin needs nothing but these names. They
load lazily, so that the runtime adapter (`faas.adapters`), which shares this package inside the
function, never pays for pydantic or pluggy on a cold start.
"""

from __future__ import annotations

# Not `from typing import TYPE_CHECKING`: importing typing costs the adapter ~3 ms per cold start.
TYPE_CHECKING = False

__version__ = "0.1.0"

_EXPORTS = {
    "Provider": "faas.core.plugins.provider",
    "ProviderOptions": "faas.core.plugins.provider",
    "Capability": "faas.core.plugins.provider",
    "hookimpl": "faas.core.plugins.spec",
    "hookspec": "faas.core.plugins.spec",
    "FaasError": "faas.core.errors",
}

__all__ = [
    "Capability",
    "FaasError",
    "Provider",
    "ProviderOptions",
    "__version__",
    "hookimpl",
    "hookspec",
]

if TYPE_CHECKING:
    from typing import Any

    from faas.core.errors import FaasError
    from faas.core.plugins.provider import Capability, Provider, ProviderOptions
    from faas.core.plugins.spec import hookimpl, hookspec


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        import importlib

        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'faas' has no attribute {name!r}")
