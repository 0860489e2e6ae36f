"""A real moto server over HTTP for the AWS provider tests; boto3 reaches it through AWS_ENDPOINT_URL."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REGION = "eu-west-1"
_READ_PREFIXES = ("Get", "List", "Describe", "Head", "Filter", "Lookup")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def running_moto(log: Path, **settings: str) -> Iterator[str]:
    """moto_server (moto_plus.py) on a free loopback port with `settings` in its environment; its endpoint."""
    port = _free_port()
    endpoint = f"http://127.0.0.1:{port}"
    env = {**os.environ, **settings}
    # moto_server plus provisioned concurrency and SnapStart, which moto lacks (moto_plus.py).
    moto = [sys.executable, str(Path(__file__).with_name("moto_plus.py"))]
    with log.open("wb") as out:
        process = subprocess.Popen([*moto, "-H", "127.0.0.1", "-p", str(port)], env=env, stdout=out, stderr=out)
    try:
        # moto imports its backends on the first request: on a busy machine that takes seconds.
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=10).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"moto_server did not start: {log.read_text()[-2000:]}") from None
                time.sleep(0.2)
        yield endpoint
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def moto_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The moto server every AWS test shares, for the whole session."""
    log = tmp_path_factory.mktemp("moto") / "server.log"
    with running_moto(log, MOTO_IAM_LOAD_MANAGED_POLICIES="true", MOTO_ACM_VALIDATION_WAIT="0") as endpoint:
        # moto cannot run function code without Docker: its simple Lambda backend answers invokes.
        request = urllib.request.Request(
            f"{endpoint}/moto-api/config",
            data=json.dumps({"lambda": {"use_docker": False}}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        urllib.request.urlopen(request, timeout=5).close()
        yield endpoint


@pytest.fixture(scope="session")
def aws_env(moto_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Fake credentials, the region, low retries and the shared packaging cache, for the whole session."""
    values = {
        "AWS_ENDPOINT_URL": moto_server,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_MAX_ATTEMPTS": "2",
        "AWS_RETRY_MODE": "standard",
        "FAAS_CACHE_DIR": os.environ.get("FAAS_CACHE_DIR") or str(tmp_path_factory.mktemp("faas-cache")),
    }
    saved = {key: os.environ.get(key) for key in [*values, "AWS_PROFILE"]}
    os.environ.pop("AWS_PROFILE", None)
    os.environ.update(values)
    try:
        yield moto_server
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class CallLog:
    """AWS operations a provider's session sends, recorded through botocore's before-call event."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.fail: dict[str, Exception] = {}

    def __call__(self, model: Any, **_: Any) -> None:
        name = f"{model.service_model.service_name}.{model.name}"
        self.calls.append(name)
        if name in self.fail or model.name in self.fail:
            raise self.fail.pop(name, None) or self.fail.pop(model.name)

    @property
    def writes(self) -> list[str]:
        return [call for call in self.calls if not call.split(".", 1)[1].startswith(_READ_PREFIXES)]


def record_calls(provider: Any) -> CallLog:
    """Record (and optionally fail) every call the provider makes from now on."""
    log = CallLog()
    provider.deployment.session.boto.events.register("before-call", log)
    return log


APP_SOURCE = """
def application(environ, start_response):
    body = b"hello v{version}"
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [body]
"""

TASKS_SOURCE = """
def tick(event, context):
    return {{"version": "{version}"}}

def thumbnail(event, context):
    return len(event.get("Records", []))
"""


@pytest.fixture
def write_project(tmp_path: Path, aws_env: str, request: pytest.FixtureRequest) -> Any:
    """Write a project (faas.toml body + files) under a unique name and load it for `stage`."""
    from faas.core.config import load_project

    base = "t" + format(abs(hash(request.node.nodeid)) % 16**8, "08x")

    def write(
        config: str,
        *,
        stage: str = "dev",
        version: str = "1",
        files: dict[str, str] | None = None,
        name: str | None = None,
    ) -> Any:
        root = tmp_path / "project"
        root.mkdir(exist_ok=True)
        (root / "app.py").write_text(APP_SOURCE.format(version=version))
        (root / "tasks.py").write_text(TASKS_SOURCE.format(version=version))
        (root / "requirements.txt").write_text("")
        for path, text in (files or {}).items():
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(text)
        (root / "faas.toml").write_text(f'name = "{name or base}"\nprovider = "aws"\n' + config)
        return load_project(root / "faas.toml", stage)

    write.base = base  # type: ignore[attr-defined]
    return write


def open_aws(project: Any) -> Any:
    from faas.core import workflow
    from faas.core.reporting import NullReporter

    return workflow.open_provider(project, "aws", reporter=NullReporter())


def deploy(project: Any) -> Any:
    """Deploy through the shared workflow (package -> plan -> apply); returns (provider, outcome)."""
    from faas.core import workflow

    provider = open_aws(project)
    return provider, workflow.deploy(provider)
