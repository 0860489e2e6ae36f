"""`faas migrate --to`: how a faas project carries over to another cloud, feature by feature.

Nothing here calls a cloud or needs the target's SDK: the target provider is opened the way
`faas package` opens it, and what it declares (its schedule dialect, `check_limits`, its size
limits, its capabilities) is what the report is built from. Each finding says whether the feature
maps 1:1, works through a different mechanism (and which), has no equivalent (and the nearest),
breaks a limit of the target, or names something of the old cloud that must be reviewed.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from faas.core.config import Project, load_project
from faas.core.errors import ConfigError, UsageError
from faas.core.migrate import portability_values
from faas.core.migrate.portability_values import TARGETS, Finding
from faas.core.model.project import AppConfig, FunctionConfig
from faas.core.model.schedule_dialects import UnsupportedScheduleError
from faas.core.model.triggers import QueueTrigger, ScheduleTrigger, StorageTrigger, TopicTrigger
from faas.core.packaging.build import default_out_dir
from faas.core.plugins import Capability, Provider, ProviderRegistry, get_registry
from faas.core.plugins.provider import required_capabilities

__all__ = ["TARGETS", "Finding", "PortabilityReport", "load_for_report", "portability_report"]

Target = Literal["gcp", "azure"]


@dataclass(frozen=True)
class PortabilityReport:
    """The findings for one project, stage and target, and the `[providers.<target>]` table to add."""

    target: str
    stage: str
    source: Path
    findings: list[Finding]
    provider_table: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def needs_user(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.needs_user]

    def to_json(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "stage": self.stage,
            "config": str(self.source),
            "findings": [finding.to_json() for finding in self.findings],
            "needs_user": len(self.needs_user),
            "provider_table": self.provider_table,
            "notes": self.notes,
        }


class _References(Mapping[str, str]):
    """An environment in which every `${env:NAME}` is set to itself: the report never reads secrets."""

    def __getitem__(self, name: str) -> str:
        return f"${{env:{name}}}"

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str)

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


def load_for_report(path: Path, stage: str | None) -> Project:
    """The project with `${env:...}` kept as references: this machine's environment is not read."""
    return load_project(path, stage, environ=_References())


def portability_report(project: Project, target: str, registry: ProviderRegistry | None = None) -> PortabilityReport:
    """Every feature of `project` checked against `target` (gcp or azure). No cloud call."""
    if target not in TARGETS:
        raise UsageError(f"--to must be one of {', '.join(TARGETS)}, not '{target}'")
    registry = registry if registry is not None else get_registry()
    # Packaging needs no SDK, and neither does anything this report reads from the provider.
    provider = registry.get(target, capability=Capability.PACKAGE)(project)
    findings: list[Finding] = []
    config = project.config
    if config.app is not None:
        findings.append(portability_values.app_finding(target, provider.options))
        findings += _limit_findings(provider, config.app, "app")
    for index, function in enumerate(config.functions):
        key = f"functions[{index}]"
        findings += _trigger_findings(provider, function, key, target)
        findings += _limit_findings(provider, function, key)
    findings += portability_values.storage_findings(config, target)
    findings += portability_values.domain_findings(config, target)
    findings += _size_findings(provider, project)
    findings += portability_values.environment_findings(config)
    options, option_findings = portability_values.aws_option_findings(config.providers.get("aws", {}), target)
    findings += option_findings
    # faas's own progress is not the project's problem: a note, not a finding, and not in the exit code.
    pending = [capability.value for capability in required_capabilities(project) if not provider.supports(capability)]
    notes = [f"faas's {target} provider cannot yet do what this project uses: {', '.join(pending)}"] if pending else []
    return PortabilityReport(target, project.stage, project.source, findings, options, notes)


def _trigger_findings(provider: Provider, function: FunctionConfig, key: str, target: str) -> list[Finding]:
    findings = []
    dialect = provider.package_target().schedules
    for number, trigger in enumerate(function.triggers):
        where = f"{key}.triggers[{number}]"
        feature = f"function {function.name}: {trigger.kind}"
        if isinstance(trigger, ScheduleTrigger):
            if dialect is None:
                findings.append(Finding(feature, where, "missing", "nothing", f"{target} declares no scheduler"))
                continue
            try:
                native = dialect.translate(trigger.schedule)
            except UnsupportedScheduleError as error:
                findings.append(Finding(feature, where, "breaks", dialect.name, f"{trigger.schedule}: {error.reason}"))
                continue
            zone = f" ({native.time_zone})" if native.time_zone else ""
            findings.append(
                Finding(
                    feature,
                    where,
                    "differs",
                    f"{dialect.name}: {native.expression}{zone}",
                    f"{trigger.schedule} fires at the same times",
                    needs_user=False,
                )
            )
        elif isinstance(trigger, StorageTrigger):
            findings += portability_values.storage_trigger_findings(trigger, feature, where, target)
        elif isinstance(trigger, QueueTrigger):
            findings.append(portability_values.queue_finding(trigger, feature, where, target))
        elif isinstance(trigger, TopicTrigger):
            findings.append(portability_values.topic_finding(trigger, feature, where, target))
    return findings


# Sizes tried in place of a refused memory value, so that a timeout problem behind it shows too.
_PROBE_MEMORY = (512, 2048, 1024, 256, 128, 4096)


def _limit_findings(provider: Provider, item: AppConfig | FunctionConfig, key: str) -> list[Finding]:
    """The target's own `check_limits` run on this item alone: every limit it breaks, memory and timeout."""
    feature = "app" if isinstance(item, AppConfig) else f"function {item.name}"
    problems = []
    found = _limit_problem(provider, item)
    if found is not None:
        problems.append(found)
        if found[0] == "memory":
            for memory in _PROBE_MEMORY:
                second = _limit_problem(provider, item.model_copy(update={"memory": memory}))
                if second is None or second[0] != "memory":
                    if second is not None:
                        problems.append(second)
                    break
    return [
        Finding(
            f"{feature}: {field_name}",
            f"{key}.{field_name}",
            "breaks",
            f"{provider.name}'s limit",
            message,
            action=_limit_action(field_name, provider.name),
        )
        for field_name, message in problems
    ]


def _limit_action(field_name: str, target: str) -> str:
    if field_name == "timeout":
        return "shorten the work per request (move long jobs to a function with a queue trigger) or lower timeout"
    return f"set memory to a size {target} offers (a [stages] override keeps the old value for the old cloud)"


def _limit_problem(provider: Provider, item: AppConfig | FunctionConfig) -> tuple[str, str] | None:
    project = provider.project
    if isinstance(item, AppConfig):
        config = project.config.model_copy(update={"app": item, "functions": []})
    else:
        config = project.config.model_copy(update={"app": None, "functions": [item]})
    probe = type(provider)(dataclasses.replace(project, config=config), options=provider.options)
    try:
        probe.check_limits()
    except ConfigError as error:
        field_name = (error.key or "").rpartition(".")[2] or "limits"
        return field_name, error.problems[0].message
    return None


def _size_findings(provider: Provider, project: Project) -> list[Finding]:
    """An artifact already built for the target, against the target's size limits; else how to check."""
    target = provider.package_target()
    limits = target.limits
    # Where `faas package` (and `faas doctor`) leave the artifact and its manifest.
    build_dir = default_out_dir(project, target)
    manifests = sorted(build_dir.glob("*.manifest.json")) if build_dir.is_dir() else []
    if not manifests:
        return [
            Finding(
                "package size",
                "package",
                "check",
                provider.name,
                "not built for this target yet",
                action=f"run `faas doctor --provider {provider.name}` to build it and check its size",
                needs_user=False,
            )
        ]
    manifest = json.loads(manifests[0].read_text(encoding="utf-8"))
    findings = []
    for kind, limit in (("zipped", limits.zipped), ("unzipped", limits.unzipped)):
        size = manifest.get(f"{kind}_size")
        if limit is not None and isinstance(size, int) and size > limit:
            findings.append(
                Finding(
                    "package size",
                    "package",
                    "breaks",
                    provider.name,
                    f"{size / 2**20:.1f} MB {kind} is over {provider.name}'s {limit / 2**20:.0f} MB",
                    action=limits.advice or "exclude data and tests ([package] exclude)",
                )
            )
    if not findings:
        findings.append(
            Finding(
                "package size",
                "package",
                "maps",
                provider.name,
                f"{manifest.get('zipped_size', 0) / 2**20:.1f} MB zipped fits",
                needs_user=False,
            )
        )
    return findings
