"""`faas doctor`: one line per finding with what to do, exit 8 when something needs the user.

AWS is the moto server of tests/providers/aws/conftest.py over HTTP (AWS_ENDPOINT_URL); nothing
leaves the loopback interface.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from faas import hookimpl
from faas.core.config import load_project
from faas.core.doctor import diagnose
from faas.core.errors import NEEDS_USER_EXIT_CODE
from faas.core.interpreters import host_version
from faas.core.packaging import SizeLimits
from faas.core.plugins import get_registry
from faas.core.plugins.manager import get_plugin_manager
from faas.providers.aws.provider import AwsProvider
from faas.providers.gcp.provider import GcpProvider
from tests.core.plugins.conftest import run_faas
from tests.hidden_sdks import hidden_sdks_env
from tests.providers.aws.conftest import aws_env, moto_server, record_calls, running_moto

__all__ = ["aws_env", "moto_server"]  # the session fixtures, used here by name


def project(root: Path, body: str = "", *, provider: str = "aws", timeout: int = 29) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "app.py").write_text("def app(environ, start_response):\n    return []\n")
    (root / "faas.toml").write_text(
        f'name = "shop"\nprovider = "{provider}"\npython = "{host_version()}"\n\n'
        f'[app]\nentry = "app:app"\ntimeout = {timeout}\n{body}'
    )
    return root


def doctor_json(root: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, list[dict[str, Any]]]:
    result = run_faas("doctor", *args, "--json", cwd=root, env=env)
    assert "Traceback" not in result.stderr, result.stderr
    document = json.loads(result.stdout)
    assert "problems" in document, document
    assert document["problems"] == len([finding for finding in document["findings"] if not finding["ok"]])
    return result.returncode, document["findings"]


def problems(findings: list[dict[str, Any]], check: str | None = None) -> list[dict[str, Any]]:
    return [finding for finding in findings if not finding["ok"] and check in (None, finding["check"])]


def test_a_clean_aws_project_is_ready(tmp_path: Path, aws_env: str) -> None:
    root = project(tmp_path)
    result = run_faas("doctor", cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    credentials = next(line for line in lines if "aws credentials:" in line)
    # Who the credentials are, asked of the endpoint the tests point AWS_ENDPOINT_URL at.
    assert credentials.startswith("ok") and "account 123456789012" in credentials and aws_env in credentials
    assert any(line.startswith("ok") and "package size" in line and "unzipped 250 MB" in line for line in lines)
    assert lines[-1] == "Ready to deploy to aws."


def test_doctor_makes_read_only_calls_only(tmp_path: Path, aws_env: str) -> None:
    provider = AwsProvider(load_project(project(tmp_path) / "faas.toml"))
    log = record_calls(provider)
    findings = provider.diagnose()
    assert log.calls == ["sts.GetCallerIdentity", "lambda.GetFunction", "iam.GetRole"]
    assert log.writes == []
    assert [finding.check for finding in findings if finding.ok] == ["credentials", "permissions"]


@pytest.fixture
def moto_with_iam(tmp_path: Path) -> Iterator[str]:
    """A moto server that enforces IAM after its first 3 calls (the user, its policy, its key)."""
    with running_moto(tmp_path / "moto.log", INITIAL_NO_AUTH_ACTION_COUNT="3") as endpoint:
        yield endpoint


def test_a_refused_permission_names_it(tmp_path: Path, moto_with_iam: str) -> None:
    import boto3

    admin = boto3.Session(aws_access_key_id="admin", aws_secret_access_key="admin", region_name="eu-west-1")
    iam = admin.client("iam", endpoint_url=moto_with_iam)
    iam.create_user(UserName="deployer")
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["sts:GetCallerIdentity"], "Resource": "*"}],
    }
    iam.put_user_policy(UserName="deployer", PolicyName="whoami", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName="deployer")["AccessKey"]
    env = {
        "AWS_ENDPOINT_URL": moto_with_iam,
        "AWS_ACCESS_KEY_ID": key["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"],
        "AWS_SESSION_TOKEN": "",
        "AWS_REGION": "eu-west-1",
    }
    code, findings = doctor_json(project(tmp_path), env=env)
    assert code == NEEDS_USER_EXIT_CODE
    (credentials,) = [finding for finding in findings if finding["check"] == "credentials"]
    assert credentials["ok"] and "user/deployer" in credentials["message"]
    refused = {finding["message"].split()[0] for finding in problems(findings, "permissions")}
    assert "iam:GetRole" in refused
    role = next(finding for finding in problems(findings, "permissions") if "iam:GetRole" in finding["message"])
    assert "not authorized to perform: iam:GetRole" in role["message"] and "grant iam:*" in role["action"]


def test_an_app_timeout_over_api_gateways_29_seconds(tmp_path: Path, aws_env: str) -> None:
    code, findings = doctor_json(project(tmp_path, timeout=60))
    assert code == NEEDS_USER_EXIT_CODE
    (timeout,) = problems(findings)
    assert timeout["check"] == "timeout" and "29 s" in timeout["message"]
    assert "function-url" in timeout["action"]
    # A Function URL has no such cap: Lambda's own 900 s applies.
    code, _ = doctor_json(project(tmp_path, '\n[providers.aws]\nfront_door = "function-url"\n', timeout=60))
    assert code == 0


def test_missing_credentials_say_how_to_get_them(tmp_path: Path, aws_env: str) -> None:
    empty = tmp_path / "empty"
    empty.write_text("")
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env |= {
        "AWS_REGION": "eu-west-1",
        "AWS_ENDPOINT_URL": aws_env,
        "AWS_CONFIG_FILE": str(empty),
        "AWS_SHARED_CREDENTIALS_FILE": str(empty),
        "AWS_EC2_METADATA_DISABLED": "true",  # never ask 169.254.169.254
    }
    result = subprocess.run(
        [sys.executable, "-m", "faas.core.cli", "doctor"],
        cwd=project(tmp_path / "p"),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == NEEDS_USER_EXIT_CODE, result.stdout + result.stderr
    line = next(line for line in result.stdout.splitlines() if "credentials" in line)
    assert line.startswith("FIX") and "no AWS credentials found" in line and "aws sso login" in line


def test_an_endpoint_that_is_not_sts_is_a_finding_not_a_crash(tmp_path: Path, aws_env: str) -> None:
    code, findings = doctor_json(project(tmp_path), env={"AWS_ENDPOINT_URL": aws_env + "/not-sts/"})
    (finding,) = problems(findings, "credentials")
    assert code == NEEDS_USER_EXIT_CODE
    assert aws_env in finding["message"]


def test_a_sqlite_database_url_on_a_read_only_filesystem(tmp_path: Path, aws_env: str) -> None:
    root = project(tmp_path, '\n[app.environment]\nDATABASE_URL = "sqlite:///db.sqlite3"\n')
    code, findings = doctor_json(root)
    (finding,) = problems(findings, "filesystem")
    assert code == NEEDS_USER_EXIT_CODE
    assert "DATABASE_URL" in finding["message"] and "postgresql" in finding["action"]
    # The local provider keeps what the app writes: no finding there.
    code, findings = doctor_json(root, "--provider", "local")
    assert problems(findings, "filesystem") == [], findings


def test_django_sqlite_settings_reuse_the_packaging_warning(tmp_path: Path, aws_env: str) -> None:
    from faas.core.init import write_config

    subprocess.run([sys.executable, "-m", "django", "startproject", "mysite", str(tmp_path)], check=True)
    write_config(tmp_path)
    code, findings = doctor_json(tmp_path, "--provider", "aws")
    (finding,) = problems(findings, "filesystem")
    assert code == NEEDS_USER_EXIT_CODE
    assert "SQLite (db.sqlite3)" in finding["message"] and "read-only" in finding["message"]


def test_the_target_python_missing_here(tmp_path: Path, aws_env: str) -> None:
    other = "3.11" if host_version() != "3.11" else "3.12"
    root = project(tmp_path, provider="local")
    (root / "faas.toml").write_text((root / "faas.toml").read_text().replace(host_version(), other))
    # Nothing on PATH but faas's own interpreter, and no pyenv: Python `other` cannot be found.
    # aws_env: the credentials check goes to the moto server, never to a real AWS.
    env = {"PATH": str(Path(sys.executable).parent), "PYENV_ROOT": str(tmp_path / "no-pyenv")}
    code, findings = doctor_json(root, "--provider", "aws", env=env)
    (finding,) = problems(findings, "python")
    assert code == NEEDS_USER_EXIT_CODE
    assert f"no Python {other}" in finding["message"] and f"uv python install {other}" in finding["action"]


class _TinyGcp(GcpProvider):
    """Cloud Functions with a 4 KB upload limit, so that a test project can break it."""

    name = "tiny"
    requires = ()

    def package_target(self) -> Any:
        import dataclasses

        target = super().package_target()
        return dataclasses.replace(target, provider="tiny", limits=SizeLimits(zipped=4096, advice="keep it small"))


class _TinyPlugin:
    @hookimpl
    def faas_providers(self) -> list[type]:
        return [_TinyGcp]


def test_package_size_over_the_providers_limit(tmp_path: Path) -> None:
    root = project(tmp_path, provider="tiny")
    (root / "data.bin").write_bytes(os.urandom(64 * 1024))
    manager = get_plugin_manager(load_entry_points=False)
    manager.register_from(_TinyPlugin())
    findings = diagnose(load_project(root / "faas.toml"), "tiny", get_registry(manager))
    (package,) = [finding for finding in findings if finding.check == "package"]
    assert not package.ok and "keep it small" in package.message
    assert "Biggest: the project's own files" in package.message
    assert "package size" not in [finding.check for finding in findings]


def test_a_provider_without_its_sdk_still_checks_what_needs_none(tmp_path: Path) -> None:
    no_sdks = hidden_sdks_env(tmp_path / "no-sdks")
    code, findings = doctor_json(project(tmp_path / "shop", provider="gcp", timeout=29), env=no_sdks)
    checks = {finding["check"]: finding for finding in findings}
    assert code == NEEDS_USER_EXIT_CODE
    assert checks["package size"]["ok"] and checks["limits"]["ok"]
    assert "pip install 'faasport[gcp]'" in checks["sdk"]["action"]


def test_a_limit_of_the_platform(tmp_path: Path) -> None:
    _, findings = doctor_json(project(tmp_path, provider="gcp", timeout=3601))
    (limit,) = problems(findings, "limits")
    assert "app.timeout" in limit["message"] and "3600 s" in limit["message"]
