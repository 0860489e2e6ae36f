"""An ImportError in the user's code, run by the real awslambdaric against the local Runtime API.

The user sees their own traceback (their files and lines, not importlib's and faas's), the
missing module, where it is imported and what to check: when `faas deploy` starts the app, and
when `faas invoke` first imports a function.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import stop_all

pytestmark = pytest.mark.slow

CACHE = {"FAAS_CACHE_DIR": str(Path(tempfile.gettempdir()) / "faas-test-cache")}
HINT = "is it in the project's dependencies (requirements.txt)?"


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "shop"
    root.mkdir()
    (root / "app.py").write_text(
        "import helpers\n\n\ndef app(environ, start_response):\n    start_response('200 OK', [])\n    return [b'ok']\n"
    )
    (root / "helpers.py").write_text("import os\n")
    (root / "tasks.py").write_text(
        "import json\nimport missing_task_dependency\n\n\ndef tick(event, context):\n    return 1\n"
    )
    (root / "faas.toml").write_text(
        'name = "shop"\nprovider = "local"\n[app]\nentry = "app:app"\n'
        '[[functions]]\nname = "tick"\nentry = "tasks:tick"\n'
    )
    try:
        yield root
    finally:
        stop_all(root)


def faas(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The CLI as a user runs it, in the project's folder."""
    env = {**os.environ, **CACHE, "COLUMNS": "200"}
    command = [sys.executable, "-m", "faas.core.cli", *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=project, timeout=300)


def traceback_of(output: str) -> list[str]:
    lines = output.splitlines()
    return lines[lines.index("Traceback (most recent call last):") :]


def test_a_missing_module_in_the_app_shows_the_users_traceback_and_a_hint(project: Path) -> None:
    (project / "helpers.py").write_text("import os\nimport missing_app_dependency  # forgot requirements.txt\n")
    result = faas(project, "deploy")
    assert result.returncode == 6, result.stderr
    lines = result.stderr.splitlines()
    lines = lines[next(i for i, line in enumerate(lines) if line.startswith("error: ")) :]
    assert lines[0].startswith("error: the aws runtime failed to start the artifact: ")
    message = (
        "cannot import 'app' for entry 'app:app': No module named 'missing_app_dependency' "
        f"(imported at helpers.py, line 2); {HINT}"
    )
    assert lines[0].endswith(message)
    traceback = traceback_of(result.stderr)
    assert traceback[1].endswith('/app.py", line 1, in <module>') and traceback[2] == "    import helpers"
    assert traceback[3].endswith('/helpers.py", line 2, in <module>')
    assert traceback[4] == "    import missing_app_dependency  # forgot requirements.txt"
    assert traceback[-1].endswith(message)
    assert "LAMBDA_WARNING" not in result.stderr
    assert "importlib" not in result.stderr and "faas/adapters" not in result.stderr


def test_a_missing_module_in_a_function_shows_in_faas_invoke(project: Path) -> None:
    deployed = faas(project, "deploy")
    assert deployed.returncode == 0, deployed.stderr
    result = faas(project, "invoke", "--function", "tick", "--data", "{}")
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert (
        "cannot import 'tasks' for entry 'tasks:tick': No module named 'missing_task_dependency' "
        f"(imported at tasks.py, line 2); {HINT}"
    ) in output
    traceback = traceback_of(output)
    user = [i for i, line in enumerate(traceback) if line.endswith('/tasks.py", line 2, in <module>')]
    assert user and traceback[user[0] + 1] == "    import missing_task_dependency"
