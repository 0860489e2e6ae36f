"""Serverless Framework (`serverless.yml`), with serverless-wsgi, serverless-python-requirements,
serverless-domain-manager and serverless-lift.

Variables are resolved offline once per stage (serverless_vars); each stage is then converted to its
complete faas settings. The function whose handler is serverless-wsgi's becomes `[app]`; the others
become `[[functions]]`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from faas.core.errors import ConfigError
from faas.core.migrate import production
from faas.core.migrate.loaders import load_yaml
from faas.core.migrate.report import Report
from faas.core.migrate.serverless_functions import FunctionsConverter
from faas.core.migrate.serverless_vars import Resolver, has_reference, stages_named_in
from faas.core.migrate.stages import StageNames
from faas.core.migrate.values import project_name
from faas.core.migrate.writer import Imported

DEFAULT_MEMORY = 1024
DEFAULT_TIMEOUT = 6
DEFAULT_REGION = "us-east-1"
KNOWN_PLUGINS = {
    "serverless-wsgi": "its WSGI handler is faas's own [app] adapter",
    "serverless-python-requirements": "faas installs the requirements for the target itself",
    "serverless-domain-manager": "custom domains are faas's domain and certificate",
    "serverless-lift": "its queue constructs become queue triggers",
    "serverless-dotenv-plugin": "faas never reads .env files; use ${env:NAME} in faas.toml",
    "serverless-plugin-warmup": "faas has no warm-up pinger",
    "serverless-offline": "faas deploy --provider local runs the project on this machine",
    "serverless-iam-roles-per-function": "faas gives each deployment one least-privilege role",
}
ROOT_INFO = {
    "frameworkVersion": "the Serverless version pin",
    "org": "a Serverless Dashboard setting",
    "app": "a Serverless Dashboard setting",
    "console": "a Serverless Console setting",
    "dashboard": "a Serverless Dashboard setting",
    "params": "resolved per stage",
    "variablesResolutionMode": "a Serverless setting",
    "configValidationMode": "a Serverless setting",
    "deprecationNotificationMode": "a Serverless setting",
    "disabledDeprecations": "a Serverless setting",
    "stages": "a Serverless v4 setting; resolved per stage",
}


def import_serverless(source: Path, *, only_stage: str | None = None) -> Imported:
    """Read serverless.yml into per-stage faas settings and a report."""
    raw = load_yaml(source)
    if not isinstance(raw, dict):
        raise ConfigError("must be a YAML mapping with service, provider and functions", source=str(source))
    report = Report()
    stages = _stages(raw, source, only_stage)
    names = StageNames(report)
    result: dict[str, dict[str, Any]] = {}
    service_names: list[str] = []
    for stage, stage_key in stages.items():
        resolver = Resolver(raw, stage, source.parent, source)
        resolved = resolver.resolve(raw)
        target_stage = names.add(stage, key=stage_key)
        converter = _StageConverter(report, target_stage, resolver, source.parent)
        result[target_stage] = converter.convert(resolved)
        service_names.append(converter.service)
    name = project_name(service_names[0]) if service_names and service_names[0] else project_name(source.parent.name)
    _name_entries(report, service_names, name)
    return Imported("serverless", source, source.parent, name, result, report, _notes(source))


def _stages(raw: dict[str, Any], source: Path, only: str | None) -> dict[str, str]:
    """Each stage to import, with the source key that names it."""
    params = raw.get("params") if isinstance(raw.get("params"), dict) else {}
    assert isinstance(params, dict)
    if only is not None:
        return {only: f"params.{only}" if only in params else "provider.stage"}
    provider = raw.get("provider") if isinstance(raw.get("provider"), dict) else {}
    assert isinstance(provider, dict)
    default = provider.get("stage", "dev")
    if not isinstance(default, str) or "${" in default:
        default = "dev"
    named = stages_named_in(raw, source.read_text(encoding="utf-8"))
    return {stage: f"params.{stage}" if stage in params else "provider.stage" for stage in [default, *named]}


def _name_entries(report: Report, names: list[str], chosen: str) -> None:
    distinct = sorted(set(names))
    if len(distinct) > 1:
        report.warn(
            "service", f"differs per stage ({', '.join(distinct)}); faas has one name per project: {chosen}", "name"
        )
    elif distinct and distinct[0] != chosen:
        report.warn("service", f"'{distinct[0]}' is not a faas project name; using '{chosen}'", "name")
    else:
        report.mapped("service", "name")


class _StageConverter:
    def __init__(self, report: Report, stage: str, resolver: Resolver, root: Path) -> None:
        self.report = report
        self.stage = stage
        self.resolver = resolver
        self.root = root
        self.service = ""
        self.aws: dict[str, Any] = {"region": DEFAULT_REGION}
        self.out: dict[str, Any] = {"provider": "aws"}
        # Report key -> store of each mapped secret reference: the project reads one store.
        self.secret_kinds: dict[str, str] = {}

    def mapped(self, key: str, target: str, reason: str = "") -> None:
        self.report.mapped(key, target, reason, stage=self.stage)

    def warn(self, key: str, reason: str, target: str | None = None) -> None:
        self.report.warn(key, reason, target, stage=self.stage)

    def info(self, key: str, reason: str, target: str | None = None) -> None:
        self.report.info(key, reason, target, stage=self.stage)

    def convert(self, config: dict[str, Any]) -> dict[str, Any]:
        service = config.get("service")
        self.service = str(service.get("name") if isinstance(service, dict) else service or "")
        provider = config.get("provider") if isinstance(config.get("provider"), dict) else {}
        assert isinstance(provider, dict)
        custom = config.get("custom") if isinstance(config.get("custom"), dict) else {}
        assert isinstance(custom, dict)
        from faas.core.migrate.serverless_provider import ProviderConverter

        defaults = ProviderConverter(self).convert(provider)
        plugins = self._plugins(config.get("plugins"))
        functions = FunctionsConverter(self, defaults, custom, config.get("resources"))
        functions.convert(config.get("functions") or {})
        functions.constructs(config.get("constructs") or {}, "serverless-lift" in plugins)
        from faas.core.migrate.serverless_custom import convert_custom

        convert_custom(self, custom, functions)
        self._package(config.get("package"))
        for key, value in config.items():
            if key in ("service", "provider", "custom", "plugins", "functions", "constructs", "package"):
                continue
            if key in ROOT_INFO:
                self.info(key, ROOT_INFO[key])
            elif key == "resources":
                self.warn(key, _resources_reason(value))
            elif key == "useDotenv":
                self.warn(key, "faas never reads .env files; use ${env:NAME} and export the values when deploying")
            else:
                self.warn(key, "not a serverless.yml key faas knows; ignored")
        if functions.app:
            self.out["app"] = functions.app
        if functions.functions:
            self.out["functions"] = functions.functions
        production.secret_store(self.report, self.secret_kinds, self.aws, stage=self.stage)
        self.out.setdefault("providers", {})["aws"] = self.aws
        self._drop_unresolved(self.out, "")
        for name in ("certificate", "base_path"):
            if name in self.out and "domain" not in self.out:
                del self.out[name]
        return self.out

    def _drop_unresolved(self, table: dict[str, Any], at: str) -> None:
        """Remove values that still hold a reference (outside environment) and turn their entries into warnings."""
        for key in list(table):
            value, path = table[key], f"{at}{key}"
            if key == "environment":
                continue
            if isinstance(value, dict):
                self._drop_unresolved(value, f"{path}.")
            elif has_reference(value):
                del table[key]
                texts = sorted({ref.text for text in _strings_in(value) for ref in self.resolver.tokens(text)})
                for entry in self.report.entries:
                    if entry.target == path and self.stage in entry.stages:
                        entry.status = "warn"
                        entry.reason = (
                            f"uses {', '.join(texts)}, which cannot be resolved offline for stage "
                            f"{self.stage}; not written"
                        )

    def _plugins(self, plugins: Any) -> list[str]:
        items = plugins.get("modules", []) if isinstance(plugins, dict) else plugins or []
        if not isinstance(items, list):
            self.warn("plugins", "must be a list; ignored")
            return []
        names = [str(item) for item in items]
        for index, plugin in enumerate(names):
            key = f"plugins[{index}]"
            if plugin in KNOWN_PLUGINS:
                self.info(key, f"{plugin}: {KNOWN_PLUGINS[plugin]}")
            else:
                self.warn(key, f"{plugin}: a plugin faas does not know; what it does is not imported")
        if not names and plugins is not None:
            self.info("plugins", "empty")
        return names

    def _package(self, package: Any) -> None:
        if package is None:
            return
        if not isinstance(package, dict):
            self.warn("package", "must be a table; ignored")
            return
        target: dict[str, Any] = self.out.setdefault("package", {})
        for key, value in package.items():
            where = f"package.{key}"
            if key in ("patterns", "include", "exclude") and isinstance(value, list):
                patterns = [str(item) for item in value]
                if key == "exclude":
                    excludes, includes = patterns, []
                elif key == "include":
                    excludes, includes = [], patterns
                else:
                    excludes = [item[1:] for item in patterns if item.startswith("!")]
                    includes = [item for item in patterns if not item.startswith("!")]
                target["exclude"] = [*target.get("exclude", []), *excludes]
                target["include"] = [*target.get("include", []), *includes]
                # A positive pattern adds back what an earlier `!` removed, which is faas's include.
                self.mapped(
                    where,
                    "package.exclude" if excludes else "package.include",
                    f"{len(excludes)} excludes, {len(includes)} includes",
                )
            elif key == "excludeDevDependencies":
                self.info(where, "faas never packages development dependencies")
            else:
                self.warn(where, "no faas counterpart (faas builds one artifact per stage)")
        for name in ("exclude", "include"):
            if not target.get(name):
                target.pop(name, None)
        if not target:
            self.out.pop("package")


def _strings_in(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [text for item in value for text in _strings_in(item)]
    return []


def _resources_reason(resources: Any) -> str:
    types: list[str] = []
    for section in ("Resources",):
        table = resources.get(section) if isinstance(resources, dict) else None
        if isinstance(table, dict):
            types += sorted({str(item.get("Type")) for item in table.values() if isinstance(item, dict)})
    listed = f" ({', '.join(types)})" if types else ""
    return (
        f"CloudFormation resources{listed} are not created by faas; create them separately (queues and buckets "
        "used by triggers are looked up by name)"
    )


def _notes(source: Path) -> list[str]:
    return [
        f"Imported from {source.name} by `faas import` (Serverless Framework).",
        f"Serverless's defaults are written out: {DEFAULT_MEMORY} MB, {DEFAULT_TIMEOUT} s, region {DEFAULT_REGION}.",
        "Variables were resolved per stage; ${env:NAME} values are read from the deploying machine.",
    ]
