"""The desired state of a deployment's functions, neutral, and the diffs plans show against it.

`desired_functions` reads the project once: the app and each [[functions]] entry, with its memory,
timeout and environment (the provider adds its own keys, e.g. where static storage lives). A
provider maps each `DesiredFunction` to its platform's configuration; the diff helpers compare
what is deployed with it for the plan. Environment values may be secrets: a diff names the
variables that changed, never a value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from faas.adapters.contract import ENV_FUNCTION
from faas.core.deploy.naming import APP
from faas.core.errors import DeployError

if TYPE_CHECKING:
    from faas.core.config import Project
    from faas.core.model.triggers import Trigger

FUNCTION_ENV = ENV_FUNCTION
"""Set on a plain function's deployment: the adapter routes every event it gets to that function."""

Detail = tuple[str, str, str]
"""One line of a plan's diff: (field, deployed value, desired value)."""


@dataclass(frozen=True)
class DesiredFunction:
    """One function as the project wants it, before any platform's naming or units."""

    key: str
    """APP for the web app, else the [[functions]] name."""
    entry: str
    memory: int
    """Megabytes."""
    timeout: int
    """Seconds."""
    environment: dict[str, str] = field(repr=False)
    """Values may be secrets from ${env:...}: never printed, never in a repr."""
    python: str = ""
    triggers: tuple[Trigger, ...] = ()
    """What runs a plain function (schedules, storage events, queues); the app is run by HTTP."""
    min_instances: int | None = None
    """Instances kept warm (billed while idle), or None for none."""
    max_instances: int | None = None
    """Most instances at once, or None for the platform's default."""
    concurrency: int | None = None
    """Requests per instance, or None for the platform's default."""

    @property
    def is_app(self) -> bool:
        return self.key == APP

    @property
    def label(self) -> str:
        """How messages name it: `the app` or the function's name."""
        return "the app" if self.is_app else self.key


def desired_functions(project: Project, extra_environment: Mapping[str, str] | None = None) -> list[DesiredFunction]:
    """The app first, then the functions in config order; `extra_environment` goes under each one's own."""
    config = project.config
    shared = dict(extra_environment or {})
    wanted: list[DesiredFunction] = []
    if config.app is not None:
        app = config.app
        wanted.append(
            DesiredFunction(
                APP,
                app.entry,
                app.memory,
                app.timeout,
                {**shared, **app.environment},
                config.python,
                min_instances=app.min_instances,
                max_instances=app.max_instances,
                concurrency=app.concurrency,
            )
        )
    for function in config.functions:
        environment = {**shared, **function.environment, FUNCTION_ENV: function.name}
        wanted.append(
            DesiredFunction(
                function.name,
                function.entry,
                function.memory,
                function.timeout,
                environment,
                config.python,
                tuple(function.triggers),
                min_instances=function.min_instances,
                max_instances=function.max_instances,
                concurrency=function.concurrency,
            )
        )
    return wanted


def environment_size(environment: Mapping[str, str]) -> int:
    """Bytes of names and values, as Lambda and Cloud Functions count their environment limits."""
    return sum(len(name) + len(value) for name, value in environment.items())


def changed_variables(deployed: Mapping[str, str], desired: Mapping[str, str]) -> list[str]:
    """Names of the variables added, removed or changed, sorted. Values are compared, never returned."""
    return sorted(name for name in set(deployed) | set(desired) if deployed.get(name) != desired.get(name))


def environment_diff(deployed: Mapping[str, str], desired: Mapping[str, str]) -> list[Detail]:
    """The plan line for an environment change: `environment: -> changed: A, B` (names only)."""
    changed = changed_variables(deployed, desired)
    return [("environment", "", "changed: " + ", ".join(changed))] if changed else []


def field_diff(fields: Sequence[tuple[str, object, object]]) -> list[Detail]:
    """Plan lines for the (label, deployed, desired) fields that differ; a missing value shows as ""."""
    return [(label, _shown(deployed), str(desired)) for label, deployed, desired in fields if deployed != desired]


def _shown(value: object) -> str:
    return str(value or "")


def secret_diff(label: str, deployed_hash: str | None, desired_hash: str) -> list[Detail]:
    """A line for a value kept only as a hash (a secret setting): says it changed, shows neither side."""
    if deployed_hash == desired_hash:
        return []
    return [(label, "" if deployed_hash is None else "(set)", "changed")]


def missing_secrets(provider: str, absent: Sequence[str], store: str) -> DeployError:
    """The plan's refusal of `${secret:NAME}` references whose secrets `store` does not hold.

    `absent` are the names as the user wrote them; `store` says where faas looked (the vault, the
    project...). Every provider words it the same way, with the command that stores each one.
    """
    commands = "; ".join(f"faas secrets set {name} --provider {provider}" for name in absent)
    return DeployError("plan", f"no secret {', '.join(absent)} in {store}: store it with `{commands}` (reads stdin)")
