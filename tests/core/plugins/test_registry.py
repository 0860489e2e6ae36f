from __future__ import annotations

from pathlib import Path

import pytest

from faas.core.config import load_project
from faas.core.errors import CapabilityError, PluginError, ProviderUnavailableError
from faas.core.plugins import Capability, Provider, ProviderRegistry, get_plugin_manager, get_registry, hookimpl
from faas.core.workflow import deploy
from tests.core.plugins.conftest import PluginInstaller, listed, run_faas
from tests.hidden_sdks import hide_sdks_here


class OnlyAName(Provider):
    name = "bare"


class NeedsMissingSdk(Provider):
    name = "future-cloud"
    requires = ("no_such_sdk_module_for_faas_tests",)
    extra = "future"


class InProcessPlugin:
    @hookimpl
    def faas_providers(self) -> list[type[Provider]]:
        return [OnlyAName, NeedsMissingSdk]


def registry_with(*plugins: object, package: str = "tests") -> ProviderRegistry:
    manager = get_plugin_manager(load_entry_points=False)
    for plugin in plugins:
        manager.register_from(plugin, package)
    return get_registry(manager)


def test_builtin_providers_register_through_the_entry_point_group() -> None:
    infos = {info.name: info for info in get_registry().infos()}
    assert {"aws", "gcp", "azure", "local"} <= set(infos)
    assert all(infos[name].package == "faasport" for name in ("aws", "gcp", "azure", "local"))
    assert infos["local"].available


def test_builtin_provider_without_its_extra_hints_the_faasport_extra() -> None:
    registry = registry_with(InProcessPlugin(), package="faasport")
    info = registry.info("future-cloud")
    assert not info.available
    assert info.missing == ("no_such_sdk_module_for_faas_tests",)
    assert info.install_hint == "pip install 'faasport[future]'"
    with pytest.raises(
        ProviderUnavailableError, match=r"provider 'future-cloud' needs .*pip install 'faasport\[future\]'"
    ):
        registry.get("future-cloud")


def test_third_party_provider_without_its_sdk_hints_the_missing_module() -> None:
    info = registry_with(InProcessPlugin(), package="faas-future").info("future-cloud")
    assert info.install_hint == "pip install no_such_sdk_module_for_faas_tests"


def test_gcp_without_its_sdk_hints_the_gcp_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    assert get_registry().info("gcp").available, "the dev environment has the gcp extra"
    hide_sdks_here(monkeypatch)
    info = get_registry().info("gcp")
    assert not info.available
    assert info.install_hint == "pip install 'faasport[gcp]'"


def test_unknown_provider_lists_the_installed_ones() -> None:
    with pytest.raises(ProviderUnavailableError, match=r"unknown provider 'nope' \(installed: bare, future-cloud\)"):
        registry_with(InProcessPlugin()).get("nope")


def test_provider_that_only_sets_a_name_loads_lists_and_refuses_operations(tmp_path: Path) -> None:
    registry = registry_with(InProcessPlugin())
    assert registry.get("bare") is OnlyAName
    (tmp_path / "faas.toml").write_text('name = "demo-app"\n[app]\nentry = "app:app"\n')
    provider = OnlyAName(load_project(tmp_path / "faas.toml"))
    for operation, feature in (
        (provider.status, "status"),
        (provider.logs, "logs"),
        (provider.rollback, "rollback"),
        (lambda: provider.invoke({}), "invoke"),
        (lambda: provider.manage(["migrate"]), "manage"),
        (provider.certify, "custom domain"),
        (provider.package_target, "package"),
    ):
        with pytest.raises(CapabilityError) as caught:
            operation()
        assert str(caught.value) == f"provider 'bare' does not support {feature}"


def test_config_feature_outside_the_capabilities_fails_before_any_provider_call(tmp_path: Path) -> None:
    calls: list[str] = []

    class HttpOnly(Provider):
        name = "http-only"
        capabilities = frozenset({Capability.PACKAGE, Capability.DEPLOY, Capability.HTTP})

        def package_target(self):  # type: ignore[no-untyped-def]
            calls.append("package_target")
            raise AssertionError("must not be reached")

    (tmp_path / "faas.toml").write_text(
        'name = "demo-app"\n[app]\nentry = "app:app"\n'
        '[[functions]]\nname = "tick"\nentry = "t:tick"\ntriggers = [{ queue = "jobs" }]\n'
    )
    with pytest.raises(
        CapabilityError,
        match=r"provider 'http-only' does not support queue trigger: the configuration of 'demo-app' uses it",
    ):
        deploy(HttpOnly(load_project(tmp_path / "faas.toml")))
    assert calls == []


def test_two_providers_with_one_name_is_an_error_naming_both() -> None:
    class AnotherBare(Provider):
        name = "bare"

    class Clash:
        @hookimpl
        def faas_providers(self) -> list[type[Provider]]:
            return [AnotherBare]

    with pytest.raises(
        PluginError, match=r"two providers are named 'bare': .*OnlyAName from package .* and .*AnotherBare from package"
    ):
        registry_with(InProcessPlugin(), Clash())


def test_hook_returning_something_else_is_a_plugin_error() -> None:
    class Wrong:
        @hookimpl
        def faas_providers(self) -> list[object]:
            return ["aws"]

    with pytest.raises(PluginError, match="not a Provider subclass"):
        registry_with(Wrong())


@pytest.mark.slow
def test_third_party_plugin_installed_with_pip_shows_in_faas_plugins(install_plugin: PluginInstaller) -> None:
    site = install_plugin("faas-acme", "acme")
    providers = listed(run_faas("plugins", "--json", path=site))
    assert providers["acme"]["package"] == "faas-acme"
    assert providers["acme"]["version"] == "1.2.3"
    assert providers["acme"]["capabilities"] == ["package"]
    assert providers["acme"]["available"] is True
    assert providers["aws"]["package"] == "faasport"


@pytest.mark.slow
def test_disable_plugins_skips_third_party_entry_points_only(install_plugin: PluginInstaller) -> None:
    site = install_plugin("faas-acme", "acme")
    providers = listed(run_faas("plugins", "--json", path=site, env={"FAAS_DISABLE_PLUGINS": "1"}))
    assert "acme" not in providers
    assert {"aws", "gcp", "azure", "local"} <= set(providers)


@pytest.mark.slow
def test_third_party_provider_clashing_with_a_builtin_names_both_packages(install_plugin: PluginInstaller) -> None:
    site = install_plugin("faas-impostor", "aws")
    result = run_faas("plugins", path=site)
    assert result.returncode == 3
    assert "two providers are named 'aws'" in result.stderr
    assert "from package faasport" in result.stderr
    assert "from package faas-impostor" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_a_broken_third_party_plugin_is_skipped_with_a_warning_and_listed_as_broken(
    install_plugin: PluginInstaller, tmp_path: Path
) -> None:
    site = install_plugin("faas-broken", "broken", body="import no_such_module_anywhere")
    providers = listed(run_faas("plugins", "--json", path=site))
    assert providers["broken"]["broken"] == (
        "import failed: ModuleNotFoundError: No module named 'no_such_module_anywhere'"
    )
    assert providers["broken"]["package"] == "faas-broken" and providers["broken"]["available"] is False
    assert {"aws", "gcp", "azure", "local"} <= set(providers)
    table = run_faas("plugins", path=site, env={"COLUMNS": "250"})
    assert table.returncode == 0 and "broken: import failed" in table.stdout
    # Every other command still works, with one warning line naming the package.
    schema = run_faas("schema", path=site)
    assert schema.returncode == 0
    assert schema.stderr.startswith("warning: plugin 'broken' from package faas-broken is broken and was skipped")
    assert len(schema.stderr.splitlines()) == 1 and "Traceback" not in schema.stderr
    (tmp_path / "faas.toml").write_text('name = "demo-app"\n[app]\nentry = "app:app"\n')
    asked = run_faas("plan", "--provider", "broken", path=site, cwd=tmp_path)
    assert asked.returncode == 3
    assert "error: provider 'broken' is unavailable: plugin 'broken' from package faas-broken is broken" in asked.stderr


@pytest.mark.slow
def test_a_plugin_whose_hook_raises_is_skipped_too(install_plugin: PluginInstaller) -> None:
    site = install_plugin("faas-raises", "raises")
    plugin = next(site.glob("faas_raises/plugin.py"))
    plugin.write_text(plugin.read_text().replace("return [ThirdParty]", "raise RuntimeError('no licence key')"))
    providers = listed(run_faas("plugins", "--json", path=site))
    assert providers["raises"]["broken"] == "faas_providers() raised RuntimeError: no licence key"
    assert "local" in providers
