"""Chalice (`.chalice/config.json` with `app.py` and `chalicelib/`).

Stage settings override top-level ones and `lambda_functions.<fn>` override per function, in
Chalice's own lookup order; environment variables and tags merge top-level, stage, then the stage's
function table (the top-level `lambda_functions` table is not part of that merge in Chalice either).
Triggers come from the decorators in the code (chalice_code).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from faas.core.errors import ConfigError, UsageError
from faas.core.migrate import common, production
from faas.core.migrate.chalice_code import Decorated, scan_project
from faas.core.migrate.chalice_triggers import TriggerConverter
from faas.core.migrate.loaders import load_json
from faas.core.migrate.report import Report
from faas.core.migrate.stages import StageNames
from faas.core.migrate.values import MEMORY_RANGE, RETENTION_DAYS, TIMEOUT_RANGE, clamp, function_name, project_name
from faas.core.migrate.writer import Imported

DEFAULT_MEMORY = 128
DEFAULT_TIMEOUT = 60
WARN = {
    "layers": "no Lambda layers in faas; list the libraries in your requirements instead",
    "automatic_layer": "faas puts the requirements into the artifact",
    "xray": "no X-Ray option in faas",
    "minimum_compression_size": "no API Gateway compression in faas; compress in the app",
    "autogen_policy": "faas writes a least-privilege role itself; extra permissions go in providers.aws.iam_statements",
    "iam_role_arn": "faas creates its own execution role; add permissions with providers.aws.iam_statements",
    "manage_iam_role": "faas always manages the execution role",
    "api_gateway_endpoint_vpce": "no private API Gateway in faas",
    "api_gateway_policy_file": "no API Gateway resource policy in faas",
    "websocket_api_custom_domain": "no WebSocket APIs in faas",
    "api_gateway_endpoint_type": "routes are not deployed by faas (see the route entries)",
    "api_gateway_stage": "a URL prefix of Chalice's API (default /api); routes are not deployed by faas",
    "api_gateway_custom_domain": "the API's domain: faas does not deploy the routes, so nothing would serve on it",
}
_PRODUCTION_KEYS = ("reserved_concurrency", "subnet_ids", "security_group_ids")
INFO = {"version": "the Chalice config format", "app_name": "", "stages": "", "lambda_functions": ""}
# Keys that vary per function, looked up in Chalice's order.
PER_FUNCTION = (
    "lambda_memory_size",
    "lambda_timeout",
    "reserved_concurrency",
    "layers",
    "subnet_ids",
    "security_group_ids",
    "iam_policy_file",
    "iam_role_arn",
    "manage_iam_role",
    "autogen_policy",
)


def import_chalice(source: Path, *, only_stage: str | None = None) -> Imported:
    """Read .chalice/config.json and the app's code into per-stage faas settings."""
    config = load_json(source)
    if not isinstance(config, dict):
        raise ConfigError("must be a JSON object", source=str(source))
    root = source.parent.parent if source.parent.name == ".chalice" else source.parent
    report = Report()
    stages_table = config.get("stages") if isinstance(config.get("stages"), dict) else {}
    assert isinstance(stages_table, dict)
    stage_list = list(stages_table) or ["dev"]
    if only_stage is not None:
        if stages_table and only_stage not in stages_table:
            raise UsageError(f"{source} has no stage '{only_stage}' (stages: {', '.join(stages_table)})")
        stage_list = [only_stage]
    decorated, app_variable = scan_project(root)
    if app_variable is None:
        report.warn("app.py", "no `Chalice(...)` app found in app.py; no triggers read from code")
    else:
        report.warn(
            f"app.py:{app_variable}",
            "the handlers still run through Chalice's event wrappers: add chalice "
            "to your requirements (chalice deploy shipped it implicitly)",
        )
    names = StageNames(report, key_prefix="stages.")
    result: dict[str, dict[str, Any]] = {}
    for stage in stage_list:
        target = names.add(stage)
        result[target] = _StageConverter(report, target, stage, config, root).convert(decorated)
    for other in stages_table:
        if other not in stage_list:
            report.info(f"stages.{other}", f"another stage, not imported (--stage {only_stage})")
    _config_report(report, config)
    app_name = str(config.get("app_name") or root.resolve().name)
    name = project_name(app_name)
    if name != app_name:
        report.warn("app_name", f"'{app_name}' is not a faas project name; using '{name}'", "name")
    elif "app_name" in config:
        report.mapped("app_name", "name")
    notes = _notes(source, any(result[stage].get("functions") for stage in result))
    return Imported("chalice", source, root, name, result, report, notes)


class _StageConverter:
    def __init__(self, report: Report, stage: str, source_stage: str, config: dict[str, Any], root: Path) -> None:
        self.report = report
        self.stage = stage
        self.source_stage = source_stage
        self.config = config
        self.root = root
        stage_table = (config.get("stages") or {}).get(source_stage) or {}
        self.stage_table: dict[str, Any] = stage_table if isinstance(stage_table, dict) else {}
        self.aws: dict[str, Any] = {}
        self.taken: set[str] = set()

    def lookup(self, key: str, function: str | None) -> tuple[Any, str | None]:
        """Chalice's chain lookup: stage's function table, stage, top-level function table, top level."""
        tables: list[tuple[str, Any]] = []
        if function is not None:
            tables.append(
                (
                    f"stages.{self.source_stage}.lambda_functions.{function}",
                    (self.stage_table.get("lambda_functions") or {}).get(function),
                )
            )
        tables.append((f"stages.{self.source_stage}", self.stage_table))
        if function is not None:
            tables.append((f"lambda_functions.{function}", (self.config.get("lambda_functions") or {}).get(function)))
        tables.append(("", self.config))
        for where, table in tables:
            if isinstance(table, dict) and table.get(key) is not None:
                return table[key], f"{where}.{key}" if where else key
        return None, None

    def merged(self, key: str, function: str | None) -> dict[str, tuple[Any, str]]:
        """Chalice's chain merge (top level, stage, the stage's function table), each value with its source key."""
        tables: list[tuple[str, Any]] = [("", self.config), (f"stages.{self.source_stage}", self.stage_table)]
        if function is not None:
            tables.append(
                (
                    f"stages.{self.source_stage}.lambda_functions.{function}",
                    (self.stage_table.get("lambda_functions") or {}).get(function),
                )
            )
        result: dict[str, tuple[Any, str]] = {}
        for where, table in tables:
            value = table.get(key) if isinstance(table, dict) else None
            if isinstance(value, dict):
                prefix = f"{where}.{key}" if where else key
                result.update({name: (item, f"{prefix}.{name}") for name, item in value.items()})
        return result

    def environment(self, function: str | None, target: str) -> dict[str, str]:
        environment: dict[str, str] = {}
        for name, (value, key) in self.merged("environment_variables", function).items():
            environment.update(
                common.environment(
                    self.report, {name: value}, key_prefix=key.rsplit(".", 1)[0], target=target, stage=self.stage
                )
            )
        return environment

    def convert(self, decorated: list[Decorated]) -> dict[str, Any]:
        out: dict[str, Any] = {"provider": "aws"}
        functions: dict[str, dict[str, Any]] = {}
        converter = TriggerConverter(self)
        for item in decorated:
            lambda_name = item.name_prefix + _lambda_name(item)
            if item.kind == "route" or item.kind not in converter.KINDS:
                converter.unsupported(item)
                continue
            function = functions.get(lambda_name)
            if function is None:
                function = self._function(lambda_name, item)
                functions[lambda_name] = function
            converter.add(item, function)
        if functions:
            out["functions"] = list(functions.values())
        tags = {name: str(value) for name, (value, _) in self.merged("tags", None).items()}
        for _, key in self.merged("tags", None).values():
            self.report.mapped(key, "providers.aws.tags", stage=self.stage)
        if tags:
            self.aws["tags"] = tags
        self._retention()
        self._policy_file()
        if self.aws:
            out["providers"] = {"aws": self.aws}
        return out

    def _function(self, lambda_name: str, item: Decorated) -> dict[str, Any]:
        name = function_name(lambda_name, self.taken)
        target = f"functions.{name}"
        function: dict[str, Any] = {"name": name, "entry": f"{item.module}:{item.function}"}
        for key, bounds, faas_key, default in (
            ("lambda_memory_size", MEMORY_RANGE, "memory", DEFAULT_MEMORY),
            ("lambda_timeout", TIMEOUT_RANGE, "timeout", DEFAULT_TIMEOUT),
        ):
            value, where = self.lookup(key, lambda_name)
            number, problem = clamp(value, bounds, key) if value is not None else (default, None)
            function[faas_key] = number if number is not None else default
            if where is not None:
                (
                    self.report.warn(where, problem, f"{target}.{faas_key}", stage=self.stage)
                    if problem
                    else self.report.mapped(where, f"{target}.{faas_key}", stage=self.stage)
                )
        environment = self.environment(lambda_name, f"{target}.environment")
        if environment:
            function["environment"] = environment
        function["triggers"] = []
        self._production(lambda_name, function, target)
        for key in PER_FUNCTION[2:]:
            value, where = self.lookup(key, lambda_name)
            if where is not None and key not in (*_PRODUCTION_KEYS, "iam_policy_file"):
                self.report.warn(where, WARN.get(key, "not imported"), stage=self.stage)
        return function

    def _production(self, lambda_name: str, function: dict[str, Any], target: str) -> None:
        value, where = self.lookup("reserved_concurrency", lambda_name)
        if where is not None:
            number = production.instances(
                self.report, where, value, f"{target}.max_instances", what="reserved concurrency", stage=self.stage
            )
            if number is not None:
                function["max_instances"] = number
        subnets, subnets_at = self.lookup("subnet_ids", lambda_name)
        groups, groups_at = self.lookup("security_group_ids", lambda_name)
        if subnets_at is None and groups_at is None:
            return
        # Chalice needs both keys for a VPC; the report entry is the subnets' (or the groups' alone).
        key = subnets_at or groups_at
        assert key is not None
        found = production.vpc(self.report, key, subnets, groups, stage=self.stage)
        if groups_at is not None and groups_at != key:
            self.report.add(
                groups_at,
                "mapped" if found else "warn",
                "providers.aws.vpc",
                f"with {key}" if found else f"see {key}",
                stage=self.stage,
            )
        if found is not None and self.aws.setdefault("vpc", found) != found:
            self.report.warn(
                key,
                "differs from another function's subnets or security groups: faas attaches every function to one "
                f"VPC (providers.aws.vpc = {self.aws['vpc']}); not written",
                stage=self.stage,
            )

    def _retention(self) -> None:
        value, where = self.lookup("log_retention_in_days", None)
        if where is None:
            return
        if value in RETENTION_DAYS:
            self.aws["log_retention_days"] = value
            self.report.mapped(where, "providers.aws.log_retention_days", stage=self.stage)
        else:
            self.report.warn(where, f"{value} is not a CloudWatch retention", stage=self.stage)

    def _policy_file(self) -> None:
        value, where = self.lookup("iam_policy_file", None)
        if where is None:
            return
        path = self.root / ".chalice" / str(value)
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.report.warn(
                where,
                f"{path.name} cannot be read; its statements are not imported",
                "providers.aws.iam_statements",
                stage=self.stage,
            )
            return
        statements, problems = common.iam_statements(
            document.get("Statement", []) if isinstance(document, dict) else []
        )
        # Chalice's own policies cover logs; faas writes those itself.
        statements = [s for s in statements if not all(a.startswith("logs:") for a in s["actions"])]
        if statements:
            self.aws["iam_statements"] = statements
        if problems:
            self.report.warn(where, "; ".join(problems), "providers.aws.iam_statements", stage=self.stage)
        else:
            self.report.mapped(
                where, "providers.aws.iam_statements", f"the statements of {path.name}", stage=self.stage
            )


def _lambda_name(item: Decorated) -> str:
    name = item.keywords.get("name")
    from ast import Constant

    return str(name.value) if isinstance(name, Constant) and isinstance(name.value, str) else item.function


def _config_report(report: Report, config: dict[str, Any]) -> None:
    # Whatever no stage looked up is still listed.
    tables: list[tuple[str, Any]] = [("", config)]
    for stage, table in (config.get("stages") or {}).items():
        tables.append((f"stages.{stage}", table))
        for function, settings in ((table or {}).get("lambda_functions") or {}).items():
            tables.append((f"stages.{stage}.lambda_functions.{function}", settings))
    for function, settings in (config.get("lambda_functions") or {}).items():
        tables.append((f"lambda_functions.{function}", settings))
    for prefix, table in tables:
        for key, value in table.items() if isinstance(table, dict) else []:
            path = f"{prefix}.{key}" if prefix else key
            if path in report or any(e.source_key.startswith(path + ".") for e in report.entries):
                continue
            if key in ("stages", "lambda_functions") or (key in INFO and not INFO[key]):
                continue
            if key in INFO:
                report.info(path, INFO[key])
            elif key in WARN:
                report.warn(path, WARN[key])
            elif (
                key in ("environment_variables", "tags")
                and isinstance(value, dict)
                and prefix.startswith("lambda_functions")
            ):
                report.warn(
                    path,
                    "Chalice does not merge the top-level lambda_functions table's variables into a "
                    "stage (only stages.<stage>.lambda_functions); not imported, as in Chalice",
                )
            elif key in ("lambda_memory_size", "lambda_timeout", "environment_variables", "tags", *_PRODUCTION_KEYS):
                report.info(path, "no function of the code uses it")
            else:
                report.warn(path, "not a Chalice setting faas knows; ignored")


def _notes(source: Path, deployable: bool) -> list[str]:
    notes = [
        f"Imported from {source.parent.name}/{source.name} by `faas import` (Chalice).",
        f"Chalice's defaults are written out: {DEFAULT_MEMORY} MB, {DEFAULT_TIMEOUT} s.",
    ]
    if not deployable:
        notes.append("Nothing here for faas to deploy yet: Chalice routes are a Lambda event router, not a")
        notes.append("WSGI/ASGI app. Port the routes to Flask or FastAPI and add [app] (see the report).")
    return notes
