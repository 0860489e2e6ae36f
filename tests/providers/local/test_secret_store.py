"""`${secret:NAME}` on local: `faas secrets set` (stdin only) stores outside the project, 0600; the app
gets the value; no file under the project holds it."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from faas.core.config import load_project
from faas.core.errors import ConfigError
from faas.providers.local import secret_store

from .conftest import get, stop_all

pytestmark = pytest.mark.slow
FAAS = Path(sys.executable).parent / "faas"
VALUE = "pg-pa55-9f3c1e-local-store"

APP = """
import os


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [os.environ["DB_PASSWORD"].encode()]
"""


def faas(
    project: Path, data: Path, *arguments: str, stdin: str = "", check: bool = True
) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("AWS_", "FAAS_SECRETS"))}
    # The default store: the user data dir (platformdirs follows XDG_DATA_HOME), outside the project.
    env["XDG_DATA_HOME"] = str(data)
    result = subprocess.run(
        [str(FAAS), *arguments], cwd=project, env=env, input=stdin, capture_output=True, text=True, timeout=600
    )
    if check:
        assert result.returncode == 0, f"faas {' '.join(arguments)}: {result.stdout}\n{result.stderr}"
    return result


def files_holding(root: Path, value: str) -> list[str]:
    needle = value.encode()
    files = [path for path in root.rglob("*") if path.is_file() and not path.is_symlink()]
    return [str(path.relative_to(root)) for path in files if needle in path.read_bytes()]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("secretstore")
    project, data = root / "site", root / "data"
    project.mkdir()
    (project / "app.py").write_text(APP)
    (project / "requirements.txt").write_text("")
    (project / "faas.toml").write_text(
        'name = "storesite"\npython = "3.12"\n'
        '[app]\nentry = "app:application"\ninterface = "wsgi"\n'
        '[app.environment]\nDB_PASSWORD = "${secret:DB_PASSWORD}"\n'
    )
    yield project, data
    stop_all(root)


def test_a_deploy_without_the_value_says_how_to_store_it(site: tuple[Path, Path]) -> None:
    project, data = site
    result = faas(project, data, "deploy", check=False)
    assert result.returncode != 0
    assert "no local value for secret DB_PASSWORD" in result.stderr
    assert "faas secrets set DB_PASSWORD --provider local --stage dev" in result.stderr


def test_the_value_is_read_from_stdin_never_argv(site: tuple[Path, Path]) -> None:
    project, data = site
    as_argument = faas(project, data, "secrets", "set", "DB_PASSWORD", VALUE, check=False)
    assert as_argument.returncode == 2 and "unexpected extra argument" in as_argument.stderr.lower()
    empty = faas(project, data, "secrets", "set", "DB_PASSWORD", stdin="", check=False)
    assert empty.returncode == 2 and "no value for DB_PASSWORD on stdin" in empty.stderr
    assert faas(project, data, "secrets", "set", "1bad", stdin="x", check=False).returncode == 2


def test_the_app_gets_the_stored_value_and_no_project_file_holds_it(site: tuple[Path, Path]) -> None:
    project, data = site
    stored = faas(project, data, "secrets", "set", "DB_PASSWORD", "--provider", "local", stdin=VALUE + "\n")
    assert VALUE not in stored.stdout + stored.stderr
    store = data / "faas" / "secrets" / "storesite" / "dev.json"
    assert json.loads(store.read_text()) == {"DB_PASSWORD": VALUE}  # the echo's newline is not the value's
    assert stat.S_IMODE(store.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.parent.stat().st_mode) == 0o700
    faas(project, data, "deploy")
    url = json.loads(faas(project, data, "status", "--json").stdout)["url"]
    assert get(url)[0:3:2] == (200, VALUE.encode())
    assert files_holding(project, VALUE) == []
    deployment = json.loads((project / ".faas" / "local" / "dev" / "deployment.json").read_text())
    assert deployment["spec"]["environment"]["DB_PASSWORD"] == "${secret:DB_PASSWORD}"
    again = faas(project, data, "deploy")
    assert "no changes" in (again.stdout + again.stderr).lower()


def test_a_store_inside_the_project_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "faas.toml").write_text('name = "inside"\n[app]\nentry = "app:application"\n')
    monkeypatch.setenv(secret_store.STORE_ENV, str(tmp_path / "secrets"))
    with pytest.raises(ConfigError, match="is inside the project"):
        secret_store.store_path(load_project(tmp_path / "faas.toml"))
