"""Options: which cloud is emulated, which Python runs it, the REST front door, and `faas serve`."""

from __future__ import annotations

import dataclasses
import json
import threading
import time

import pytest

from faas.core import workflow
from faas.core.config import load_project
from faas.core.errors import FaasError
from faas.providers.local import interpreters
from faas.providers.local.interpreters import InterpreterNotFoundError
from faas.providers.local.provider import LocalProvider
from faas.providers.local.state import read_json

from .conftest import get, stop_all
from .probe import write_probe

MISSING = "3.14" if interpreters.find_interpreter("3.14") is None else "3.9"


def provider_for(project) -> LocalProvider:
    provider = workflow.open_provider(project, "local")
    assert isinstance(provider, LocalProvider)
    return provider


@pytest.mark.parametrize(
    ("configured", "option", "emulated"),
    [
        ("aws", None, "aws"),
        ("gcp", None, "gcp"),
        ("azure", None, "azure"),
        ("local", None, "aws"),
        ("aws", "azure", "azure"),
    ],
)
def test_the_emulated_cloud(tmp_path, configured, option, emulated):
    project = write_probe(tmp_path, options=f'emulate = "{option}"\n' if option else "")
    config = project.config.model_copy(update={"provider": configured})
    project = type(project)(config, project.stage, project.root, project.source)
    assert provider_for(project).emulated == emulated


def test_the_artifact_is_built_exactly_as_the_emulated_provider_builds_it(tmp_path):
    from faas.core.plugins import get_registry

    project = write_probe(tmp_path, options='emulate = "gcp"\n')
    expected = get_registry().info("gcp").provider(project).package_target()
    # The same target; only the flag differs: this filesystem keeps what the app writes (no SQLite warning).
    assert not expected.persistent_filesystem
    assert provider_for(project).package_target() == dataclasses.replace(expected, persistent_filesystem=True)


@pytest.mark.skipif(interpreters.find_interpreter(MISSING) is not None, reason=f"Python {MISSING} is installed")
def test_a_missing_interpreter_says_how_to_go_on(tmp_path):
    provider = provider_for(write_probe(tmp_path, options=f'python = "{MISSING}"\n'))
    hint = rf"no Python {MISSING}.*`faas deploy -O python=.*allow_host_python"
    with pytest.raises(InterpreterNotFoundError, match=hint):
        provider.package_target()


@pytest.mark.slow
@pytest.mark.skipif(interpreters.find_interpreter(MISSING) is not None, reason=f"Python {MISSING} is installed")
def test_allow_host_python_builds_and_runs_for_the_host_version(tmp_path):
    project = write_probe(tmp_path, options=f'python = "{MISSING}"\nallow_host_python = true\n')
    provider = provider_for(project)
    assert provider.package_target().python == interpreters.host_version()
    try:
        result = workflow.deploy(provider).result
        assert result is not None and result.url
        assert json.loads(get(result.url + "/")[2])["python"] == interpreters.host_version()
    finally:
        stop_all(tmp_path)


@pytest.mark.slow
def test_rest_api_front_door_serves_under_the_stage(tmp_path):
    provider = provider_for(write_probe(tmp_path, options='front_door = "rest-api"\n'))
    try:
        result = workflow.deploy(provider).result
        assert result is not None and result.url and result.url.endswith("/dev")
        status, _, body = get(result.url + "/items")
        assert status == 200, body
        base = result.url.removesuffix("/dev")
        status, _, body = get(base + "/items")
        assert status == 403 and json.loads(body) == {"message": "Forbidden"}
    finally:
        stop_all(tmp_path)


@pytest.mark.slow
def test_serve_reloads_on_a_source_change(tmp_path):
    from faas.providers.local.serve import serve

    project = write_probe(tmp_path / "app", version="1")
    provider = provider_for(project)
    stop = threading.Event()
    thread = threading.Thread(target=serve, args=(provider,), kwargs={"poll": 0.2, "stop": stop}, daemon=True)
    thread.start()
    state = provider.stage_dir.root.with_name("dev-serve") / "supervisor.json"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not (isinstance(read_json(state), dict) and "url" in read_json(state)):
            time.sleep(0.1)
        url = read_json(state)["url"]
        assert json.loads(get(url + "/")[2])["version"] == "1"
        time.sleep(0.3)  # a later mtime than the first snapshot's
        write_probe(tmp_path / "app", version="2")
        while time.monotonic() < deadline:
            status, _, body = get(url + "/")
            assert status == 200, body
            if json.loads(body)["version"] == "2":
                break
            time.sleep(0.2)
        else:
            pytest.fail("the change was not served")
    finally:
        stop.set()
        thread.join(60)
    assert not state.exists(), "serve stops its processes when it ends"
    assert load_project(tmp_path / "app" / "faas.toml").name == "probe"


@pytest.mark.slow
def test_azure_route_prefix_from_the_azure_options(tmp_path):
    project = write_probe(tmp_path, options='emulate = "azure"\n[providers.azure]\nroute_prefix = ""\n')
    provider = provider_for(project)
    try:
        result = workflow.deploy(provider).result
        assert result is not None and result.url and not result.url.endswith("/api")
        assert json.loads(get(result.url + "/anything")[2])["version"] == "1"
    finally:
        stop_all(tmp_path)


@pytest.mark.slow
@pytest.mark.skipif(interpreters.find_interpreter("3.13") is None, reason="no Python 3.13 here")
def test_python_313_on_azure_takes_the_runtime_client_release_that_supports_it(tmp_path):
    # azure-functions 1.x (what the dev install pins) stops at Python 3.12; the runtime env falls back.
    provider = provider_for(write_probe(tmp_path, python="3.13", options='emulate = "azure"\n'))
    try:
        result = workflow.deploy(provider).result
        assert result is not None and result.url
        assert json.loads(get(result.url + "/")[2])["python"] == "3.13"
    finally:
        stop_all(tmp_path)


def test_emulate_takes_its_platforms_from_the_runtime_contract_registry(tmp_path, monkeypatch):
    from faas.adapters import bootstrap
    from faas.providers.local import runtime_env

    def acme_bootstrap(runtime):
        return None

    monkeypatch.setitem(bootstrap._PLATFORMS, "acme", acme_bootstrap)
    project = write_probe(tmp_path, options='emulate = "acme"\n')
    # Registered, but no runtime client to run it in here: said so, with what can be emulated.
    with pytest.raises(FaasError, match=r"'acme' is registered .* no runtime client .* emulates aws, azure, gcp"):
        provider_for(project)
    # Registered and runnable: accepted like a built-in platform.
    monkeypatch.setitem(runtime_env.RUNTIME_CLIENTS, "acme", "acme-runtime-client")
    assert provider_for(project).emulated == "acme"


def test_emulate_refuses_an_unknown_platform_naming_the_known_ones(tmp_path):
    project = write_probe(tmp_path, options='emulate = "lamda"\n')
    with pytest.raises(FaasError, match=r"unknown platform 'lamda': the local provider emulates aws, azure, gcp"):
        provider_for(project)
