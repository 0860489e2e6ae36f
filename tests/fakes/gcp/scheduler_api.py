# mypy: disable-error-code="no-untyped-call,import-untyped"
"""Cloud Scheduler v1: jobs with an HTTP target and an OIDC token, created and changed synchronously.

Unlike Cloud Functions, Scheduler answers the Job itself, not an operation. A patch without a mask
follows AIP-134 (the reference says nothing else): the populated fields of the body are the mask.
`jobs.run` really sends the request, with an ID token for the job's service account and audience,
but only to a loopback URI: a job aimed anywhere else records a failed attempt and sends nothing.
"""

from __future__ import annotations

import base64
import re
import threading
import urllib.error
import urllib.request
import uuid
import zoneinfo
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from google.cloud import scheduler_v1

from .auth import Identity
from .discovery import Api
from .errors import already_exists, invalid_argument, not_found
from .listing import page
from .masks import apply_mask, parse_mask
from .operations import now
from .server import Handler, Request, Service

JOB_ID = re.compile(r"^[A-Za-z0-9_-]{1,500}$")
_MONTHS = "JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC"
_DAYS = "SUN|MON|TUE|WED|THU|FRI|SAT"
# unix-cron, as cloud.google.com/scheduler/docs/configuring/cron-job-schedules describes it: five
# fields, lists, ranges and steps, month and weekday names; no `L`, `W`, `#` or `?`.
_CRON_FIELDS = [(0, 59, ""), (0, 23, ""), (1, 31, ""), (1, 12, _MONTHS), (0, 7, _DAYS)]
_LOOPBACK = ("127.0.0.1", "localhost", "::1")
RETRY_DEFAULTS = {
    "maxRetryDuration": "0s",
    "minBackoffDuration": "5s",
    "maxBackoffDuration": "3600s",
    "maxDoublings": 5,
}


def _cron_field_ok(text: str, low: int, high: int, names: str) -> bool:
    for item in text.split(","):
        body, _, step = item.partition("/")
        if step and not (step.isdigit() and int(step) > 0):
            return False
        if body == "*":
            continue
        for bound in body.split("-", 1):
            if names and re.fullmatch(names, bound.upper()):
                continue
            if not bound.isdigit() or not low <= int(bound) <= high:
                return False
    return True


def check_schedule(schedule: str, time_zone: str | None) -> None:
    fields = schedule.split()
    valid = len(fields) == 5 and all(_cron_field_ok(f, *spec) for f, spec in zip(fields, _CRON_FIELDS, strict=True))
    if time_zone:
        try:
            zoneinfo.ZoneInfo(time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            valid = False
    if not valid:
        raise invalid_argument("Schedule or time zone is invalid.", field_path="job.schedule")


@dataclass
class Attempt:
    job: str
    uri: str
    method: str
    headers: dict[str, str]
    body: bytes
    status: int | None
    error: str = ""


@dataclass
class SchedulerState:
    identity: Identity
    jobs: dict[str, dict[str, Any]] = field(default_factory=dict)
    attempts: list[Attempt] = field(default_factory=list)
    _fired: threading.Condition = field(default_factory=threading.Condition)

    def job(self, name: str) -> dict[str, Any]:
        if name not in self.jobs:
            raise not_found(name)
        return self.jobs[name]

    def wait_for_attempts(self, count: int, timeout: float = 10) -> list[Attempt]:
        """The attempts so far, once there are `count` of them (runs are sent in the background)."""
        with self._fired:
            self._fired.wait_for(lambda: len(self.attempts) >= count, timeout=timeout)
            return list(self.attempts)

    def fire(self, job: dict[str, Any]) -> None:
        threading.Thread(target=self._send, args=(dict(job),), daemon=True).start()

    def _send(self, job: dict[str, Any]) -> None:
        target = job["httpTarget"]
        uri, method = target["uri"], target.get("httpMethod", "POST")
        # The headers HttpTarget.headers documents Cloud Scheduler setting on every call, and the
        # Content-Type it defaults to when the job has a body.
        headers = {
            "user-agent": "Google-Cloud-Scheduler",
            "X-CloudScheduler": "true",
            "X-CloudScheduler-JobName": job["name"].rpartition("/jobs/")[2],
            "X-CloudScheduler-ScheduleTime": now(),
            **target.get("headers", {}),
        }
        body = base64.b64decode(target.get("body", ""))
        if body and not any(k.lower() == "content-type" for k in headers):
            headers["Content-Type"] = "application/octet-stream"
        if "oidcToken" in target:
            oidc = target["oidcToken"]
            token = self.identity.id_token(oidc["serviceAccountEmail"], oidc.get("audience") or uri)
            headers["authorization"] = f"Bearer {token}"
        attempt = Attempt(job["name"], uri, method, headers, body, None)
        if urlsplit(uri).hostname not in _LOOPBACK:
            attempt.error = "the fake sends job requests only to loopback addresses"
        else:
            request = urllib.request.Request(uri, data=body or None, method=method, headers=headers)
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    attempt.status = response.status
            except urllib.error.HTTPError as exc:
                attempt.status = exc.code
            except OSError as exc:
                attempt.error = str(exc)
        with self._fired:
            stored = self.jobs.get(job["name"])
            if stored is not None:
                stored["lastAttemptTime"] = now()
                ok = attempt.status is not None and attempt.status < 300
                stored["status"] = {} if ok else {"code": 14, "message": attempt.error or f"HTTP {attempt.status}"}
            self.attempts.append(attempt)
            self._fired.notify_all()


def _check_job(job: dict[str, Any]) -> None:
    targets = [t for t in ("httpTarget", "pubsubTarget", "appEngineHttpTarget") if t in job]
    if len(targets) != 1:
        raise invalid_argument("A job needs exactly one target (http_target, pubsub_target or app_engine_http_target).")
    check_schedule(job.get("schedule", ""), job.get("timeZone"))
    http = job.get("httpTarget")
    if http is not None:
        if urlsplit(http["uri"]).scheme not in ("http", "https"):
            raise invalid_argument(
                "HttpTarget.uri must begin with http:// or https://", field_path="job.http_target.uri"
            )
        if "oidcToken" in http and "oauthToken" in http:
            raise invalid_argument("Only one of oidc_token and oauth_token may be set.", field_path="job.http_target")
        email = http.get("oidcToken", {}).get("serviceAccountEmail", "x@x.gserviceaccount.com")
        if not re.fullmatch(r"[^@\s]+@[^@\s]+\.gserviceaccount\.com", email):
            raise invalid_argument(f"Invalid service account email {email!r}.", field_path="job.http_target.oidc_token")
        if http.get("body") and http.get("httpMethod", "POST") not in ("POST", "PUT", "PATCH"):
            raise invalid_argument("A body is allowed only with POST, PUT or PATCH.", field_path="job.http_target.body")
    deadline = job.get("attemptDeadline")
    if deadline is not None and http is not None and not 15 <= float(deadline.rstrip("s")) <= 1800:
        raise invalid_argument(
            "attempt_deadline must be between 15 seconds and 30 minutes.", field_path="job.attempt_deadline"
        )


def _finish(job: dict[str, Any]) -> dict[str, Any]:
    job.setdefault("attemptDeadline", "180s")
    job["retryConfig"] = {**RETRY_DEFAULTS, **job.get("retryConfig", {})}
    if "httpTarget" in job:
        job["httpTarget"].setdefault("httpMethod", "POST")
    job["userUpdateTime"] = now()
    job["scheduleTime"] = now()
    return job


def build(state: SchedulerState) -> Service:
    api = Api("cloudscheduler.v1")
    prefix = "cloudscheduler.projects.locations.jobs."

    def create(req: Request) -> Any:
        parent = req.param("parent")
        job = dict(req.body)
        name = job.get("name") or f"{parent}/jobs/{uuid.uuid4().hex}"
        job_parent, _, job_id = name.rpartition("/jobs/")
        if job_parent != parent or not JOB_ID.match(job_id):
            raise invalid_argument(
                f"Job name {name!r} must be {parent}/jobs/[A-Za-z0-9_-]{{1,500}}.", field_path="job.name"
            )
        if name in state.jobs:
            raise already_exists(name)
        _check_job(job)
        job.update(name=name, state="ENABLED")
        state.jobs[name] = _finish(job)
        return state.jobs[name]

    def patch(req: Request) -> Any:
        name = req.param("name")
        stored = state.job(name)
        body = {k: v for k, v in req.body.items() if k != "name"}
        mask = req.match.query.get("updateMask")
        paths = parse_mask(api, "Job", mask) if mask else list(body)
        updated = apply_mask(stored, body, paths)
        _check_job(updated)
        state.jobs[name] = _finish(updated)
        return updated

    def set_state(new_state: str) -> Handler:
        def handler(req: Request) -> Any:
            job = state.job(req.param("name"))
            job["state"] = new_state
            return job

        return handler

    def run(req: Request) -> Any:
        job = state.job(req.param("name"))
        if "httpTarget" in job:
            state.fire(job)
        return job

    def delete(req: Request) -> Any:
        state.job(req.param("name"))
        del state.jobs[req.param("name")]
        return {}

    def list_jobs(req: Request) -> Any:
        parent = req.param("parent") + "/jobs/"
        return page([j for n, j in sorted(state.jobs.items()) if n.startswith(parent)], req.match.query, "jobs")

    handlers: dict[str, Handler] = {
        prefix + "create": create,
        prefix + "get": lambda req: state.job(req.param("name")),
        prefix + "list": list_jobs,
        prefix + "patch": patch,
        prefix + "delete": delete,
        prefix + "pause": set_state("PAUSED"),
        prefix + "resume": set_state("ENABLED"),
        prefix + "run": run,
    }
    messages = {"Job": scheduler_v1.Job.pb()}
    return Service("cloudscheduler", api, handlers, messages)
