# mypy: disable-error-code="no-untyped-call,import-untyped"
"""Cloud Functions v2: functions, their source upload URL and their long-running operations.

What Google documents and the fake does: create and patch answer an operation; the function is
DEPLOYING until that operation is done, then ACTIVE (or FAILED with the operation's `error`); a
second change meanwhile is refused with 409 ABORTED. A patch with `updateMask` changes only the
masked fields; a patch without one replaces every field ("If no field mask is provided, all fields
will be updated"). The server fills in what Google fills in: the Cloud Run service and revision, the
service URI, the function URL, the build name and the copied source with its generation.
"""

from __future__ import annotations

import copy
import re
import secrets
import uuid
from dataclasses import dataclass, field
from typing import Any

from google.cloud import functions_v2
from google.iam.v1 import iam_policy_pb2

from . import policies
from .builds import Builder, BuildFailed, requirements_of
from .discovery import Api
from .errors import GoogleError, already_exists, invalid_argument, not_found
from .iam_api import IamState
from .listing import label_filter, matches, page
from .masks import apply_mask, keep, parse_mask, replace_all
from .operations import EMPTY, Operations, now
from .run_api import RunState
from .secrets_api import SecretsState
from .server import Faults, Handler, Request, Service
from .storage import Emulator, SignedUploads

FUNCTION_TYPE = "type.googleapis.com/google.cloud.functions.v2.Function"
METADATA_TYPE = "type.googleapis.com/google.cloud.functions.v2.OperationMetadata"
# functions.create's `functionId`: "4-63 characters, and valid characters are /a-z-/" (digits are
# accepted by the real API too, after the first letter).
FUNCTION_ID = re.compile(r"^[a-z][a-z0-9-]{2,61}[a-z0-9]$")
PUBSUB_EVENT = "google.cloud.pubsub.topic.v1.messagePublished"
STORAGE_EVENTS = {
    f"google.cloud.storage.object.v1.{kind}" for kind in ("finalized", "deleted", "archived", "metadataUpdated")
}
# Set by the platform in every gen2 function (functions/docs/configuring/env-var, "Reserved keys").
RESERVED_ENV = frozenset(
    {"FUNCTION_TARGET", "FUNCTION_SIGNATURE_TYPE", "K_SERVICE", "K_REVISION", "K_CONFIGURATION", "PORT"}
)
CONNECTOR = re.compile(r"projects/[^/]+/locations/(?P<region>[^/]+)/connectors/[a-z][-a-z0-9]{0,23}")
RUNTIMES = [f"python3{minor}" for minor in range(7, 15)]
# "Supported units are k, M, G, Mi, Gi. If no unit is supplied the value is interpreted as bytes."
MEMORY = re.compile(r"^(\d+(?:\.\d+)?)(k|M|G|Mi|Gi)?$")
_UNIT = {None: 1, "k": 10**3, "M": 10**6, "G": 10**9, "Mi": 2**20, "Gi": 2**30}
OUTPUT_ONLY = [
    "state",
    "stateMessages",
    "updateTime",
    "createTime",
    "url",
    "environment",
    "buildConfig.build",
    "buildConfig.sourceProvenance",
    "serviceConfig.service",
    "serviceConfig.uri",
    "serviceConfig.revision",
    "satisfiesPzs",
    "satisfiesPzi",
]


@dataclass
class FunctionsState:
    project: str
    project_number: str
    run: RunState
    emulator: Emulator
    uploads: SignedUploads
    faults: Faults
    functions: dict[str, dict[str, Any]] = field(default_factory=dict)
    operations: Operations = field(default_factory=Operations)
    iam: IamState | None = None
    builder: Builder | None = None  # None: requirements are not installed (revisions use the host's packages)
    policies: dict[str, dict[str, Any]] = field(default_factory=dict)  # function -> its own IAM policy
    secrets: SecretsState | None = None  # resolves `secretEnvironmentVariables` when a revision starts

    def uploads_bucket(self, region: str) -> str:
        return f"gcf-v2-uploads-{self.project_number}.{region}.cloudfunctions.appspot.com"

    def sources_bucket(self, region: str) -> str:
        return f"gcf-v2-sources-{self.project_number}-{region}"

    def function(self, name: str) -> dict[str, Any]:
        if name not in self.functions:
            raise not_found(name)
        return self.functions[name]


def _location(name: str) -> tuple[str, str]:
    """(`projects/P/locations/R`, R) of a function or location name."""
    parts = name.split("/")
    return "/".join(parts[:4]), parts[3]


def _memory_bytes(value: str) -> int:
    found = MEMORY.match(value)
    if not found:
        raise invalid_argument(
            f"Invalid value specified for container memory: {value!r}. Supported units are k, M, G, Mi, Gi.",
            field_path="service_config.available_memory",
        )
    return int(float(found.group(1)) * _UNIT[found.group(2)])


def default_cpu(memory: int) -> str:
    """The CPU Cloud Functions gives a memory size when none is set (functions/docs/configuring/memory)."""
    steps = ((256, "0.1666"), (512, "0.3333"), (1024, "0.5833"), (2048, "1"), (8192, "2"), (16384, "4"))
    for mebibytes, cpu in steps:
        if memory <= mebibytes * 2**20:  # the table's "1GB" is the console's 1 GiB: 1G and 1Gi alike
            return cpu
    return "8"


def _check_env(variables: dict[str, str], where: str) -> None:
    for name in variables:
        if not name or "=" in name or name.startswith("X_GOOGLE_") or name.endswith("_") or name in RESERVED_ENV:
            raise invalid_argument(
                f"Environment variable name {name!r} is reserved or invalid: names must be non-empty, contain no '=', "
                f"not start with X_GOOGLE_, not end with '_', and not be one of {', '.join(sorted(RESERVED_ENV))}.",
                field_path=where,
            )


def _check_account(email: str, where: str) -> None:
    if not re.fullmatch(
        r"[a-z0-9-]+@[a-z0-9.-]+\.(iam\.)?gserviceaccount\.com|[0-9]+-compute@developer\.gserviceaccount\.com", email
    ):
        raise invalid_argument(f"Invalid service account {email!r}.", field_path=where)


def _check_function(state: FunctionsState, function: dict[str, Any]) -> None:
    """What the real API refuses at once (400), before any operation starts."""
    build = function.get("buildConfig", {})
    _check_env(build.get("environmentVariables", {}), "build_config.environment_variables")
    _check_env(
        function.get("serviceConfig", {}).get("environmentVariables", {}), "service_config.environment_variables"
    )
    plain = function.get("serviceConfig", {}).get("environmentVariables", {})
    secret_env = function.get("serviceConfig", {}).get("secretEnvironmentVariables", [])
    _check_env({item.get("key", ""): "" for item in secret_env}, "service_config.secret_environment_variables")
    for item in secret_env:
        if not item.get("secret"):
            raise invalid_argument(
                "A secret environment variable needs the secret's name.",
                field_path="service_config.secret_environment_variables.secret",
            )
        if item["key"] in plain:
            raise invalid_argument(
                f"Environment variable {item['key']} is set both as a plain and as a secret environment variable.",
                field_path="service_config.secret_environment_variables.key",
            )
    connector = function.get("serviceConfig", {}).get("vpcConnector")
    if connector:
        found = CONNECTOR.fullmatch(connector)
        if found is None:
            raise invalid_argument(
                f"Invalid VPC connector {connector!r}: expected projects/PROJECT/locations/REGION/connectors/NAME.",
                field_path="service_config.vpc_connector",
            )
        region = function["name"].split("/")[3]
        if found.group("region") != region:
            raise invalid_argument(
                f"VPC connector {connector} is in region {found.group('region')}; the function is in {region}. "
                "A function can only use a connector of its own region.",
                field_path="service_config.vpc_connector",
            )
    if "serviceAccountEmail" in function.get("serviceConfig", {}):
        email = function["serviceConfig"]["serviceAccountEmail"]
        _check_account(email, "service_config.service_account_email")
        if state.iam is not None and not state.iam.exists(email):
            # What the real API answers (a 404, not a 400): firebase-tools issue 8841 quotes it.
            raise GoogleError("NOT_FOUND", f"Service account projects/-/serviceAccounts/{email} was not found.")
    build_account = build.get("serviceAccount")
    if build_account is not None:
        found = re.fullmatch(r"projects/[^/]+/serviceAccounts/(.+)", build_account)
        if found is None:
            raise invalid_argument(
                f"Invalid build service account {build_account!r}: expected projects/PROJECT/serviceAccounts/EMAIL.",
                field_path="build_config.service_account",
            )
        _check_account(found.group(1), "build_config.service_account")
    runtime = build.get("runtime")
    if not runtime:
        raise invalid_argument("Runtime is required when deploying a new function.", field_path="build_config.runtime")
    if runtime not in RUNTIMES:
        raise invalid_argument(
            f"Runtime {runtime!r} is not supported. Supported: {', '.join(RUNTIMES)}.",
            field_path="build_config.runtime",
        )
    storage = build.get("source", {}).get("storageSource")
    if storage is None:
        raise invalid_argument(
            "Function source is required: build_config.source.storage_source.", field_path="build_config.source"
        )
    if state.emulator.metadata(storage.get("bucket", ""), storage.get("object", "")) is None:
        raise invalid_argument(
            f"Could not access the function source: gs://{storage.get('bucket')}/{storage.get('object')} "
            "does not exist. Upload the archive to the URL generateUploadUrl returned first.",
            field_path="build_config.source.storage_source",
        )
    service = function.get("serviceConfig", {})
    memory = _memory_bytes(service.get("availableMemory", "256M"))
    if not 128 * 2**20 <= memory <= 32 * 2**30:
        raise invalid_argument(
            f"Memory {service['availableMemory']} is outside 128Mi..32Gi.", field_path="service_config.available_memory"
        )
    cpu = float(service.get("availableCpu", "0.1666") or 0)
    if int(service.get("maxInstanceRequestConcurrency", 1)) > 1 and cpu < 1:
        raise invalid_argument(
            "Could not update Cloud Run service: Total cpu < 1 is not supported with concurrency > 1.",
            field_path="service_config.max_instance_request_concurrency",
        )
    trigger = function.get("eventTrigger")
    if trigger is not None:
        event_type = trigger["eventType"]
        attributes = {f["attribute"] for f in trigger.get("eventFilters", [])}
        if event_type in STORAGE_EVENTS and "bucket" not in attributes:
            raise invalid_argument(
                f"{event_type} needs an event filter on the attribute 'bucket'.",
                field_path="event_trigger.event_filters",
            )
        if (
            event_type not in STORAGE_EVENTS
            and event_type != PUBSUB_EVENT
            and not event_type.startswith("google.cloud.")
        ):
            raise invalid_argument(f"Unsupported event type {event_type!r}.", field_path="event_trigger.event_type")
    limit = 540 if trigger is not None else 3600
    if int(service.get("timeoutSeconds", 60)) > limit:
        raise invalid_argument(
            f"Timeout must be at most {limit} seconds for this function.", field_path="service_config.timeout_seconds"
        )


def _defaults(function: dict[str, Any], function_id: str, number: str) -> None:
    """The values Google returns even when they were not sent."""
    build = function.setdefault("buildConfig", {})
    build.setdefault("entryPoint", function_id)
    build.setdefault("dockerRegistry", "ARTIFACT_REGISTRY")
    service = function.setdefault("serviceConfig", {})
    service.setdefault("availableMemory", "256M")
    service.setdefault("availableCpu", default_cpu(_memory_bytes(service["availableMemory"])))
    service.setdefault("timeoutSeconds", 60)
    service.setdefault("maxInstanceCount", 100)
    service.setdefault("maxInstanceRequestConcurrency", 1)
    service.setdefault("ingressSettings", "ALLOW_ALL")
    service.setdefault("allTrafficOnLatestRevision", True)
    service.setdefault("serviceAccountEmail", f"{number}-compute@developer.gserviceaccount.com")


def _secret_values(state: FunctionsState, service: dict[str, Any], service_id: str) -> dict[str, str]:
    """{key: value} of the secret environment variables, or Cloud Run's error when one cannot be read."""
    wanted = service.get("secretEnvironmentVariables", [])
    if not wanted:
        return {}
    if state.secrets is None:
        raise GoogleError("UNIMPLEMENTED", "This fake was built without Secret Manager.")
    account = service["serviceAccountEmail"]
    values = {}
    for index, item in enumerate(wanted):
        project, secret, version = item.get("projectId", state.project), item["secret"], item.get("version", "latest")
        where = f"spec.template.spec.containers[0].env[{index}].value_from.secret_key_ref.name"
        path = f"projects/{state.project_number}/secrets/{secret}/versions/{version}"
        try:
            state.secrets.secret_id(project, secret)
        except GoogleError:
            raise GoogleError(
                "FAILED_PRECONDITION",
                f"Could not create or update Cloud Run service {service_id}. {where}: Secret {path} was not found",
            ) from None
        if not state.secrets.can_access(secret, account):
            raise GoogleError(
                "FAILED_PRECONDITION",
                f"Could not create or update Cloud Run service {service_id}. {where}: Permission denied on secret: "
                f"{path} for Revision service account {account}. The service account used must be granted the "
                "'Secret Manager Secret Accessor' role (roles/secretmanager.secretAccessor) at the secret, project "
                "or higher level.",
            )
        try:
            values[item["key"]] = state.secrets.value(project, secret, version)
        except GoogleError as exc:
            raise GoogleError(
                "FAILED_PRECONDITION",
                f"Could not create or update Cloud Run service {service_id}. {where}: {exc.message}",
            ) from None
    return values


def build(state: FunctionsState) -> Service:
    api = Api("cloudfunctions.v2")
    prefix = "cloudfunctions.projects.locations."

    def metadata(target: str, verb: str, resource: dict[str, Any] | None) -> dict[str, Any]:
        stages = [
            {"name": n, "state": "NOT_STARTED"}
            for n in ("BUILD", "SERVICE", "TRIGGER", "SERVICE_ROLLBACK", "TRIGGER_ROLLBACK")
        ]
        out: dict[str, Any] = {
            "@type": METADATA_TYPE,
            "createTime": now(),
            "target": target,
            "verb": verb,
            "apiVersion": "v2",
        }
        if resource is not None:
            out["requestResource"] = {"@type": FUNCTION_TYPE, **resource}
            out["stages"] = stages
        return out

    def progress(meta: dict[str, Any], done: bool) -> None:
        for stage in meta.get("stages", []):
            if stage["name"] in ("BUILD", "SERVICE", "TRIGGER"):
                stage["state"] = "COMPLETE" if done else ("IN_PROGRESS" if stage["name"] == "BUILD" else "NOT_STARTED")
        if done:
            meta["endTime"] = now()

    def deploy(name: str, function: dict[str, Any]) -> dict[str, Any]:
        location, region = _location(name)
        function_id = name.rsplit("/", 1)[1]
        if state.faults.failing_builds:
            raise GoogleError(
                "INVALID_ARGUMENT",
                f"{state.faults.failing_builds.pop(0)}. Build logs: {location}/builds/{uuid.uuid4()}",
            )
        build_cfg = function["buildConfig"]
        uploaded = build_cfg["source"]["storageSource"]
        archive = state.emulator.get(uploaded["bucket"], uploaded["object"])
        assert archive is not None, "checked at create/patch"
        deps = None
        if state.builder is not None:
            try:
                deps = state.builder.install(requirements_of(archive))
            except BuildFailed as exc:
                # The shape of Cloud Build's answer when the pip step of the Python buildpack fails.
                raise GoogleError(
                    "INVALID_ARGUMENT",
                    f"Build failed with status: FAILURE and message: pip_download_wheels had stderr output:\n{exc}\n\n"
                    f"error: `pip_download_wheels` returned code: 1; Error ID: {secrets.token_hex(4)}. "
                    f"Build logs: {location}/builds/{uuid.uuid4()}",
                ) from None
        sources = state.sources_bucket(region)
        copied = state.emulator.put(sources, f"{function_id}/function-source.zip", archive, "application/zip")
        resolved = {
            "bucket": sources,
            "object": f"{function_id}/function-source.zip",
            "generation": copied["generation"],
        }
        build_cfg["source"] = {"storageSource": dict(resolved)}
        build_cfg["sourceProvenance"] = {"resolvedStorageSource": dict(resolved)}
        build_cfg["build"] = f"projects/{state.project_number}/locations/{region}/builds/{uuid.uuid4()}"
        svc_cfg = function["serviceConfig"]
        service_id = function_id.lower().replace("_", "-")
        service_name = f"{location}/services/{service_id}"
        container = {"image": f"{region}-docker.pkg.dev/{state.project}/gcf-artifacts/{service_id}:version_1"}
        # Cloud Run reads each secret as the revision starts: the value is in the process, never in the function.
        environment = {**svc_cfg.get("environmentVariables", {}), **_secret_values(state, svc_cfg, service_id)}
        revision = state.run.deploy_revision(
            service_name,
            labels=function.get("labels", {}),
            container=container,
            latest=bool(svc_cfg.get("allTrafficOnLatestRevision")),
            code=(archive, build_cfg.get("entryPoint", function_id), environment),
            deps=deps,
            # The Python buildpack hands functions-framework this file (main.py unless the build says).
            source_file=build_cfg.get("environmentVariables", {}).get("GOOGLE_FUNCTION_SOURCE", "main.py"),
        )
        svc_cfg["service"] = service_name
        svc_cfg["revision"] = revision
        svc_cfg["uri"] = state.run.uri(service_name)
        trigger = function.get("eventTrigger")
        if trigger is not None:
            # GCF creates and owns the Eventarc trigger; Pub/Sub triggers get a transport topic.
            trigger.setdefault("triggerRegion", region)
            trigger.setdefault("retryPolicy", "RETRY_POLICY_DO_NOT_RETRY")
            trigger.setdefault("serviceAccountEmail", svc_cfg["serviceAccountEmail"])
            suffix = "".join(secrets.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(6))
            trigger["trigger"] = (
                f"projects/{state.project}/locations/{trigger['triggerRegion']}/triggers/{function_id}-{suffix}"
            )
            if trigger["eventType"] == PUBSUB_EVENT and "pubsubTopic" not in trigger:
                trigger["pubsubTopic"] = f"projects/{state.project}/topics/eventarc-{region}-{function_id}-{suffix}"
        function["state"] = "ACTIVE"
        function["updateTime"] = now()
        function["url"] = f"https://{region}-{state.project}.cloudfunctions.net/{function_id}"
        return {"@type": FUNCTION_TYPE, **copy.deepcopy(function)}

    def start_deploy(name: str, function: dict[str, Any], verb: str) -> dict[str, Any]:
        # Until the operation is done, a get shows the function as it was, DEPLOYING.
        shown = state.functions.get(name, function)
        shown["state"] = "DEPLOYING"
        state.functions[name] = shown
        staged = copy.deepcopy(function)
        staged.pop("state", None)

        def complete() -> dict[str, Any]:
            result = deploy(name, staged)
            state.functions[name] = staged
            return result

        def failed(error: GoogleError) -> None:
            stored = state.functions[name]
            stored["state"] = "FAILED"
            stored["stateMessages"] = [{"severity": "ERROR", "type": "DeploymentFailed", "message": error.message}]

        location, _ = _location(name)
        return state.operations.start(
            location, metadata(name, verb, function), complete, on_error=failed, progress=progress
        )

    def refuse_if_busy(name: str) -> None:
        if state.operations.pending_for(name) is not None:
            raise GoogleError(
                "ABORTED", f"An operation on function {name} is already in progress. Please try again later."
            )

    def generate_upload_url(req: Request) -> Any:
        _, region = _location(req.param("parent"))
        bucket = state.uploads_bucket(region)
        state.emulator.create_bucket(bucket, state.project)
        obj = f"{uuid.uuid4()}.zip"
        return {"uploadUrl": state.uploads.sign(bucket, obj), "storageSource": {"bucket": bucket, "object": obj}}

    def create(req: Request) -> Any:
        parent = req.param("parent")
        function_id = req.match.query.get("functionId", "")
        if not FUNCTION_ID.match(function_id):
            raise invalid_argument(
                f"Invalid function_id {function_id!r}: it should be 4-63 characters, lowercase letters, digits "
                "and hyphens, starting with a letter.",
                field_path="function_id",
            )
        name = f"{parent}/functions/{function_id}"
        if name in state.functions:
            raise already_exists(name)
        function = {**req.body, "name": name, "environment": "GEN_2", "createTime": now()}
        _defaults(function, function_id, state.project_number)
        _check_function(state, function)
        _, region = _location(parent)
        state.emulator.create_bucket(state.sources_bucket(region), state.project)
        state.policies[name] = policies.fresh()
        return start_deploy(name, function, "create")

    def patch(req: Request) -> Any:
        name = req.param("name")
        stored = state.function(name)
        refuse_if_busy(name)
        body = {key: value for key, value in req.body.items() if key != "name"}
        if "updateMask" in req.match.query:
            paths = parse_mask(api, "Function", req.match.query["updateMask"])
            updated = apply_mask(stored, body, [p for p in paths if p not in OUTPUT_ONLY])
        else:
            updated = replace_all(stored, body, keep(stored, [*OUTPUT_ONLY, "name"]))
            _defaults(updated, name.rsplit("/", 1)[1], state.project_number)
        _check_function(state, updated)
        return start_deploy(name, updated, "update")

    def delete(req: Request) -> Any:
        name = req.param("name")
        function = state.function(name)
        refuse_if_busy(name)
        function["state"] = "DELETING"

        def complete() -> dict[str, Any]:
            state.functions.pop(name, None)
            state.policies.pop(name, None)
            service = function.get("serviceConfig", {}).get("service")
            if service:
                state.run.delete_service(service)
            return dict(EMPTY)

        location, _ = _location(name)
        return state.operations.start(location, metadata(name, "delete", None), complete)

    def get(req: Request) -> Any:
        return state.function(req.param("name"))

    def list_functions(req: Request) -> Any:
        parent = req.param("parent") + "/functions/"
        if req.match.query.get("orderBy"):
            raise invalid_argument(
                "The fake lists functions by name only; order_by is not applied.", field_path="order_by"
            )
        terms = label_filter(req.match.query.get("filter", ""))
        found = [f for n, f in sorted(state.functions.items()) if n.startswith(parent) and matches(f, terms)]
        return page(found, req.match.query, "functions")

    def get_operation(req: Request) -> Any:
        return state.operations.get(req.param("name"))

    def get_iam_policy(req: Request) -> Any:
        name = req.param("resource")
        state.function(name)
        return state.policies.setdefault(name, policies.fresh())

    def set_iam_policy(req: Request) -> Any:
        # A gen2 function's own policy (roles/cloudfunctions.*); who may call it is Cloud Run's
        # run.invoker on its service, which this policy does not change.
        name = req.param("resource")
        state.function(name)
        current = state.policies.setdefault(name, policies.fresh())
        check = state.iam.check_member if state.iam is not None else None
        state.policies[name] = policies.replace(current, req.body.get("policy", {}), check_member=check)
        return state.policies[name]

    def list_runtimes(req: Request) -> Any:
        runtimes = [
            {"name": r, "displayName": f"Python 3.{r[7:]}", "stage": "GA", "environment": "GEN_2"} for r in RUNTIMES
        ]
        return {"runtimes": runtimes}

    handlers: dict[str, Handler] = {
        prefix + "functions.generateUploadUrl": generate_upload_url,
        prefix + "functions.create": create,
        prefix + "functions.patch": patch,
        prefix + "functions.delete": delete,
        prefix + "functions.get": get,
        prefix + "functions.list": list_functions,
        prefix + "operations.get": get_operation,
        prefix + "runtimes.list": list_runtimes,
        prefix + "functions.getIamPolicy": get_iam_policy,
        prefix + "functions.setIamPolicy": set_iam_policy,
    }
    messages = {
        "Function": functions_v2.Function.pb(),
        "GenerateUploadUrlRequest": functions_v2.GenerateUploadUrlRequest.pb(),
        "SetIamPolicyRequest": iam_policy_pb2.SetIamPolicyRequest,
    }
    return Service("cloudfunctions", api, handlers, messages)
