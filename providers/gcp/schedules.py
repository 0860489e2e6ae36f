"""Schedules as Cloud Scheduler jobs: an HTTP POST to the function's URL with an OIDC token, in UTC.

Each `schedule` trigger of a `[[functions]]` entry is one job (`Names.job`, also the trigger's name
in faas_runtime.json). The job calls the function's Cloud Run URI with an ID token of the runtime
identity (audience: that URI), and that identity gets roles/run.invoker on the function's service
only (invoker.py), so the private function lets the job in. Jobs carry no labels: the ownership
labels are written into the description and read back from it.
"""

from __future__ import annotations

from dataclasses import dataclass

from google.api_core import exceptions
from google.cloud import scheduler_v1
from google.protobuf import field_mask_pb2

from faas import CLOUD_SCHEDULER, Action, ApplyState, Change, DeployError, ScheduleTrigger, UnsupportedScheduleError
from faas.providers.gcp import events, functions, invoker
from faas.providers.gcp.context import Deployment
from faas.providers.gcp.identity import until_visible
from faas.providers.gcp.naming import description_labels, labels_description

RESOURCE = "schedule"
BINDING = "run.invoker binding"
UPDATE_MASK = ("description", "schedule", "time_zone", "http_target")
ENABLED = scheduler_v1.Job.State.ENABLED
POST = scheduler_v1.HttpMethod.POST


@dataclass(frozen=True)
class WantedJob:
    """One job as Cloud Scheduler will be told, minus the function's URI (known once it is deployed)."""

    name: str
    function: str
    schedule: str
    time_zone: str
    description: str
    account: str


def job_id(name: str) -> str:
    return name.rsplit("/", 1)[1]


def wanted_jobs(deployment: Deployment) -> list[WantedJob]:
    jobs = []
    for function in deployment.project.config.functions:
        schedules = [t.schedule for t in function.triggers if isinstance(t, ScheduleTrigger)]
        for index, schedule in enumerate(schedules):
            try:
                native = CLOUD_SCHEDULER.translate(schedule)
            except UnsupportedScheduleError as error:
                # Packaging refuses it first (the manifest carries the same form): a plan made without it.
                raise DeployError("plan", str(error)) from None
            jobs.append(
                WantedJob(
                    name=f"{deployment.location}/jobs/{deployment.names.job(function.name, index)}",
                    function=function.name,
                    schedule=native.expression,
                    time_zone=native.time_zone or "Etc/UTC",
                    description=labels_description(deployment.names.tags(function=function.name)),
                    account=deployment.runtime_identity,
                )
            )
    return jobs


def owned_jobs(deployment: Deployment) -> dict[str, scheduler_v1.Job]:
    """This stage's jobs by full name, found by the labels in their descriptions."""
    found = deployment.scheduler.list_jobs(parent=deployment.location)
    return {job.name: job for job in found if deployment.names.owns(description_labels(job.description))}


def job_of(want: WantedJob, uri: str) -> scheduler_v1.Job:
    target = scheduler_v1.HttpTarget(
        uri=uri,
        http_method=POST,
        oidc_token=scheduler_v1.OidcToken(service_account_email=want.account, audience=uri),
    )
    return scheduler_v1.Job(
        name=want.name,
        description=want.description,
        schedule=want.schedule,
        time_zone=want.time_zone,
        http_target=target,
    )


def _differences(have: scheduler_v1.Job, want: WantedJob, uri: str | None) -> list[tuple[str, str, str]]:
    target = have.http_target
    fields = [
        ("schedule", have.schedule, want.schedule),
        ("time zone", have.time_zone, want.time_zone),
        ("description", have.description, want.description),
        ("method", scheduler_v1.HttpMethod(target.http_method).name, "POST"),
        ("token account", target.oidc_token.service_account_email, want.account),
    ]
    if uri is not None:
        fields += [("uri", target.uri, uri), ("audience", target.oidc_token.audience, uri)]
    return [(label, str(old), str(new)) for label, old, new in fields if old != new]


def plan_schedules(deployment: Deployment, changing: set[str]) -> list[Action]:
    """Jobs to create, patch or delete, and run.invoker for the jobs' identity on each function's service.

    `changing` holds the short names of functions the plan creates or updates: their service may
    not exist yet, so the binding is (re)checked by its step after them.
    """
    owned = owned_jobs(deployment)
    actions: list[Action] = []
    scheduled: dict[str, str] = {}
    for want in wanted_jobs(deployment):
        scheduled[want.function] = want.account
        function = functions.deployed(deployment, deployment.function_name(want.function))
        uri = function.service_config.uri if function is not None and function.service_config.uri else None
        have = owned.pop(want.name, None)
        if have is None:
            details = (("schedule", "", f"{want.schedule} ({want.time_zone})"), ("function", "", want.function))
            actions.append(Action(Change.CREATE, RESOURCE, job_id(want.name), details, JobStep(want, create=True)))
            continue
        details_list = _differences(have, want, uri)
        if have.state != ENABLED:
            details_list.append(("state", scheduler_v1.Job.State(have.state).name, "ENABLED"))
        if details_list:
            actions.append(
                Action(Change.UPDATE, RESOURCE, job_id(want.name), tuple(details_list), JobStep(want, create=False))
            )
    # Eventarc calls an event-triggered function with the same identity's token (events.py).
    for function_name in events.wanted_triggers(deployment):
        scheduled.setdefault(function_name, deployment.runtime_identity)
    for name, stale in sorted(owned.items()):
        gone = (("schedule", stale.schedule, ""),)
        actions.append(Action(Change.DELETE, RESOURCE, job_id(name), gone, DeleteJobStep(name)))
    actions += _plan_bindings(deployment, scheduled, changing)
    return actions


def _plan_bindings(deployment: Deployment, scheduled: dict[str, str], changing: set[str]) -> list[Action]:
    """The jobs' identity in run.invoker exactly once on scheduled functions, absent from the others.

    The stage's own account is also taken out where `service_account` now names another one.
    """
    accounts = [deployment.runtime_identity]
    if deployment.runtime_email != deployment.runtime_identity:
        accounts.append(deployment.runtime_email)
    actions: list[Action] = []
    for function in deployment.project.config.functions:
        key = function.name
        short = deployment.names.function(key)
        name = deployment.function_name(key)
        service = invoker.service_of(deployment, name)
        policy = invoker.policy_of(deployment, service) if service is not None else None
        for account in accounts:
            wanted = scheduled.get(key) == account
            member = f"serviceAccount:{account}"
            if policy is None and not wanted:
                continue
            # A function the plan changes gets its wanted binding checked again by the step, after it.
            recheck = wanted and short in changing
            if policy is not None and not recheck and invoker.count(policy, member) == (1 if wanted else 0):
                continue
            change = Change.CREATE if wanted else Change.DELETE
            step = invoker.InvokerStep(name, public=wanted, member=member)
            actions.append(Action(change, BINDING, f"{account} on {short}", (("role", "", invoker.ROLE),), step))
    return actions


def _uri_of(deployment: Deployment, function: str) -> str:
    found = functions.deployed(deployment, deployment.function_name(function))
    if found is None or not found.service_config.uri:
        raise DeployError(f"schedule of {function}", "the function has no URL to call (it is not deployed)")
    return str(found.service_config.uri)


@dataclass(frozen=True)
class JobStep:
    """Create the job, or patch it with an explicit mask; ALREADY_EXISTS on create becomes a patch."""

    want: WantedJob
    create: bool

    def run(self, deployment: Deployment, state: ApplyState) -> None:
        job = job_of(self.want, _uri_of(deployment, self.want.function))
        client = deployment.scheduler
        mask = field_mask_pb2.FieldMask(paths=list(UPDATE_MASK))
        if self.create:
            try:
                until_visible(
                    deployment, lambda: client.create_job(parent=deployment.location, job=job), self.want.account
                )
            except exceptions.Conflict:
                client.update_job(job=job, update_mask=mask)
            return
        current = client.update_job(job=job, update_mask=mask)
        if current.state != ENABLED:
            client.resume_job(name=self.want.name)


@dataclass(frozen=True)
class DeleteJobStep:
    name: str

    def run(self, deployment: Deployment, state: ApplyState | None = None) -> None:
        deployment.scheduler.delete_job(name=self.name)
