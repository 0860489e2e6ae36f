"""Finding plugins and building the provider registry.

`get_plugin_manager()` constructs a fresh pluggy manager (no module global, so each test gets its
own). `ProviderRegistry` is lazy about SDKs: a provider whose extra is missing still lists, as
unavailable, with the command that installs it. A plugin that fails to import (or whose hook
raises) is skipped and kept in `broken`, so one bad third-party package never stops the commands
that do not need it; `faas plugins` lists it with its error.
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
from faas.core.plugins.provider import Capability, Provider

DISTRIBUTION = "faasport"
WITHOUT_SDK = frozenset({Capability.PACKAGE})
"""What a provider does without its SDK: packaging is local by contract and makes no cloud call."""
DISABLE_ENV = "FAAS_DISABLE_PLUGINS"
IN_PROCESS = "(registered in process)"


@dataclass(frozen=True)
class BrokenPlugin:
    """A plugin that was skipped because importing it (or calling its hook) failed."""

    name: str
    package: str
    version: str
    error: str

    @property
    def warning(self) -> str:
        return (
            f"plugin '{self.name}' from package {self.package} is broken and was skipped ({self.error}); "
            f"`faas plugins` lists it, {DISABLE_ENV}=1 skips every third-party plugin"
        )


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
        self.broken: list[BrokenPlugin] = []

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
    version = entry_point.dist.version if entry_point.dist else ""
    try:
        plugin = entry_point.load()
    except Exception as error:  # any exception: a plugin's import may fail in any way
        reason = f"import failed: {type(error).__name__}: {error}"
        manager.broken.append(BrokenPlugin(entry_point.name, package, version, reason))
        return
    if manager.is_registered(plugin):
        return
    manager.register_from(plugin, package, version, name=f"{package}:{entry_point.name}")


class ProviderRegistry:
    """The providers every registered plugin returned, by name."""

    def __init__(self, manager: FaasPluginManager) -> None:
        self._providers: dict[str, ProviderInfo] = {}
        self.broken: list[BrokenPlugin] = list(manager.broken)
        for impl in manager.hook.faas_providers.get_hookimpls():
            package, version = manager.origins.get(impl.plugin_name, (IN_PROCESS, ""))
            try:
                provided: list[type[Provider]] = impl.function()  # type: ignore[assignment]  # pluggy types hooks as object
            except Exception as error:  # a plugin's hook may fail in any way; the others still work
                name = impl.plugin_name.split(":", 1)[-1]
                reason = f"faas_providers() raised {type(error).__name__}: {error}"
                self.broken.append(BrokenPlugin(name, package, version, reason))
                continue
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
            for broken in self.broken:
                if broken.name == name:
                    raise ProviderUnavailableError(
                        f"provider '{name}' is unavailable: plugin '{broken.name}' from package {broken.package} "
                        f"is broken ({broken.error})"
                    )
            known = ", ".join(self.names()) or "none"
            raise ProviderUnavailableError(f"unknown provider '{name}' (installed: {known})")
        return self._providers[name]

    def get(self, name: str, *, capability: Capability | None = None) -> type[Provider]:
        """The provider class, or one clear error: unknown name, or its extra not installed.

        For a `capability` that needs no SDK (packaging) the class is returned even without it.
        """
        info = self.info(name)
        if not info.available and capability not in WITHOUT_SDK:
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
