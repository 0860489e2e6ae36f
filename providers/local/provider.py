"""The local provider: runs the real artifact in the platform's real runtime client on 127.0.0.1."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from faas import (
    Capability,
    DeployResult,
    InvokeResult,
    LogRecord,
    Plan,
    Provider,
    RollbackResult,
    Status,
    get_registry,
)
from faas.providers.local import control, deploy, operate, secret_store, settings
from faas.providers.local.buckets import put_message
from faas.providers.local.deploy import LocalDeployment
from faas.providers.local.events import default_event
from faas.providers.local.logs import follow_records
from faas.providers.local.options import LocalOptions
from faas.providers.local.state import StageDir

if TYPE_CHECKING:
    from faas import Artifact, PackageTarget


class LocalProvider(Provider[LocalOptions]):
    """Deploys to this machine: the emulated cloud's artifact, in its real runtime client."""

    name = "local"
    description = "Runs the artifact on this machine in the real runtime of aws, gcp or azure"
    capabilities = frozenset(
        {
            Capability.PACKAGE,
            Capability.DEPLOY,
            Capability.HTTP,
            Capability.SCHEDULE,
            Capability.STORAGE_TRIGGER,
            Capability.QUEUE_TRIGGER,
            Capability.TOPIC_TRIGGER,
            Capability.STATIC_STORAGE,
            Capability.STATUS,
            Capability.LOGS,
            Capability.INVOKE,
            Capability.MANAGE,
            Capability.ROLLBACK,
            Capability.UNDEPLOY,
            Capability.SECRETS,
            # Accepted so one faas.toml deploys everywhere; the emulation's pool_size sets its workers.
            Capability.INSTANCES,
        }
    )

    stage_root: Path | None = None
    """Overrides the state dir (`faas serve` keeps its own, beside the deployed stage's)."""

    @property
    def stage_dir(self) -> StageDir:
        root = self.stage_root or self.options.state_dir or Path(".faas") / "local" / self.project.stage
        # A relative state_dir is relative to the project, not to wherever faas runs.
        return StageDir((self.project.root / root).resolve())

    @property
    def deployment(self) -> LocalDeployment:
        """What the steps and operations run against (built anew: `stage_root` may have changed)."""
        return LocalDeployment.of(self.project, self.options, self.reporter, self.stage_dir)

    @property
    def emulated(self) -> str:
        """The cloud emulated: the option, else the project's provider if it can be emulated, else aws."""
        return settings.emulated_platform(self.project, self.options)

    @property
    def deployed_platform(self) -> str:
        """The cloud the running deployment emulates (a deploy with --emulate may differ from the config)."""
        return operate.deployed_platform(self.deployment)

    # -- package / plan / apply -------------------------------------------------------------------

    def package_target(self) -> PackageTarget:
        """The emulated provider's own target, for the Python version the emulation runs.

        Unlike the cloud's, this filesystem keeps what the app writes (see appdata.py).
        """
        provider_class = get_registry().info(self.emulated).provider
        target = provider_class(self.project, reporter=self.reporter).package_target()
        version, _ = settings.python_for(self.project, self.options, self.reporter)
        return dataclasses.replace(target, python=version, persistent_filesystem=True)

    def version_of(self, artifact: Artifact) -> str:
        """The local version id: the artifact and the settings it runs with (secret values as digests)."""
        return deploy.version_of(self.deployment, artifact)

    def deployment_config(self, artifact: Artifact, running: control.Supervisor | None = None) -> dict[str, Any]:
        """Unpack `artifact`, prepare its runtime env, and describe what the supervisor runs."""
        return deploy.deployment_config(self.deployment, artifact, running)

    def plan(self, artifact: Artifact) -> Plan:
        return deploy.plan_deploy(self.deployment, artifact)

    def apply(self, plan: Plan, artifact: Artifact) -> DeployResult:
        with self.stage_dir.lock():
            return deploy.apply(self.deployment, plan, artifact)

    # -- operations on the running deployment -----------------------------------------------------

    def status(self) -> Status:
        return operate.status(self.deployment)

    def invoke(self, event: Any, function: str | None = None) -> InvokeResult:
        return operate.invoke(self.deployment, event, function)

    def sample_event(self, name: str) -> Any:
        return default_event(name, self.deployed_platform)

    def manage(self, arguments: list[str]) -> InvokeResult:
        result = self.invoke({"faas": {"manage": list(arguments)}})
        payload = result.payload if isinstance(result.payload, dict) else {}
        return InvokeResult(
            payload=result.payload,
            logs=str(payload.get("output", result.logs)),
            error=result.error,
            exit_status=payload.get("exit_status"),
        )

    def set_secret(self, name: str, value: str) -> str:
        path = secret_store.store_path(self.project)
        secret_store.set_secret(path, name, value)
        return str(path)

    def rollback(self, to: str | None = None) -> RollbackResult:
        return operate.rollback(self.deployment, to)

    def serve(self, reload: bool = True, emulate: str | None = None) -> None:
        """`faas serve`: run in the foreground, printing logs, rebuilding when a source file changes."""
        from faas.providers.local.serve import serve

        serve(self, reload=reload, emulate=emulate)

    def bucket_dir(self, bucket: str) -> Path:
        """The folder standing in for `bucket`: files put there fire its storage triggers."""
        return self.stage_dir.root / "buckets" / bucket

    def queue_dir(self, queue: str) -> Path:
        """The folder standing in for `queue`: each file in it is one message."""
        return self.stage_dir.root / "queues" / queue

    def send_message(self, queue: str, body: str) -> Path:
        """Put one message on a local queue; its queue trigger receives it within a second."""
        return put_message(self.queue_dir(queue), body)

    def publish(self, topic: str, message: str) -> list[dict[str, Any]]:
        """Publish `message` to the local `topic`: every function with that topic trigger runs; each outcome."""
        supervisor = operate.running(self.deployment)
        result: list[dict[str, Any]] = supervisor.call("/publish", {"topic": topic, "message": message})
        return result

    def fire_schedules(self, function: str | None = None) -> list[dict[str, Any]]:
        """Fire the deployment's schedule triggers now (all, or `function`'s); returns each outcome."""
        result: list[dict[str, Any]] = operate.running(self.deployment).call("/fire", {"function": function})
        return result

    # -- logs ---------------------------------------------------------------------------------------

    def logs(
        self, since: datetime | None = None, follow: bool = False, pattern: str | None = None
    ) -> Iterator[LogRecord]:
        """Every process's output with its request id; with `follow`, until the deployment stops."""
        if not self.stage_dir.log.is_file() and control.find_supervisor(self.stage_dir) is None:
            raise operate.not_deployed(self.deployment)
        return follow_records(
            self.stage_dir.log,
            lambda: control.find_supervisor(self.stage_dir) is not None,
            since=since,
            pattern=pattern,
            follow=follow,
        )

    # -- undeploy -----------------------------------------------------------------------------------

    def plan_undeploy(self, keep_artifacts: bool = False) -> Plan:
        return deploy.plan_undeploy(self.deployment, keep_artifacts=keep_artifacts)

    def undeploy(self, plan: Plan) -> None:
        with self.stage_dir.lock():
            deploy.undeploy(self.deployment, plan)
