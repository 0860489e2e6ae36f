"""What the CLI says and exits with when a local deployment is missing or fails, as a user runs it."""

from __future__ import annotations

import json
import socket
import tempfile
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.core.plugins.conftest import run_faas

from .conftest import stop_all

pytestmark = pytest.mark.slow

CACHE = {"FAAS_CACHE_DIR": str(Path(tempfile.gettempdir()) / "faas-test-cache")}
APP = """
import logging

def app(environ, start_response):
    logging.getLogger("shop").error("first line\\n    second line")
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]
"""


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "shop"
    root.mkdir()
    (root / "app.py").write_text(APP)
    (root / "faas.toml").write_text('name = "shop"\nprovider = "local"\n[app]\nentry = "app:app"\n')
    try:
        yield root
    finally:
        stop_all(root)


def faas(project: Path, *args: str):  # type: ignore[no-untyped-def]
    return run_faas(*args, cwd=project, env={**CACHE, "COLUMNS": "200"})


def test_not_deployed_is_exit_7_for_every_operation_that_needs_a_deployment(project: Path) -> None:
    for command in (["invoke", "--data", "{}"], ["logs"], ["rollback"], ["manage", "migrate"]):
        result = faas(project, *command)
        assert result.returncode == 7, (command, result.stderr)
        assert "shop-dev is not deployed locally; run `faas deploy --provider local`" in result.stderr
    status = faas(project, "status")
    assert status.returncode == 0 and "Not deployed" in status.stdout


def test_a_port_in_use_names_the_port_and_the_option_that_changes_it(project: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = faas(project, "deploy", "-O", f"port={port}")
    assert result.returncode == 6, result.stderr
    assert f"port {port} on 127.0.0.1 is in use" in result.stderr
    assert "-O port=PORT" in result.stderr
    assert "Errno" not in result.stderr


def test_an_import_error_in_the_app_shows_the_users_traceback(project: Path) -> None:
    (project / "app.py").write_text(
        "def configure():\n    raise ValueError('DATABASE_URL is malformed')\n\nconfigure()\n\n" + APP
    )
    result = faas(project, "deploy")
    assert result.returncode == 6, result.stderr
    lines = result.stderr.splitlines()
    lines = lines[next(i for i, line in enumerate(lines) if line.startswith("error: ")) :]
    assert lines[0] == "error: the aws runtime failed to start the artifact: ValueError: DATABASE_URL is malformed"
    traceback = lines[lines.index("Traceback (most recent call last):") :]
    assert traceback[1].endswith('/app.py", line 4, in <module>') and traceback[2] == "    configure()"
    assert traceback[3].endswith('/app.py", line 2, in configure')
    assert traceback[-1] == "ValueError: DATABASE_URL is malformed"
    assert "LAMBDA_WARNING" not in result.stderr
    assert "importlib" not in result.stderr and "faas/adapters" not in result.stderr
    assert max(len(line) for line in lines) < 300


def test_a_multi_line_log_record_prints_as_its_lines(project: Path) -> None:
    deployed = faas(project, "deploy", "--json")
    assert deployed.returncode == 0, deployed.stderr
    url = json.loads(deployed.stdout)["result"]["url"]
    with urllib.request.urlopen(url, timeout=30) as response:
        assert response.read() == b"ok"
    result = faas(project, "logs")
    assert result.returncode == 0, result.stderr
    assert "\r" not in result.stdout
    first = next(line for line in result.stdout.splitlines() if line.endswith("first line"))
    second = next(line for line in result.stdout.splitlines() if line.endswith("second line"))
    assert second.startswith(first.split("]", 1)[0]), "the continuation keeps the record's time, source and request"
    assert second.endswith("]     second line") or second.endswith("    second line")
