"""`faas doctor` on AWS: read-only checks (whose credentials, the account reachable) and API Gateway's cap."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from faas import DeployError, Diagnosis

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
    findings.append(_credentials(provider))
    return findings


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
