"""Zappa's scalar and table settings, key by key: what each becomes in faas, or why it cannot."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from faas.core.migrate import common, production
from faas.core.migrate.values import dotted_entry, function_name, python_version

if TYPE_CHECKING:
    from faas.core.migrate.zappa import _StageConverter

_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")

WARN = {
    "remote_env": "loads environment from S3 at runtime; put the values in environment (secrets as ${env:NAME})",
    "settings_file": "a local settings file baked into the package; set its values in environment",
    "exception_handler": "no faas counterpart; report errors from the app (e.g. a logging handler)",
    "cors": "CORS is the app's job under faas (e.g. flask-cors, CORSMiddleware)",
    "binary_support": "faas passes binary bodies through unchanged; nothing to set",
    "additional_text_mimetypes": "faas decides text vs binary from the response; nothing to set",
    "context_header_mappings": "no faas counterpart; read the values from the request context in the app",
    "payload_compression": "no faas counterpart; compress in the app (e.g. flask-compress)",
    "payload_minimum_compression_size": "no faas counterpart; compress in the app",
    "cache_cluster_enabled": "no API Gateway cache in faas",
    "cache_cluster_size": "no API Gateway cache in faas",
    "cache_cluster_ttl": "no API Gateway cache in faas",
    "cache_cluster_encrypted": "no API Gateway cache in faas",
    "apigateway_policy": "no API Gateway resource policy in faas",
    "api_key_required": "no API keys in faas; authenticate in the app",
    "api_key": "no API keys in faas; authenticate in the app",
    "authorizer": "no authorizers in faas; authenticate in the app",
    "iam_authorization": "nearest: providers.aws.private with front_door = function-url (IAM auth)",
    "cognito": "no Cognito triggers in faas",
    "alb_enabled": "no ALB front door in faas; nearest: providers.aws.front_door",
    "alb_vpc_config": "no ALB front door in faas",
    "websocket_handler_module": "no WebSocket APIs in faas",
    "cloudwatch_log_level": "no API Gateway logging setting in faas",
    "cloudwatch_data_trace": "no API Gateway logging setting in faas",
    "cloudwatch_metrics_enabled": "no API Gateway metrics setting in faas",
    "certificate": 'certificate files are not imported; use an ACM ARN or certificate = "managed"',
    "certificate_key": 'certificate files are not imported; use certificate = "managed"',
    "certificate_chain": 'certificate files are not imported; use certificate = "managed"',
    "lets_encrypt_key": 'faas requests and validates certificates itself: certificate = "managed"',
    "bot_events": "no Lex bot triggers in faas",
    "async_source": "no asynchronous task source in faas; use a queue trigger",
    "async_resources": "no asynchronous task source in faas; use a queue trigger",
    "async_response_table": "no asynchronous task source in faas",
    "async_response_table_read_capacity": "no asynchronous task source in faas",
    "async_response_table_write_capacity": "no asynchronous task source in faas",
    "efs_config": "no EFS mounts in faas",
    "ephemeral_storage": "no /tmp size option in faas yet",
    "layers": "no Lambda layers in faas; list the libraries in your requirements instead",
    "prebuild_script": "faas has no build hooks; run the script before faas deploy",
    "callbacks": "faas has no deploy callbacks",
    "manage_roles": "faas always creates a least-privilege role",
    "role_name": "faas names the execution role after the project and stage",
    "role_arn": "faas creates its own execution role; add permissions with providers.aws.iam_statements",
    "attach_policy": "a policy file is not imported; list its statements in providers.aws.iam_statements",
    "assume_policy": "faas writes the role's trust policy itself",
    "snap_start": "no SnapStart option in faas yet",
    "dead_letter_arn": "no dead-letter target in faas",
    "xray_tracing": "no X-Ray option in faas",
    "aws_kms_key_arn": "no KMS key option in faas",
    "keep_warm_expression": "faas has no keep-warm pinger",
    "function_url_config": "Function URL CORS and auth settings are not imported; CORS is the app's job",
    "include": "Zappa's include adds folders to sys.path at start, it is not a package include; "
    "import through packages relative to the project root instead",
}
INFO = {
    "s3_bucket": "faas uploads artifacts to its own bucket (providers.aws.artifact_bucket to reuse one)",
    "debug": "a Zappa logging switch; faas logs the app's output as it is",
    "log_level": "a Zappa logging switch; faas logs the app's output as it is",
    "apigateway_description": "descriptions are not carried over",
    "lambda_description": "descriptions are not carried over",
    "touch": "faas checks a deploy itself",
    "touch_path": "faas checks a deploy itself",
    "delete_local_zip": "faas keeps artifacts in its own cache",
    "delete_s3_zip": "faas keeps artifacts in its own bucket",
    "num_retained_versions": "faas keeps the versions it needs for rollback",
    "aws_endpoint_urls": "endpoint overrides are for testing; faas uses AWS_ENDPOINT_URL",
    "slim_handler": "faas builds lean artifacts and sends large ones through S3 itself",
    "use_precompiled_packages": "faas picks manylinux wheels for the target itself",
    "extends": "inheritance resolved: each stage is written with its complete settings",
    "project_name": "",
}


def apply_setting(conv: _StageConverter, name: str, value: Any, origin: str, app: dict[str, Any]) -> None:
    """Record what `name` becomes for this stage (writing it into `conv.out` / `conv.aws`)."""
    handler = _HANDLERS.get(name)
    if handler is not None:
        handler(conv, name, value, origin, app)
    elif name in WARN:
        conv.warn(origin, name, WARN[name])
    elif name in INFO:
        if INFO[name]:
            conv.info(origin, name, INFO[name])
    else:
        conv.warn(origin, name, "not a Zappa setting faas knows; ignored")


def _runtime(conv: _StageConverter, name: str, value: Any, origin: str, app: dict[str, Any]) -> None:
    version, problem = python_version(value)
    conv.out["python"] = version
    if problem:
        conv.warn(origin, name, problem, "python")
    else:
        conv.mapped(origin, name, "python")


def _region(conv: _StageConverter, name: str, value: Any, origin: str, app: dict[str, Any]) -> None:
    if isinstance(value, str) and _REGION.match(value):
        conv.aws["region"] = value
        conv.mapped(origin, name, "providers.aws.region")
    else:
        conv.warn(origin, name, f"'{value}' is not an AWS region; not written", "providers.aws.region")


def _profile(conv: _StageConverter, name: str, value: Any, origin: str, app: dict[str, Any]) -> None:
    conv.aws["profile"] = str(value)
    conv.mapped(origin, name, "providers.aws.profile")


def _architecture(conv: _StageConverter, name: str, value: Any, origin: str, app: dict[str, Any]) -> None:
    text = str(value).lower()
    if text in ("x86_64", "arm64"):
        conv.aws["architecture"] = text
        conv.mapped(origin, name, "providers.aws.architecture")
    else:
        conv.warn(origin, name, f"'{value}' is not x86_64 or arm64; not written", "providers.aws.architecture")


def _api_gateway(conv: _StageConverter, name: str, value: Any, origin: str, app: dict[str, Any]) -> None:
    if value is False and app:
        conv.warn(
            origin,
            name,
            "Zappa deploys no HTTP endpoint; faas serves [app] over HTTP. Remove [app] and "
            "call the code through [[functions]] if it must not be reachable",
            "providers.aws.front_door",
        )
    else:
        conv.info(origin, name, "API Gateway is how faas serves [app] on AWS", "providers.aws.front_door")


def _api_version(conv: _StageConverter, name: str, value: Any, origin: str, app: dict[str, Any]) -> None:
    door = {"v1": "rest-api", "v2": "http-api"}.get(str(value).lower())
    if door is None:
        conv.warn(origin, name, f"'{value}' is not v1 or v2", "providers.aws.front_door")
        return
    conv.aws["front_door"] = door
    conv.mapped(origin, name, "providers.aws.front_door", f"API Gateway {value} is front_door = {door}")


def _function_url(conv: _StageConverter, name: str, value: Any, origin: str, app: dict[str, Any]) -> None:
    if value:
        conv.aws["front_door"] = "function-url"
        conv.mapped(origin, name, "providers.aws.front_door", "front_door = function-url")
    else:
        conv.info(origin, name, "disabled", "providers.aws.front_door")


def _endpoint(conv: _StageConverter, name: str, value: Any, origin: str, app: dict[str, Any]) -> None:
    kinds = [str(item).lower() for item in (value if isinstance(value, list) else [value])]
    if len(kinds) == 1 and kinds[0] in ("edge", "regional"):
        conv.aws["endpoint_type"] = kinds[0]
        conv.mapped(origin, name, "providers.aws.endpoint_type")
    else:
        conv.warn(
            origin, name, f"{value} has no faas counterpart (edge or regional only)", "providers.aws.endpoint_type"
        )


def _domain(conv: _StageConverter, name: str, value: Any, origin: str, app: dict[str, Any]) -> None:
    conv.out["domain"] = str(value)
    conv.mapped(origin, name, "domain")


def _certificate(conv: _StageConverter, name: str, value: Any, origin: str, app: dict[str, Any]) -> None:
    conv.out["certificate"] = str(value)
    conv.mapped(origin, name, "certificate")


def _base_path(conv: _StageConverter, name: str, value: Any, origin: str, app: dict[str, Any]) -> None:
    path = "/" + str(value).strip("/")
    if path == "/":
        conv.info(origin, name, "empty")
        return
    conv.out["base_path"] = path
    conv.mapped(origin, name, "base_path")


def _route53(conv: _StageConverter, name: str, value: Any, origin: str, app: dict[str, Any]) -> None:
    conv.info(
        origin,
        name,
        "faas writes the domain's records in the Route 53 zone it finds (providers.aws.hosted_zone_id to choose one)",
        "providers.aws.hosted_zone_id",
    )


def _excludes(conv: _StageConverter, name: str, value: Any, origin: str, app: dict[str, Any]) -> None:
    patterns = [str(item) for item in (value if isinstance(value, list) else [value])]
    package = conv.out.setdefault("package", {})
    package["exclude"] = [*package.get("exclude", []), *[p for p in patterns if p not in package.get("exclude", [])]]
    # Zappa matches exclude against file names anywhere in the tree, like a faas pattern without a '/'.
    conv.mapped(origin, name, "package.exclude")


def _tags(conv: _StageConverter, name: str, value: Any, origin: str, app: dict[str, Any]) -> None:
    if not isinstance(value, dict):
        conv.warn(origin, name, "must be a table; ignored", "providers.aws.tags")
        return
    tags = {str(key): str(item) for key, item in value.items() if not str(key).startswith(("aws:", "faas:"))}
    conv.aws["tags"] = tags
    if len(tags) < len(value):
        conv.warn(origin, name, "tags starting with aws: or faas: are reserved; left out", "providers.aws.tags")
    else:
        conv.mapped(origin, name, "providers.aws.tags")


def _permissions(conv: _StageConverter, name: str, value: Any, origin: str, app: dict[str, Any]) -> None:
    statements, problems = common.iam_statements(value)
    if statements:
        conv.aws["iam_statements"] = statements
    if problems:
        conv.warn(origin, name, "; ".join(problems), "providers.aws.iam_statements")
    else:
        conv.mapped(origin, name, "providers.aws.iam_statements")


def _lambda_handler(conv: _StageConverter, name: str, value: Any, origin: str, app: dict[str, Any]) -> None:
    entry = dotted_entry(str(value))
    if entry is None:
        conv.warn(origin, name, f"'{value}' is not a dotted module.function")
        return
    functions: list[dict[str, Any]] = conv.out.setdefault("functions", [])
    taken = {function["name"] for function in functions}
    functions.append({"name": function_name(entry.rsplit(":", 1)[-1], taken), "entry": entry})
    conv.warn(
        origin,
        name,
        "a custom Lambda handler: written as a function without triggers, called with the raw "
        "AWS (event, context); its HTTP events need [app] instead",
        "functions",
    )


def _vpc(conv: _StageConverter, name: str, value: Any, origin: str, app: dict[str, Any]) -> None:
    if not isinstance(value, dict):
        conv.warn(origin, name, "must be a table with SubnetIds and SecurityGroupIds; not written", "providers.aws.vpc")
        return
    found = production.vpc(
        conv.report,
        conv.key(origin, name),
        value.get("SubnetIds"),
        value.get("SecurityGroupIds"),
        stage=conv.target_stage,
    )
    if found is not None:
        conv.aws["vpc"] = found


def _concurrency(conv: _StageConverter, name: str, value: Any, origin: str, app: dict[str, Any]) -> None:
    if not app:
        conv.warn(origin, name, "reserved concurrency of the web app, and this stage has no [app]; not written")
        return
    number = production.instances(
        conv.report,
        conv.key(origin, name),
        value,
        "app.max_instances",
        what="reserved concurrency of the web app (event functions are their own Lambdas under faas)",
        stage=conv.target_stage,
    )
    if number is not None:
        app["max_instances"] = number


_HANDLERS = {
    "vpc_config": _vpc,
    "lambda_concurrency": _concurrency,
    "runtime": _runtime,
    "aws_region": _region,
    "profile_name": _profile,
    "architecture": _architecture,
    "apigateway_enabled": _api_gateway,
    "apigateway_version": _api_version,
    "function_url_enabled": _function_url,
    "endpoint_configuration": _endpoint,
    "domain": _domain,
    "certificate_arn": _certificate,
    "base_path": _base_path,
    "route53_enabled": _route53,
    "exclude": _excludes,
    "exclude_glob": _excludes,
    "tags": _tags,
    "extra_permissions": _permissions,
    "lambda_handler": _lambda_handler,
}
