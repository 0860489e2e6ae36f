"""The deploy pipeline every provider shares: package (local, no network) -> plan (read-only) -> apply.

The CLI commands are thin wrappers over these functions; tests and the conformance suite call them
directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from faas.core.plugins import Capability, Provider, get_registry
from faas.core.plugins.manager import ProviderRegistry
from faas.core.reporting import Reporter

if TYPE_CHECKING:
    from faas.core.config import Project
    from faas.core.packaging.artifact import Artifact
    from faas.core.plan import Plan
    from faas.core.results import DeployResult


@dataclass(frozen=True)
class DeployOutcome:
    """What `deploy` did: the artifact, the plan, and the result (None for a dry run)."""

    artifact: Artifact
    plan: Plan
    result: DeployResult | None


def open_provider(
    project: Project,
    name: str | None = None,
    *,
    registry: ProviderRegistry | None = None,
    reporter: Reporter | None = None,
    capability: Capability | None = None,
) -> Provider:
    """The provider `name` (default: the project's `provider`) for this project and stage.

    Raises a clear error for an unknown provider, a missing extra (unless `capability` is one that
    needs no SDK, like packaging), or invalid `[providers.<name>]`.
    """
    registry = registry if registry is not None else get_registry()
    provider_class = registry.get(name or project.config.provider, capability=capability)
    return provider_class(project, reporter=reporter)


def package(provider: Provider, out_dir: Path | None = None) -> Artifact:
    """Build the artifact for the provider's target. Makes no cloud call."""
    from faas.core.packaging import build_artifact

    provider.require(Capability.PACKAGE)
    return build_artifact(provider.project, provider.package_target(), out_dir, provider.reporter)


def plan_deploy(provider: Provider, out_dir: Path | None = None) -> tuple[Artifact, Plan]:
    """Check the config against the provider's capabilities, package, and plan (read-only calls)."""
    provider.check_config()
    artifact = package(provider, out_dir)
    return artifact, provider.plan(artifact)


def deploy(provider: Provider, *, dry_run: bool = False, out_dir: Path | None = None) -> DeployOutcome:
    """Package, plan and (unless `dry_run`) apply. An empty plan still returns the provider's result."""
    artifact, plan = plan_deploy(provider, out_dir)
    if dry_run:
        return DeployOutcome(artifact, plan, None)
    return DeployOutcome(artifact, plan, provider.apply(plan, artifact))


def undeploy(provider: Provider, *, keep_artifacts: bool = False) -> Plan:
    """Remove everything the project and stage own; returns the plan that was carried out."""
    provider.require(Capability.UNDEPLOY)
    plan = provider.plan_undeploy(keep_artifacts=keep_artifacts)
    provider.undeploy(plan)
    return plan
