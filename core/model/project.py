"""The vendor-neutral project model: what a user writes in faas.toml or [tool.faas].

Field descriptions are the user documentation: docs/configuration.md and `faas schema` are
generated from them.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from faas.core.model.base import Entry, FaasModel, ResourceName
from faas.core.model.secrets import check_secret_references
from faas.core.model.triggers import Trigger

PYTHON_VERSIONS = ("3.10", "3.11", "3.12", "3.13")
STAGE_PATTERN = re.compile(r"^[a-z][a-z0-9-]{0,15}$")
FUNCTION_NAME_PATTERN = re.compile(r"^[a-z][a-z0-9-]{0,39}$")
ENV_NAME_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

# Wide on purpose: each provider checks its platform's own limits (core/model/limits.py).
Memory: Any = Field(
    default=512,
    ge=64,
    le=1024 * 1024,
    description="Memory in MB. Each provider checks its platform's sizes before deploying "
    "(e.g. Lambda 128-10240, Azure Flex 512, 2048 or 4096).",
)
Timeout: Any = Field(
    default=30,
    ge=1,
    le=86400,
    description="Longest run in seconds. Each provider checks its platform's limit before deploying "
    "(e.g. Lambda 900, Cloud Functions 3600 for HTTP and 540 for events).",
)
Environment: Any = Field(
    default_factory=dict,
    # Values may be secrets from ${env:...}: keep them out of reprs, tracebacks and debug logs.
    repr=False,
    description="Environment variables. Use ${env:NAME} to take a value from the deploying machine's "
    "environment: it is set on the cloud function, never written into the artifact or logs. Use "
    '"${secret:NAME}" (as the whole value) to have the platform\'s secret store supply it at run time: '
    "faas never reads it on a cloud; store it with `faas secrets set NAME`.",
)
# Wide too: each provider maps them to its platform's mechanism and checks its own limits.
MinInstances: Any = Field(
    default=None,
    ge=0,
    le=100_000,
    description="Instances kept warm and ready (AWS provisioned concurrency, GCP min instances, Azure "
    "always-ready). Warm instances are billed while idle. A provider without the setting refuses the key. "
    "Default: none, scale to zero.",
)
MaxInstances: Any = Field(
    default=None,
    ge=1,
    le=100_000,
    description="Most instances running at once (AWS: reserved concurrency), e.g. to protect a database. "
    "A provider without the setting refuses the key. Default: the platform's.",
)
Concurrency: Any = Field(
    default=None,
    ge=1,
    le=1000,
    description="Requests one instance serves at once, where the platform has it; AWS Lambda serves one "
    "per instance and refuses another value. Default: the platform's.",
)


def _check_environment(value: dict[str, str]) -> dict[str, str]:
    for name in value:
        if not ENV_NAME_PATTERN.match(name):
            raise ValueError(f"'{name}' is not a valid environment variable name")
    check_secret_references(value)
    return value


def _check_instances(model: Any) -> Any:
    low, high = model.min_instances, model.max_instances
    if low is not None and high is not None and low > high:
        raise ValueError(f"min_instances ({low}) is more than max_instances ({high})")
    return model


class AppConfig(FaasModel):
    """The web application, served over HTTP."""

    entry: Entry = Field(
        description="The WSGI or ASGI application as module:attribute, e.g. mysite.wsgi:application; "
        "or an app factory as module:factory(), e.g. flaskr:create_app(), called with no argument "
        "once per instance, at cold start (as gunicorn and `flask --app` call it)."
    )
    interface: Literal["wsgi", "asgi", "auto"] = Field(
        default="auto",
        description="wsgi (Django, Flask), asgi (FastAPI, Starlette, Django ASGI) or auto (detected).",
    )
    framework: Literal["django", "flask", "fastapi", "starlette"] | None = Field(
        default=None,
        description="The web framework, set by `faas init`; enables collectstatic and `faas manage`.",
    )
    settings_module: str | None = Field(default=None, description="Django settings module, e.g. mysite.settings.")
    memory: int = Memory
    timeout: int = Timeout
    environment: dict[str, str] = Environment
    min_instances: int | None = MinInstances
    max_instances: int | None = MaxInstances
    concurrency: int | None = Concurrency

    _env = field_validator("environment")(_check_environment)
    _instances = model_validator(mode="after")(_check_instances)


class FunctionConfig(FaasModel):
    """A plain function run by its triggers (schedules, storage events, queue or topic messages)."""

    name: str = Field(description="Name of the function (lowercase letters, digits, hyphens).")
    entry: Entry = Field(description="The function as module:attribute; it is called as fn(event, context).")
    triggers: list[Trigger] = Field(default_factory=list, description="What runs the function.")
    memory: int = Memory
    timeout: int = Timeout
    environment: dict[str, str] = Environment
    min_instances: int | None = MinInstances
    max_instances: int | None = MaxInstances
    concurrency: int | None = Concurrency

    _env = field_validator("environment")(_check_environment)
    _instances = model_validator(mode="after")(_check_instances)

    @field_validator("name")
    @classmethod
    def _check_function_name(cls, value: str) -> str:
        if not FUNCTION_NAME_PATTERN.match(value):
            raise ValueError(f"'{value}' is not a function name: lowercase letters, digits and hyphens, up to 40")
        return value


class StorageConfig(FaasModel):
    """A bucket for static or media files."""

    public: bool = Field(
        default=False,
        description="Serve the files publicly (static assets); media stays private by default.",
    )
    bucket: str | None = Field(
        default=None,
        description="Use this existing bucket instead of one named after the project and stage.",
    )
    source: str | None = Field(
        default=None,
        description="Local folder uploaded on deploy. For Django static files it defaults to the collectstatic output.",
    )


class PackageConfig(FaasModel):
    """What goes into the artifact."""

    include: list[str] = Field(
        default_factory=list,
        description="Glob patterns added back after the excludes. Including a secret file needs it listed "
        "here explicitly and prints a warning.",
    )
    exclude: list[str] = Field(
        default_factory=list,
        description="Glob patterns left out, on top of the defaults (.git, node_modules, .env...).",
    )
    requirements: str | None = Field(
        default=None,
        description="Dependency file to use; by default uv.lock, poetry.lock, requirements.txt or "
        "[project.dependencies] are detected, locked versions first.",
    )
    runtime_provided: list[str] | None = Field(
        default=None,
        description="Distributions the platform already provides, left out of the artifact. "
        "Default: the provider's list (boto3 and botocore on AWS). [] ships everything.",
    )
    bytecode: bool = Field(
        default=True,
        description="Ship compiled bytecode so the read-only function filesystem never recompiles.",
    )
    secrets: list[str] = Field(
        default_factory=list,
        description="More files that hold secrets (e.g. local_settings.py), never packaged unless included explicitly.",
    )


class ProjectConfig(FaasModel):
    """A faas project: one app and/or plain functions, deployed per stage to a provider."""

    name: ResourceName = Field(description="Project name; names the cloud resources (with the stage).")
    provider: str = Field(
        default="local",
        description="Provider used when --provider is not given: local, aws, gcp, azure or a plugin's.",
    )
    python: Literal["3.10", "3.11", "3.12", "3.13"] = Field(
        default="3.12", description="Python version of the target runtime."
    )
    app: AppConfig | None = Field(default=None, description="The web application served over HTTP.")
    functions: list[FunctionConfig] = Field(default_factory=list, description="Plain functions and their triggers.")
    storage: dict[str, StorageConfig] = Field(
        default_factory=dict,
        description="Buckets by role, e.g. [storage.static] and [storage.media].",
    )
    package: PackageConfig = Field(default_factory=PackageConfig, description="What goes into the artifact.")
    domain: str | None = Field(default=None, description="Custom domain serving the app, e.g. bestpuppers.com.")
    certificate: str | None = Field(
        default=None,
        description="TLS certificate for the domain: the id of an existing certificate in the provider's own "
        'certificate store, or "managed" to have one requested and validated.',
    )
    base_path: str = Field(
        default="",
        description="Path prefix under the custom domain, e.g. /api; the app sees it as SCRIPT_NAME.",
    )
    stages: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description="Per-stage overrides of any key above, e.g. [stages.production] app = { memory = 1024 }.",
    )
    providers: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description='Options per provider, e.g. [providers.aws] region = "eu-west-1"; each provider validates its own.',
    )

    @field_validator("stages")
    @classmethod
    def _check_stage_names(cls, value: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        for stage in value:
            if not STAGE_PATTERN.match(stage):
                raise ValueError(f"'{stage}' is not a stage name: lowercase letters, digits and hyphens, up to 16")
        return value

    @field_validator("base_path")
    @classmethod
    def _check_base_path(cls, value: str) -> str:
        if value and (not value.startswith("/") or value.endswith("/")):
            raise ValueError(f"'{value}' must start with / and not end with one, e.g. /api")
        return value

    @model_validator(mode="after")
    def _check_consistency(self) -> ProjectConfig:
        names = [function.name for function in self.functions]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"function names must be unique; repeated: {', '.join(duplicates)}")
        if self.certificate and not self.domain:
            raise ValueError("certificate is set but domain is not")
        if self.base_path and not self.domain:
            raise ValueError("base_path applies under a custom domain; set domain too")
        return self

    @property
    def has_work(self) -> bool:
        return self.app is not None or bool(self.functions)
