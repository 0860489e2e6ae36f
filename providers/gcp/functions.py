"""Cloud Functions (2nd gen): the desired function per key, its plan against what is deployed, and the steps.

A function is created, or patched with an explicit update mask (a patch without one replaces every
field). Every patch sets `service_config.all_traffic_on_latest_revision`, so a deploy after a
rollback serves the new code. The artifact's hash is a label: the same code is never re-uploaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests
from google.api_core import exceptions
from google.api_core.future import polling
from google.cloud import functions_v2
from google.protobuf import field_mask_pb2

from faas import (
    Action,
    ApplyState,
    Artifact,
    Change,
    DesiredFunction,
    Detail,
    desired_functions,
    environment_diff,
    field_diff,
)
from faas.providers.gcp import events
from faas.providers.gcp.context import ARTIFACT, SOURCE, Deployment
from faas.providers.gcp.naming import CODE_LABEL, code_label

RESOURCE = "cloud function"
ENTRY_POINT = "handler"
# Deploys take minutes on Cloud Functions; poll gently but give the build its time.
POLLING = polling.DEFAULT_POLLING.with_delay(initial=0.05, maximum=5.0).with_timeout(1800)

CONFIG_MASK = (
    "service_config.available_memory",
    "service_config.available_cpu",
    "service_config.timeout_seconds",
    "service_config.environment_variables",
    "service_config.secret_environment_variables",
    "service_config.min_instance_count",
    "service_config.max_instance_count",
    "service_config.max_instance_request_concurrency",
    "service_config.service_account_email",
    "service_config.all_traffic_on_latest_revision",
    "labels",
)
NETWORK_MASK = ("service_config.vpc_connector", "service_config.vpc_connector_egress_settings")
"""Masked only when a connector is wanted or deployed: a function that never had one is not touched."""
EGRESS = {"private-ranges-only": "PRIVATE_RANGES_ONLY", "all-traffic": "ALL_TRAFFIC"}
"""`[providers.gcp] vpc.egress` -> the name of ServiceConfig.VpcConnectorEgressSettings."""
_EGRESS_SETTINGS = functions_v2.ServiceConfig.VpcConnectorEgressSettings
CODE_MASK = (
    "build_config.runtime",
    "build_config.entry_point",
    "build_config.source",
    "build_config.environment_variables",
)


def runtime(python: str) -> str:
    return "python" + python.replace(".", "")


@dataclass(frozen=True)
class Wanted:
    """One function as Cloud Functions will be told, minus the source (known only after the upload)."""

    key: str
    name: str
    runtime: str
    memory: str
    cpu: str
    timeout: int
    environment: dict[str, str]
    min_instances: int
    max_instances: int
    concurrency: int
    service_account: str
    labels: dict[str, str]
    public: bool
    event_trigger: events.WantedTrigger | None = None
    secret_env: tuple[tuple[str, str, str, str], ...] = ()
    """(variable, project id, secret, version) of each `${secret:NAME}` variable, sorted by variable."""
    vpc_connector: str = ""
    vpc_egress: str = ""


MANAGE_KEY = "manage"
"""Key of the private copy of a Django app that `faas manage` reaches when there is no plain function."""


def needs_manage_copy(deployment: Deployment) -> bool:
    """A Django app with no [[functions]]: the public app never runs an envelope, so manage needs a private copy.

    With a plain function in the project there is already a private function to send it to, and
    then no function may be assumed free to take the key (a user's function may be called manage).
    """
    config = deployment.project.config
    if config.app is None or config.functions:
        return False
    return config.app.framework == "django" or (deployment.project.root / "manage.py").exists()


def wanted(deployment: Deployment, artifact: Artifact) -> list[Wanted]:
    from faas.providers.gcp.storage import storage_environment

    out = []
    triggers = events.wanted_triggers(deployment)
    for spec in desired_functions(deployment.project, storage_environment(deployment)):
        out.append(events.with_trigger(deployment, _wanted(deployment, spec, artifact), triggers))
    if needs_manage_copy(deployment):
        from dataclasses import replace

        from faas.adapters.contract import ENV_PRIVATE

        app = out[0]
        labels = {**deployment.tags(MANAGE_KEY), CODE_LABEL: code_label(artifact.sha256)}
        out.append(
            replace(
                app,
                key=MANAGE_KEY,
                name=deployment.function_name(MANAGE_KEY),
                environment={**app.environment, ENV_PRIVATE: "1"},
                # Idle until a command runs: never kept warm, one instance is plenty.
                min_instances=0,
                max_instances=1,
                labels=labels,
                public=False,
            )
        )
    return out


def _wanted(deployment: Deployment, spec: DesiredFunction, artifact: Artifact) -> Wanted:
    from faas.providers.gcp.secrets import VERSION, split_environment

    concurrency = spec.concurrency or 1
    plain, references = split_environment(dict(spec.environment))
    vpc = deployment.options.vpc
    labels = {**deployment.tags(spec.key), CODE_LABEL: code_label(artifact.sha256)}
    return Wanted(
        key=spec.key,
        name=deployment.function_name(spec.key),
        runtime=runtime(spec.python),
        memory=f"{spec.memory}Mi",
        # More than one request per instance needs a whole CPU (Cloud Functions refuses it otherwise).
        cpu="1" if concurrency > 1 else "",
        timeout=spec.timeout,
        environment=plain,
        min_instances=spec.min_instances or 0,
        max_instances=spec.max_instances or 0,
        concurrency=concurrency,
        service_account=deployment.runtime_identity,
        labels=labels,
        public=spec.is_app and deployment.options.allow_unauthenticated,
        secret_env=tuple(
            (variable, deployment.gcp_project, name, VERSION) for variable, name in sorted(references.items())
        ),
        vpc_connector=vpc.connector if vpc is not None else "",
        vpc_egress=vpc.egress if vpc is not None else "",
    )


def deployed(deployment: Deployment, name: str) -> functions_v2.Function | None:
    try:
        function: functions_v2.Function = deployment.functions.get_function(name=name)
    except exceptions.NotFound:
        return None
    return function


def _config_fields(have: functions_v2.Function, want: Wanted) -> list[tuple[str, object, object]]:
    service = have.service_config
    fields: list[tuple[str, object, object]] = [
        ("memory", service.available_memory, want.memory),
        ("timeout", service.timeout_seconds, want.timeout),
        ("min instances", service.min_instance_count, want.min_instances),
        ("concurrency", service.max_instance_request_concurrency, want.concurrency),
        ("traffic on latest", service.all_traffic_on_latest_revision, True),
    ]
    # Unset (0) lets Cloud Functions choose (100 today), so what it filled in is not a difference.
    if want.max_instances:
        fields.append(("max instances", service.max_instance_count, want.max_instances))
    if want.cpu:
        fields.append(("cpu", service.available_cpu, want.cpu))
    if want.service_account:
        fields.append(("service account", service.service_account_email, want.service_account))
    fields.append(("secret environment", describe_secrets(deployed_secrets(have)), describe_secrets(want.secret_env)))
    fields.append(("vpc connector", network_of(have), describe_network(want.vpc_connector, want.vpc_egress)))
    owned = {k: v for k, v in have.labels.items() if k != CODE_LABEL}
    fields.append(
        ("labels", dict(sorted(owned.items())), dict(sorted((k, v) for k, v in want.labels.items() if k != CODE_LABEL)))
    )
    return fields


def deployed_secrets(have: functions_v2.Function) -> tuple[tuple[str, str, str, str], ...]:
    return tuple(
        sorted((s.key, s.project_id, s.secret, s.version) for s in have.service_config.secret_environment_variables)
    )


def describe_secrets(secret_env: tuple[tuple[str, str, str, str], ...]) -> str:
    """`DB_PASSWORD=secret:db@latest`: which secret each variable reads, never a value."""
    return ", ".join(f"{key}=secret:{secret}@{version}" for key, _, secret, version in secret_env) or "(none)"


def network_of(have: functions_v2.Function) -> str:
    service = have.service_config
    if not service.vpc_connector:
        return "(none)"
    setting = _EGRESS_SETTINGS(service.vpc_connector_egress_settings).name
    egress = {v: k for k, v in EGRESS.items()}.get(setting, "private-ranges-only")
    return describe_network(service.vpc_connector, egress)


def describe_network(connector: str, egress: str) -> str:
    return f"{connector} (egress {egress})" if connector else "(none)"


def _created_details(want: Wanted) -> tuple[Detail, ...]:
    """What a new function's plan line shows besides its name: secrets read, network, warm instances."""
    details: list[Detail] = []
    if want.secret_env:
        details.append(("secret environment", "", describe_secrets(want.secret_env)))
    if want.vpc_connector:
        details.append(("vpc connector", "", describe_network(want.vpc_connector, want.vpc_egress)))
    if want.min_instances:
        details.append(("min instances", "", str(want.min_instances)))
    return tuple(details)


def plan_functions(deployment: Deployment, specs: list[Wanted]) -> tuple[list[Action], bool]:
    """Actions for every function that is missing, FAILED or different; and whether code must be uploaded."""
    actions: list[Action] = []
    needs_code = False
    for want in specs:
        have = deployed(deployment, want.name)
        short = want.name.rsplit("/", 1)[1]
        if have is None:
            step = FunctionStep(want, create=True, code=True)
            actions.append(Action(Change.CREATE, RESOURCE, short, _created_details(want), step))
            needs_code = True
            continue
        failed = have.state == functions_v2.Function.State.FAILED
        code = (
            failed
            or have.labels.get(CODE_LABEL) != want.labels[CODE_LABEL]
            or (have.build_config.runtime != want.runtime)
        )
        details: list[Detail] = field_diff(_config_fields(have, want))
        pinned_to = _pinned_revision(deployment, have)
        if pinned_to:
            # After a rollback the function still says "all traffic on latest"; its service does not.
            # The patch (which sets the flag again) is what moves traffic back to the latest revision.
            details.append(("traffic", f"pinned to {pinned_to}", "latest revision"))
        details += environment_diff(dict(have.service_config.environment_variables), want.environment)
        details += events.trigger_diff(have, want)
        if code:
            details.insert(0, ("code", "failed" if failed else "", "new artifact"))
        if details:
            had_network, had_trigger = bool(have.service_config.vpc_connector), events.has_trigger(have)
            step = FunctionStep(want, create=False, code=code, had_network=had_network, had_trigger=had_trigger)
            actions.append(Action(Change.UPDATE, RESOURCE, short, tuple(details), step))
            needs_code = needs_code or code
    return actions, needs_code


def _pinned_revision(deployment: Deployment, have: functions_v2.Function) -> str | None:
    """The revision the function's Cloud Run service is pinned to, or None when traffic follows the latest."""
    if not have.service_config.service:
        return None
    from google.cloud import run_v2

    latest = run_v2.TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST
    service = deployment.services.get_service(name=have.service_config.service)
    if any(t.type_ == latest and t.percent == 100 for t in service.traffic):
        return None
    revisions = [t.revision for t in service.traffic if t.revision]
    return ", ".join(revisions) or "a revision"


def function_of(want: Wanted, source: Any | None) -> functions_v2.Function:
    build = functions_v2.BuildConfig(runtime=want.runtime, entry_point=ENTRY_POINT)
    if source is not None:
        from faas.providers.gcp.provider import BUILD_ENVIRONMENT

        build.source = functions_v2.Source(storage_source=source)
        build.environment_variables = dict(BUILD_ENVIRONMENT)
    service = functions_v2.ServiceConfig(
        available_memory=want.memory,
        timeout_seconds=want.timeout,
        environment_variables=want.environment,
        min_instance_count=want.min_instances,
        max_instance_count=want.max_instances,
        max_instance_request_concurrency=want.concurrency,
        all_traffic_on_latest_revision=True,
    )
    if want.cpu:
        service.available_cpu = want.cpu
    service.secret_environment_variables = [
        functions_v2.SecretEnvVar(key=key, project_id=project, secret=secret, version=version)
        for key, project, secret, version in want.secret_env
    ]
    if want.vpc_connector:
        service.vpc_connector = want.vpc_connector
        service.vpc_connector_egress_settings = _EGRESS_SETTINGS.__members__[EGRESS[want.vpc_egress]]
    if want.service_account:
        service.service_account_email = want.service_account
    function = functions_v2.Function(name=want.name, build_config=build, service_config=service, labels=want.labels)
    if want.event_trigger is not None:
        function.event_trigger = want.event_trigger.message()
    return function


def update_mask(
    *, code: bool, want: Wanted, had_network: bool = False, had_trigger: bool = False
) -> field_mask_pb2.FieldMask:
    """The fields a patch sets. An optional field (the connector, the event trigger) is masked when it
    is wanted or the deployed function has it (`had_*`): masked and absent, the patch clears it."""
    paths = [p for p in CONFIG_MASK if (p != "service_config.service_account_email" or want.service_account)]
    if not want.cpu:
        paths.remove("service_config.available_cpu")
    if had_network or want.vpc_connector:
        paths += NETWORK_MASK
    if had_trigger or want.event_trigger is not None:
        paths.append(events.MASK)
    return field_mask_pb2.FieldMask(paths=[*(CODE_MASK if code else ()), *paths])


def upload_source(deployment: Deployment, artifact: Artifact) -> Any:
    """A signed upload URL, then a plain PUT of the zip: no Authorization header (the URL is the credential)."""
    answer = deployment.functions.generate_upload_url(
        request=functions_v2.GenerateUploadUrlRequest(
            parent=deployment.location, environment=functions_v2.Environment.GEN_2
        )
    )
    with artifact.path.open("rb") as body:
        # A bare requests call: an authorized session would add the bearer token the signed URL refuses.
        put = requests.put(answer.upload_url, data=body, headers={"content-type": "application/zip"}, timeout=600)
    if put.status_code >= 300:
        # api_core's helper is unannotated; it reads Google's error envelope from the response.
        error: exceptions.GoogleAPICallError = exceptions.from_http_response(put)  # type: ignore[no-untyped-call]
        raise error
    return answer.storage_source


@dataclass(frozen=True)
class UploadStep:
    def run(self, deployment: Deployment, state: ApplyState) -> None:
        state.learn(SOURCE, upload_source(deployment, state.require(ARTIFACT)))


@dataclass(frozen=True)
class FunctionStep:
    """Create the function, or patch it with an explicit mask; ALREADY_EXISTS on create becomes a patch."""

    want: Wanted
    create: bool
    code: bool
    had_network: bool = False
    """The deployed function has a VPC connector (so a patch without one clears it)."""
    had_trigger: bool = False
    """The deployed function has an event trigger (likewise)."""

    def run(self, deployment: Deployment, state: ApplyState) -> None:
        source = state.require(SOURCE) if self.code else None
        function = function_of(self.want, source)
        from faas.providers.gcp.identity import until_visible
        from faas.providers.gcp.secrets import until_readable

        def deploy() -> functions_v2.Function:
            # A just-created runtime account is not seen by Cloud Functions at once: 404 until it is.
            op = until_visible(deployment, lambda: self._send(deployment, function), self.want.service_account)
            deployed_function: functions_v2.Function = op.result(polling=POLLING)
            return deployed_function

        # A retry after a failed start patches the (now FAILED) function: create meets ALREADY_EXISTS.
        result = until_readable(deploy, reads_secrets=bool(self.want.secret_env))
        state.versions[self.want.key] = result.service_config.revision
        if self.want.key == deployment.primary and result.service_config.uri:
            state.url = result.service_config.uri

    def _send(self, deployment: Deployment, function: functions_v2.Function) -> Any:
        client = deployment.functions
        if self.create:
            try:
                return client.create_function(
                    parent=deployment.location, function=function, function_id=self.want.name.rsplit("/", 1)[1]
                )
            except exceptions.Conflict as error:
                if _status(error) != "ALREADY_EXISTS":
                    raise
                return client.update_function(function=function, update_mask=update_mask(code=True, want=self.want))
        mask = update_mask(code=self.code, want=self.want, had_network=self.had_network, had_trigger=self.had_trigger)
        return client.update_function(function=function, update_mask=mask)


def _status(error: exceptions.GoogleAPICallError) -> str:
    from faas.providers.gcp.context import _status as status

    return status(error)


@dataclass(frozen=True)
class DeleteFunctionStep:
    name: str

    def run(self, deployment: Deployment, state: ApplyState) -> None:
        deployment.functions.delete_function(name=self.name).result(polling=POLLING)


def owned_functions(deployment: Deployment) -> list[functions_v2.Function]:
    """Every function labelled for this project and stage (found by labels, not by name)."""
    labels = deployment.names.tags()
    query = " AND ".join(f"labels.{k}={v}" for k, v in sorted(labels.items()))
    found = deployment.functions.list_functions(request={"parent": deployment.location, "filter": query})
    return [f for f in found if deployment.names.owns(dict(f.labels))]
