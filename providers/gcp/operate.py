"""Operating a deployment: status, rollback (Cloud Run traffic) and logs (Cloud Logging).

A 2nd-gen function serves from a Cloud Run service; its revisions are the versions faas rolls
between. Rollback pins the service's traffic to a revision; the next deploy sets
`allTrafficOnLatestRevision` again (functions.py), so it serves the new code.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from google.cloud import run_v2, scheduler_v1

from faas import (
    LogEntry,
    LogRecord,
    NotDeployedError,
    Release,
    Resource,
    RollbackResult,
    Status,
    poll_logs,
    rollback_target,
    translated,
)
from faas.providers.gcp import domain, events, functions, identity, schedules, secrets, storage
from faas.providers.gcp.context import ERRORS, Deployment
from faas.providers.gcp.naming import CODE_LABEL

LATEST = run_v2.TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST
REVISION = run_v2.TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION
READY = run_v2.Condition.State.CONDITION_SUCCEEDED


def _short(name: str) -> str:
    return name.rsplit("/", 1)[1]


def serving_revision(service: run_v2.Service) -> str | None:
    """The revision taking (most of) the traffic, as Cloud Run reports it after settling."""
    statuses = sorted(service.traffic_statuses, key=lambda s: s.percent, reverse=True)
    if statuses and statuses[0].revision:
        return str(statuses[0].revision)
    latest = service.latest_ready_revision
    return _short(latest) if latest else None


def pinned(service: run_v2.Service) -> bool:
    """True when traffic does not follow the latest revision (after a rollback, or a change by hand)."""
    return not any(t.type_ == LATEST and t.percent == 100 for t in service.traffic)


def status(deployment: Deployment) -> Status:
    with translated(deployment, "status", ERRORS):
        return _status(deployment)


def _status(deployment: Deployment) -> Status:
    owned = sorted(functions.owned_functions(deployment), key=lambda f: f.name)
    resources: list[Resource] = []
    url = version = None
    last_deploy: datetime | None = None
    primary = deployment.function_name(deployment.primary) if deployment.function_keys else None
    for function in owned:
        config = function.service_config
        detail = f"{function.state.name} at {config.uri}" if config.uri else function.state.name
        resources.append(Resource(functions.RESOURCE, _short(function.name), detail))
        trigger = events.have_trigger(function)
        if trigger is not None:
            # Eventarc's trigger is Google's (made and deleted with the function); its name is output only.
            name = function.event_trigger.trigger.rpartition("/")[2] or _short(function.name)
            resources.append(Resource(events.RESOURCE, name, f"{trigger.describe()} -> {_short(function.name)}"))
        if not config.service:
            continue
        service = deployment.services.get_service(name=config.service)
        serving = serving_revision(service)
        note = f"serving {serving}"
        if pinned(service):
            note += " (traffic pinned away from the latest revision; the next deploy serves the latest)"
        resources.append(Resource("cloud run service", _short(config.service), note))
        if function.name == primary:
            url = config.uri or None
            version = serving
            # proto-plus hands timestamps out as datetimes (DatetimeWithNanoseconds).
            stamp: Any = function.update_time
            last_deploy = stamp if isinstance(stamp, datetime) else None
    for name, job in sorted(schedules.owned_jobs(deployment).items()):
        note = f"{job.schedule} ({job.time_zone}) {scheduler_v1.Job.State(job.state).name} -> {job.http_target.uri}"
        resources.append(Resource(schedules.RESOURCE, schedules.job_id(name), note))
    resources += domain.resources(deployment)
    account = identity.owned_account(deployment)
    if account is not None:
        resources.append(Resource(identity.RESOURCE, account, "runtime identity of the functions and jobs"))
    for bucket in storage.owned_buckets(deployment):
        resources.append(Resource(storage.RESOURCE, bucket, storage.public_url(deployment, bucket)))
    # Metadata only: which secrets the functions read, never a value (the secrets are the user's).
    for name in sorted({name for function in owned for name in secrets.deployed_references(function)}):
        note = f"Secret Manager {secrets.secret_path(deployment, name)}, read at start as {secrets.VERSION}"
        resources.append(Resource("secret", name, note))
    return Status(
        provider="gcp",
        stage=deployment.project.stage,
        deployed=bool(owned),
        url=url,
        version=version,
        serving=None,
        last_deploy=last_deploy,
        resources=tuple(resources),
    )


def _service_of(deployment: Deployment, key: str) -> str:
    name = deployment.function_name(key)
    function = functions.deployed(deployment, name)
    if function is None or not function.service_config.service:
        raise NotDeployedError(f"{_short(name)} is not deployed")
    return str(function.service_config.service)


def ready_releases(deployment: Deployment, service: str) -> tuple[list[Release], dict[str, str]]:
    """The service's ready revisions (Cloud Run numbers them: name-00001-abc), and each one's code label."""
    found: list[Release] = []
    codes: dict[str, str] = {}
    for revision in deployment.revisions.list_revisions(parent=service):
        ready = any(c.type_ == "Ready" and c.state == READY for c in revision.conditions)
        if ready:
            short = _short(revision.name)
            found.append(Release(short, _order(short)))
            codes[short] = str(revision.labels.get(CODE_LABEL, ""))
    return found, codes


def _order(revision: str) -> int:
    parts = revision.rsplit("-", 2)
    return int(parts[1]) if len(parts) == 3 and parts[1].isdigit() else 0


def rollback(deployment: Deployment, to: str | None) -> RollbackResult:
    with translated(deployment, "rollback", ERRORS):
        return _rollback(deployment, to)


def _rollback(deployment: Deployment, to: str | None) -> RollbackResult:
    """Pin the app's Cloud Run service to the previous ready revision (or `to`), and every other
    function's service to its newest ready revision of the same code (the same deploy's artifact)."""
    name = _service_of(deployment, deployment.primary)
    service = deployment.services.get_service(name=name)
    current = serving_revision(service)
    if current is None:
        raise NotDeployedError(f"{_short(name)} has no ready revision")
    releases, codes = ready_releases(deployment, name)
    if to is None and codes.get(current):
        # A configuration-only deploy (or one that un-pinned traffic) makes a revision of the same code:
        # going back to it would change nothing the user sees, so the previous *code* is the target.
        releases = [r for r in releases if r.version == current or codes.get(r.version) != codes[current]]
    target = rollback_target(releases, current, to, _short(name))
    _pin(deployment, service, target.version)
    deployment.say(f"{_short(name)}: traffic moved from revision {current} to {target.version}")
    code = codes.get(target.version, "")
    for key in deployment.function_keys:
        if key != deployment.primary:
            _pin_to_code(deployment, _service_of(deployment, key), code)
    return RollbackResult(previous_version=current, current_version=target.version)


def _pin(deployment: Deployment, service: run_v2.Service, revision: str) -> None:
    update = run_v2.Service(
        name=service.name,
        etag=service.etag,
        traffic=[run_v2.TrafficTarget(type_=REVISION, revision=revision, percent=100)],
    )
    request = run_v2.UpdateServiceRequest(service=update)
    deployment.services.update_service(request=request).result(polling=functions.POLLING)


def _pin_to_code(deployment: Deployment, name: str, code: str) -> None:
    """Pin a function's service to its newest ready revision built from `code`; say so when it has none."""
    releases, codes = ready_releases(deployment, name)
    same = sorted((r for r in releases if code and codes.get(r.version) == code), key=lambda r: r.order)
    if not same:
        deployment.say(f"{_short(name)}: no ready revision of that deploy's code; left on its current revision")
        return
    service = deployment.services.get_service(name=name)
    if serving_revision(service) == same[-1].version and pinned(service):
        return
    _pin(deployment, service, same[-1].version)
    deployment.say(f"{_short(name)}: traffic pinned to revision {same[-1].version}, of the same deploy")


def log_filter(services: list[str], start: datetime | None, pattern: str | None) -> str:
    """Cloud Logging's query for the services' revisions (resource type cloud_run_revision)."""
    if len(services) == 1:
        terms = [f'resource.type="cloud_run_revision" AND resource.labels.service_name="{services[0]}"']
    else:  # pragma: no cover - several functions: one query each keeps the filter to AND terms
        raise ValueError("one service per query")
    if start is not None:
        terms.append(f'timestamp>="{start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")}"')
    if pattern:
        terms.append(f'textPayload:"{pattern}"')
    return " AND ".join(terms)


def logging_client(deployment: Deployment) -> Any:
    from google.cloud import logging as cloud_logging

    endpoint = deployment.options.endpoint("logging")
    return cloud_logging.Client(  # type: ignore[no-untyped-call]  # google-cloud-logging is unannotated
        project=deployment.gcp_project,
        credentials=deployment.credentials,
        # REST, not gRPC: the same transport as every other client, and endpoint overrides keep http://.
        _use_grpc=False,
        client_options={"api_endpoint": endpoint} if endpoint else None,
    )


def logs(deployment: Deployment, since: datetime | None, follow: bool, pattern: str | None) -> Iterator[LogRecord]:
    with translated(deployment, "logs", ERRORS):
        owned = functions.owned_functions(deployment)
    services = [_short(f.service_config.service) for f in owned if f.service_config.service]
    if not services:
        raise NotDeployedError(f"{deployment.names.prefix} has no functions on Google Cloud (not deployed?)")
    client = logging_client(deployment)

    def fetch(start: datetime | None) -> list[LogEntry]:
        # The timestamp bound is inclusive; poll_logs drops the entries it already yielded (by id).
        entries: list[LogEntry] = []
        with translated(deployment, "logs", ERRORS):
            for service in services:
                query = log_filter([service], start, pattern)
                for entry in client.list_entries(
                    resource_names=[f"projects/{deployment.gcp_project}"], filter_=query, order_by="timestamp asc"
                ):
                    entries.append(_entry(service, entry))
        return entries

    return poll_logs(fetch, since=since, follow=follow, redact=deployment.redact)


def _entry(service: str, entry: Any) -> LogEntry:
    payload = entry.payload
    message = payload if isinstance(payload, str) else str(payload)
    timestamp = entry.timestamp or datetime.now(UTC)
    return LogEntry(
        id=str(entry.insert_id or ""),
        timestamp=timestamp,
        message=message.rstrip("\n"),
        source=service,
        request_id=(entry.trace or None),
    )


__all__ = ["logs", "rollback", "status"]
