"""The AWS Lambda provider (deploy side). boto3 is imported only inside the modules that call AWS."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from faas import (
    EVENTBRIDGE,
    Capability,
    PackageTarget,
    Provider,
    SizeLimits,
    TriggerRef,
    check_limits,
    default_trigger_name,
    entry_source,
    manylinux_tags,
)
from faas.providers.aws.naming import Names
from faas.providers.aws.options import LAMBDA_LIMITS, AwsOptions, check_snap_start

if TYPE_CHECKING:
    from faas import (
        Artifact,
        CertifyResult,
        DeployResult,
        Diagnosis,
        InvokeResult,
        LogRecord,
        Plan,
        RollbackResult,
        Status,
    )
    from faas.providers.aws.context import Deployment

MB = 1024 * 1024
# Only boto3's own closure: urllib3, six and python-dateutil are in the runtime too, but other
# libraries pin them, and the runtime's versions change without notice.
RUNTIME_PROVIDED = frozenset({"boto3", "botocore", "s3transfer", "jmespath"})


class AwsProvider(Provider[AwsOptions]):
    name = "aws"
    description = "AWS Lambda with API Gateway (HTTP or REST API) or a Function URL"
    capabilities = frozenset(
        {
            Capability.PACKAGE,
            Capability.DEPLOY,
            Capability.HTTP,
            Capability.SCHEDULE,
            Capability.STORAGE_TRIGGER,
            Capability.QUEUE_TRIGGER,
            Capability.STATIC_STORAGE,
            Capability.CUSTOM_DOMAIN,
            Capability.STATUS,
            Capability.LOGS,
            Capability.INVOKE,
            Capability.MANAGE,
            Capability.ROLLBACK,
            Capability.UNDEPLOY,
            Capability.SECRETS,
            Capability.INSTANCES,
        }
    )
    requires = ("boto3",)
    extra = "aws"

    _deployment: Deployment | None = None

    @property
    def deployment(self) -> Deployment:
        """The project and stage on AWS (creates the boto3 session on first use)."""
        if self._deployment is None:
            from faas.providers.aws.context import Deployment
            from faas.providers.aws.naming import Names
            from faas.providers.aws.session import AwsSession

            session = AwsSession(self.options.region, self.options.profile)
            self._deployment = Deployment(
                project=self.project,
                options=self.options,
                reporter=self.reporter,
                names=Names.of(self.project),
                session=session,
            )
        return self._deployment

    def package_target(self) -> PackageTarget:
        python = self.project.config.python
        # python3.12+ runs on Amazon Linux 2023 (glibc 2.34); 3.10 and 3.11 on Amazon Linux 2 (2.26).
        glibc = (2, 34) if python not in ("3.10", "3.11") else (2, 26)
        provided = self.options.runtime_provided
        return PackageTarget(
            provider=self.name,
            python=python,
            entry_module="faas_entry",
            entry_source=entry_source("aws", "handler"),
            architecture=self.options.architecture,
            platform_tags=manylinux_tags(self.options.architecture, glibc),
            runtime_provided=RUNTIME_PROVIDED if provided is None else frozenset(provided),
            limits=SizeLimits(
                unzipped=250 * MB,
                direct_upload=50 * MB,
                advice="Lambda unpacks at most 250 MB: exclude data and tests ([package] exclude), leave "
                "boto3 to the runtime, or move large files to S3.",
            ),
            schedules=EVENTBRIDGE,
            trigger_name=self._trigger_name,
        )

    def _trigger_name(self, ref: TriggerRef) -> str:
        # A schedule's EventBridge rule names it in the event (resources[0]): the adapter matches by it.
        if ref.kind == "schedule":
            return Names.of(self.project).rule(ref.function, ref.index)
        return default_trigger_name(ref)

    def check_limits(self) -> None:
        check_limits(self.project, app=LAMBDA_LIMITS)
        if self.options.snap_start:
            check_snap_start(self.project)

    def diagnose(self) -> list[Diagnosis]:
        from faas.providers.aws import doctor

        return doctor.diagnose(self)

    def plan(self, artifact: Artifact) -> Plan:
        from faas.providers.aws import planner

        return planner.plan(self.deployment, artifact)

    def apply(self, plan: Plan, artifact: Artifact) -> DeployResult:
        from faas.providers.aws import planner

        return planner.apply(self.deployment, plan, artifact)

    def plan_undeploy(self, keep_artifacts: bool = False) -> Plan:
        from faas.providers.aws import undeploy

        return undeploy.plan_undeploy(self.deployment, keep_artifacts)

    def undeploy(self, plan: Plan) -> None:
        from faas.providers.aws import undeploy

        undeploy.undeploy(self.deployment, plan)

    def status(self) -> Status:
        from faas.providers.aws import operate

        return operate.status(self.deployment)

    def logs(
        self, since: datetime | None = None, follow: bool = False, pattern: str | None = None
    ) -> Iterator[LogRecord]:
        from faas.providers.aws import operate

        return operate.logs(self.deployment, since, follow, pattern)

    def invoke(self, event: Any, function: str | None = None) -> InvokeResult:
        from faas.providers.aws import operate

        return operate.invoke(self.deployment, event, function)

    def manage(self, arguments: list[str]) -> InvokeResult:
        from faas.providers.aws import operate

        return operate.manage(self.deployment, arguments)

    def rollback(self, to: str | None = None) -> RollbackResult:
        from faas.providers.aws import operate

        return operate.rollback(self.deployment, to)

    def set_secret(self, name: str, value: str) -> str:
        from faas.providers.aws import secrets

        return secrets.set_secret(self.deployment, name, value)

    def certify(self) -> CertifyResult:
        from faas.providers.aws import domain

        return domain.certify(self.deployment)
