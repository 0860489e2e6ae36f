"""`${secret:NAME}` on AWS against moto: the role reads exactly those secrets, the value never leaves
the store on the deploy side, and the adapter fills the environment from the real (moto) API."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import boto3
import pytest

from faas.core import workflow
from faas.core.errors import DeployError

from .conftest import REGION, deploy, open_aws, record_calls

VALUE = "rds-pa55-0c1d2e-never-on-disk"
ROOT = Path(__file__).resolve().parents[3]


def config(base: str, store: str = "secretsmanager") -> str:
    return f"""
[app]
entry = "app:application"
interface = "wsgi"
environment = {{ DB_PASSWORD = "${{secret:{base}-db}}", MODE = "prod" }}

[[functions]]
name = "tick"
entry = "tasks:tick"
triggers = [{{ schedule = "rate(1 hour)" }}]

[providers.aws]
secrets = "{store}"
"""


def _statements(provider: Any) -> list[dict[str, Any]]:
    names = provider.deployment.names
    document = boto3.client("iam").get_role_policy(RoleName=names.role, PolicyName="faas")["PolicyDocument"]
    return list(document["Statement"])


def adapter_environment(function_env: dict[str, str], endpoint: str) -> dict[str, str]:
    """What an execution environment has: the function's variables, the role's credentials, the region."""
    base = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    credentials = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "t"}
    return {**base, **function_env, **credentials, "AWS_REGION": REGION, "AWS_ENDPOINT_URL": endpoint}


def run_adapter(environment: dict[str, str]) -> dict[str, Any]:
    code = (
        "import json, os, sys, time; sys.path.insert(0, sys.argv[1]); start = time.perf_counter();"
        "from faas.adapters.aws.secrets import fill_environment; imported = time.perf_counter();"
        "filled = fill_environment(); done = time.perf_counter();"
        "print(json.dumps({'filled': filled, 'value': os.environ['DB_PASSWORD'],"
        " 'import_ms': (imported - start) * 1e3, 'fetch_ms': (done - imported) * 1e3,"
        " 'modules': sorted(sys.modules)}))"
    )
    artifact = _artifact_layout()
    result = subprocess.run(
        [sys.executable, "-S", "-c", code, artifact], env=environment, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout))


def _artifact_layout() -> str:
    # The artifact's layout: faas/__init__.py (empty) and faas/adapters; -S keeps site-packages out.
    target = Path(os.environ.get("FAAS_CACHE_DIR", "/tmp")) / "secrets-adapter-layout"
    if not (target / "faas" / "adapters").exists():
        import shutil

        (target / "faas").mkdir(parents=True, exist_ok=True)
        (target / "faas" / "__init__.py").write_text("")
        shutil.copytree(ROOT / "adapters", target / "faas" / "adapters", ignore=shutil.ignore_patterns("__pycache__"))
    return str(target)


def test_a_missing_secret_is_refused_before_any_write(write_project: Any) -> None:
    provider = open_aws(write_project(config(write_project.base)))
    calls = record_calls(provider)
    with pytest.raises(DeployError, match=f"no secret {write_project.base}-db in Secrets Manager"):
        workflow.deploy(provider)
    assert calls.writes == []
    assert "secretsmanager.DescribeSecret" in calls.calls


def test_secrets_manager_end_to_end(write_project: Any, aws_env: str) -> None:
    base = write_project.base
    project = write_project(config(base))
    first = open_aws(project).set_secret(f"{base}-db", "first-value")
    arn = open_aws(project).set_secret(f"{base}-db", VALUE)  # a second set updates the same secret
    assert arn == first
    assert boto3.client("secretsmanager").get_secret_value(SecretId=f"{base}-db")["SecretString"] == VALUE

    provider, outcome = deploy(project)
    rendered = "\n".join(outcome.plan.render()) + json.dumps(outcome.plan.to_json())
    assert VALUE not in rendered
    with zipfile.ZipFile(outcome.artifact.path) as archive:
        assert all(VALUE.encode() not in archive.read(name) for name in archive.namelist())

    lam = boto3.client("lambda")
    names = provider.deployment.names
    app_env = lam.get_function_configuration(FunctionName=names.function(""))["Environment"]["Variables"]
    assert app_env["DB_PASSWORD"] == f"${{secret:{base}-db}}"
    assert app_env["FAAS_SECRETS_STORE"] == "secretsmanager"
    tick_env = lam.get_function_configuration(FunctionName=names.function("tick"))["Environment"]["Variables"]
    assert "FAAS_SECRETS_STORE" not in tick_env  # no reference there: nothing to read at start

    statements = _statements(provider)
    reads = [s for s in statements if any(str(a).startswith("secretsmanager:") for a in s["Action"])]
    assert reads == [
        {"Sid": "ReadSecrets", "Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"], "Resource": [arn]}
    ]
    assert all("*" not in resource for s in reads for resource in s["Resource"])

    again = open_aws(write_project(config(base)))
    calls = record_calls(again)
    assert workflow.deploy(again).plan.is_empty
    assert calls.writes == []

    # The execution environment: the adapter reads the value from the (moto) API before the app imports.
    seen = run_adapter(adapter_environment(app_env, aws_env))
    assert (seen["filled"], seen["value"]) == (["DB_PASSWORD"], VALUE)
    assert not [m for m in seen["modules"] if m.split(".")[0] in {"boto3", "botocore", "urllib3"}]
    print(f"secrets adapter: import {seen['import_ms']:.1f} ms, one GetSecretValue {seen['fetch_ms']:.1f} ms")

    workflow.undeploy(open_aws(write_project(config(base))))
    # The secret is the user's (made by `faas secrets set`), not the deploy's: it stays.
    assert boto3.client("secretsmanager").describe_secret(SecretId=f"{base}-db")["ARN"] == arn


def test_ssm_parameter_store(write_project: Any, aws_env: str) -> None:
    base = write_project.base
    project = write_project(config(base, "ssm"))
    arn = open_aws(project).set_secret(f"{base}-db", VALUE)
    parameter = boto3.client("ssm").get_parameter(Name=f"{base}-db", WithDecryption=True)["Parameter"]
    assert (parameter["Type"], parameter["Value"]) == ("SecureString", VALUE)
    provider, _ = deploy(project)
    reads = [s for s in _statements(provider) if s.get("Sid") == "ReadSecrets"]
    assert reads == [{"Sid": "ReadSecrets", "Effect": "Allow", "Action": ["ssm:GetParameter"], "Resource": [arn]}]
    assert arn == f"arn:aws:ssm:{REGION}:{provider.deployment.account}:parameter/{base}-db"
    env = boto3.client("lambda").get_function_configuration(FunctionName=provider.deployment.names.function(""))
    seen = run_adapter(adapter_environment(env["Environment"]["Variables"], aws_env))
    assert seen["value"] == VALUE


def test_the_adapter_names_a_secret_it_cannot_read(aws_env: str) -> None:
    environment = adapter_environment(
        {"DB_PASSWORD": "${secret:no-such-secret-7f}", "FAAS_SECRETS_STORE": "secretsmanager"}, aws_env
    )
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "from faas.adapters.aws.secrets import fill_environment; fill_environment()"
    )
    result = subprocess.run(
        [sys.executable, "-S", "-c", code, _artifact_layout()], env=environment, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "cannot read secret no-such-secret-7f from secretsmanager: ResourceNotFoundException" in result.stderr


def test_the_signature_is_the_one_botocore_computes() -> None:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    from faas.adapters.aws.secrets import sign

    body = b'{"SecretId": "db"}'
    request = AWSRequest(
        method="POST",
        url="https://secretsmanager.eu-west-1.amazonaws.com/",
        data=body,
        headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "secretsmanager.GetSecretValue"},
    )
    secret_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    SigV4Auth(Credentials("AKIDEXAMPLE", secret_key, "session-token"), "secretsmanager", "eu-west-1").add_auth(request)
    ours = sign(
        target="secretsmanager.GetSecretValue",
        host="secretsmanager.eu-west-1.amazonaws.com",
        path="/",
        body=body,
        service="secretsmanager",
        region="eu-west-1",
        access_key="AKIDEXAMPLE",
        secret_key=secret_key,
        token="session-token",
        now=time.strptime(request.headers["X-Amz-Date"], "%Y%m%dT%H%M%SZ"),  # the time botocore signed at
    )
    assert ours["authorization"] == request.headers["Authorization"]
    assert ours["x-amz-security-token"] == request.headers["X-Amz-Security-Token"]
