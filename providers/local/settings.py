"""What a local deployment runs with, derived from the project and `[providers.local]` alone.

Plan, apply, rollback and `faas serve` all compute the same values here, so a change to any of
them (the environment, a timeout, the emulated cloud) is a new version everywhere at once.
"""

from __future__ import annotations

import hashlib
import json
import sys
from typing import TYPE_CHECKING, Any

from faas import get_registry
from faas.providers.local import interpreters
from faas.providers.local import secrets as secret_env
from faas.providers.local.options import LocalOptions, emulatable_platforms

if TYPE_CHECKING:
    from faas import Artifact, Project, Reporter


def emulated_platform(project: Project, options: LocalOptions) -> str:
    """The cloud emulated: the option, else the project's provider if it can be emulated, else aws."""
    if options.emulate:
        return options.emulate
    configured = project.config.provider
    return configured if configured in emulatable_platforms() else "aws"


def python_for(project: Project, options: LocalOptions, reporter: Reporter) -> tuple[str, str]:
    """(version, interpreter) the emulation runs with."""
    version = options.python or project.config.python
    found = interpreters.find_interpreter(version)
    if found is not None:
        return version, str(found)
    if options.allow_host_python:
        host = interpreters.host_version()
        reporter.warning(f"no Python {version} here: emulating with this machine's Python {host}")
        return host, sys.executable
    return version, interpreters.require_interpreter(version)


def front_door(project: Project, options: LocalOptions) -> str:
    """The AWS event shape the gateway sends: the local option, else the AWS provider's, else http-api."""
    if options.front_door:
        return options.front_door
    aws = project.config.providers.get("aws", {})
    return str(aws.get("front_door") or "http-api")


def runtime_settings(project: Project, emulated: str) -> dict[str, Any]:
    """What the functions run with besides the artifact: a change to any of it is a new version."""
    config = project.config
    environment: dict[str, str] = {}
    for function in config.functions:
        environment.update(function.environment)
    timeouts = [function.timeout for function in config.functions]
    if config.app is not None:
        environment.update(config.app.environment)
        timeouts = [config.app.timeout]
    cloud = config.providers.get(emulated, {})
    return {
        "platform": emulated,
        "environment": environment,
        "timeout": max(timeouts or [30]),
        "memory": config.app.memory if config.app else max([f.memory for f in config.functions] or [512]),
        "region": str(cloud.get("region") or "us-east-1"),
        "route_prefix": azure_route_prefix(project),
        # Only when set: an unchanged project keeps its version ids.
        **({"snap_start": True} if emulated == "aws" and cloud.get("snap_start") else {}),
    }


def azure_route_prefix(project: Project) -> str:
    """The route prefix the Azure host serves under, from the azure provider's own options model,
    so the emulation's default is the provider's (the package's host.json is written from it too)."""
    options = project.provider_options("azure", get_registry().info("azure").provider.Options)
    return str(getattr(options, "route_prefix", ""))


def gateway_settings(project: Project, options: LocalOptions) -> dict[str, Any]:
    """What the gateway is started with: a change to any of it restarts it, even for the same version."""
    return {
        "host": options.host,
        "pool_size": options.pool_size,
        "front_door": front_door(project, options),
        "stage": project.stage,
        "serves_http": project.config.app is not None,
    }


def version_id(project: Project, emulated: str, artifact: Artifact) -> str:
    """The local version id: the artifact and the settings it runs with (secret values as digests)."""
    settings = runtime_settings(project, emulated)
    environment = settings["environment"]
    for name in secret_env.secret_names(environment, project.secrets):
        environment[name] = secret_env.digest(name, environment[name])
    text = json.dumps(settings, sort_keys=True)
    return hashlib.sha256(f"{artifact.sha256}\n{text}".encode()).hexdigest()[:12]


def mount(project: Project, options: LocalOptions, emulated: str) -> str:
    """The path the app is mounted at on the front door (its SCRIPT_NAME)."""
    if emulated == "aws" and front_door(project, options) == "rest-api":
        return f"/{project.stage}"
    route_prefix = runtime_settings(project, emulated)["route_prefix"].strip("/")
    return f"/{route_prefix}" if emulated == "azure" and route_prefix else ""
