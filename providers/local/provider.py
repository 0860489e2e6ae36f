"""The local provider: runs the real artifact in the platform's real runtime client on 127.0.0.1."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import secrets
import shutil
import sys
import time
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from faas import (
    Action,
    Capability,
    Change,
    DeployResult,
    InvokeResult,
    LogRecord,
    NotDeployedError,
    Plan,
    Provider,
    Resource,
    RollbackResult,
    Status,
    UsageError,
    get_registry,
)
from faas.providers.local import control, interpreters, secret_store
from faas.providers.local import secrets as secret_env
from faas.providers.local.appdata import adopt_writes, link_data
from faas.providers.local.buckets import put_message
from faas.providers.local.events import default_event
from faas.providers.local.logs import follow_records, read_records, select
from faas.providers.local.options import PLATFORMS, LocalOptions
from faas.providers.local.runtime_env import ensure_runtime_env, install_requirements
from faas.providers.local.state import StageDir, read_json, write_deployment, write_json
from faas.providers.local.static import LocalBucket, prepare_buckets
from faas.providers.local.workers import WorkerSpec

if TYPE_CHECKING:
    from faas import Artifact, PackageTarget

KEEP_VERSIONS = 3


class LocalProvider(Provider):
    """Deploys to this machine: the emulated cloud's artifact, in its real runtime client."""

    name = "local"
    description = "Runs the artifact on this machine in the real runtime of aws, gcp or azure"
    Options = LocalOptions
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

    @property
    def local_options(self) -> LocalOptions:
        assert isinstance(self.options, LocalOptions)
        return self.options

    @property
    def emulated(self) -> str:
        """The cloud emulated: the option, else the project's provider if it is a cloud, else aws."""
        if self.local_options.emulate:
            return self.local_options.emulate
        configured = self.project.config.provider
        return configured if configured in PLATFORMS else "aws"

    @property
    def deployed_platform(self) -> str:
        """The cloud the running deployment emulates (a deploy with --emulate may differ from the config)."""
        deployed = read_json(self.stage_dir.deployment)
        if self.local_options.emulate is None and isinstance(deployed, dict):
            return str(deployed.get("spec", {}).get("platform") or self.emulated)
        return self.emulated

    stage_root: Path | None = None
    """Overrides the state dir (`faas serve` keeps its own, beside the deployed stage's)."""

    @property
    def stage_dir(self) -> StageDir:
        root = self.stage_root or self.local_options.state_dir or Path(".faas") / "local" / self.project.stage
        # A relative state_dir is relative to the project, not to wherever faas runs.
        return StageDir((self.project.root / root).resolve())

    def _python(self) -> tuple[str, str]:
        """(version, interpreter) the emulation runs with."""
        version = self.local_options.python or self.project.config.python
        found = interpreters.find_interpreter(version)
        if found is not None:
            return version, str(found)
        if self.local_options.allow_host_python:
            host = interpreters.host_version()
            self.reporter.warning(f"no Python {version} here: emulating with this machine's Python {host}")
            return host, sys.executable
        return version, interpreters.require_interpreter(version)

    def _front_door(self) -> str:
        if self.local_options.front_door:
            return self.local_options.front_door
        aws = self.project.config.providers.get("aws", {})
        return str(aws.get("front_door") or "http-api")

    def _cloud_options(self) -> dict[str, Any]:
        return self.project.config.providers.get(self.emulated, {})

    # -- package / plan / apply -------------------------------------------------------------------

    def package_target(self) -> PackageTarget:
        """The emulated provider's own target, for the Python version the emulation runs.

        Unlike the cloud's, this filesystem keeps what the app writes (see appdata.py).
        """
        provider_class = get_registry().info(self.emulated).provider
        target = provider_class(self.project, reporter=self.reporter).package_target()
        version, _ = self._python()
        return dataclasses.replace(target, python=version, persistent_filesystem=True)

    def _runtime_settings(self) -> dict[str, Any]:
        """What the functions run with besides the artifact: a change to any of it is a new version."""
        config = self.project.config
        environment: dict[str, str] = {}
        for function in config.functions:
            environment.update(function.environment)
        timeouts = [function.timeout for function in config.functions]
        if config.app is not None:
            environment.update(config.app.environment)
            timeouts = [config.app.timeout]
        return {
            "platform": self.emulated,
            "environment": environment,
            "timeout": max(timeouts or [30]),
            "memory": config.app.memory if config.app else max([f.memory for f in config.functions] or [512]),
            "region": str(self._cloud_options().get("region") or "us-east-1"),
            "route_prefix": str(config.providers.get("azure", {}).get("route_prefix", "api")),
            # Only when set: an unchanged project keeps its version ids.
            **({"snap_start": True} if self.emulated == "aws" and self._cloud_options().get("snap_start") else {}),
        }

    def version_of(self, artifact: Artifact) -> str:
        """The local version id: the artifact and the settings it runs with (secret values as digests)."""
        settings = self._runtime_settings()
        environment = settings["environment"]
        for name in secret_env.secret_names(environment, self.project.secrets):
            environment[name] = secret_env.digest(name, environment[name])
        text = json.dumps(settings, sort_keys=True)
        return hashlib.sha256(f"{artifact.sha256}\n{text}".encode()).hexdigest()[:12]

    def plan(self, artifact: Artifact) -> Plan:
        secret_store.require_secrets(self.project, self._runtime_settings()["environment"])
        version = self.version_of(artifact)
        running = control.find_supervisor(self.stage_dir)
        deployed = read_json(self.stage_dir.deployment) or {}
        wanted = self._settings()
        same_settings = all(deployed.get(key) == value for key, value in wanted.items())
        if running is not None and running.version == version and same_settings:
            return Plan(self.name, self.project.stage)
        actions = [
            Action(
                Change.UPDATE if running else Change.CREATE,
                "version",
                version,
                (("version", running.version if running else "", version),),
            )
        ]
        if running is None:
            actions.append(Action(Change.CREATE, "gateway", f"{self.project.resource_prefix} ({self.emulated})"))
        return Plan(self.name, self.project.stage, tuple(actions), notes=(f"emulating {self.emulated}",))

    def _settings(self) -> dict[str, Any]:
        options = self.local_options
        return {
            "host": options.host,
            "pool_size": options.pool_size,
            "front_door": self._front_door(),
            "stage": self.project.stage,
            "serves_http": self.project.config.app is not None,
        }

    def apply(self, plan: Plan, artifact: Artifact) -> DeployResult:
        with self.stage_dir.lock():
            return self._apply(plan, artifact)

    def _apply(self, plan: Plan, artifact: Artifact) -> DeployResult:
        stage = self.stage_dir.create()
        version = self.version_of(artifact)
        running = control.find_supervisor(stage)
        if plan.is_empty and running is not None:
            return self._result(running.url, version, changed=False)
        previous = running.version if running is not None else stage.read_history().get("current")
        if previous:
            self._keep_writes(str(previous))
        config = self.deployment_config(artifact, running)
        write_deployment(stage.versions / version / "deployment.json", config)
        if running is not None:
            running.call("/switch", config)
        else:
            write_deployment(stage.deployment, config)
            running = control.spawn_supervisor(stage, secret_env.secret_values(config))
        if self.project.config.app is not None and not control.answers(running.url):
            raise control.SupervisorError(f"the local deployment does not answer on {running.url}")
        history = stage.read_history()
        history["versions"] = [v for v in history["versions"] if v["version"] != version]
        history["versions"].append({"version": version, "deployed": time.time()})
        history["current"] = version
        history["port"] = running.port
        self._prune(history)
        stage.write_history(history)
        self.reporter.info(f"local {self.emulated} emulation of {self.project.resource_prefix} serves {running.url}")
        return self._result(running.url, version, changed=True)

    def _result(self, url: str, version: str, changed: bool) -> DeployResult:
        served = url if self.project.config.app is not None else None
        return DeployResult(self.name, self.project.stage, served, version, changed, {"emulate": self.emulated})

    def deployment_config(self, artifact: Artifact, running: control.Supervisor | None = None) -> dict[str, Any]:
        """Unpack `artifact`, prepare its runtime env, and describe what the supervisor runs."""
        version = self.version_of(artifact)
        stage = self.stage_dir
        code = stage.code_dir(version)
        if not code.is_dir():
            unpacking = code.with_name("code.unpacking")
            shutil.rmtree(unpacking, ignore_errors=True)
            with zipfile.ZipFile(artifact.path) as archive:
                archive.extractall(unpacking)
                names = sorted(name.rstrip("/") for name in archive.namelist())
            write_json(code.with_name("files.json"), names)
            unpacking.rename(code)
        writable = [str(name) for name in artifact.manifest.get("writable_paths") or []]
        write_json(code.with_name("writable.json"), writable)
        link_data(code, stage.data, writable)
        buckets = self._buckets(artifact)
        python_version, interpreter = self._python()
        env = ensure_runtime_env(self.emulated, interpreter, python_version)
        deps = None
        if artifact.target.dependencies == "requirements":
            # GCP and Azure install requirements.txt themselves at deploy time; so does the emulation.
            deps = install_requirements(env, code / "requirements.txt")
        spec = WorkerSpec(
            python=str(env.python),
            code_dir=str(code),
            version=version,
            function_name=self.project.resource_prefix,
            python_version=python_version,
            deps_dir=str(deps) if deps else None,
            function_key=running.info["token"] if running else secrets.token_hex(16),
            secret_store=str(secret_store.store_path(self.project)),
            **self._runtime_settings(),
        )
        token = running.info["token"] if running else spec.function_key
        config = {
            **self._settings(),
            "token": token,
            "port": self._port(running),
            "spec": spec.to_json(),
            "storage": [bucket.to_json() for bucket in buckets],
        }
        return secret_env.mark_secrets(config, self.project.secrets)

    def _mount(self) -> str:
        """The path the app is mounted at on the front door (its SCRIPT_NAME)."""
        if self.emulated == "aws" and self._front_door() == "rest-api":
            return f"/{self.project.stage}"
        route_prefix = self._runtime_settings()["route_prefix"].strip("/")
        return f"/{route_prefix}" if self.emulated == "azure" and route_prefix else ""

    def _buckets(self, artifact: Artifact) -> list[LocalBucket]:
        """The storage roles' local buckets, their files copied in as a deploy uploads them."""
        return prepare_buckets(
            self.project, artifact.manifest, root=self.stage_dir.root, mount=self._mount(), reporter=self.reporter
        )

    def _keep_writes(self, version: str) -> None:
        """Move what `version`'s app wrote beside its code into the data area before another version runs."""
        code = self.stage_dir.code_dir(version)
        files = read_json(code.with_name("files.json"))
        if code.is_dir() and isinstance(files, list):
            moved = adopt_writes(code, self.stage_dir.data, set(files))
            if moved:
                self.reporter.info(f"kept in {self.stage_dir.data}: {', '.join(moved[:5])}")

    def _port(self, running: control.Supervisor | None) -> int:
        if running is not None:
            return running.port
        if self.local_options.port:
            if not control.port_free(self.local_options.host, self.local_options.port):
                raise control.SupervisorError(control.port_in_use(self.local_options.host, self.local_options.port))
            return self.local_options.port
        remembered = self.stage_dir.read_history().get("port")
        if remembered and control.port_free(self.local_options.host, int(remembered)):
            return int(remembered)
        return 0

    def _prune(self, history: dict[str, Any]) -> None:
        kept = history["versions"][-KEEP_VERSIONS:]
        history["versions"] = kept
        names = {entry["version"] for entry in kept}
        if self.stage_dir.versions.is_dir():
            for folder in self.stage_dir.versions.iterdir():
                if folder.name not in names:
                    shutil.rmtree(folder, ignore_errors=True)

    # -- operations on the running deployment -----------------------------------------------------

    def _running(self) -> control.Supervisor:
        running = control.find_supervisor(self.stage_dir)
        if running is None:
            raise NotDeployedError(
                f"{self.project.resource_prefix} is not deployed locally; run `faas deploy --provider local`"
            )
        return running

    def status(self) -> Status:
        running = control.find_supervisor(self.stage_dir)
        if running is None:
            return Status(self.name, self.project.stage, deployed=False)
        info = running.call("/status")
        history = self.stage_dir.read_history()
        last = next((v["deployed"] for v in history["versions"] if v["version"] == info["version"]), None)
        resources = [Resource("gateway", running.url, f"pid {info['pid']}, emulating {self.deployed_platform}")]
        resources += [
            Resource("process", worker["name"], f"pid {worker['pid']}, served {worker['served']}")
            for worker in info["workers"]
        ]
        resources += [Resource("bucket", name, str(self.bucket_dir(name))) for name in info.get("buckets", [])]
        resources += [
            Resource("bucket", bucket["bucket"], f"{bucket['folder']}, served at {bucket['url']}")
            for bucket in info.get("storage", [])
        ]
        resources += [Resource("queue", name, str(self.queue_dir(name))) for name in info.get("queues", [])]
        resources += [
            Resource("schedule", f"{self.project.resource_prefix}-{job['function']}", job["expression"])
            for job in info["schedules"]
        ]
        return Status(
            self.name,
            self.project.stage,
            True,
            running.url,
            info["version"],
            last_deploy=datetime.fromtimestamp(last, UTC) if last else None,
            resources=tuple(resources),
        )

    def invoke(self, event: Any, function: str | None = None) -> InvokeResult:
        answer = self._running().call("/invoke", {"event": event, "function": function})
        records = select(read_records(self.stage_dir.log)[0], request_id=answer["request_id"])
        logs = "\n".join(record.message for record in records)
        try:
            payload = json.loads(answer["body"]) if answer["body"] else None
        except ValueError:
            payload = answer["body"]
        error = None
        if answer["kind"] != "ok":
            details = answer.get("error") or {}
            error = f"{details.get('errorType', answer['kind'])}: {details.get('errorMessage', '')}".strip()
        return InvokeResult(payload=payload, logs=logs, error=error)

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
        running = self._running()
        versions = [entry["version"] for entry in self.stage_dir.read_history()["versions"]]
        current = running.version
        if to is None:
            position = versions.index(current) if current in versions else len(versions)
            if position == 0:
                raise UsageError("there is no earlier local version to roll back to")
            to = versions[position - 1]
        saved = read_json(self.stage_dir.versions / to / "deployment.json")
        if not isinstance(saved, dict):
            raise UsageError(f"version {to} is not kept locally (kept: {', '.join(versions)})")
        saved["token"] = running.info["token"]
        saved["port"] = running.port
        # Secret values are not on disk: the same ones set now are used; the supervisor knows the others.
        secret_env.fill(saved, self._runtime_settings()["environment"])
        self._keep_writes(current)
        code = self.stage_dir.code_dir(to)
        link_data(code, self.stage_dir.data, list(read_json(code.with_name("writable.json")) or []))
        running.call("/switch", saved)
        history = self.stage_dir.read_history()
        history["current"] = to
        self.stage_dir.write_history(history)
        return RollbackResult(previous_version=current, current_version=to)

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
        result: list[dict[str, Any]] = self._running().call("/publish", {"topic": topic, "message": message})
        return result

    def fire_schedules(self, function: str | None = None) -> list[dict[str, Any]]:
        """Fire the deployment's schedule triggers now (all, or `function`'s); returns each outcome."""
        result: list[dict[str, Any]] = self._running().call("/fire", {"function": function})
        return result

    # -- logs ---------------------------------------------------------------------------------------

    def logs(
        self, since: datetime | None = None, follow: bool = False, pattern: str | None = None
    ) -> Iterator[LogRecord]:
        """Every process's output with its request id; with `follow`, until the deployment stops."""
        if not self.stage_dir.log.is_file() and control.find_supervisor(self.stage_dir) is None:
            raise NotDeployedError(
                f"{self.project.resource_prefix} is not deployed locally; run `faas deploy --provider local`"
            )
        return follow_records(
            self.stage_dir.log,
            lambda: control.find_supervisor(self.stage_dir) is not None,
            since=since,
            pattern=pattern,
            follow=follow,
        )

    # -- undeploy -----------------------------------------------------------------------------------

    def plan_undeploy(self, keep_artifacts: bool = False) -> Plan:
        stage = self.stage_dir
        actions = []
        running = control.find_supervisor(stage)
        if running is not None:
            actions.append(Action(Change.DELETE, "gateway", running.url, payload=running.pid))
        if stage.root.exists():
            kept = "versions kept" if keep_artifacts else "versions, logs, app data, local buckets and queues"
            actions.append(Action(Change.DELETE, "state", str(stage.root), (("contents", kept, ""),), keep_artifacts))
        return Plan(self.name, self.project.stage, tuple(actions))

    def undeploy(self, plan: Plan) -> None:
        with self.stage_dir.lock():
            self._undeploy(plan)

    def _undeploy(self, plan: Plan) -> None:
        stage = self.stage_dir
        control.stop_supervisor(stage)
        for action in plan.actions:
            if action.resource == "state":
                keep = bool(action.payload)
                for child in stage.root.iterdir() if stage.root.exists() else []:
                    if keep and child.name == "versions":
                        continue
                    shutil.rmtree(child) if child.is_dir() else child.unlink()
                if not keep:
                    shutil.rmtree(stage.root, ignore_errors=True)
