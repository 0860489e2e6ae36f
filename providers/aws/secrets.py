"""`${secret:NAME}` on AWS: a Secrets Manager secret (or SSM SecureString parameter) named NAME.

The deploy never reads a value: the plan looks the secrets up by name (DescribeSecret or
DescribeParameters: metadata only) to refuse a missing one before any change and to grant the
role `GetSecretValue` on exactly those ARNs. The function keeps `${secret:NAME}` as the
variable's value with FAAS_SECRETS_STORE set; the adapter (adapters/aws/secrets.py) reads the
values when an execution environment starts, before the app imports.

`faas secrets set NAME --provider aws` writes the value; the secrets outlive `faas undeploy`
(they were made by the user, not by a deploy, and may be shared between stages).
"""

from __future__ import annotations

from typing import Any

from faas import missing_secrets, secret_references
from faas.adapters.contract import ENV_SECRETS_STORE
from faas.providers.aws.context import Deployment
from faas.providers.aws.naming import PROJECT_TAG
from faas.providers.aws.session import is_missing

_READ_ACTIONS = {"secretsmanager": ["secretsmanager:GetSecretValue"], "ssm": ["ssm:GetParameter"]}
_STORE_NAMES = {"secretsmanager": "Secrets Manager", "ssm": "SSM Parameter Store"}


def referenced(deployment: Deployment) -> list[str]:
    """The secret names the app's and every function's environment reference, sorted."""
    config = deployment.project.config
    environments = [function.environment for function in config.functions]
    if config.app is not None:
        environments.append(config.app.environment)
    return sorted({name for environment in environments for name in secret_references(environment).values()})


def runtime_environment(deployment: Deployment, environment: dict[str, str]) -> dict[str, str]:
    """What a function with references needs besides them: which store the adapter reads."""
    return {ENV_SECRETS_STORE: deployment.options.secrets} if secret_references(environment) else {}


def secret_arns(deployment: Deployment) -> list[str]:
    """The ARNs of the referenced secrets; a missing one is refused, naming the command that stores it."""
    names = referenced(deployment)
    if not names:
        return []
    store = deployment.options.secrets
    found = {name: _lookup(deployment, store, name) for name in names}
    absent = [name for name, arn in found.items() if arn is None]
    if absent:
        raise missing_secrets("aws", absent, f"{_STORE_NAMES[store]} ({deployment.region})")
    return sorted(arn for arn in found.values() if arn is not None)


def policy_statement(deployment: Deployment) -> dict[str, Any] | None:
    """Read access to exactly the referenced secrets, or None without any."""
    arns = secret_arns(deployment)
    if not arns:
        return None
    return {
        "Sid": "ReadSecrets",
        "Effect": "Allow",
        "Action": _READ_ACTIONS[deployment.options.secrets],
        "Resource": arns,
    }


def _lookup(deployment: Deployment, store: str, name: str) -> str | None:
    if store == "ssm":
        ssm = deployment.session.client("ssm")
        filters = [{"Key": "Name", "Option": "Equals", "Values": [name]}]
        parameters = ssm.describe_parameters(ParameterFilters=filters).get("Parameters", [])
        return _parameter_arn(deployment, name) if parameters else None
    client = deployment.session.client("secretsmanager")
    try:
        return str(client.describe_secret(SecretId=name)["ARN"])
    except Exception as error:
        if is_missing(error):
            return None
        raise


def _parameter_arn(deployment: Deployment, name: str) -> str:
    return deployment.arn("ssm", f"parameter/{name.lstrip('/')}")


def set_secret(deployment: Deployment, name: str, value: str) -> str:
    """Create or update secret `name` with `value`; returns where it is (an ARN)."""
    if deployment.options.secrets == "ssm":
        ssm = deployment.session.client("ssm")
        ssm.put_parameter(Name=name, Value=value, Type="SecureString", Overwrite=True)
        return _parameter_arn(deployment, name)
    client = deployment.session.client("secretsmanager")
    try:
        return str(client.put_secret_value(SecretId=name, SecretString=value)["ARN"])
    except Exception as error:
        if not is_missing(error):
            raise
    created = client.create_secret(
        Name=name,
        SecretString=value,
        Description=f"faas secret of {deployment.project.name}",
        Tags=[{"Key": PROJECT_TAG, "Value": deployment.project.name}],
    )
    return str(created["ARN"])
