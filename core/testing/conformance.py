"""The provider conformance suite (fsspec `tests/abstract` style), split by capability.

Every provider, built-in or third-party, subclasses `ProviderConformance` in its own tests and gets
the same behaviour checked, one mixin per capability (`PackageConformance`, `DeployConformance`,
`ScheduleConformance`, `InvokeConformance`, `ManageConformance`, `RollbackConformance`,
`UndeployConformance`). A test whose capability the provider does not declare, or that needs what
its stand-in cannot do (run code, fail a call, fire a schedule), is skipped with that reason:
nothing passes without having been checked.

    from faas.core.testing.conformance import ProviderConformance

    class TestAcmeConformance(ProviderConformance):
        provider_name = "acme"

        @pytest.fixture
        def cloud(self):          # start your platform's local stand-in
            with acme_emulator():
                yield

        def inject_fault(self, provider, n):   # fail the n-th mutating call; count calls
            ...
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from faas.core import workflow
from faas.core.config import Project, load_project
from faas.core.errors import CapabilityError, ConfigError, FaasError
from faas.core.plugins import Capability, Provider, get_registry
from faas.core.results import DeployResult

ProjectFactory = Callable[..., Project]
WEEKDAYS = "cron(15 10 * * MON-FRI)"
TICK_MARK = "faas-conformance tick"

_APP = """
def application(environ, start_response):
    body = b"hello from conformance v{version} at " + environ.get("PATH_INFO", "").encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
"""

_TASKS = """
def tick(event, context):
    print("{mark} v{version}", flush=True)
    return {{"ticked": True, "version": "{version}"}}
"""

_DJANGO_SETTINGS = """
SECRET_KEY = "conformance-only"
DEBUG = False
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = []
DATABASES = {}
ROOT_URLCONF = "confsite.urls"
"""


class ConformanceBase:
    """Fixtures and hooks every section shares. Subclass `ProviderConformance`, not this."""

    provider_name: ClassVar[str]
    can_execute: ClassVar[bool] = True
    """False where the stand-in cannot run function code (moto): tests of what the code does skip."""

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

    def verify_schedule(self, provider: Provider, function: str, schedule: str) -> None:
        """Check with the platform's own API that `function` runs on canonical `schedule` (optional)."""

    def owned_resources(self, provider: Provider) -> list[str]:
        """Every resource the project and stage still own, found the way a teammate would (tags, names)."""
        return [resource.name for resource in provider.status().resources]

    def inject_fault(self, provider: Provider, n: int) -> Callable[[], int]:
        """Make `provider`'s n-th mutating cloud call from now on fail (n = 0: none), like the cloud would.

        Returns a function counting the mutating calls made so far. AWS: a botocore `before-call`
        hook on the provider's session against the moto server; local: its supervisor calls.
        """
        pytest.skip(f"{type(self).__name__} gives the suite no way to fail a call (override inject_fault)")

    def fire_schedule(self, provider: Provider, function: str) -> None:
        """Fire `function`'s schedule now, the way the platform's scheduler would."""
        pytest.skip(f"{type(self).__name__} gives the suite no way to fire a schedule (override fire_schedule)")

    # -- helpers ------------------------------------------------------------------------------------

    @pytest.fixture
    def make_project(self, tmp_path: Path, cloud: None, stage: str) -> ProjectFactory:
        """Write the conformance project (a WSGI app, optionally a scheduled function) and load it."""

        def make(
            version: str = "1",
            schedule: str | None = None,
            functions: bool = True,
            django: bool = False,
            stage_name: str | None = None,
        ) -> Project:
            root = tmp_path / "project"
            root.mkdir(exist_ok=True)
            (root / "app.py").write_text(_APP.format(version=version))
            (root / "tasks.py").write_text(_TASKS.format(version=version, mark=TICK_MARK))
            (root / "requirements.txt").write_text("django>=4.2\n" if django else "")
            config = f'name = "conformance"\nprovider = "{self.provider_name}"\n'
            if django:
                (root / "confsite").mkdir(exist_ok=True)
                (root / "confsite" / "__init__.py").write_text("")
                (root / "confsite" / "settings.py").write_text(_DJANGO_SETTINGS)
                (root / "confsite" / "urls.py").write_text("urlpatterns = []\n")
                config += '[app]\nentry = "app:application"\ninterface = "wsgi"\nframework = "django"\n'
                config += 'settings_module = "confsite.settings"\n'
            else:
                config += '[app]\nentry = "app:application"\ninterface = "wsgi"\n'
            if functions:
                triggers = f'[{{ schedule = "{schedule}" }}]' if schedule else "[]"
                config += f'[[functions]]\nname = "tick"\nentry = "tasks:tick"\ntriggers = {triggers}\n'
            options = self.options()
            if options:
                config += f"[providers.{self.provider_name}]\n"
                config += "".join(f"{key} = {_toml_value(value)}\n" for key, value in options.items())
            (root / "faas.toml").write_text(config)
            return load_project(root / "faas.toml", stage_name or stage)

        return make

    def provider_for(self, project: Project) -> Provider:
        return workflow.open_provider(project, self.provider_name)

    def deploy(self, project: Project) -> tuple[Provider, DeployResult]:
        provider = self.provider_for(project)
        outcome = workflow.deploy(provider)
        assert outcome.result is not None
        return provider, outcome.result

    def require(self, *capabilities: Capability) -> None:
        provider_class = get_registry().get(self.provider_name)
        for capability in capabilities:
            if capability not in provider_class.capabilities:
                pytest.skip(f"provider '{self.provider_name}' does not declare {capability.value}")

    def require_execution(self, what: str) -> None:
        if not self.can_execute:
            pytest.skip(f"the {self.provider_name} stand-in cannot run function code: {what} not checked")

    def expect_served(self, provider: Provider, result: DeployResult, version: str) -> None:
        status, body = self.fetch(provider, result, "/hello")
        assert status == 200, body
        assert body == f"hello from conformance v{version} at /hello".encode()

    def supports(self, capability: Capability) -> bool:
        return capability in get_registry().get(self.provider_name).capabilities


class PackageConformance(ConformanceBase):
    """Registration, options, capability refusal and packaging: every provider."""

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


class DeployConformance(ConformanceBase):
    """Deploy, idempotent re-deploy, new versions, and convergence after a failed deploy."""

    def test_deploy_reports_the_url_and_status(self, make_project: ProjectFactory) -> None:
        self.require(Capability.DEPLOY, Capability.STATUS)
        provider, result = self.deploy(make_project())
        assert result.url, "a deploy of an app must report its URL"
        self.verify_deployed(provider, result)
        status = provider.status()
        assert status.deployed
        assert status.url == result.url

    def test_deploy_serves_the_app(self, make_project: ProjectFactory) -> None:
        self.require(Capability.DEPLOY, Capability.HTTP)
        self.require_execution("the served app")
        provider, result = self.deploy(make_project())
        self.expect_served(provider, result, "1")

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
        _, second = self.deploy(make_project(version="2"))
        assert second.changed
        assert second.version != first.version

    def test_the_new_version_is_served(self, make_project: ProjectFactory) -> None:
        self.require(Capability.DEPLOY, Capability.HTTP)
        self.require_execution("the served new version")
        self.deploy(make_project(version="1"))
        provider, second = self.deploy(make_project(version="2"))
        self.expect_served(provider, second, "2")

    def test_a_deploy_failed_at_each_step_converges_on_the_next_run(self, make_project: ProjectFactory) -> None:
        self.require(Capability.DEPLOY, Capability.UNDEPLOY)
        schedule = "rate(1 hour)" if self.supports(Capability.SCHEDULE) else None
        project = make_project(schedule=schedule, stage_name="fault")
        provider = self.provider_for(project)
        count = self.inject_fault(provider, 0)
        workflow.deploy(provider)
        steps = count()
        assert steps > 0, "a first deploy makes at least one mutating call"
        workflow.undeploy(self.provider_for(project))
        for step in range(1, steps + 1):
            failing = self.provider_for(project)
            self.inject_fault(failing, step)
            with pytest.raises(FaasError):
                workflow.deploy(failing)
            _, result = self.deploy(project)
            assert result.version, f"the deploy after a failure at step {step} of {steps} converges"
            again = workflow.deploy(self.provider_for(project))
            assert again.plan.is_empty, f"after a failure at step {step}: {again.plan.render()}"
            workflow.undeploy(self.provider_for(project))


class ScheduleConformance(ConformanceBase):
    """Schedules: added and removed, and a weekday cron that deploys and fires."""

    def test_schedule_can_be_added_and_removed(self, make_project: ProjectFactory) -> None:
        self.require(Capability.SCHEDULE, Capability.STATUS)
        provider, _ = self.deploy(make_project(schedule="rate(1 hour)"))
        assert any(r.kind == "schedule" for r in provider.status().resources)
        provider, _ = self.deploy(make_project(schedule=None))
        assert not any(r.kind == "schedule" for r in provider.status().resources)

    def test_a_weekday_cron_schedule_deploys(self, make_project: ProjectFactory) -> None:
        self.require(Capability.SCHEDULE, Capability.STATUS)
        provider, _ = self.deploy(make_project(schedule=WEEKDAYS))
        assert [r for r in provider.status().resources if r.kind == "schedule"]
        self.verify_schedule(provider, "tick", WEEKDAYS)

    def test_a_weekday_cron_schedule_fires_the_function(self, make_project: ProjectFactory) -> None:
        self.require(Capability.SCHEDULE, Capability.LOGS)
        self.require_execution("a fired schedule")
        provider, _ = self.deploy(make_project(version="5", schedule=WEEKDAYS))
        self.fire_schedule(provider, "tick")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if any(f"{TICK_MARK} v5" in record.message for record in provider.logs()):
                return
            time.sleep(0.5)
        pytest.fail("the fired schedule never ran the function (no log line from it)")


class InvokeConformance(ConformanceBase):
    def test_invoke_runs_a_function(self, make_project: ProjectFactory) -> None:
        self.require(Capability.INVOKE)
        self.require_execution("an invoked function")
        provider, _ = self.deploy(make_project(version="7"))
        result = provider.invoke({"source": "conformance"}, function="tick")
        assert result.error is None, result.error
        assert result.payload == {"ticked": True, "version": "7"}


class ManageConformance(ConformanceBase):
    def test_manage_runs_a_django_command_in_the_function(self, make_project: ProjectFactory) -> None:
        self.require(Capability.MANAGE)
        self.require_execution("a management command")
        provider, _ = self.deploy(make_project(django=True, functions=False))
        result = provider.manage(["check"])
        assert result.error is None, result.error
        assert result.exit_status == 0
        assert "System check identified no issues" in f"{result.payload}{result.logs}"
        failed = provider.manage(["no-such-command"])
        assert failed.exit_status == 1, "a failing command's exit status reaches the caller"


class RollbackConformance(ConformanceBase):
    def test_rollback_returns_to_the_previous_version(self, make_project: ProjectFactory) -> None:
        self.require(Capability.ROLLBACK, Capability.STATUS)
        _, first = self.deploy(make_project(version="1"))
        provider, second = self.deploy(make_project(version="2"))
        rolled = provider.rollback()
        assert rolled.previous_version == second.version
        assert rolled.current_version == first.version
        assert provider.status().version == first.version

    def test_the_rolled_back_version_is_served(self, make_project: ProjectFactory) -> None:
        self.require(Capability.ROLLBACK, Capability.HTTP)
        self.require_execution("the served rolled-back version")
        _, first = self.deploy(make_project(version="1"))
        provider, _ = self.deploy(make_project(version="2"))
        provider.rollback()
        self.expect_served(provider, first, "1")


class UndeployConformance(ConformanceBase):
    def test_undeploy_leaves_nothing_behind(self, make_project: ProjectFactory) -> None:
        self.require(Capability.UNDEPLOY, Capability.STATUS)
        schedule = "rate(1 hour)" if self.supports(Capability.SCHEDULE) else None
        provider, _ = self.deploy(make_project(schedule=schedule))
        assert self.owned_resources(provider)
        workflow.undeploy(provider)
        assert not provider.status().deployed
        assert self.owned_resources(provider) == []

    def test_undeploy_twice_is_a_no_op(self, make_project: ProjectFactory) -> None:
        self.require(Capability.UNDEPLOY, Capability.STATUS)
        project = make_project()
        provider, _ = self.deploy(project)
        workflow.undeploy(provider)
        again = self.provider_for(project)
        plan = workflow.undeploy(again)
        assert plan.is_empty, plan.render()
        assert not again.status().deployed
        assert self.owned_resources(again) == []


class ProviderConformance(
    PackageConformance,
    DeployConformance,
    ScheduleConformance,
    InvokeConformance,
    ManageConformance,
    RollbackConformance,
    UndeployConformance,
):
    """The whole suite. Subclass and set `provider_name`; override the hooks your platform needs."""


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


__all__ = [
    "ConformanceBase",
    "DeployConformance",
    "InvokeConformance",
    "ManageConformance",
    "PackageConformance",
    "ProviderConformance",
    "RollbackConformance",
    "ScheduleConformance",
    "UndeployConformance",
]
