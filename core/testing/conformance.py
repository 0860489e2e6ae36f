"""The provider conformance suite (fsspec `tests/abstract` style).

Every provider, built-in or third-party, subclasses `ProviderConformance` in its own tests and gets
the same behaviour checked: registration, options, capability refusal, deploy, idempotent re-deploy,
new versions, rollback, schedules, invoke, status and undeploy. Tests for a capability the provider
does not declare are skipped with that reason; everything it declares must pass.

    from faas.core.testing.conformance import ProviderConformance

    class TestAcmeConformance(ProviderConformance):
        provider_name = "acme"

        @pytest.fixture
        def cloud(self):          # start your platform's local stand-in
            with acme_emulator():
                yield
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from faas.core import workflow
from faas.core.config import Project, load_project
from faas.core.errors import CapabilityError, ConfigError
from faas.core.plugins import Capability, Provider, get_registry
from faas.core.results import DeployResult

ProjectFactory = Callable[..., Project]

_APP = """
def application(environ, start_response):
    body = b"hello from conformance v{version} at " + environ.get("PATH_INFO", "").encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
"""

_TASKS = """
def tick(event, context):
    return {{"ticked": True, "version": "{version}"}}
"""


class ProviderConformance:
    """Subclass and set `provider_name`; override the fixtures and hooks your platform needs."""

    provider_name: ClassVar[str]
    can_execute: ClassVar[bool] = True
    """False where the stand-in cannot run function code (moto): checks of served content are skipped."""

    # -- fixtures and hooks a provider's suite overrides -------------------------------------------

    @pytest.fixture
    def cloud(self) -> Iterator[None]:
        """Start the provider's local stand-in (an emulator server) and point its SDK at it."""
        yield

    @pytest.fixture
    def stage(self) -> str:
        return "conf"

    def options(self) -> dict[str, Any]:
        """`[providers.<name>]` options for the conformance project."""
        return {}

    def fetch(self, provider: Provider, result: DeployResult, path: str) -> tuple[int, bytes]:
        """GET `path` on the deployed app: (status, body). Used only where `can_execute`."""
        raise NotImplementedError(f"{type(self).__name__} must implement fetch() or set can_execute = False")

    def verify_deployed(self, provider: Provider, result: DeployResult) -> None:
        """Check the deployed resources with the platform's own API (optional)."""

    def owned_resources(self, provider: Provider) -> list[str]:
        """Every resource the project and stage still own, found the way a teammate would (tags, names)."""
        return [resource.name for resource in provider.status().resources]

    # -- helpers ------------------------------------------------------------------------------------

    @pytest.fixture
    def make_project(self, tmp_path: Path, cloud: None, stage: str) -> ProjectFactory:
        """Write the conformance project (a WSGI app, optionally a scheduled function) and load it."""

        def make(version: str = "1", schedule: str | None = None, functions: bool = True) -> Project:
            root = tmp_path / "project"
            root.mkdir(exist_ok=True)
            (root / "app.py").write_text(_APP.format(version=version))
            (root / "tasks.py").write_text(_TASKS.format(version=version))
            (root / "requirements.txt").write_text("")
            config = f'name = "conformance"\nprovider = "{self.provider_name}"\n'
            config += '[app]\nentry = "app:application"\ninterface = "wsgi"\n'
            if functions:
                triggers = f'[{{ schedule = "{schedule}" }}]' if schedule else "[]"
                config += f'[[functions]]\nname = "tick"\nentry = "tasks:tick"\ntriggers = {triggers}\n'
            options = self.options()
            if options:
                config += f"[providers.{self.provider_name}]\n"
                config += "".join(f"{key} = {_toml_value(value)}\n" for key, value in options.items())
            (root / "faas.toml").write_text(config)
            return load_project(root / "faas.toml", stage)

        return make

    def provider_for(self, project: Project) -> Provider:
        return workflow.open_provider(project, self.provider_name)

    def deploy(self, project: Project) -> tuple[Provider, DeployResult]:
        provider = self.provider_for(project)
        outcome = workflow.deploy(provider)
        assert outcome.result is not None
        return provider, outcome.result

    def require(self, capability: Capability) -> None:
        provider_class = get_registry().get(self.provider_name)
        if capability not in provider_class.capabilities:
            pytest.skip(f"provider '{self.provider_name}' does not declare {capability.value}")

    def expect_served(self, provider: Provider, result: DeployResult, version: str) -> None:
        if not self.can_execute:
            return
        status, body = self.fetch(provider, result, "/hello")
        assert status == 200, body
        assert body == f"hello from conformance v{version} at /hello".encode()

    # -- the suite --------------------------------------------------------------------------------

    def test_provider_is_registered_and_available(self) -> None:
        info = get_registry().info(self.provider_name)
        assert info.available, info.install_hint
        assert Capability.PACKAGE in info.provider.capabilities

    def test_unknown_option_is_a_config_error(self, make_project: ProjectFactory) -> None:
        project = make_project()
        bad = {**project.config.providers, self.provider_name: {"no_such_option": 1}}
        project = Project(
            project.config.model_copy(update={"providers": bad}), project.stage, project.root, project.source
        )
        with pytest.raises(ConfigError, match=rf"providers\.{self.provider_name}\.no_such_option"):
            self.provider_for(project)

    def test_missing_capability_is_refused_before_any_cloud_call(self, make_project: ProjectFactory) -> None:
        project = make_project(schedule="rate(1 hour)")
        provider_class = get_registry().get(self.provider_name)
        lacking = type(
            "Lacking", (provider_class,), {"capabilities": provider_class.capabilities - {Capability.SCHEDULE}}
        )
        with pytest.raises(CapabilityError, match=rf"provider '{self.provider_name}' does not support schedule"):
            workflow.deploy(lacking(project))

    def test_package_builds_a_reproducible_artifact(self, make_project: ProjectFactory, tmp_path: Path) -> None:
        provider = self.provider_for(make_project())
        first = workflow.package(provider, tmp_path / "one")
        second = workflow.package(provider, tmp_path / "two")
        assert first.sha256 == second.sha256
        assert first.path.read_bytes() == second.path.read_bytes()

    def test_deploy_serves_the_app(self, make_project: ProjectFactory) -> None:
        self.require(Capability.DEPLOY)
        provider, result = self.deploy(make_project())
        assert result.url, "a deploy of an app must report its URL"
        self.verify_deployed(provider, result)
        self.expect_served(provider, result, "1")
        status = provider.status()
        assert status.deployed
        assert status.url == result.url

    def test_redeploy_without_changes_changes_nothing(self, make_project: ProjectFactory) -> None:
        self.require(Capability.DEPLOY)
        project = make_project()
        _, first = self.deploy(project)
        provider = self.provider_for(project)
        outcome = workflow.deploy(provider)
        assert outcome.plan.is_empty, outcome.plan.render()
        assert outcome.result is not None
        assert not outcome.result.changed
        assert outcome.result.version == first.version

    def test_code_change_publishes_a_new_version(self, make_project: ProjectFactory) -> None:
        self.require(Capability.DEPLOY)
        _, first = self.deploy(make_project(version="1"))
        provider, second = self.deploy(make_project(version="2"))
        assert second.changed
        assert second.version != first.version
        self.expect_served(provider, second, "2")

    def test_rollback_returns_to_the_previous_version(self, make_project: ProjectFactory) -> None:
        self.require(Capability.ROLLBACK)
        _, first = self.deploy(make_project(version="1"))
        provider, second = self.deploy(make_project(version="2"))
        rolled = provider.rollback()
        assert rolled.previous_version == second.version
        assert rolled.current_version == first.version
        assert provider.status().version == first.version
        self.expect_served(provider, first, "1")

    def test_schedule_can_be_added_and_removed(self, make_project: ProjectFactory) -> None:
        self.require(Capability.SCHEDULE)
        provider, _ = self.deploy(make_project(schedule="rate(1 hour)"))
        assert any(r.kind == "schedule" for r in provider.status().resources)
        provider, _ = self.deploy(make_project(schedule=None))
        assert not any(r.kind == "schedule" for r in provider.status().resources)

    def test_invoke_runs_a_function(self, make_project: ProjectFactory) -> None:
        self.require(Capability.INVOKE)
        if not self.can_execute:
            pytest.skip(f"the {self.provider_name} stand-in cannot run function code")
        provider, _ = self.deploy(make_project(version="7"))
        result = provider.invoke({"source": "conformance"}, function="tick")
        assert result.error is None, result.error
        assert result.payload == {"ticked": True, "version": "7"}

    def test_undeploy_leaves_nothing_behind(self, make_project: ProjectFactory) -> None:
        self.require(Capability.UNDEPLOY)
        provider, _ = self.deploy(make_project(schedule="rate(1 hour)") if self._schedules() else make_project())
        assert self.owned_resources(provider)
        workflow.undeploy(provider)
        assert not provider.status().deployed
        assert self.owned_resources(provider) == []

    def _schedules(self) -> bool:
        return Capability.SCHEDULE in get_registry().get(self.provider_name).capabilities


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


__all__ = ["ProviderConformance"]
