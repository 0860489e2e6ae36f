"""#15's neutral keys: ${secret:NAME} references, min_instances / max_instances / concurrency."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from faas.core.config import Project, load_project
from faas.core.errors import CapabilityError, ConfigError
from faas.core.model import FunctionLimits, check_limits, secret_references
from faas.core.plugins import Capability, Provider, required_capabilities


def project_with(tmp_path: Path, body: str) -> Project:
    (tmp_path / "faas.toml").write_text(f'name = "prod-keys"\n{body}\n')
    return load_project(tmp_path / "faas.toml", "dev")


APP_WITH_SECRET = """
[app]
entry = "app:application"
environment = { DB_PASSWORD = "${secret:DB_PASSWORD}", MODE = "${env:PROD_KEYS_MODE}" }
"""


def test_a_secret_reference_is_kept_as_written_and_is_not_an_env_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROD_KEYS_MODE", "live")
    project = project_with(tmp_path, APP_WITH_SECRET)
    assert project.config.app is not None
    environment = project.config.app.environment
    assert environment == {"DB_PASSWORD": "${secret:DB_PASSWORD}", "MODE": "live"}
    assert secret_references(environment) == {"DB_PASSWORD": "DB_PASSWORD"}
    assert Capability.SECRETS in required_capabilities(project)
    assert "${secret:DB_PASSWORD}" not in project.secrets


@pytest.mark.parametrize(
    "value",
    ["postgres://u:${secret:DB_PASSWORD}@db/app", "${secret:}", "${secret:1abc}", "${secret:a b}"],
)
def test_a_reference_that_is_not_a_whole_value_is_refused(tmp_path: Path, value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        project_with(tmp_path, f'[app]\nentry = "app:application"\nenvironment = {{ URL = "{value}" }}\n')
    assert "must be the whole value" in str(caught.value)
    assert "app.environment" in str(caught.value)


def test_instance_keys_on_the_app_and_each_function(tmp_path: Path) -> None:
    project = project_with(
        tmp_path,
        '[app]\nentry = "app:application"\nmin_instances = 1\nmax_instances = 20\n'
        '[[functions]]\nname = "job"\nentry = "tasks:job"\nconcurrency = 8\n',
    )
    config = project.config
    assert config.app is not None
    assert (config.app.min_instances, config.app.max_instances, config.app.concurrency) == (1, 20, None)
    assert config.functions[0].concurrency == 8
    assert Capability.INSTANCES in required_capabilities(project)


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ("min_instances = 5\nmax_instances = 2", "min_instances (5) is more than max_instances (2)"),
        ("max_instances = 0", "greater than or equal to 1"),
        ("concurrency = 1001", "less than or equal to 1000"),
        ("min_instances = -1", "greater than or equal to 0"),
    ],
)
def test_bad_instance_settings_are_refused(tmp_path: Path, keys: str, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        project_with(tmp_path, f'[app]\nentry = "app:application"\n{keys}\n')


def test_a_platform_limit_names_the_key(tmp_path: Path) -> None:
    project = project_with(tmp_path, '[[functions]]\nname = "job"\nentry = "tasks:job"\nconcurrency = 80\n')
    limits = FunctionLimits("Acme", max_concurrency=50, max_instances=10)
    with pytest.raises(ConfigError, match="80 is more than Acme's 50 per instance") as caught:
        check_limits(project, app=limits)
    assert "functions[0].concurrency" in str(caught.value)
    check_limits(project, app=FunctionLimits("Roomy"))


class _NoStore(Provider):
    name = "nostore"
    capabilities = frozenset({Capability.PACKAGE, Capability.DEPLOY, Capability.HTTP})


def test_a_provider_without_a_secret_store_refuses_references_before_any_call(tmp_path: Path) -> None:
    project = project_with(tmp_path, '[app]\nentry = "app:application"\nenvironment = { K = "${secret:K}" }\n')
    with pytest.raises(CapabilityError, match="does not support secrets"):
        _NoStore(project).check_config()
    warm = project_with(tmp_path, '[app]\nentry = "app:application"\nmin_instances = 1\n')
    with pytest.raises(CapabilityError, match="does not support instance settings"):
        _NoStore(warm).check_config()
