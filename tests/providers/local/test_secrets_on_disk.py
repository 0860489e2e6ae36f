"""Secrets never reach the disk, .faas/ ignores itself, state is private; and the local-deployment hint.

A project whose faas.toml names `provider = "aws"` (as examples did) is deployed with
`--provider local` through the real `faas` command, with a secret from `${env:SECRET_KEY}`.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import get, stop_all

pytestmark = pytest.mark.slow
FAAS = Path(sys.executable).parent / "faas"
FIRST = "s3cr3t-value-7d1e0a-first"
SECOND = "s3cr3t-value-7d1e0a-second"

APP = """
import os


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [os.environ["SECRET_KEY"].encode()]
"""


def faas(project: Path, *arguments: str, secret: str = FIRST, check: bool = True) -> subprocess.CompletedProcess[str]:
    # No AWS configuration at all: a command for the aws provider cannot find a region.
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env |= {
        "SECRET_KEY": secret,
        "AWS_CONFIG_FILE": str(project / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(project / "no-aws-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    result = subprocess.run([str(FAAS), *arguments], cwd=project, env=env, capture_output=True, text=True, timeout=600)
    if check:
        assert result.returncode == 0, f"faas {' '.join(arguments)}: {result.stdout}\n{result.stderr}"
    return result


def url_of(project: Path, secret: str = FIRST) -> str:
    return str(json.loads(faas(project, "status", "--json", "--provider", "local", secret=secret).stdout)["url"])


def files_holding(root: Path, value: str) -> list[str]:
    needle = value.encode()
    found = []
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink() and needle in path.read_bytes():
            found.append(str(path.relative_to(root)))
    return found


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("secrets")
    project = root / "site"
    project.mkdir()
    (project / "app.py").write_text(APP)
    (project / "requirements.txt").write_text("")
    (project / "faas.toml").write_text(
        'name = "secretsite"\nprovider = "aws"\npython = "3.12"\n'
        '[app]\nentry = "app:application"\ninterface = "wsgi"\n'
        '[app.environment]\nSECRET_KEY = "${env:SECRET_KEY}"\nPLAIN = "not-a-secret"\n'
    )
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    faas(project, "deploy", "--provider", "local")
    yield project
    stop_all(root)


def test_no_file_holds_the_secret_value_and_the_app_still_gets_it(project: Path) -> None:
    status, _, body = get(url_of(project))
    assert (status, body) == (200, FIRST.encode())
    assert files_holding(project, FIRST) == []
    deployment = json.loads((project / ".faas" / "local" / "dev" / "deployment.json").read_text())
    assert deployment["spec"]["environment"]["PLAIN"] == "not-a-secret"  # only the secret is left out
    assert "SECRET_KEY" in deployment["secret_environment"]


def test_state_is_private_to_its_owner(project: Path) -> None:
    stage = project / ".faas" / "local" / "dev"
    assert stat.S_IMODE(stage.stat().st_mode) == 0o700
    state_files = [*stage.glob("*.json"), *stage.glob("logs/*"), *stage.glob("versions/*/*.json")]
    assert len(state_files) >= 5
    for path in state_files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_git_add_stages_nothing_under_faas(project: Path) -> None:
    assert (project / ".faas" / ".gitignore").read_text().splitlines()[-1] == "*"
    subprocess.run(["git", "add", "."], cwd=project, check=True)
    staged = subprocess.run(
        ["git", "diff", "--cached", "--name-only"], cwd=project, check=True, capture_output=True, text=True
    ).stdout.split()
    assert "faas.toml" in staged
    assert [name for name in staged if name.startswith(".faas")] == []


def test_a_changed_secret_is_a_new_version_and_a_rollback_gets_the_old_value(project: Path) -> None:
    unchanged = faas(project, "deploy", "--provider", "local")
    assert "no changes" in (unchanged.stdout + unchanged.stderr).lower()
    faas(project, "deploy", "--provider", "local", secret=SECOND)
    url = url_of(project, SECOND)
    assert get(url)[2] == SECOND.encode()
    # The environment now holds the second value: the first comes from the supervisor's memory.
    faas(project, "rollback", "--provider", "local", secret=SECOND)
    assert get(url)[2] == FIRST.encode()
    assert files_holding(project, FIRST) == [] and files_holding(project, SECOND) == []


def test_a_failed_cloud_command_says_a_local_deployment_exists(project: Path) -> None:
    result = faas(project, "status", check=False)  # provider aws, from faas.toml: no region here
    assert result.returncode != 0
    assert "a local deployment of stage dev exists: add --provider local" in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr  # still one line
