"""Operations on the running local deployment: status, invoke and rollback, through its supervisor."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from faas import InvokeResult, NotDeployedError, Resource, RollbackResult, Status, UsageError
from faas.providers.local import control, settings
from faas.providers.local import secrets as secret_env
from faas.providers.local.appdata import link_data
from faas.providers.local.deploy import LocalDeployment, keep_writes
from faas.providers.local.logs import read_records, select
from faas.providers.local.state import read_json


def not_deployed(deployment: LocalDeployment) -> NotDeployedError:
    return NotDeployedError(
        f"{deployment.project.resource_prefix} is not deployed locally; run `faas deploy --provider local`"
    )


def running(deployment: LocalDeployment) -> control.Supervisor:
    """The stage's supervisor; NotDeployedError when none runs."""
    found = control.find_supervisor(deployment.stage)
    if found is None:
        raise not_deployed(deployment)
    return found


def deployed_platform(deployment: LocalDeployment) -> str:
    """The cloud the running deployment emulates (a deploy with --emulate may differ from the config)."""
    deployed = read_json(deployment.stage.deployment)
    if deployment.options.emulate is None and isinstance(deployed, dict):
        return str(deployed.get("spec", {}).get("platform") or deployment.emulated)
    return deployment.emulated


def status(deployment: LocalDeployment) -> Status:
    stage, prefix = deployment.stage, deployment.project.resource_prefix
    supervisor = control.find_supervisor(stage)
    if supervisor is None:
        return Status("local", deployment.project.stage, deployed=False)
    info = supervisor.call("/status")
    history = stage.read_history()
    last = next((v["deployed"] for v in history["versions"] if v["version"] == info["version"]), None)
    gateway = f"pid {info['pid']}, emulating {deployed_platform(deployment)}"
    resources = [Resource("gateway", supervisor.url, gateway)]
    resources += [
        Resource("process", worker["name"], f"pid {worker['pid']}, served {worker['served']}")
        for worker in info["workers"]
    ]
    resources += [Resource("bucket", name, str(stage.root / "buckets" / name)) for name in info.get("buckets", [])]
    resources += [
        Resource("bucket", bucket["bucket"], f"{bucket['folder']}, served at {bucket['url']}")
        for bucket in info.get("storage", [])
    ]
    resources += [Resource("queue", name, str(stage.root / "queues" / name)) for name in info.get("queues", [])]
    resources += [Resource("schedule", f"{prefix}-{job['function']}", job["expression"]) for job in info["schedules"]]
    return Status(
        "local",
        deployment.project.stage,
        True,
        supervisor.url,
        info["version"],
        last_deploy=datetime.fromtimestamp(last, UTC) if last else None,
        resources=tuple(resources),
    )


def invoke(deployment: LocalDeployment, event: Any, function: str | None = None) -> InvokeResult:
    answer = running(deployment).call("/invoke", {"event": event, "function": function})
    records = select(read_records(deployment.stage.log)[0], request_id=answer["request_id"])
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


def rollback(deployment: LocalDeployment, to: str | None = None) -> RollbackResult:
    """Switch the running gateway to a kept version (`to`, else the one before the current)."""
    stage = deployment.stage
    supervisor = running(deployment)
    versions = [entry["version"] for entry in stage.read_history()["versions"]]
    current = supervisor.version
    if to is None:
        position = versions.index(current) if current in versions else len(versions)
        if position == 0:
            raise UsageError("there is no earlier local version to roll back to")
        to = versions[position - 1]
    saved = read_json(stage.versions / to / "deployment.json")
    if not isinstance(saved, dict):
        raise UsageError(f"version {to} is not kept locally (kept: {', '.join(versions)})")
    saved["token"] = supervisor.info["token"]
    saved["port"] = supervisor.port
    # Secret values are not on disk: the same ones set now are used; the supervisor knows the others.
    secret_env.fill(saved, settings.runtime_settings(deployment.project, deployment.emulated)["environment"])
    keep_writes(stage, current, deployment.reporter)
    code = stage.code_dir(to)
    link_data(code, stage.data, list(read_json(code.with_name("writable.json")) or []))
    supervisor.call("/switch", saved)
    history = stage.read_history()
    history["current"] = to
    stage.write_history(history)
    return RollbackResult(previous_version=current, current_version=to)
