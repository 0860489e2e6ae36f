"""The AWS Lambda provider (deploy side). boto3 is imported only inside the modules that call AWS."""

from __future__ import annotations

from faas.core.plugins import Provider


class AwsProvider(Provider):
    name = "aws"
    description = "AWS Lambda with API Gateway (HTTP or REST API) or a Function URL"
    requires = ("boto3",)
    extra = "aws"
