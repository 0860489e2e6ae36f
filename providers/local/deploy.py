"""Deploy and undeploy on this machine, as steps the core engine runs (faas.apply_plan / undeploy_plan).

A deploy is two steps: prepare the version (unpack the artifact, its runtime env, the supervisor
config) and switch a running gateway to it, then start the gateway if none runs. Undeploy stops
the gateway and deletes the stage's state. Each step converges: a half-done earlier run is
finished, not tripped over.
"""

from __future__ import annotations

import secrets
import shutil
import time
import zipfile
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from faas import (
    Action,
    ApplyState,
    Artifact,
    Change,
    Deployment,
    DeployResult,
    ErrorTranslator,
    Names,
    Plan,
    StateKey,
    apply_plan,
    undeploy_plan,
)
from faas.providers.local import control, secret_store, settings
from faas.providers.local import secrets as secret_env
from faas.providers.local.appdata import adopt_writes, link_data
from faas.providers.local.options import LocalOptions
from faas.providers.local.runtime_env import ensure_runtime_env, install_requirements
from faas.providers.local.state import StageDir, read_json, write_deployment, write_json
from faas.providers.local.static import prepare_buckets
from faas.providers.local.workers import WorkerSpec

if TYPE_CHECKING:
    from faas import Project, Reporter

KEEP_VERSIONS = 3

ERRORS = ErrorTranslator(
    catches=(OSError, zipfile.BadZipFile),
    describe=lambda error: str(error) or type(error).__name__,
    is_missing=lambda error: isinstance(error, FileNotFoundError),
)
"""A file the deploy cannot write or read is a failed step; a file already gone is undeployed."""

# What the steps of one apply hand each other.
ARTIFACT = StateKey[Artifact]("artifact")
CONFIG = StateKey[dict[str, Any]]("supervisor config")
SUPERVISOR = StateKey[control.Supervisor]("running supervisor")


@dataclass
class LocalDeployment(Deployment[LocalOptions, Names]):
    """One project and stage on this machine: its state dir and the cloud it emulates."""

    stage: StageDir
    emulated: str

    @classmethod
    def of(cls, project: Project, options: LocalOptions, reporter: Reporter, stage: StageDir) -> LocalDeployment:
        return cls(project, options, reporter, Names.of(project), stage, settings.emulated_platform(project, options))


def version_of(deployment: LocalDeployment, artifact: Artifact) -> str:
    return settings.version_id(deployment.project, deployment.emulated, artifact)


# -- deploy -------------------------------------------------------------------------------------


def plan_deploy(deployment: LocalDeployment, artifact: Artifact) -> Plan:
    """Nothing when the same version runs with the same gateway settings; else the version (and gateway)."""
    project, stage = deployment.project, deployment.stage
    secret_store.require_secrets(project, settings.runtime_settings(project, deployment.emulated)["environment"])
    version = version_of(deployment, artifact)
    running = control.find_supervisor(stage)
    deployed = read_json(stage.deployment) or {}
    wanted = settings.gateway_settings(project, deployment.options)
    same_settings = all(deployed.get(key) == value for key, value in wanted.items())
    if running is not None and running.version == version and same_settings:
        return Plan("local", project.stage)
    change = Change.UPDATE if running else Change.CREATE
    details = (("version", running.version if running else "", version),)
    actions: list[Action[Any]] = [Action(change, "version", version, details, VersionStep(version))]
    if running is None:
        door = f"{project.resource_prefix} ({deployment.emulated})"
        actions.append(Action(Change.CREATE, "gateway", door, (), StartGatewayStep()))
    return Plan("local", project.stage, tuple(actions), notes=(f"emulating {deployment.emulated}",))


def apply(deployment: LocalDeployment, plan: Plan, artifact: Artifact) -> DeployResult:
    """Run the plan's steps; the caller holds the stage lock."""
    stage = deployment.stage.create()
    running = control.find_supervisor(stage)
    version = version_of(deployment, artifact)
    if plan.is_empty and running is not None:
        return result(deployment, running.url, version, changed=False)
    if running is None and not any(isinstance(action.payload, StartGatewayStep) for action in plan.actions):
        # The gateway stopped since the plan was made: that plan would leave nothing serving.
        plan = plan_deploy(deployment, artifact)
    state = ApplyState()
    state.learn(ARTIFACT, artifact)
    apply_plan(deployment, plan, ERRORS, state)
    running = state.require(SUPERVISOR)
    if deployment.project.config.app is not None and not control.answers(running.url):
        raise control.SupervisorError(f"the local deployment does not answer on {running.url}")
    history = stage.read_history()
    history["versions"] = [v for v in history["versions"] if v["version"] != version]
    history["versions"].append({"version": version, "deployed": time.time()})
    history["current"] = version
    history["port"] = running.port
    _prune(stage, history)
    stage.write_history(history)
    prefix = deployment.project.resource_prefix
    deployment.reporter.info(f"local {deployment.emulated} emulation of {prefix} serves {running.url}")
    return result(deployment, running.url, version, changed=True)


def result(deployment: LocalDeployment, url: str, version: str, *, changed: bool) -> DeployResult:
    served = url if deployment.project.config.app is not None else None
    outputs = {"emulate": deployment.emulated}
    return DeployResult("local", deployment.project.stage, served, version, changed, outputs)


@dataclass(frozen=True)
class VersionStep:
    """Prepare `version` beside the others and switch a running gateway to it."""

    version: str

    def run(self, deployment: LocalDeployment, state: ApplyState) -> None:
        stage = deployment.stage
        running = control.find_supervisor(stage)
        previous = running.version if running is not None else stage.read_history().get("current")
        if previous:
            keep_writes(stage, str(previous), deployment.reporter)
        config = deployment_config(deployment, state.require(ARTIFACT), running)
        write_deployment(stage.versions / self.version / "deployment.json", config)
        state.learn(CONFIG, config)
        if running is not None:
            running.call("/switch", config)
            state.learn(SUPERVISOR, running)


@dataclass(frozen=True)
class StartGatewayStep:
    """Start the supervisor (gateway and runtime processes) on the prepared version, unless one runs."""

    def run(self, deployment: LocalDeployment, state: ApplyState) -> None:
        if state.get(SUPERVISOR) is not None:
            return  # one was running after all: the version step switched it
        config = state.require(CONFIG)
        write_deployment(deployment.stage.deployment, config)
        state.learn(SUPERVISOR, control.spawn_supervisor(deployment.stage, secret_env.secret_values(config)))


def deployment_config(
    deployment: LocalDeployment, artifact: Artifact, running: control.Supervisor | None = None
) -> dict[str, Any]:
    """Unpack `artifact`, prepare its runtime env, and describe what the supervisor runs."""
    project, options, stage, emulated = deployment.project, deployment.options, deployment.stage, deployment.emulated
    version = version_of(deployment, artifact)
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
    mount = settings.mount(project, options, emulated)
    buckets = prepare_buckets(project, artifact.manifest, root=stage.root, mount=mount, reporter=deployment.reporter)
    python_version, interpreter = settings.python_for(project, options, deployment.reporter)
    env = ensure_runtime_env(emulated, interpreter, python_version)
    deps = None
    if artifact.target.dependencies == "requirements":
        # GCP and Azure install requirements.txt themselves at deploy time; so does the emulation.
        deps = install_requirements(env, code / "requirements.txt")
    elif artifact.target.dependencies_dir:
        # Vendored below the root (Azure's .python_packages): the platform's worker adds it to sys.path.
        deps = code / artifact.target.dependencies_dir
    spec = WorkerSpec(
        python=str(env.python),
        code_dir=str(code),
        version=version,
        function_name=project.resource_prefix,
        python_version=python_version,
        deps_dir=str(deps) if deps else None,
        function_key=running.info["token"] if running else secrets.token_hex(16),
        secret_store=str(secret_store.store_path(deployment.project)),
        entry_module=artifact.target.entry_module,
        **settings.runtime_settings(project, emulated),
    )
    token = running.info["token"] if running else spec.function_key
    config = {
        **settings.gateway_settings(project, options),
        "token": token,
        "port": _port(deployment, running),
        "spec": spec.to_json(),
        "storage": [bucket.to_json() for bucket in buckets],
    }
    return secret_env.mark_secrets(config, project.secrets)


def keep_writes(stage: StageDir, version: str, reporter: Reporter) -> None:
    """Move what `version`'s app wrote beside its code into the data area before another version runs."""
    code = stage.code_dir(version)
    files = read_json(code.with_name("files.json"))
    if code.is_dir() and isinstance(files, list):
        moved = adopt_writes(code, stage.data, set(files))
        if moved:
            reporter.info(f"kept in {stage.data}: {', '.join(moved[:5])}")


def _port(deployment: LocalDeployment, running: control.Supervisor | None) -> int:
    if running is not None:
        return running.port
    host, port = deployment.options.host, deployment.options.port
    if port:
        if not control.port_free(host, port):
            raise control.SupervisorError(control.port_in_use(host, port))
        return port
    remembered = deployment.stage.read_history().get("port")
    if remembered and control.port_free(host, int(remembered)):
        return int(remembered)
    return 0


def _prune(stage: StageDir, history: dict[str, Any]) -> None:
    kept = history["versions"][-KEEP_VERSIONS:]
    history["versions"] = kept
    names = {entry["version"] for entry in kept}
    if stage.versions.is_dir():
        for folder in stage.versions.iterdir():
            if folder.name not in names:
                shutil.rmtree(folder, ignore_errors=True)


# -- undeploy -----------------------------------------------------------------------------------


def plan_undeploy(deployment: LocalDeployment, *, keep_artifacts: bool) -> Plan:
    stage = deployment.stage
    actions: list[Action[Any]] = []
    running = control.find_supervisor(stage)
    if running is not None:
        actions.append(Action(Change.DELETE, "gateway", running.url, (), StopGatewayStep(running.pid)))
    if stage.root.exists():
        kept = "versions kept" if keep_artifacts else "versions, logs, app data, local buckets and queues"
        details = (("contents", kept, ""),)
        actions.append(Action(Change.DELETE, "state", str(stage.root), details, DeleteStateStep(keep_artifacts)))
    return Plan("local", deployment.project.stage, tuple(actions))


def undeploy(deployment: LocalDeployment, plan: Plan) -> None:
    """Run an undeploy plan; the caller holds the stage lock."""
    undeploy_plan(deployment, plan, ERRORS)


@dataclass(frozen=True)
class StopGatewayStep:
    """Stop the supervisor and every runtime process it started (pid as seen when planning)."""

    pid: int

    def run(self, deployment: LocalDeployment, state: ApplyState) -> None:
        control.stop_supervisor(deployment.stage)


@dataclass(frozen=True)
class DeleteStateStep:
    """Delete the stage's state dir; with `keep_versions`, everything but the unpacked versions."""

    keep_versions: bool = False

    def run(self, deployment: LocalDeployment, state: ApplyState) -> None:
        stage = deployment.stage
        # A gateway started since the plan was made must not run on deleted files.
        control.stop_supervisor(stage)
        for child in stage.root.iterdir() if stage.root.exists() else []:
            if self.keep_versions and child.name == "versions":
                continue
            shutil.rmtree(child) if child.is_dir() else child.unlink()
        if not self.keep_versions:
            shutil.rmtree(stage.root, ignore_errors=True)
