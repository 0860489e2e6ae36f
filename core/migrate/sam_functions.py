"""A SAM function: `[app]` when it wraps a web app (Mangum, apig-wsgi, serverless-wsgi, aws-wsgi or
the Lambda Web Adapter with gunicorn/uvicorn in run.sh), else a `[[functions]]` entry with triggers."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from faas.core.migrate import common, production
from faas.core.migrate.sam_events import EventsConverter, standalone_schedules
from faas.core.migrate.sam_intrinsics import is_unresolved
from faas.core.migrate.values import MEMORY_RANGE, TIMEOUT_RANGE, clamp, function_name, path_entry, python_version

if TYPE_CHECKING:
    from faas.core.migrate.sam import _StageConverter

GLOBAL = "Globals.Function"
# Wrappers that turn a WSGI/ASGI app into a Lambda handler: call name -> interface.
WRAPPERS = {"Mangum": "asgi", "make_lambda_handler": "wsgi", "handle_request": "wsgi", "response": "wsgi"}
_SERVER = re.compile(r"\b(gunicorn|uvicorn|hypercorn|daphne)\b(?P<args>[^\n]*)")
_TARGET = re.compile(r"(?<![-\w])([A-Za-z_][\w.]*:[A-Za-z_][\w.]*)(?:\(\))?")
PROPERTY_WARN = {
    "Layers": "no Lambda layers in faas; list the libraries in your requirements instead",
    "Role": "faas creates its own least-privilege role; add permissions with providers.aws.iam_statements",
    "Tracing": "no X-Ray option in faas",
    "DeadLetterQueue": "no dead-letter target in faas",
    "EventInvokeConfig": "no asynchronous invocation settings in faas",
    "FileSystemConfigs": "no EFS mounts in faas",
    "EphemeralStorage": "no /tmp size option in faas yet",
    "SnapStart": "no SnapStart option in faas yet",
    "DeploymentPreference": "no gradual deployments in faas; faas rollback returns to the previous version",
    "ImageUri": "faas deploys zip artifacts, not container images",
    "ImageConfig": "faas deploys zip artifacts, not container images",
    "PackageType": "faas deploys zip artifacts",
    "InlineCode": "inline code is not imported; put it in a module",
    "KmsKeyArn": "no KMS key option in faas",
    "LoggingConfig": "log format settings are not imported (see providers.aws.log_retention_days)",
    "PermissionsBoundary": "no permissions boundary option in faas",
    "RuntimeManagementConfig": "no runtime management option in faas",
    "CodeSigningConfigArn": "no code signing in faas",
    "RecursiveLoop": "no recursion setting in faas",
}
# Properties with an exact faas key on the function: the key and what the report says.
_PRODUCTION = {
    "VpcConfig": ("vpc", ""),
    "ReservedConcurrentExecutions": ("max_instances", "reserved concurrency"),
    "ProvisionedConcurrencyConfig": ("min_instances", "provisioned concurrency on the alias faas publishes"),
}
PROPERTY_INFO = {
    "FunctionName": "faas names functions <project>-<stage>-<name>",
    "Description": "descriptions are not carried over",
    "AutoPublishAlias": "faas publishes a version per deploy and keeps an alias for rollback",
    "AutoPublishCodeSha256": "faas publishes a version per deploy",
    "VersionDescription": "descriptions are not carried over",
    "AssumeRolePolicyDocument": "faas writes the role's trust policy itself",
    "PropagateTags": "faas tags every resource with providers.aws.tags",
}


def merge_globals(globals_function: dict[str, Any], properties: dict[str, Any]) -> dict[str, tuple[Any, str]]:
    """SAM's merge: scalars replaced, maps merged (the function wins), lists added; each with its origin."""
    merged: dict[str, tuple[Any, str]] = {name: (value, GLOBAL) for name, value in globals_function.items()}
    for name, value in properties.items():
        if name in merged and isinstance(value, dict) and isinstance(merged[name][0], dict):
            merged[name] = (_merge_maps(merged[name][0], value), "merged")
        elif name in merged and isinstance(value, list) and isinstance(merged[name][0], list):
            merged[name] = ([*merged[name][0], *value], "merged")
        else:
            merged[name] = (value, "own")
    return merged


def _merge_maps(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    result = dict(base)
    for key, value in override.items():
        result[key] = (
            _merge_maps(result[key], value) if isinstance(value, dict) and isinstance(result.get(key), dict) else value
        )
    return result


class FunctionConverter:
    def __init__(self, conv: _StageConverter, logical: str, key: str) -> None:
        self.conv = conv
        self.logical = logical
        self.key = key

    def where(self, name: str, origin: str) -> str:
        return f"{GLOBAL}.{name}" if origin == GLOBAL else f"{self.key}.Properties.{name}"

    def convert(self, properties: dict[str, tuple[Any, str]]) -> None:
        conv = self.conv
        values = {name: conv.value(value) for name, (value, _) in properties.items() if name != "Events"}
        origin = {name: where for name, (_, where) in properties.items()}
        code_uri = values.get("CodeUri", ".")
        code_root = code_uri if isinstance(code_uri, str) and not code_uri.startswith("s3://") else "."
        handler = str(values.get("Handler", ""))
        web = self._web_app(handler, code_root, values)
        kind = "app" if web and not conv.app else f"functions.{function_name(self.logical, set(conv.taken))}"
        conv.mapped(self.key, kind, "the web app" if kind == "app" else "a function")
        sizes = self._sizes(values, origin, kind)
        environment = self._environment(properties, origin, "app" if web else "functions")
        if web and not conv.app:
            entry, interface, how = web
            conv.app = {"entry": entry, "interface": interface, **sizes}
            if environment:
                conv.app["environment"] = environment
            target, events_target = "app", "providers.aws.front_door"
            conv.mapped(
                self.where("Handler", origin.get("Handler", "own")), "app.entry", f"the web app {entry} ({how})"
            )
        else:
            entry_value = path_entry(handler, code_root)
            if entry_value is None:
                conv.warn(self.where("Handler", origin.get("Handler", "own")), f"'{handler}' is not module.function")
                return
            name = function_name(self.logical, conv.taken)
            target = events_target = f"functions.{name}"
            function: dict[str, Any] = {"name": name, "entry": entry_value, **sizes}
            if environment:
                function["environment"] = environment
            conv.mapped(self.where("Handler", origin.get("Handler", "own")), f"{target}.entry")
            conv.functions.append(function)
        if "CodeUri" in values:
            conv.mapped(
                self.where("CodeUri", origin["CodeUri"]),
                f"{target}.entry",
                f"code in {code_root}: the entry is written relative to the project root",
            )
        events = properties.get("Events", ({}, "own"))[0]
        converter = EventsConverter(conv, f"{self.key}.Properties.Events", target if not web else "app")
        triggers, doors = converter.convert(events if isinstance(events, dict) else {}, web=bool(web))
        if "FunctionUrlConfig" in values:
            doors.append("function-url")
            conv.mapped(
                self.where("FunctionUrlConfig", origin["FunctionUrlConfig"]),
                "providers.aws.front_door",
                "front_door = function-url",
            )
        if web:
            if doors:
                conv.aws["front_door"] = doors[0]
        else:
            conv.functions[-1]["triggers"] = triggers
        unit, unit_key = (conv.app, "app") if target == "app" else (conv.functions[-1], target)
        for name, value in values.items():
            if name in _PRODUCTION:
                self._production(name, value, origin[name], unit, unit_key)
            elif name not in ("Handler", "CodeUri", "MemorySize", "Timeout", "Environment", "FunctionUrlConfig"):
                self._property(name, value, origin[name], events_target)

    def _production(self, name: str, value: Any, origin: str, unit: dict[str, Any], target: str) -> None:
        conv, key = self.conv, self.where(name, origin)
        if name == "VpcConfig":
            found = (
                production.vpc(
                    conv.report, key, value.get("SubnetIds"), value.get("SecurityGroupIds"), stage=conv.stage
                )
                if isinstance(value, dict) and not is_unresolved(value)
                else None
            )
            if found is None and key not in conv.report:
                conv.warn(
                    key, f"{value} cannot be resolved offline; set providers.aws.vpc by hand", "providers.aws.vpc"
                )
            elif found is not None and conv.aws.setdefault("vpc", found) != found:
                conv.warn(
                    key,
                    "differs from another function's VpcConfig: faas attaches every function to one VPC "
                    f"(providers.aws.vpc = {conv.aws['vpc']}); not written",
                )
            return
        count = value.get("ProvisionedConcurrentExecutions") if isinstance(value, dict) else value
        field, what = _PRODUCTION[name]
        number = production.instances(
            conv.report, key, None if is_unresolved(count) else count, f"{target}.{field}", what=what, stage=conv.stage
        )
        if number is not None:
            unit[field] = number

    def _web_app(self, handler: str, code_root: str, values: dict[str, Any]) -> tuple[str, str, str] | None:
        folder = self.conv.root / code_root
        layers = " ".join(str(layer) for layer in values.get("Layers", []) if isinstance(layer, str))
        if handler.endswith(".sh") or "LambdaAdapterLayer" in layers:
            script = folder / handler
            found = _server_target(script) if script.is_file() else None
            if found:
                module_attr, interface, server = found
                prefix = ".".join(part for part in Path(code_root).parts if part not in (".", ""))
                return (
                    (f"{prefix}.{module_attr}" if prefix else module_attr),
                    interface,
                    f"{server} behind the Lambda Web Adapter",
                )
            return None
        module, _, attribute = handler.rpartition(".")
        source = folder / (module.replace(".", "/") + ".py")
        if not module or not source.is_file():
            return None
        wrapped = _wrapped_app(source, attribute)
        if wrapped is None:
            return None
        app_name, interface, wrapper = wrapped
        entry = path_entry(f"{module.replace('.', '/')}.{app_name}", code_root)
        return (entry, interface, f"{wrapper}({app_name})") if entry else None

    def _sizes(self, values: dict[str, Any], origin: dict[str, str], target: str) -> dict[str, int]:
        from faas.core.migrate.sam import DEFAULT_MEMORY, DEFAULT_TIMEOUT

        sizes = {"memory": DEFAULT_MEMORY, "timeout": DEFAULT_TIMEOUT}
        for name, bounds, faas_key in (("MemorySize", MEMORY_RANGE, "memory"), ("Timeout", TIMEOUT_RANGE, "timeout")):
            if name not in values:
                continue
            number, problem = clamp(values[name], bounds, name)
            if number is not None:
                sizes[faas_key] = number
            if problem:
                self.conv.warn(self.where(name, origin[name]), problem, f"{target}.{faas_key}")
            else:
                self.conv.mapped(self.where(name, origin[name]), f"{target}.{faas_key}")
        return sizes

    def _environment(
        self, properties: dict[str, tuple[Any, str]], origin: dict[str, str], target: str
    ) -> dict[str, str]:
        raw, where = properties.get("Environment", ({}, "own"))
        variables = raw.get("Variables", {}) if isinstance(raw, dict) else {}
        if not isinstance(variables, dict):
            return {}
        own: dict[str, Any] = {}
        if where == "merged":
            # Which variables the function set itself, and which came from Globals.
            resource = self.conv.template["Resources"][self.logical].get("Properties", {})
            own = (resource.get("Environment") or {}).get("Variables") or {}
        result: dict[str, str] = {}
        for name, value in variables.items():
            prefix = self.where("Environment", "own" if (where == "own" or name in own) else GLOBAL) + ".Variables"
            evaluated = self.conv.value(value)
            dynamic = production.dynamic_reference(evaluated) if isinstance(evaluated, str) else None
            if dynamic is not None:
                kind, reference, reason = dynamic
                if reference is None:
                    self.conv.warn(f"{prefix}.{name}", reason, f"{target}.environment.{name}")
                    continue
                result[name] = reference
                self.conv.mapped(f"{prefix}.{name}", f"{target}.environment.{name}", reason)
                self.conv.secret_kinds[f"{prefix}.{name}"] = kind
                continue
            if is_unresolved(evaluated) or evaluated is None:
                self.conv.warn(
                    f"{prefix}.{name}",
                    f"{evaluated} cannot be resolved offline; "
                    f'set {name} = "${{env:{name}}}" and export it when deploying',
                    f"{target}.environment",
                )
                continue
            result.update(
                common.environment(
                    self.conv.report,
                    {name: evaluated},
                    key_prefix=prefix,
                    target=f"{target}.environment",
                    stage=self.conv.stage,
                )
            )
        return result

    def _property(self, name: str, value: Any, origin: str, target: str) -> None:
        key = self.where(name, origin)
        conv = self.conv
        if name == "Runtime":
            version, problem = python_version(value)
            conv.out["python"] = version
            (conv.warn(key, problem, "python") if problem else conv.mapped(key, "python"))
        elif name == "Architectures" and isinstance(value, list) and value and value[0] in ("x86_64", "arm64"):
            conv.aws["architecture"] = value[0]
            conv.mapped(key, "providers.aws.architecture")
        elif name == "Tags" and isinstance(value, dict) and not is_unresolved(value):
            conv.aws["tags"] = {**conv.aws.get("tags", {}), **{str(k): str(v) for k, v in value.items()}}
            conv.mapped(key, "providers.aws.tags")
        elif name == "Policies":
            self._policies(key, value)
        elif name == "Layers" and "LambdaAdapterLayer" in str(value):
            conv.info(key, "the Lambda Web Adapter layer: faas runs the app with its own adapter")
        elif name in PROPERTY_WARN:
            conv.warn(key, PROPERTY_WARN[name])
        elif name in PROPERTY_INFO:
            conv.info(key, PROPERTY_INFO[name])
        else:
            conv.warn(key, "not a function property faas knows; ignored")

    def _policies(self, key: str, value: Any) -> None:
        statements: list[dict[str, Any]] = []
        problems: list[str] = []
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict) and "Statement" in item:
                found, issues = common.iam_statements(item["Statement"])
                statements += found
                problems += issues
            elif isinstance(item, str):
                problems.append(f"managed policy {item} is not attached by faas")
            elif isinstance(item, dict):
                problems.append(f"the SAM policy template {', '.join(item)} is not expanded by faas")
        if statements:
            self.conv.aws["iam_statements"] = [*self.conv.aws.get("iam_statements", []), *statements]
        if problems:
            self.conv.warn(
                key,
                "; ".join(problems) + "; list the statements in providers.aws.iam_statements",
                "providers.aws.iam_statements",
            )
        else:
            self.conv.mapped(key, "providers.aws.iam_statements")


def _wrapped_app(source: Path, attribute: str) -> tuple[str, str, str] | None:
    """The app a handler wraps: `handler = Mangum(app)` or `def handler(e, c): return handle_request(app, e, c)`."""
    try:
        tree = ast.parse(source.read_text(encoding="utf-8"))
    except (SyntaxError, UnicodeDecodeError):
        return None
    for node in tree.body:
        calls: list[ast.Call] = []
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == attribute for t in node.targets):
            calls = [call for call in ast.walk(node.value) if isinstance(call, ast.Call)]
        elif isinstance(node, ast.FunctionDef) and node.name == attribute:
            calls = [call for call in ast.walk(node) if isinstance(call, ast.Call)]
        for call in calls:
            name = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")
            if name in WRAPPERS and call.args and isinstance(call.args[0], ast.Name):
                return call.args[0].id, WRAPPERS[name], name
    return None


def _server_target(script: Path) -> tuple[str, str, str] | None:
    """The `module:app` that run.sh starts with gunicorn or uvicorn, and its interface."""
    for match in _SERVER.finditer(script.read_text(encoding="utf-8", errors="replace")):
        server, args = match.group(1), match.group("args")
        target = _TARGET.search(args)
        if target:
            asgi = server != "gunicorn" or "uvicorn" in args.lower()
            return target.group(1), "asgi" if asgi else "wsgi", server
    return None


__all__ = ["FunctionConverter", "merge_globals", "standalone_schedules"]
