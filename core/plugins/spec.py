"""Hook specifications: the whole plugin API surface. Every hook name starts with `faas_`.

Plugins are found through the `faas` entry-point group. The built-in providers (local, aws, gcp,
azure) are registered through it exactly like third-party ones. Behaviour lives on the `Provider`
base class; hooks only register things.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from faas.core.plugins.provider import Provider

PROJECT_NAME = "faas"
hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def faas_providers() -> list[type[Provider]]:  # type: ignore[empty-body]
    """Return the `Provider` subclasses this plugin adds.

    Called once when faas builds its provider registry (each CLI command, each
    `get_registry()` call). Return classes, not instances: faas instantiates one per project and
    stage. The module defining this hook must import without the provider's cloud SDK, so that
    `faas plugins` can list the provider as unavailable with its install hint.

    Example::

        from faas import Provider, hookimpl

        class Acme(Provider):
            name = "acme"

        @hookimpl
        def faas_providers():
            return [Acme]
    """
