"""The `Provider` base class: everything a cloud (or the local machine) does for faas.

A plugin subclasses it, sets `name`, and overrides the operations its platform supports. An
operation it does not override fails with one line naming the provider and the feature, and a
config that uses a feature outside `capabilities` is refused before any cloud call.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, Generic, cast, get_args, get_origin

from pydantic import BaseModel, ConfigDict
from typing_extensions import TypeVar

from faas.core.errors import CapabilityError
from faas.core.model.secrets import secret_references
from faas.core.model.triggers import TRIGGER_TYPES
from faas.core.reporting import NullReporter, Reporter
from faas.core.results import (
    CertifyResult,
    DeployResult,
    InvokeResult,
    LogRecord,
    RollbackResult,
    Status,
)

if TYPE_CHECKING:
    from faas.core.config import Project
    from faas.core.doctor_findings import Diagnosis
    from faas.core.model.project import AppConfig, FunctionConfig
    from faas.core.packaging.artifact import Artifact
    from faas.core.packaging.target import PackageTarget
    from faas.core.plan import Plan


class Capability(StrEnum):
    """What a provider can do. Operations and config features alike."""

    PACKAGE = "package"
    DEPLOY = "deploy"
    HTTP = "http"
    SCHEDULE = "schedule"
    STORAGE_TRIGGER = "storage trigger"
    QUEUE_TRIGGER = "queue trigger"
    TOPIC_TRIGGER = "topic trigger"
    STATIC_STORAGE = "static storage"
    CUSTOM_DOMAIN = "custom domain"
    STATUS = "status"
    LOGS = "logs"
    INVOKE = "invoke"
    MANAGE = "manage"
    ROLLBACK = "rollback"
    UNDEPLOY = "undeploy"
    SECRETS = "secrets"
    """`${secret:NAME}` environment values from the platform's store, and `faas secrets set`."""
    INSTANCES = "instance settings"
    """`min_instances`, `max_instances` and `concurrency` on the app or a function."""


class ProviderOptions(BaseModel):
    """Base of a provider's `Options`: validates `[providers.<name>]`; unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def required_capabilities(project: Project) -> list[Capability]:
    """The features a project's configuration uses, in the order they are checked."""
    config = project.config
    needed: list[Capability] = [Capability.PACKAGE, Capability.DEPLOY]
    if config.app is not None:
        needed.append(Capability.HTTP)
    used = {trigger.kind for function in config.functions for trigger in function.triggers}
    # Each trigger kind names the capability it needs (core/model/triggers.py).
    needed += [Capability(model.capability) for kind, model in TRIGGER_TYPES.items() if kind in used]
    if config.storage:
        needed.append(Capability.STATIC_STORAGE)
    if config.domain:
        needed.append(Capability.CUSTOM_DOMAIN)
    units: list[AppConfig | FunctionConfig] = [*([config.app] if config.app is not None else []), *config.functions]
    if any(secret_references(unit.environment) for unit in units):
        needed.append(Capability.SECRETS)
    if any(unit.min_instances is not None or unit.max_instances is not None or unit.concurrency for unit in units):
        needed.append(Capability.INSTANCES)
    return needed


# Covariant: an AwsProvider is a Provider (of ProviderOptions) wherever a registry lists providers.
OptionsT_co = TypeVar("OptionsT_co", bound=ProviderOptions, default=ProviderOptions, covariant=True)


class Provider(Generic[OptionsT_co]):
    """Base class of every provider. Subclass it, set `name`, override what your platform does.

    One instance serves one project and stage; `options` is the validated `[providers.<name>]`
    table, typed by the class's parameter: `class AcmeProvider(Provider[AcmeOptions])` makes
    `self.options` an `AcmeOptions` (and sets `Options = AcmeOptions` unless the class does).
    Keep cloud SDK imports inside methods (or modules they import) so the provider lists, with its
    install hint, even where its extra is not installed.
    """

    name: ClassVar[str]
    """The provider's name, as in `--provider NAME`."""
    description: ClassVar[str] = ""
    """One line for `faas plugins`."""
    Options: ClassVar[type[ProviderOptions]] = ProviderOptions
    """Model of `[providers.<name>]`; its field descriptions document the options."""
    capabilities: ClassVar[frozenset[Capability]] = frozenset()
    """What this provider supports; a config using anything else is refused before any cloud call."""
    requires: ClassVar[tuple[str, ...]] = ()
    """Modules the provider needs at runtime (e.g. "boto3"); missing ones make it unavailable."""
    extra: ClassVar[str | None] = None
    """The pip extra that installs `requires`, for the install hint (`pip install 'faasport[aws]'`)."""
    install_hint: ClassVar[str | None] = None
    """Overrides the hint, for third-party packages: `pip install 'my-faas-plugin[sdk]'`."""

    options: OptionsT_co
    """The validated `[providers.<name>]` table."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # `class AcmeProvider(Provider[AcmeOptions])`: the parameter is the Options model.
        for base in getattr(cls, "__orig_bases__", ()):
            if get_origin(base) is Provider and get_args(base):
                model = get_args(base)[0]
                if isinstance(model, type) and issubclass(model, ProviderOptions):
                    if "Options" not in cls.__dict__:
                        cls.Options = model
                    elif not issubclass(cls.Options, model):
                        raise TypeError(f"{cls.__name__}.Options must be {model.__name__}, the class's parameter")

    def __init__(
        self,
        project: Project,
        options: OptionsT_co | None = None,
        reporter: Reporter | None = None,
    ) -> None:
        self.project = project
        if options is None:
            options = cast("OptionsT_co", project.provider_options(self.name, self.Options))
        self.options = options
        self.reporter: Reporter = reporter if reporter is not None else NullReporter()

    # -- checks -------------------------------------------------------------------------------

    def supports(self, capability: Capability) -> bool:
        return capability in self.capabilities

    def require(self, capability: Capability, detail: str = "") -> None:
        """Raise `CapabilityError` unless this provider declares `capability`."""
        if capability not in self.capabilities:
            raise CapabilityError(self.name, capability.value, detail)

    def check_config(self) -> None:
        """Refuse, before any cloud call, a config using a feature this provider lacks."""
        for capability in required_capabilities(self.project):
            self.require(capability, f"the configuration of '{self.project.name}' uses it")
        self.check_limits()

    def check_limits(self) -> None:
        """Refuse, before any cloud call, memory or timeouts outside the platform's limits.

        The model's ranges are wide; call `faas.core.model.check_limits` with your platform's
        `FunctionLimits` so the message names its limit. Default: no limits.
        """

    def diagnose(self) -> list[Diagnosis]:
        """Read-only checks for `faas doctor`: credentials resolvable, the account reachable, limits of
        the platform that `check_limits` does not cover (a front door's own timeout). Never changes
        anything. Default: nothing to check."""
        return []

    # -- operations (override what the platform supports) --------------------------------------

    def package_target(self) -> PackageTarget:
        """The runtime the artifact is built for. Called by `faas package` and every deploy."""
        raise CapabilityError(self.name, Capability.PACKAGE.value)

    def plan(self, artifact: Artifact) -> Plan:
        """Compare the deployed state with the project and `artifact` using read-only calls."""
        raise CapabilityError(self.name, Capability.DEPLOY.value)

    def apply(self, plan: Plan, artifact: Artifact) -> DeployResult:
        """Carry out a plan made by `plan()`. Must converge from any partial earlier run."""
        raise CapabilityError(self.name, Capability.DEPLOY.value)

    def plan_undeploy(self, keep_artifacts: bool = False) -> Plan:
        """The deletions `undeploy` would make: everything this project and stage owns."""
        raise CapabilityError(self.name, Capability.UNDEPLOY.value)

    def undeploy(self, plan: Plan) -> None:
        """Carry out a plan made by `plan_undeploy()`."""
        raise CapabilityError(self.name, Capability.UNDEPLOY.value)

    def status(self) -> Status:
        """What is deployed for this project and stage (read-only)."""
        raise CapabilityError(self.name, Capability.STATUS.value)

    def logs(
        self, since: datetime | None = None, follow: bool = False, pattern: str | None = None
    ) -> Iterator[LogRecord]:
        """Log records of the deployment, oldest first; with `follow`, keeps yielding new ones."""
        raise CapabilityError(self.name, Capability.LOGS.value)

    def invoke(self, event: Any, function: str | None = None) -> InvokeResult:
        """Invoke the app (or `function`) with a raw event through the platform's authenticated path."""
        raise CapabilityError(self.name, Capability.INVOKE.value)

    def sample_event(self, name: str) -> Any:
        """A named sample event of this platform (`faas invoke --event s3-put`), built by code."""
        raise CapabilityError(self.name, "sample events", f"'{name}' is not a file; give a JSON file or --data")

    def manage(self, arguments: list[str]) -> InvokeResult:
        """Run a management command (Django `manage.py` arguments) inside the deployed function."""
        raise CapabilityError(self.name, Capability.MANAGE.value)

    def rollback(self, to: str | None = None) -> RollbackResult:
        """Point the stage back at version `to` (default: the one before the current)."""
        raise CapabilityError(self.name, Capability.ROLLBACK.value)

    def certify(self) -> CertifyResult:
        """Set up the custom domain and its certificate; says which DNS records to create."""
        raise CapabilityError(self.name, Capability.CUSTOM_DOMAIN.value)

    def set_secret(self, name: str, value: str) -> str:
        """Store `value` as secret `name` in the platform's store (`faas secrets set`); returns where.

        `value` comes from stdin, never argv; never log or print it.
        """
        raise CapabilityError(self.name, Capability.SECRETS.value)
