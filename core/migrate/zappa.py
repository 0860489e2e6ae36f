"""Zappa (`zappa_settings.json|yml|yaml|toml`): each top-level key is a stage.

`extends` is resolved the way Zappa resolves it: a chained *shallow* update, so a child's
`environment_variables` replaces its parent's whole table. Each stage is then written with its
complete effective settings; a stage that others extend is a template, not a stage.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from faas.core.errors import ConfigError, UsageError
from faas.core.migrate import common
from faas.core.migrate.loaders import load_any
from faas.core.migrate.report import Report
from faas.core.migrate.stages import StageNames
from faas.core.migrate.values import MEMORY_RANGE, TIMEOUT_RANGE, clamp, dotted_entry, project_name
from faas.core.migrate.writer import Imported

FILES = ("zappa_settings.json", "zappa_settings.yml", "zappa_settings.yaml", "zappa_settings.toml")


def import_zappa(source: Path, *, only_stage: str | None = None) -> Imported:
    """Read a Zappa settings file into per-stage faas settings and a report."""
    raw = load_any(source)
    if not isinstance(raw, dict) or not raw:
        raise ConfigError('must be a table of stages, e.g. {"dev": {...}}', source=str(source))
    report = Report()
    stages_raw: dict[str, dict[str, Any]] = {}
    for key, value in raw.items():
        if isinstance(value, dict):
            stages_raw[str(key)] = value
        else:
            report.warn(str(key), "not a stage (each top-level key of zappa_settings is a stage table); ignored")
    parents = {str(settings["extends"]) for settings in stages_raw.values() if isinstance(settings.get("extends"), str)}
    chosen = _chosen_stages(stages_raw, parents, only_stage, source)
    names = StageNames(report)
    result: dict[str, dict[str, Any]] = {}
    project_names: dict[str, str] = {}
    used: set[str] = set()
    for stage in chosen:
        effective = _resolve(stages_raw, stage, source)
        used |= {where for _, where in effective.values()} | {stage}
        target_stage = names.add(stage)
        converter = _StageConverter(report, stage, target_stage, source.parent)
        result[target_stage] = converter.convert(effective)
        if "project_name" in effective:
            value, where = effective["project_name"]
            project_names[where] = str(value)
    for template in sorted(parents - set(chosen)):
        if template in stages_raw:
            report.info(
                template, "extended by other stages: a template, written into each of them, not a stage", "stages"
            )
    skipped = {stage for stage in stages_raw if only_stage is not None and stage not in used}
    for other in skipped:
        if other not in report:
            report.info(other, f"another stage, not imported (--stage {only_stage})")
    name = _project_name(report, project_names, source)
    _cover_overridden(report, {stage: settings for stage, settings in stages_raw.items() if stage not in skipped})
    return Imported("zappa", source, source.parent, name, result, report, _notes(source))


def _chosen_stages(stages: dict[str, dict[str, Any]], parents: set[str], only: str | None, source: Path) -> list[str]:
    if only is not None:
        if only not in stages:
            raise UsageError(f"{source} has no stage '{only}' (stages: {', '.join(stages)})")
        return [only]
    chosen = [stage for stage in stages if stage not in parents]
    if not chosen:
        raise ConfigError("every stage is extended by another one: the extends chain is a cycle", source=str(source))
    return chosen


def _resolve(stages: dict[str, dict[str, Any]], stage: str, source: Path) -> dict[str, tuple[Any, str]]:
    """The stage's settings after `extends`, each value with the stage that wrote it."""
    chain: list[str] = []
    current: str | None = stage
    while current is not None:
        if current in chain:
            cycle = " -> ".join([*chain[chain.index(current) :], current])
            raise ConfigError(f"extends cycle: {cycle}", source=str(source), key=f"{stage}.extends")
        if current not in stages:
            raise ConfigError(f"extends an undefined stage '{current}'", source=str(source), key=f"{chain[-1]}.extends")
        chain.append(current)
        parent = stages[current].get("extends")
        current = str(parent) if parent is not None else None
    effective: dict[str, tuple[Any, str]] = {}
    for name in reversed(chain):
        # dict.update: a nested table of the child replaces the parent's whole table.
        effective.update({key: (value, name) for key, value in stages[name].items()})
    return effective


class _StageConverter:
    def __init__(self, report: Report, stage: str, target_stage: str, root: Path) -> None:
        self.report = report
        self.stage = stage
        self.target_stage = target_stage
        self.root = root
        self.aws: dict[str, Any] = {}
        self.out: dict[str, Any] = {"provider": "aws"}

    def key(self, origin: str, name: str) -> str:
        return f"{origin}.{name}"

    def mapped(self, origin: str, name: str, target: str, reason: str = "") -> None:
        self.report.mapped(self.key(origin, name), target, reason, stage=self.target_stage)

    def warn(self, origin: str, name: str, reason: str, target: str | None = None) -> None:
        self.report.warn(self.key(origin, name), reason, target, stage=self.target_stage)

    def info(self, origin: str, name: str, reason: str, target: str | None = None) -> None:
        self.report.info(self.key(origin, name), reason, target, stage=self.target_stage)

    def convert(self, settings: dict[str, tuple[Any, str]]) -> dict[str, Any]:
        values = {key: value for key, (value, _) in settings.items()}
        origin = {key: where for key, (_, where) in settings.items()}
        handled = {"app_function", "django_settings", "environment_variables", "aws_environment_variables"}
        handled |= {"events", "memory_size", "timeout_seconds", "keep_warm"}
        memory, timeout = self._sizes(values, origin)
        environment = self._environment(values, origin)
        app = self._app(values, origin, environment, memory, timeout)
        self._events(values, origin, environment, sizes=(memory, timeout))
        for name, value in values.items():
            if name not in handled:
                self._setting(name, value, origin[name], app)
        self._keep_warm(values, origin)
        for name, faas_key in (("certificate_arn", "certificate"), ("base_path", "base_path")):
            if faas_key in self.out and "domain" not in self.out:
                del self.out[faas_key]
                self.warn(origin[name], name, "applies under a custom domain and no domain is set; not written")
        if app:
            self.out["app"] = app
            self.aws.setdefault("front_door", "rest-api")
        if self.aws:
            self.out.setdefault("providers", {})["aws"] = self.aws
        return self.out

    def _sizes(self, values: dict[str, Any], origin: dict[str, str]) -> tuple[int | None, int | None]:
        found: list[int | None] = []
        for name, bounds, target in (
            ("memory_size", MEMORY_RANGE, "memory"),
            ("timeout_seconds", TIMEOUT_RANGE, "timeout"),
        ):
            if name not in values:
                found.append(None)
                continue
            number, problem = clamp(values[name], bounds, name)
            if problem:
                self.warn(origin[name], name, problem, f"app.{target}")
            else:
                self.mapped(origin[name], name, f"app.{target}")
            found.append(number)
        return found[0], found[1]

    def _environment(self, values: dict[str, Any], origin: dict[str, str]) -> dict[str, str]:
        environment: dict[str, str] = {}
        for name, note in (("aws_environment_variables", "set on the Lambda"), ("environment_variables", "")):
            table = values.get(name)
            if table is None:
                continue
            if not isinstance(table, dict):
                self.warn(origin[name], name, "must be a table of variables; ignored")
                continue
            if not table:
                self.info(origin[name], name, "empty")
                continue
            # environment_variables are written to os.environ at cold start, so they win.
            environment.update(
                common.environment(
                    self.report,
                    table,
                    key_prefix=self.key(origin[name], name),
                    target="app.environment",
                    stage=self.target_stage,
                    origin=note,
                )
            )
        return environment

    def _app(
        self,
        values: dict[str, Any],
        origin: dict[str, str],
        environment: dict[str, str],
        memory: int | None,
        timeout: int | None,
    ) -> dict[str, Any]:
        app: dict[str, Any] = {}
        settings_module = values.get("django_settings")
        if "app_function" in values:
            entry = dotted_entry(str(values["app_function"]))
            if entry is None:
                self.warn(
                    origin["app_function"],
                    "app_function",
                    f"'{values['app_function']}' is not a dotted module.attribute; no [app]",
                )
            else:
                app["entry"] = entry
                self.mapped(origin["app_function"], "app_function", "app.entry", f"the WSGI app {entry}")
        if settings_module is not None:
            module = str(settings_module)
            environment = {**environment, "DJANGO_SETTINGS_MODULE": module}
            if app:
                self.mapped(
                    origin["django_settings"],
                    "django_settings",
                    "app.settings_module",
                    "app_function wins as the entry; DJANGO_SETTINGS_MODULE is still set",
                )
            else:
                app["entry"] = self._django_entry(module, origin["django_settings"])
                app["interface"] = "wsgi"
            app["framework"] = "django"
            app["settings_module"] = module
        if not app:
            return {}
        for name, value in (("memory", memory), ("timeout", timeout)):
            if value is not None:
                app[name] = value
        if environment:
            app["environment"] = environment
        return app

    def _django_entry(self, module: str, origin: str) -> str:
        parts = module.split(".")[:-1] or [module]
        for depth in range(len(parts), 0, -1):
            if (self.root.joinpath(*parts[:depth]) / "wsgi.py").is_file():
                entry = ".".join(parts[:depth]) + ".wsgi:application"
                self.mapped(
                    origin, "django_settings", "app.entry", f"Django through {entry}, DJANGO_SETTINGS_MODULE={module}"
                )
                return entry
        entry = f"{parts[0]}.wsgi:application"
        self.warn(
            origin,
            "django_settings",
            f"Django through {entry}, but {parts[0]}/wsgi.py is not in {self.root}: "
            "create it (django-admin startproject writes one) or set app.entry",
            "app.entry",
        )
        return entry

    def _events(
        self,
        values: dict[str, Any],
        origin: dict[str, str],
        environment: dict[str, str],
        *,
        sizes: tuple[int | None, int | None],
    ) -> None:
        from faas.core.migrate.zappa_events import EventConverter

        events = values.get("events")
        if events is None:
            return
        where = origin["events"]
        if not isinstance(events, list):
            self.warn(where, "events", "must be a list of events; ignored")
            return
        functions = EventConverter(self, where, environment, *sizes).convert(events)
        if functions:
            self.out["functions"] = functions

    def _keep_warm(self, values: dict[str, Any], origin: dict[str, str]) -> None:
        enabled = values.get("keep_warm", True)
        # A ping every few minutes keeps about one instance warm, at no idle cost; provisioned
        # concurrency is billed around the clock. Not the same trade, so suggested, never written.
        reason = (
            "faas has no keep-warm pinger (Zappa pings every 4 minutes by default): cold starts are kept "
            "small instead (lean artifacts, bytecode); for an instance always warm set app.min_instances = 1 "
            "(provisioned concurrency, billed while idle)"
        )
        if "keep_warm" in values:
            self.info(origin["keep_warm"], "keep_warm", reason if enabled else "disabled; faas has none either")
        elif (self.stage + ".keep_warm") not in self.report:
            self.info(self.stage, "keep_warm", f"not set, so Zappa's default true applies; {reason}")

    def _setting(self, name: str, value: Any, origin: str, app: dict[str, Any]) -> None:
        from faas.core.migrate.zappa_settings import apply_setting

        apply_setting(self, name, value, origin, app)


def _cover_overridden(report: Report, stages: dict[str, dict[str, Any]]) -> None:
    # A parent's key that every child overrides reaches no stage; it is still listed.
    for stage, settings in stages.items():
        for key in settings:
            path = f"{stage}.{key}"
            if path not in report and not any(
                entry.source_key.startswith(path + ".") or entry.source_key.startswith(path + "[")
                for entry in report.entries
            ):
                report.info(path, "replaced in every stage that extends this one (Zappa's extends replaces whole keys)")


def _project_name(report: Report, names: dict[str, str], source: Path) -> str:
    if not names:
        name = project_name(source.resolve().parent.name)
        report.info("project_name", f"not set; named after the folder: {name}", "name")
        return name
    first_stage, first = next(iter(names.items()))
    name = project_name(first)
    for stage, other in names.items():
        key = f"{stage}.project_name"
        if other != first:
            report.warn(key, f"'{other}' differs from {first_stage}'s '{first}'; faas has one name per project", "name")
        elif name != first:
            report.warn(key, f"'{first}' is not a faas project name; using '{name}'", "name")
        else:
            report.mapped(key, "name")
    return name


def _notes(source: Path) -> list[str]:
    return [
        f"Imported from {source.name} by `faas import` (Zappa).",
        "Zappa's defaults are written out where faas's differ: API Gateway REST (front_door = rest-api).",
        "Each stage holds its complete settings; run `faas import --json` again to see the report.",
    ]
