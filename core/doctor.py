"""`faas doctor`: what would stop a deploy, found before one starts, one finding per line.

Local checks first (limits, the target Python, the artifact built as `faas package` builds it and
its size, files the app writes on a read-only function filesystem), then the provider's own
read-only checks (`Provider.diagnose`: credentials, the account). Nothing is created or changed.
"""

from __future__ import annotations

from faas.core import workflow
from faas.core.config import Project
from faas.core.doctor_findings import Diagnosis
from faas.core.errors import ConfigError, FaasError
from faas.core.interpreters import find_interpreter
from faas.core.plugins import Capability, Provider, ProviderRegistry, get_registry
from faas.core.plugins.provider import required_capabilities
from faas.core.reporting import NullReporter

__all__ = ["Diagnosis", "diagnose"]

MB = 1024 * 1024


def diagnose(project: Project, provider_name: str, registry: ProviderRegistry | None = None) -> list[Diagnosis]:
    """Every finding for `project` on `provider_name`: problems with what to do, and what passed."""
    registry = registry if registry is not None else get_registry()
    info = registry.info(provider_name)
    # Packaging and the limits need no SDK: they are checked even where the extra is missing.
    provider = registry.get(provider_name, capability=Capability.PACKAGE)(project)
    findings = [*_config_findings(provider), _python_finding(provider)]
    findings += _package_findings(provider)
    if not info.available:
        findings.append(
            Diagnosis(provider_name, "sdk", f"the {provider_name} SDK is not installed", action=info.install_hint)
        )
    else:
        findings += provider.diagnose()
    return findings


def _config_findings(provider: Provider) -> list[Diagnosis]:
    """The features the config uses that the provider lacks (all of them), and the first limit broken."""
    missing = [
        capability.value for capability in required_capabilities(provider.project) if not provider.supports(capability)
    ]
    findings = []
    if missing:
        findings.append(
            Diagnosis(
                provider.name,
                "features",
                f"provider '{provider.name}' does not support {', '.join(missing)}, which this project needs",
                action="deploy to a provider that does (faas plugins lists them), or drop what needs it",
            )
        )
    try:
        provider.check_limits()
    except ConfigError as error:
        problem = error.problems[0]
        findings.append(
            Diagnosis(
                provider.name,
                "limits",
                f"{problem.key}: {problem.message}",
                action=f"change {problem.key} (a [stages] override can keep it for another provider)",
            )
        )
    else:
        findings.append(Diagnosis(provider.name, "limits", "memory and timeouts fit the platform", ok=True))
    return findings


def _python_finding(provider: Provider) -> Diagnosis:
    version = provider.project.config.python
    found = find_interpreter(version)
    if found is None:
        return Diagnosis(
            provider.name,
            "python",
            f"no Python {version} on this machine: bytecode and local runs need the target's version",
            action=f"install it (uv python install {version}, pyenv install {version}) or set python to one you have",
        )
    return Diagnosis(provider.name, "python", f"Python {version} at {found}", ok=True)


def _package_findings(provider: Provider) -> list[Diagnosis]:
    reporter = NullReporter()
    name = provider.name
    try:
        artifact = workflow.package(provider.__class__(provider.project, options=provider.options, reporter=reporter))
    except FaasError as error:
        # PackagingError over a size limit carries the platform's advice in its message.
        return [Diagnosis(name, "package", str(error), action="fix it, then run `faas package` again")]
    findings = [Diagnosis(name, "filesystem", warning, action="see the message") for warning in reporter.warnings]
    limits = artifact.target.limits
    shown = [f"{artifact.zipped_size / MB:.1f} MB zipped", f"{artifact.unzipped_size / MB:.1f} MB unzipped"]
    caps = [
        f"{kind} {limit / MB:.0f} MB"
        for kind, limit in (("zipped", limits.zipped), ("unzipped", limits.unzipped))
        if limit
    ]
    within = f" (limits: {', '.join(caps)})" if caps else ""
    findings.append(Diagnosis(name, "package size", f"{', '.join(shown)}{within}", ok=True))
    if not artifact.target.persistent_filesystem:
        findings += _local_file_findings(provider)
        sqlite = "SQLite" in " ".join(reporter.warnings)
        media = [path for path in artifact.manifest.get("writable_paths", []) if path.endswith("/")]
        if media and not sqlite:
            findings.append(
                Diagnosis(
                    name,
                    "filesystem",
                    f"the app writes uploads to {media[0]}, but the function's filesystem is read-only",
                    action="store uploads in a bucket ([storage.media] and a storage backend such as django-storages)",
                )
            )
    return findings


def _local_file_findings(provider: Provider) -> list[Diagnosis]:
    """Environment values that point the app at a local file database (DATABASE_URL=sqlite:///...)."""
    config = provider.project.config
    environments = [("app", config.app.environment)] if config.app is not None else []
    environments += [(f"function {function.name}", function.environment) for function in config.functions]
    return [
        Diagnosis(
            provider.name,
            "filesystem",
            f"{where} environment {variable}={value}: a SQLite file on a read-only filesystem that keeps nothing",
            action="use a database server (postgresql://...) for this provider, e.g. in a [stages] override",
        )
        for where, environment in environments
        for variable, value in environment.items()
        if value.startswith("sqlite:")
    ]
