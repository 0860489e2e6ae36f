"""Finding plugins and building the provider registry.

`get_plugin_manager()` constructs a fresh pluggy manager (no module global, so each test gets its
own). `ProviderRegistry` is lazy about SDKs: a provider whose extra is missing still lists, as
unavailable, with the command that installs it.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points

import pluggy

from faas.core.errors import PluginError, ProviderUnavailableError
from faas.core.plugins import spec
from faas.core.plugins.provider import Provider

DISTRIBUTION = "faasport"
DISABLE_ENV = "FAAS_DISABLE_PLUGINS"
IN_PROCESS = "(registered in process)"


@dataclass(frozen=True)
class ProviderInfo:
    """One registered provider, as `faas plugins` lists it."""

    name: str
    provider: type[Provider]
    package: str
    version: str
    missing: tuple[str, ...]

    @property
    def available(self) -> bool:
        return not self.missing

    @property
    def install_hint(self) -> str:
        if self.provider.install_hint:
            return self.provider.install_hint
        if self.provider.extra and self.package == DISTRIBUTION:
            return f"pip install '{DISTRIBUTION}[{self.provider.extra}]'"
        return f"pip install {' '.join(self.missing)}"


def external_plugins_disabled() -> bool:
    return os.environ.get(DISABLE_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


class FaasPluginManager(pluggy.PluginManager):
    """A pluggy manager that remembers which package (and version) registered each plugin."""

    def __init__(self) -> None:
        super().__init__(spec.PROJECT_NAME)
        self.add_hookspecs(spec)
        self.origins: dict[str, tuple[str, str]] = {}

    def register_from(
        self, plugin: object, package: str = IN_PROCESS, version: str = "", name: str | None = None
    ) -> None:
        """Register `plugin` and record the package it came from (in-process plugins: tests, embedding)."""
        plugin_name = self.register(plugin, name=name)
        if plugin_name is not None:
            self.origins[plugin_name] = (package, version)


def get_plugin_manager(*, load_entry_points: bool = True) -> FaasPluginManager:
    """A new plugin manager with the hook specs and the `faas` entry points loaded.

    With FAAS_DISABLE_PLUGINS=1 only faas's own built-in providers load.
    """
    manager = FaasPluginManager()
    if load_entry_points:
        only_builtin = external_plugins_disabled()
        for entry_point in entry_points(group=spec.PROJECT_NAME):
            package = entry_point.dist.name if entry_point.dist else IN_PROCESS
            if only_builtin and package != DISTRIBUTION:
                continue
            _register_entry_point(manager, entry_point, package)
    return manager


def _register_entry_point(manager: FaasPluginManager, entry_point: EntryPoint, package: str) -> None:
    try:
        plugin = entry_point.load()
    except Exception as error:
        raise PluginError(
            f"plugin '{entry_point.name}' from package {package} failed to import: {error} "
            f"(set {DISABLE_ENV}=1 to run without third-party plugins)"
        ) from error
    if manager.is_registered(plugin):
        return
    version = entry_point.dist.version if entry_point.dist else ""
    manager.register_from(plugin, package, version, name=f"{package}:{entry_point.name}")


class ProviderRegistry:
    """The providers every registered plugin returned, by name."""

    def __init__(self, manager: FaasPluginManager) -> None:
        self._providers: dict[str, ProviderInfo] = {}
        for impl in manager.hook.faas_providers.get_hookimpls():
            package, version = manager.origins.get(impl.plugin_name, (IN_PROCESS, ""))
            provided: list[type[Provider]] = impl.function()  # type: ignore[assignment]  # pluggy types hooks as object
            for provider in provided:
                self._add(provider, package, version)

    def _add(self, provider: type[Provider], package: str, version: str) -> None:
        if not (isinstance(provider, type) and issubclass(provider, Provider)):
            raise PluginError(f"package {package} returned {provider!r} from faas_providers, not a Provider subclass")
        name = getattr(provider, "name", None)
        if not isinstance(name, str) or not name:
            raise PluginError(f"provider class {provider.__qualname__} from package {package} sets no name")
        if name in self._providers:
            other = self._providers[name]
            raise PluginError(
                f"two providers are named '{name}': {other.provider.__module__}.{other.provider.__qualname__} "
                f"from package {other.package} and {provider.__module__}.{provider.__qualname__} from package {package}"
            )
        missing = tuple(module for module in provider.requires if not _importable(module))
        self._providers[name] = ProviderInfo(name, provider, package, version, missing)

    def infos(self) -> list[ProviderInfo]:
        return sorted(self._providers.values(), key=lambda info: info.name)

    def names(self) -> list[str]:
        return sorted(self._providers)

    def info(self, name: str) -> ProviderInfo:
        if name not in self._providers:
            known = ", ".join(self.names()) or "none"
            raise ProviderUnavailableError(f"unknown provider '{name}' (installed: {known})")
        return self._providers[name]

    def get(self, name: str) -> type[Provider]:
        """The provider class, or one clear error: unknown name, or its extra not installed."""
        info = self.info(name)
        if not info.available:
            raise ProviderUnavailableError(
                f"provider '{name}' needs {', '.join(info.missing)}, which is not installed: {info.install_hint}"
            )
        return info.provider


def get_registry(manager: FaasPluginManager | None = None) -> ProviderRegistry:
    """The provider registry of `manager` (default: a fresh manager with the entry points loaded)."""
    return ProviderRegistry(manager if manager is not None else get_plugin_manager())


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False
