"""A deployed probe app (aws emulation): isolation, the pool, timeouts, crashes, logs, redeploys."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from faas.core import workflow
from faas.core.results import DeployResult
from faas.providers.local.provider import LocalProvider

from .conftest import get, stop_all
from .probe import write_probe

pytestmark = pytest.mark.slow


def deploy(project) -> tuple[LocalProvider, DeployResult]:
    provider = workflow.open_provider(project, "local")
    assert isinstance(provider, LocalProvider)
    outcome = workflow.deploy(provider)
    assert outcome.result is not None and outcome.result.url
    return provider, outcome.result


def get_json(url: str) -> dict:
    status, _, body = get(url)
    assert status == 200, body
    return json.loads(body)


def dead(pid: int) -> bool:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


@pytest.fixture(scope="module")
def probe(tmp_path_factory) -> Iterator[tuple[LocalProvider, DeployResult, Path]]:
    root = tmp_path_factory.mktemp("probe")
    provider, result = deploy(write_probe(root))
    yield provider, result, root
    stop_all(root)


class TestRuntime:
    def test_runs_the_target_python_with_only_the_artifact_importable(self, probe):
        provider, result, _ = probe
        data = get_json(result.url + "/")
        assert data["python"] == "3.12"
        assert data["function"] == "probe-dev"
        code = str(provider.stage_dir.versions)
        project_paths = [entry for entry in data["sys_path"] if entry.startswith(str(provider.project.root))]
        assert project_paths and all(entry.startswith(code) for entry in project_paths)
        assert not any("/work/venv" in entry for entry in data["sys_path"])
        assert data["has_faas_core"] is False, "faas.core must not be importable inside the function"
        assert data["has_pydantic"] is False

    def test_one_request_per_process(self, probe):
        _, result, _ = probe
        with ThreadPoolExecutor(2) as pool:
            answers = list(pool.map(lambda _: get(result.url + "/sleep?s=0.6"), range(2)))
        pids = {json.loads(body)["pid"] for status, _, body in answers if status == 200}
        assert len(pids) == 2

    def test_a_timed_out_request_gets_504_and_its_process_is_replaced(self, probe):
        _provider, result, root = probe
        started = time.monotonic()
        status, _, body = get(result.url + "/sleep?s=10")
        assert status == 504, body
        assert time.monotonic() - started < 6, "the 2 s timeout from faas.toml must be enforced"
        assert dead(int((root / "sleep.pid").read_text()))
        assert get(result.url + "/")[0] == 200

    def test_a_crash_gets_502_and_its_process_is_replaced(self, probe):
        provider, result, root = probe
        before = provider.status()
        status, _, _ = get(result.url + "/crash")
        assert status == 502
        assert dead(int((root / "crash.pid").read_text()))
        assert get(result.url + "/")[0] == 200
        assert provider.status().deployed and before.deployed

    def test_app_output_and_errors_are_logged_with_request_ids(self, probe):
        provider, result, _ = probe
        # The adapter answers an app's exception with a 500, as a WSGI server would, and logs it.
        assert get(result.url + "/boom")[0] == 500
        assert get(result.url + "/print")[0] == 200
        records = list(provider.logs())
        said = [record for record in records if record.message == "probe says hello"]
        assert said and said[-1].request_id
        same = [r.message for r in records if r.request_id == said[-1].request_id]
        assert any(message.startswith("START RequestId") for message in same)
        assert any(message.startswith("REPORT RequestId") for message in same)
        # The traceback is one record of the runtime's log channel: its last line ends it, and the
        # next request's output is a line of its own (awslambdaric writes it with no final newline).
        assert "RuntimeError: boom" in [record.message for record in records]
        # The front door's access log, as API Gateway keeps one (the adapter writes none on AWS).
        access = [r.message for r in records if r.source == "gateway"]
        assert "GET /boom 500" in " ".join(access) and any(m.startswith("GET /print 200 ") for m in access), access

    def test_invoke_a_function_and_fire_its_schedule(self, probe):
        provider, _, _ = probe
        result = provider.invoke({"source": "cli"}, function="tick")
        assert result.error is None
        assert result.payload == {"version": "1", "source": "cli", "resources": None}
        fired = provider.fire_schedules()
        assert len(fired) == 1 and fired[0]["kind"] == "ok"
        payload = json.loads(fired[0]["body"])
        assert payload["source"] == "aws.events"
        assert payload["resources"][0].endswith(
            ":rule/probe-dev-tick-0"
        )  # the rule name AWS deploys: <prefix>-<function>-<n>

    def test_a_function_error_is_reported(self, probe):
        provider, _, _ = probe
        result = provider.invoke(["not", "an", "object"], function="tick")
        assert result.error is not None and "AttributeError" in result.error
        assert "AttributeError" in result.logs or result.logs

    def test_a_sample_event_reaches_the_function_through_invoke(self, probe):
        provider, _, _ = probe
        result = provider.invoke(provider.sample_event("schedule"))
        # The sample's rule name is not this project's, but the only scheduled function takes it.
        assert result.error is None, result.error
        assert result.payload["source"] == "aws.events"

    def test_status_lists_the_gateway_processes_and_schedule(self, probe):
        provider, result, _ = probe
        status = provider.status()
        kinds = {resource.kind for resource in status.resources}
        assert {"gateway", "process", "schedule"} <= kinds
        assert status.url == result.url


def test_redeploy_under_load_drops_no_request_and_undeploy_frees_the_port(tmp_path):
    root = tmp_path / "probe"
    try:
        provider, first = deploy(write_probe(root, version="1"))
        port = int(first.url.rsplit(":", 1)[1])
        seen: list[tuple[int, str]] = []
        stop = threading.Event()

        def load() -> None:
            # Bounded: at most 2000 requests, on 127.0.0.1 only.
            for _ in range(2000):
                if stop.is_set():
                    return
                status, _, body = get(first.url + "/sleep?s=0.05")
                seen.append((status, json.loads(body)["version"] if status == 200 else body.decode()))

        workers = [threading.Thread(target=load) for _ in range(3)]
        for worker in workers:
            worker.start()
        time.sleep(0.5)
        _, second = deploy(write_probe(root, version="2"))
        assert second.url == first.url, "a re-deploy keeps the stage's URL"
        time.sleep(1.0)
        stop.set()
        for worker in workers:
            worker.join(30)
        assert seen and all(status == 200 for status, _ in seen), [s for s in seen if s[0] != 200][:3]
        versions = [version for _, version in seen]
        assert versions[0] == "1" and versions[-1] == "2"
        # A rollback under load switches back the same way: nothing dropped either.
        seen.clear()
        stop.clear()
        workers = [threading.Thread(target=load) for _ in range(3)]
        for worker in workers:
            worker.start()
        time.sleep(0.3)
        rolled = provider.rollback()
        assert (rolled.previous_version, rolled.current_version) == (second.version, first.version)
        time.sleep(1.0)
        stop.set()
        for worker in workers:
            worker.join(30)
        assert seen and all(status == 200 for status, _ in seen), [s for s in seen if s[0] != 200][:3]
        assert seen[-1][1] == "1"
        workflow.undeploy(provider)
        assert not provider.status().deployed
        with socket.socket() as probe_socket:
            # As any server binds (connections the gateway closed linger in TIME_WAIT).
            probe_socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe_socket.bind(("127.0.0.1", port))
            probe_socket.listen()
        assert not (root / ".faas" / "local" / "dev").exists()
    finally:
        stop_all(root)


def test_logs_follow_yields_new_records_until_the_deployment_stops(tmp_path):
    root = tmp_path / "probe"
    try:
        provider, result = deploy(write_probe(root))
        seen: list[str] = []
        reader = threading.Thread(target=lambda: seen.extend(r.message for r in provider.logs(follow=True)))
        reader.start()
        get(result.url + "/print")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and "probe says hello" not in seen:
            time.sleep(0.05)
        assert "probe says hello" in seen
        workflow.undeploy(provider)
        reader.join(10)
        assert not reader.is_alive(), "following stops with the deployment"
        assert seen.count("probe says hello") == 1
    finally:
        stop_all(root)


def test_a_dependency_missing_from_the_artifact_fails_the_deploy_as_in_the_cloud(tmp_path):
    from faas.core.errors import FaasError

    root = tmp_path / "probe"
    try:
        project = write_probe(root, version="1")
        provider, result = deploy(project)
        # Flask is installed where faas runs, but not in requirements.txt: the artifact lacks it.
        (root / "app.py").write_text((root / "app.py").read_text() + "\nimport flask\n")
        with pytest.raises(FaasError, match="No module named 'flask'"):
            workflow.deploy(workflow.open_provider(project, "local"))
        data = get_json(result.url + "/")
        assert data["version"] == "1", "the running version keeps serving when a new one fails to start"
        workflow.undeploy(provider)
        with pytest.raises(FaasError, match="No module named 'flask'"):
            workflow.deploy(workflow.open_provider(project, "local"))
        assert not provider.status().deployed
    finally:
        stop_all(root)


@pytest.mark.parametrize("emulate", ["gcp", "azure"])
def test_http_runtimes_enforce_the_timeout_and_replace_crashed_processes(tmp_path, emulate):
    root = tmp_path / "probe"
    try:
        provider, result = deploy(write_probe(root, options=f'emulate = "{emulate}"\n'))
        assert get(result.url + "/print")[0] == 200
        # Each request is in the log once: on GCP by the front door (as Cloud Run's request log;
        # the adapter writes no line there), on Azure by the adapter.
        lines = [r.message for r in provider.logs() if "/print" in r.message and " 200 " in r.message]
        assert len(lines) == 1, lines
        assert lines[0].startswith("GET /print 200 " if emulate == "gcp" else 'faas "GET /'), lines
        started = time.monotonic()
        assert get(result.url + "/sleep?s=10")[0] == 504
        assert time.monotonic() - started < 6
        assert dead(int((root / "sleep.pid").read_text()))
        assert get(result.url + "/crash")[0] == 502
        assert dead(int((root / "crash.pid").read_text()))
        assert get(result.url + "/")[0] == 200
    finally:
        stop_all(root)


def test_an_environment_change_is_a_new_version(tmp_path):
    root = tmp_path / "probe"
    try:
        _, first = deploy(write_probe(root, environment='GREETING = "hello"\n'))
        assert get_json(first.url + "/")["greeting"] == "hello"
        provider = workflow.open_provider(write_probe(root, environment='GREETING = "bonjour"\n'), "local")
        outcome = workflow.deploy(provider)
        assert not outcome.plan.is_empty and outcome.result is not None
        assert outcome.result.version != first.version
        assert get_json(first.url + "/")["greeting"] == "bonjour"
    finally:
        stop_all(root)
