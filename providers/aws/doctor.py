"""`faas doctor` on AWS: read-only checks (whose credentials, the account reachable) and API Gateway's cap."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from faas import APP, DeployError, Diagnosis

if TYPE_CHECKING:
    from faas.providers.aws.provider import AwsProvider

# API Gateway (HTTP and REST APIs) ends an integration after 29 s, whatever the Lambda timeout is.
API_GATEWAY_SECONDS = 29


def diagnose(provider: AwsProvider) -> list[Diagnosis]:
    findings = []
    app = provider.project.config.app
    if app is not None and app.timeout > API_GATEWAY_SECONDS and provider.options.front_door != "function-url":
        findings.append(
            Diagnosis(
                "aws",
                "timeout",
                f"app.timeout is {app.timeout} s but API Gateway ({provider.options.front_door}) answers 504 after "
                f"{API_GATEWAY_SECONDS} s",
                action='lower app.timeout to 29, or set front_door = "function-url" (up to 900 s) in [providers.aws]',
            )
        )
    credentials = _credentials(provider)
    findings.append(credentials)
    if credentials.ok:
        findings += _permissions(provider)
        if provider.options.vpc is not None:
            findings += _network(provider)
    return findings


def _network(provider: AwsProvider) -> list[Diagnosis]:
    import botocore.exceptions

    from faas.providers.aws.doctor_network import diagnose_network
    from faas.providers.aws.secrets import referenced
    from faas.providers.aws.session import error_text

    deployment = provider.deployment
    assert provider.options.vpc is not None
    try:
        return diagnose_network(deployment, provider.options.vpc, referenced(deployment))
    except botocore.exceptions.ClientError as error:
        return [
            Diagnosis(
                "aws",
                "network",
                f"could not check the vpc: {error_text(error).splitlines()[0][:160]}",
                action="check the subnet ids in [providers.aws] vpc, and that these credentials may describe them",
            )
        ]


# Read-only calls a deploy makes early, each naming the permission it needs. Asked about the
# project's own resources: "not found" means the call was allowed.
_DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess", "403"}


def _probes(provider: AwsProvider) -> list[tuple[str, str, str, dict[str, Any]]]:
    names = provider.deployment.names
    probes: list[tuple[str, str, str, dict[str, Any]]] = [
        ("lambda:GetFunction", "lambda", "get_function", {"FunctionName": names.function(APP)}),
        ("iam:GetRole", "iam", "get_role", {"RoleName": names.role}),
    ]
    if any(
        trigger.kind == "schedule" for function in provider.project.config.functions for trigger in function.triggers
    ):
        probes.append(("events:ListRules", "events", "list_rules", {"NamePrefix": names.prefix, "Limit": 1}))
    return probes


def _permissions(provider: AwsProvider) -> list[Diagnosis]:
    import botocore.exceptions

    from faas.providers.aws.session import error_code, error_text, is_missing

    session = provider.deployment.session
    denied = []
    for permission, service, method, arguments in _probes(provider):
        try:
            getattr(session.client(service), method)(**arguments)
        except botocore.exceptions.ClientError as error:
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if error_code(error) in _DENIED or status == 403:
                denied.append((permission, error_text(error).splitlines()[0][:160]))
            elif not is_missing(error):
                denied.append((permission, f"could not check: {error_text(error)[:160]}"))
    if not denied:
        return [Diagnosis("aws", "permissions", "the read-only calls a deploy starts with are allowed", ok=True)]
    return [
        Diagnosis(
            "aws",
            "permissions",
            f"{permission} refused: {why}",
            action=f"grant {permission.split(':')[0]}:* to these credentials (read-only checks: deploying needs more)",
        )
        for permission, why in denied
    ]


def _credentials(provider: AwsProvider) -> Diagnosis:
    import botocore.exceptions
    import botocore.parsers

    from faas.providers.aws.session import error_text

    fix = "set AWS_PROFILE (or profile in [providers.aws]), run `aws configure` or `aws sso login`"
    try:
        session = provider.deployment.session
    except DeployError as error:
        return Diagnosis("aws", "credentials", error.reason, action=fix)
    if session.boto.get_credentials() is None:
        return Diagnosis("aws", "credentials", "no AWS credentials found", action=fix)
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    where = f" at {endpoint}" if endpoint else ""
    try:
        identity = session.client("sts").get_caller_identity()
    except botocore.exceptions.ClientError as error:
        return Diagnosis("aws", "credentials", f"STS refused the credentials{where}: {error_text(error)}", action=fix)
    except (botocore.exceptions.BotoCoreError, botocore.parsers.ResponseParserError) as error:
        # ResponseParserError: something answered that is not STS (a proxy, a wrong AWS_ENDPOINT_URL).
        return Diagnosis("aws", "credentials", f"STS not reachable{where}: {error}", action="check the network")
    return Diagnosis(
        "aws",
        "credentials",
        f"{identity['Arn']} (account {identity['Account']}) in {session.region}{where}",
        ok=True,
    )
