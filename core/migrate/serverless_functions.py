"""serverless.yml `functions:` and serverless-lift `constructs:`: the WSGI app and the plain functions.

The function whose handler is serverless-wsgi's (`wsgi_handler.handler`) is the `[app]`; its
`http` / `httpApi` / `url` events choose the front door. Every other function becomes a
`[[functions]]` entry with its schedule, s3 and sqs events as triggers.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Literal

from faas.core.migrate import common, production
from faas.core.migrate.serverless_provider import Defaults
from faas.core.migrate.serverless_vars import Reference, has_reference, replace_tokens
from faas.core.migrate.values import (
    MEMORY_RANGE,
    QUEUE_BATCH_RANGE,
    TIMEOUT_RANGE,
    clamp,
    credential_advice,
    function_name,
    path_entry,
)

if TYPE_CHECKING:
    from faas.core.migrate.serverless import _StageConverter

WSGI_HANDLERS = ("wsgi_handler.handler", "wsgi.handler")
FUNCTION_WARN = {
    "image": "faas deploys zip artifacts, not container images",
    "layers": "no Lambda layers in faas; list the libraries in your requirements instead",
    "role": "faas creates its own least-privilege role; add permissions with providers.aws.iam_statements",
    "iam": "per-function roles are not imported; add permissions with providers.aws.iam_statements",
    "onError": "no dead-letter target in faas",
    "destinations": "no asynchronous destinations in faas",
    "maximumRetryAttempts": "no retry setting in faas",
    "maximumEventAge": "no event age setting in faas",
    "fileSystemConfig": "no EFS mounts in faas",
    "snapStart": "no SnapStart option in faas yet",
    "tracing": "no X-Ray option in faas",
    "ephemeralStorageSize": "no /tmp size option in faas yet",
    "package": "faas builds one artifact per stage",
    "kmsKeyArn": "no KMS key option in faas",
    "condition": "faas does not deploy through CloudFormation",
    "dependsOn": "faas does not deploy through CloudFormation",
    "runtimeManagement": "no runtime management option in faas",
    "logRetentionInDays": "one retention for the whole stage: providers.aws.log_retention_days",
}
FUNCTION_INFO = {
    "name": "faas names functions <project>-<stage>-<name>",
    "description": "descriptions are not carried over",
    "tags": "faas tags every resource with providers.aws.tags",
    "disableLogs": "faas keeps the functions' logs",
}
NO_TRIGGER = {
    "stream": "no DynamoDB or Kinesis stream triggers in faas",
    "msk": "no Kafka triggers in faas",
    "kafka": "no Kafka triggers in faas",
    "activemq": "no MQ triggers in faas",
    "rabbitmq": "no MQ triggers in faas",
    "alb": "no ALB front door in faas",
    "websocket": "no WebSocket APIs in faas",
    "cloudwatchEvent": "no event-pattern triggers in faas; a schedule is the nearest",
    "cloudwatchLog": "no log subscription triggers in faas",
    "cognitoUserPool": "no Cognito triggers in faas",
    "iot": "no IoT triggers in faas",
    "iotFleetProvisioning": "no IoT triggers in faas",
    "alexaSkill": "no Alexa triggers in faas",
    "alexaSmartHome": "no Alexa triggers in faas",
    "cloudFront": "no CloudFront triggers in faas",
}


# Function settings with an exact faas key: the key and what the report says.
_INSTANCES = {
    "reservedConcurrency": ("max_instances", "reserved concurrency"),
    "provisionedConcurrency": ("min_instances", "provisioned concurrency on the alias faas publishes"),
}
# Serverless reads Secrets Manager through SSM's reference path.
_SECRETS_VIA_SSM = "/aws/reference/secretsmanager/"
_WHOLE_TOKEN = re.compile("\x00REF\\d+\x00")


def _secret(
    conv: _StageConverter, key: str, name: str, text: str, *, target: str, result: dict[str, str]
) -> Literal["mapped", "warned"] | None:
    """Map a value that is exactly one `${ssm:...}` to `${secret:NAME}`; None when it is not one."""
    references = conv.resolver.tokens(text)
    if not _WHOLE_TOKEN.fullmatch(text) or references[0].kind != "ssm" or references[0].fallback is not None:
        return None
    address = references[0].address.removesuffix("~true")  # the old "decrypt" suffix
    if address.startswith("("):  # ${ssm(region):...}: another region's parameter
        return None
    kind = "secretsmanager" if address.startswith(_SECRETS_VIA_SSM) else "ssm"
    reference, reason = production.secret_reference(kind, address.removeprefix(_SECRETS_VIA_SSM))
    if reference is None:
        conv.warn(key, f"was {references[0].text}: {reason}", f"{target}.{name}")
        return "warned"
    result[name] = reference
    # Serverless resolved it when deploying and stored the plaintext on the Lambda; faas never does.
    conv.mapped(key, f"{target}.{name}", f"{reason} (Serverless put the value itself on the Lambda)")
    conv.secret_kinds[key] = kind
    return "mapped"


def environment(conv: _StageConverter, values: dict[str, Any], where: str, target: str) -> dict[str, str]:
    """Variables as strings; `${env:}` stays a faas reference and other references become `${env:NAME}`."""
    plain = {name: value for name, value in values.items() if not has_reference(value)}
    result = common.environment(conv.report, plain, key_prefix=where, target=target, stage=conv.stage)
    for name, value in values.items():
        if name in plain:
            continue
        key = f"{where}.{name}"
        text = str(value)
        references = conv.resolver.tokens(text)
        secret = _secret(conv, key, str(name), text, target=target, result=result)
        if secret == "warned":
            # A name ${secret:} cannot hold: taken from the deploying machine until the user copies it.
            result[str(name)] = f"${{env:{name}}}"
        if secret is not None:
            continue
        if all(reference.kind == "env" and reference.env_name for reference in references):
            result[str(name)] = replace_tokens(text, conv.resolver, _faas_env)
            listed = ", ".join(str(reference.env_name) for reference in references)
            conv.warn(
                key,
                f"taken from the deploying machine's environment ({listed}) when faas deploys, as "
                "Serverless did; export it before deploying",
                f"{target}.{name}",
            )
        else:
            source = ", ".join(reference.text for reference in references)
            fallback = next((reference.fallback for reference in references if reference.fallback), None)
            result[str(name)] = f"${{env:{name}:-{fallback}}}" if fallback else f"${{env:{name}}}"
            conv.warn(key, f"was {source}, which faas cannot read; {credential_advice(str(name))}", f"{target}.{name}")
    return result


def _event_kind(event: Any) -> tuple[str, Any]:
    if isinstance(event, dict) and len(event) == 1:
        kind, body = next(iter(event.items()))
        return str(kind), body
    return "unknown", event


def _faas_env(reference: Reference) -> str:
    if reference.fallback is not None:
        fallback = reference.fallback.strip("'\"")
        return f"${{env:{reference.env_name}:-{fallback}}}"
    return f"${{env:{reference.env_name}}}"


class FunctionsConverter:
    def __init__(self, conv: _StageConverter, defaults: Defaults, custom: dict[str, Any], resources: Any) -> None:
        self.conv = conv
        self.defaults = defaults
        self.custom = custom
        self.resources = resources.get("Resources", {}) if isinstance(resources, dict) else {}
        self.app: dict[str, Any] = {}
        self.functions: list[dict[str, Any]] = []
        self.taken: set[str] = set()

    def convert(self, functions: Any) -> None:
        if not isinstance(functions, dict):
            self.conv.warn("functions", "must be a table of functions; ignored")
            return
        for name, function in functions.items():
            where = f"functions.{name}"
            if not isinstance(function, dict):
                self.conv.warn(where, "a function must be a table; ignored")
                continue
            handler = str(function.get("handler", ""))
            if handler.endswith(WSGI_HANDLERS) and not self.app:
                self._app(where, function)
            else:
                self._function(str(name), where, function)

    def _sizes(self, where: str, function: dict[str, Any], target: str) -> dict[str, Any]:
        sizes: dict[str, Any] = {"memory": self.defaults.memory, "timeout": self.defaults.timeout}
        for key, bounds, name in (("memorySize", MEMORY_RANGE, "memory"), ("timeout", TIMEOUT_RANGE, "timeout")):
            if key in function:
                number, problem = clamp(function[key], bounds, key)
                if number is not None:
                    sizes[name] = number
                if problem:
                    self.conv.warn(f"{where}.{key}", problem, f"{target}.{name}")
                else:
                    self.conv.mapped(f"{where}.{key}", f"{target}.{name}")
        return sizes

    def _environment(self, where: str, function: dict[str, Any], target: str) -> dict[str, str]:
        own = function.get("environment")
        merged = dict(self.defaults.environment)
        if isinstance(own, dict):
            merged.update(environment(self.conv, own, f"{where}.environment", f"{target}.environment"))
        elif own is not None:
            self.conv.warn(f"{where}.environment", "must be a table of variables; ignored")
        return merged

    def _app(self, where: str, function: dict[str, Any]) -> None:
        wsgi = self.custom.get("wsgi") if isinstance(self.custom.get("wsgi"), dict) else {}
        assert isinstance(wsgi, dict)
        app_path = wsgi.get("app")
        entry = path_entry(str(app_path)) if isinstance(app_path, str) else None
        self.conv.info(f"{where}.handler", "serverless-wsgi's handler: faas's own adapter serves the app", "app")
        if entry is None:
            self.conv.warn(
                "custom.wsgi.app", f"'{app_path}' is not dir/module.attr; set app.entry by hand", "app.entry"
            )
            entry = "app:app"
        else:
            folder = str(app_path).rpartition("/")[0]
            note = (
                (
                    f"; the code is in {folder}/, so the entry is relative to the project root and imports that "
                    f"relied on {folder}/ being on sys.path must become package imports"
                )
                if folder
                else ""
            )
            if folder:
                self.conv.warn("custom.wsgi.app", f"the WSGI app {entry}{note}", "app.entry")
            else:
                self.conv.mapped("custom.wsgi.app", "app.entry", f"the WSGI app {entry}")
        self.app = {"entry": entry, "interface": "wsgi", **self._sizes(where, function, "app")}
        env = self._environment(where, function, "app")
        if env:
            self.app["environment"] = env
        doors: list[str] = []
        for key, value in function.items():
            if key in ("handler", "memorySize", "timeout", "environment"):
                continue
            if key == "events":
                doors += self._app_events(f"{where}.events", value)
            elif key == "url":
                doors.append("function-url")
                self.conv.mapped(f"{where}.url", "providers.aws.front_door", "front_door = function-url")
            else:
                self._other(f"{where}.{key}", key, value, self.app, "app")
        if doors:
            self.conv.aws["front_door"] = doors[0]
            if len(set(doors)) > 1:
                self.conv.warn(
                    f"{where}.events",
                    f"several front doors ({', '.join(sorted(set(doors)))}); faas "
                    f"serves the app through one: {doors[0]}",
                    "providers.aws.front_door",
                )
        else:
            self.conv.warn(
                f"{where}.events",
                "no http, httpApi or url event: Serverless gave the app no HTTP endpoint; faas serves [app] over HTTP",
                "providers.aws.front_door",
            )

    def _app_events(self, where: str, events: Any) -> list[str]:
        doors: list[str] = []
        for index, event in enumerate(events if isinstance(events, list) else []):
            key = f"{where}[{index}]"
            kind, body = _event_kind(event)
            if kind in ("http", "httpApi"):
                door = "rest-api" if kind == "http" else "http-api"
                doors.append(door)
                extras = sorted(set(body) - {"method", "path"}) if isinstance(body, dict) else []
                if extras:
                    self.conv.warn(
                        key,
                        f"front_door = {door}; {', '.join(extras)} not imported (authentication and "
                        "CORS are the app's job under faas)",
                        "providers.aws.front_door",
                    )
                else:
                    self.conv.mapped(
                        key, "providers.aws.front_door", f"front_door = {door}; every path goes to the app"
                    )
            else:
                self.conv.warn(key, f"a {kind} event on the WSGI function has no faas counterpart", "app")
        return doors

    def _other(self, key: str, name: str, value: Any, unit: dict[str, Any] | None = None, target: str = "") -> None:
        if unit is not None and name in _INSTANCES:
            field, what = _INSTANCES[name]
            number = production.instances(
                self.conv.report, key, value, f"{target}.{field}", what=what, stage=self.conv.stage
            )
            if number is not None:
                unit[field] = number
        elif name == "vpc":
            from faas.core.migrate.serverless_provider import serverless_vpc

            found = serverless_vpc(self.conv, key, value)
            if found is not None and self.conv.aws.setdefault("vpc", found) != found:
                self.conv.warn(
                    key,
                    "differs from the provider's or another function's vpc: faas attaches every function to "
                    f"one VPC (providers.aws.vpc = {self.conv.aws['vpc']}); not written",
                )
        elif name == "architecture" and value in ("x86_64", "arm64"):
            self.conv.aws["architecture"] = value
            self.conv.mapped(key, "providers.aws.architecture")
        elif name == "runtime":
            self.conv.info(key, "one Python version per project: python", "python")
        elif name in FUNCTION_WARN:
            self.conv.warn(key, FUNCTION_WARN[name])
        elif name in FUNCTION_INFO:
            self.conv.info(key, FUNCTION_INFO[name])
        else:
            self.conv.warn(key, "not a function setting faas knows; ignored")

    def _function(self, name: str, where: str, function: dict[str, Any]) -> None:
        entry = path_entry(str(function.get("handler", "")))
        if entry is None:
            self.conv.warn(f"{where}.handler", f"'{function.get('handler')}' is not path/module.function; not imported")
            return
        faas_name = function_name(name, self.taken)
        target = f"functions.{faas_name}"
        self.conv.mapped(f"{where}.handler", f"{target}.entry")
        result: dict[str, Any] = {"name": faas_name, "entry": entry, **self._sizes(where, function, target)}
        env = self._environment(where, function, target)
        if env:
            result["environment"] = env
        from faas.core.migrate.serverless_events import EventsConverter

        triggers = EventsConverter(self, target).convert(f"{where}.events", function.get("events"))
        result["triggers"] = triggers
        for key, value in function.items():
            if key not in ("handler", "memorySize", "timeout", "environment", "events"):
                if key == "url":
                    self.conv.warn(
                        f"{where}.url",
                        "a Function URL on a plain function: faas serves HTTP only through [app]",
                        target,
                    )
                else:
                    self._other(f"{where}.{key}", key, value, result, target)
        self.functions.append(result)

    def constructs(self, constructs: Any, lift: bool) -> None:
        if not isinstance(constructs, dict):
            return
        for construct_id, construct in constructs.items():
            key = f"constructs.{construct_id}"
            if not isinstance(construct, dict) or construct.get("type") != "queue":
                kind = construct.get("type") if isinstance(construct, dict) else construct
                self.conv.warn(key, f"a Lift construct of type {kind!r} has no faas counterpart")
                continue
            worker = construct.get("worker") if isinstance(construct.get("worker"), dict) else {}
            assert isinstance(worker, dict)
            entry = path_entry(str(worker.get("handler", "")))
            if entry is None:
                self.conv.warn(key, "the queue has no worker handler; not imported")
                continue
            faas_name = function_name(f"{construct_id}-worker", self.taken)
            target = f"functions.{faas_name}"
            queue_name = f"{self.conv.service}-{self.conv.stage}-{construct_id}"
            batch, _ = clamp(construct.get("batchSize", 1), QUEUE_BATCH_RANGE, "batchSize")
            result: dict[str, Any] = {
                "name": faas_name,
                "entry": entry,
                **self._sizes(f"{key}.worker", worker, target),
                "triggers": [{"queue": {"name": queue_name, "batch_size": batch or 1}}],
            }
            env = self._environment(f"{key}.worker", worker, target)
            if env:
                result["environment"] = env
            self.functions.append(result)
            extras = sorted(set(construct) - {"type", "worker", "batchSize"})
            note = f"; {', '.join(extras)} not imported" if extras else ""
            self.conv.warn(
                key,
                f"Lift creates this queue with a generated name; faas expects an existing queue: "
                f"create one named {queue_name}{note}" + ("" if lift else "; serverless-lift is not in plugins"),
                f"{target}.triggers",
            )
