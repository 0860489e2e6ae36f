"""The local provider's plans are carried out by the core engine: every action holds a `Step`.

So local deploys say each step, name the one that failed, and converge like every other provider's.
"""

from __future__ import annotations

import typing

import pytest

from faas import DeployError, Step
from faas.core import workflow
from faas.core.plugins import Provider
from faas.providers.local.options import LocalOptions
from faas.providers.local.provider import LocalProvider

from .conftest import stop_all
from .probe import write_probe

pytestmark = pytest.mark.slow


def open_local(project) -> LocalProvider:
    provider = workflow.open_provider(project, "local")
    assert isinstance(provider, LocalProvider)
    return provider


def test_the_provider_is_typed_by_its_options() -> None:
    # Provider[LocalOptions]: self.options is a LocalOptions for mypy, with no isinstance assert.
    (base,) = [b for b in LocalProvider.__orig_bases__ if typing.get_origin(b) is Provider]  # type: ignore[attr-defined]
    assert typing.get_args(base) == (LocalOptions,)
    assert LocalProvider.Options is LocalOptions


def test_every_deploy_and_undeploy_action_carries_a_step(tmp_path) -> None:
    provider = open_local(write_probe(tmp_path))
    try:
        artifact, plan = workflow.plan_deploy(provider, tmp_path / "out")
        assert [action.resource for action in plan.actions] == ["version", "gateway"]
        assert all(isinstance(action.payload, Step) for action in plan.actions)
        provider.apply(plan, artifact)
        undeploy = provider.plan_undeploy()
        assert [action.resource for action in undeploy.actions] == ["gateway", "state"]
        assert all(isinstance(action.payload, Step) for action in undeploy.actions)
        provider.undeploy(undeploy)
        assert not provider.stage_dir.root.exists()
        assert provider.plan_undeploy().is_empty  # a second undeploy has nothing to do
    finally:
        stop_all(tmp_path)


def test_a_failed_step_is_named_and_the_next_deploy_converges(tmp_path) -> None:
    provider = open_local(write_probe(tmp_path))
    try:
        artifact, plan = workflow.plan_deploy(provider, tmp_path / "out")
        good = artifact.path.read_bytes()
        artifact.path.write_bytes(b"not a zip")  # the artifact was damaged between package and apply
        with pytest.raises(DeployError) as raised:
            provider.apply(plan, artifact)
        assert str(raised.value).startswith(f"create version {plan.actions[0].name} failed: ")
        assert raised.value.exit_code == 6
        artifact.path.write_bytes(good)
        result = provider.apply(provider.plan(artifact), artifact)
        assert result.changed and result.url
    finally:
        stop_all(tmp_path)
