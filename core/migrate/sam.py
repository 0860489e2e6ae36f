"""AWS SAM (`template.yaml`, with `samconfig.toml`): each samconfig environment is a stage.

`Globals.Function` is merged into every function as SAM merges it (scalars replaced, maps merged,
lists added); parameters come from their defaults or the stage's `parameter_overrides`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from faas.core.errors import ConfigError, UsageError
from faas.core.migrate import production
from faas.core.migrate.loaders import load_toml, load_yaml
from faas.core.migrate.report import Report
from faas.core.migrate.sam_functions import FunctionConverter, merge_globals
from faas.core.migrate.sam_intrinsics import Intrinsics, is_unresolved, parse_overrides
from faas.core.migrate.stages import StageNames
from faas.core.migrate.values import project_name
from faas.core.migrate.writer import Imported

SAMCONFIG = "samconfig.toml"
DEFAULT_MEMORY = 128
DEFAULT_TIMEOUT = 3
FUNCTION_TYPES = ("AWS::Serverless::Function", "AWS::Lambda::Function")
TOP_INFO = {
    "AWSTemplateFormatVersion": "the template format",
    "Transform": "the SAM transform",
    "Description": "descriptions are not carried over",
    "Metadata": "template metadata",
    "Conditions": "evaluated per stage where used",
    "Mappings": "looked up per stage where used",
    "Outputs": "faas status prints the URL and the functions of a stage",
    "Rules": "parameter rules are not checked by faas",
}


def import_sam(source: Path, *, only_stage: str | None = None) -> Imported:
    """Read a SAM template (and samconfig.toml beside it) into per-stage faas settings."""
    template = load_yaml(source)
    if not isinstance(template, dict) or not isinstance(template.get("Resources"), dict):
        raise ConfigError("a SAM template needs a Resources table", source=str(source))
    report = Report()
    samconfig_path = source.parent / SAMCONFIG
    samconfig = load_toml(samconfig_path) if samconfig_path.is_file() else {}
    environments = _environments(samconfig, only_stage, source)
    names = StageNames(report)
    result: dict[str, dict[str, Any]] = {}
    stack_names: dict[str, str] = {}
    for environment, deploy in environments.items():
        key = f"{SAMCONFIG}:{environment}" if environment in samconfig else f"stage {environment}"
        stage = names.add(environment, key=key)
        parameters = _parameters(template, report, deploy, stage, environment)
        stack = str(deploy.get("stack_name") or source.parent.resolve().name)
        stack_names[environment] = stack
        region = str(deploy.get("region") or "us-east-1")
        intrinsics = Intrinsics(
            template,
            parameters,
            {
                "AWS::Region": region,
                "AWS::StackName": stack,
                "AWS::Partition": "aws",
                "AWS::URLSuffix": "amazonaws.com",
                "AWS::NoValue": "",
            },
        )
        result[stage] = _StageConverter(report, stage, template, intrinsics, source.parent).convert(deploy, region)
    _samconfig_report(report, samconfig, environments)
    _top_level_report(report, template)
    name = _name(report, stack_names)
    return Imported("sam", source, source.parent, name, result, report, _notes(source))


def _environments(samconfig: dict[str, Any], only: str | None, source: Path) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for name, table in samconfig.items():
        if name == "version" or not isinstance(table, dict):
            continue
        deploy = table.get("deploy", {}).get("parameters", {}) if isinstance(table.get("deploy"), dict) else {}
        shared = table.get("global", {}).get("parameters", {}) if isinstance(table.get("global"), dict) else {}
        found[str(name)] = {**shared, **deploy}
    if only is not None:
        if found and only not in found:
            raise UsageError(f"{source.parent / SAMCONFIG} has no environment '{only}' (has: {', '.join(found)})")
        return {only: found.get(only, {})}
    return found or {"default": {}}


def _parameters(
    template: dict[str, Any], report: Report, deploy: dict[str, Any], stage: str, environment: str
) -> dict[str, Any]:
    overrides = parse_overrides(deploy.get("parameter_overrides", ""))
    values: dict[str, Any] = {}
    for name, spec in (template.get("Parameters") or {}).items():
        key = f"Parameters.{name}"
        if name in overrides:
            values[name] = overrides[name]
            report.info(key, "resolved per stage (parameter_overrides of samconfig.toml)", stage=stage)
        elif isinstance(spec, dict) and "Default" in spec:
            values[name] = spec["Default"]
            report.info(key, "resolved per stage (its Default)", stage=stage)
        else:
            report.warn(
                key, f"no Default and no override for {environment}: values using it are not written", stage=stage
            )
    return values


class _StageConverter:
    def __init__(
        self, report: Report, stage: str, template: dict[str, Any], intrinsics: Intrinsics, root: Path
    ) -> None:
        self.report = report
        self.stage = stage
        self.template = template
        self.intrinsics = intrinsics
        self.root = root
        self.aws: dict[str, Any] = {}
        self.out: dict[str, Any] = {"provider": "aws"}
        self.app: dict[str, Any] = {}
        self.functions: list[dict[str, Any]] = []
        self.taken: set[str] = set()
        # Report key -> store of each mapped secret reference: the project reads one store.
        self.secret_kinds: dict[str, str] = {}

    def mapped(self, key: str, target: str, reason: str = "") -> None:
        self.report.mapped(key, target, reason, stage=self.stage)

    def warn(self, key: str, reason: str, target: str | None = None) -> None:
        self.report.warn(key, reason, target, stage=self.stage)

    def info(self, key: str, reason: str, target: str | None = None) -> None:
        self.report.info(key, reason, target, stage=self.stage)

    def value(self, raw: Any) -> Any:
        return self.intrinsics.evaluate(raw)

    def convert(self, deploy: dict[str, Any], region: str) -> dict[str, Any]:
        self.aws["region"] = region
        if isinstance(deploy.get("profile"), str):
            self.aws["profile"] = deploy["profile"]
        resources: dict[str, Any] = self.template["Resources"]
        globals_function = (self.template.get("Globals") or {}).get("Function") or {}
        for logical, resource in resources.items():
            key = f"Resources.{logical}"
            kind = resource.get("Type") if isinstance(resource, dict) else None
            if kind in FUNCTION_TYPES:
                assert isinstance(resource, dict)
                if not self._included(key, resource):
                    continue
                properties = merge_globals(
                    globals_function if kind == "AWS::Serverless::Function" else {}, resource.get("Properties") or {}
                )
                FunctionConverter(self, logical, key).convert(properties)
        from faas.core.migrate.sam_functions import standalone_schedules

        # After the functions: a schedule resource becomes a trigger of the function it targets.
        standalone_schedules(self, resources)
        for logical, resource in resources.items():
            key = f"Resources.{logical}"
            kind = resource.get("Type") if isinstance(resource, dict) else None
            if kind not in FUNCTION_TYPES and key not in self.report:
                self.report.add(key, *_resource_status(str(kind), logical, resources), stage=self.stage)
        self._globals(globals_function)
        if self.app:
            self.out["app"] = self.app
        if self.functions:
            self.out["functions"] = self.functions
        production.secret_store(self.report, self.secret_kinds, self.aws, stage=self.stage)
        self.out.setdefault("providers", {})["aws"] = self.aws
        return self.out

    def _included(self, key: str, resource: dict[str, Any]) -> bool:
        condition = resource.get("Condition")
        if condition is None:
            return True
        truth = self.intrinsics.condition(str(condition))
        if truth is False:
            self.info(key, f"Condition {condition} is false for stage {self.stage}: not deployed there")
            return False
        if truth is None:
            self.warn(key, f"Condition {condition} cannot be evaluated offline; imported as if true")
        return True

    def _globals(self, globals_function: dict[str, Any]) -> None:
        for section, table in (self.template.get("Globals") or {}).items():
            if section != "Function":
                self.info(
                    f"Globals.{section}",
                    f"Globals.{section} configure API Gateway resources faas does not "
                    "create (the front door is providers.aws.front_door)",
                )
                continue
            for name in table or {}:
                key = f"Globals.Function.{name}"
                if key not in self.report and not any(e.source_key.startswith(key + ".") for e in self.report.entries):
                    self.info(key, "no function uses it")


def _resource_status(kind: str, logical: str, resources: dict[str, Any]) -> tuple[Any, str | None, str]:
    if kind in ("AWS::S3::Bucket", "AWS::SQS::Queue"):
        return ("warn", None, f"{kind} is not created by faas: create it before deploying (triggers find it by name)")
    if kind in (
        "AWS::Serverless::Api",
        "AWS::Serverless::HttpApi",
        "AWS::ApiGateway::RestApi",
        "AWS::ApiGatewayV2::Api",
    ):
        return ("info", "providers.aws.front_door", "faas creates the API in front of [app] itself")
    if kind in ("AWS::Events::Rule", "AWS::Scheduler::Schedule"):
        return ("warn", None, f"{kind} does not target a function of this template; not imported")
    if kind == "AWS::Serverless::LayerVersion":
        return ("warn", None, "no Lambda layers in faas; list the libraries in your requirements instead")
    return ("warn", None, f"{kind} is not created by faas; create it separately")


def _samconfig_report(report: Report, samconfig: dict[str, Any], environments: dict[str, dict[str, Any]]) -> None:
    for name, table in samconfig.items():
        if name == "version":
            report.info(f"{SAMCONFIG}:version", "the samconfig format")
            continue
        if name not in environments:
            report.info(f"{SAMCONFIG}:{name}", "another environment, not imported (--stage)")
            continue
        for command, section in table.items() if isinstance(table, dict) else []:
            parameters = section.get("parameters", {}) if isinstance(section, dict) else {}
            for key in parameters:
                where = f"{SAMCONFIG}:{name}.{command}.parameters.{key}"
                if command not in ("deploy", "global"):
                    report.info(where, f"a `sam {command}` option")
                elif key == "region":
                    report.mapped(where, "providers.aws.region")
                elif key == "profile":
                    report.mapped(where, "providers.aws.profile")
                elif key == "stack_name":
                    report.mapped(where, "name", "the project name comes from the stack name")
                elif key == "parameter_overrides":
                    report.mapped(where, "stages", "template parameters resolved for this stage")
                else:
                    report.info(where, "a `sam deploy` option with no faas counterpart")


def _top_level_report(report: Report, template: dict[str, Any]) -> None:
    for key in template:
        if key in TOP_INFO:
            report.info(key, TOP_INFO[key])
        elif key not in ("Resources", "Parameters", "Globals"):
            report.warn(key, "not a template section faas knows; ignored")


def _name(report: Report, stacks: dict[str, str]) -> str:
    # `myapp-prod` is the stack of stage prod of project myapp: faas adds the stage itself.
    bases = {environment: stack.removesuffix(f"-{environment}") for environment, stack in stacks.items()}
    first_environment, first = next(iter(bases.items()))
    name = project_name(first)
    for environment, stack in bases.items():
        if stack != first:
            report.warn(
                f"{SAMCONFIG}:{environment}.deploy.parameters.stack_name",
                f"stack '{stack}' differs from {first_environment}'s '{first}'; faas has one name per project "
                f"({name}) and adds the stage itself",
                "name",
            )
    return name


def _notes(source: Path) -> list[str]:
    return [
        f"Imported from {source.name} by `faas import` (AWS SAM).",
        f"SAM's defaults are written out: {DEFAULT_MEMORY} MB, {DEFAULT_TIMEOUT} s.",
        "Each samconfig.toml environment is a stage.",
    ]


__all__ = ["import_sam", "is_unresolved"]
