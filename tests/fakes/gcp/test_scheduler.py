# mypy: disable-error-code="no-untyped-call,import-untyped"
"""Cloud Scheduler on the fake: HTTP jobs with an OIDC token, masks, and runs that really send."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from google.api_core import exceptions
from google.cloud import scheduler_v1
from google.oauth2 import id_token
from google.protobuf import duration_pb2, field_mask_pb2

from tests.fakes.gcp.clients import status_of
from tests.fakes.gcp.fake import GcpFake

pytestmark = pytest.mark.slow
RUNTIME_SA = "faas-demo-dev@faas-fake-project.iam.gserviceaccount.com"


def scheduler(fake: GcpFake) -> scheduler_v1.CloudSchedulerClient:
    return scheduler_v1.CloudSchedulerClient(
        transport="rest", client_options=fake.client_options("cloudscheduler"), credentials=fake.credentials()
    )


def http_job(fake: GcpFake, job_id: str, uri: str, **changes: Any) -> scheduler_v1.Job:
    fields: dict[str, Any] = {
        "name": f"{fake.location()}/jobs/{job_id}",
        "schedule": "0 10 * * 1-5",
        "time_zone": "Etc/UTC",
        "attempt_deadline": duration_pb2.Duration(seconds=320),
        "http_target": scheduler_v1.HttpTarget(
            uri=uri,
            http_method=scheduler_v1.HttpMethod.POST,
            body=b'{"schedule": "nightly"}',
            headers={"content-type": "application/json"},
            oidc_token=scheduler_v1.OidcToken(service_account_email=RUNTIME_SA, audience=uri),
        ),
    }
    fields.update(changes)
    return scheduler_v1.Job(**fields)


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A loopback HTTP server standing in for the function: it records what it is sent."""
    seen: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            seen.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body})
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/_faas/schedule", seen
    server.shutdown()
    server.server_close()


def test_create_and_get_a_job_with_an_oidc_token(gcp_fake: GcpFake) -> None:
    client = scheduler(gcp_fake)
    uri = "https://nightly-123456789012.us-central1.run.app/_faas/schedule"
    created = client.create_job(parent=gcp_fake.location(), job=http_job(gcp_fake, "nightly-create", uri))
    assert created.state == scheduler_v1.Job.State.ENABLED
    assert created.http_target.oidc_token.audience == uri
    assert created.retry_config.min_backoff_duration.seconds == 5  # server defaults
    got = client.get_job(name=created.name)
    assert got.schedule == "0 10 * * 1-5" and got.http_target.body == b'{"schedule": "nightly"}'
    assert got.attempt_deadline.seconds == 320
    post = next(r for r in gcp_fake.requests if r.method_id == "cloudscheduler.projects.locations.jobs.create")
    assert post.body["httpTarget"]["httpMethod"] == 1  # the client sends integer enums
    with pytest.raises(exceptions.Conflict) as exc:
        client.create_job(parent=gcp_fake.location(), job=http_job(gcp_fake, "nightly-create", uri))
    assert status_of(exc) == "ALREADY_EXISTS"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"schedule": "0 0 L * *"}, "Schedule or time zone is invalid"),
        ({"schedule": "0 0 * *"}, "Schedule or time zone is invalid"),
        ({"schedule": "61 * * * *"}, "Schedule or time zone is invalid"),
        ({"time_zone": "Mars/Olympus_Mons"}, "Schedule or time zone is invalid"),
        ({"attempt_deadline": duration_pb2.Duration(seconds=5)}, "between 15 seconds and 30 minutes"),
        ({"name": "projects/other/locations/us-central1/jobs/x"}, "must be"),
    ],
)
def test_jobs_the_api_refuses(gcp_fake: GcpFake, changes: dict[str, Any], message: str) -> None:
    job = http_job(gcp_fake, "refused", "https://x-1.us-central1.run.app/", **changes)
    with pytest.raises(exceptions.BadRequest, match=message):
        scheduler(gcp_fake).create_job(parent=gcp_fake.location(), job=job)


def test_a_job_without_a_target_is_refused(gcp_fake: GcpFake) -> None:
    job = scheduler_v1.Job(name=f"{gcp_fake.location()}/jobs/no-target", schedule="* * * * *")
    with pytest.raises(exceptions.BadRequest, match="exactly one target"):
        scheduler(gcp_fake).create_job(parent=gcp_fake.location(), job=job)


def test_patch_with_a_mask_and_without_one(gcp_fake: GcpFake) -> None:
    client = scheduler(gcp_fake)
    uri = "https://patched-1.us-central1.run.app/"
    job = client.create_job(parent=gcp_fake.location(), job=http_job(gcp_fake, "patched", uri))
    change = scheduler_v1.Job(name=job.name, schedule="*/15 * * * *", description="not masked")
    masked = client.update_job(job=change, update_mask=field_mask_pb2.FieldMask(paths=["schedule"]))
    assert masked.schedule == "*/15 * * * *" and masked.description == ""
    assert masked.http_target.oidc_token.service_account_email == RUNTIME_SA
    # No mask: the populated fields of the body are the mask (AIP-134); the target stays.
    implied = client.update_job(job=scheduler_v1.Job(name=job.name, description="now set"))
    assert implied.description == "now set" and implied.schedule == "*/15 * * * *"
    assert implied.http_target.uri == uri


def test_pause_resume_delete(gcp_fake: GcpFake) -> None:
    client = scheduler(gcp_fake)
    job = client.create_job(parent=gcp_fake.location(), job=http_job(gcp_fake, "lifecycle", "https://l-1.a.run.app/"))
    assert client.pause_job(name=job.name).state == scheduler_v1.Job.State.PAUSED
    assert client.resume_job(name=job.name).state == scheduler_v1.Job.State.ENABLED
    client.delete_job(name=job.name)
    with pytest.raises(exceptions.NotFound):
        client.get_job(name=job.name)


def test_run_sends_the_request_with_an_id_token_for_the_job_account(
    gcp_fake: GcpFake, receiver: tuple[str, list[dict[str, Any]]]
) -> None:
    uri, seen = receiver
    client = scheduler(gcp_fake)
    job = client.create_job(parent=gcp_fake.location(), job=http_job(gcp_fake, "runs-now", uri))
    before = len(gcp_fake.scheduler.attempts)
    client.run_job(name=job.name)
    attempts = gcp_fake.scheduler.wait_for_attempts(before + 1)
    assert attempts[-1].status == 204, attempts[-1]
    assert len(seen) == 1 and seen[0]["body"] == b'{"schedule": "nightly"}'
    token = seen[0]["headers"]["authorization"].removeprefix("Bearer ")
    claims = id_token.verify_token(token, gcp_fake.auth_request(), audience=uri, certs_url=gcp_fake.certs_url)
    assert claims["email"] == RUNTIME_SA
    assert client.get_job(name=job.name).last_attempt_time


def test_run_never_sends_past_loopback(gcp_fake: GcpFake) -> None:
    client = scheduler(gcp_fake)
    job = client.create_job(parent=gcp_fake.location(), job=http_job(gcp_fake, "far-away", "https://x-1.a.run.app/"))
    before = len(gcp_fake.scheduler.attempts)
    client.run_job(name=job.name)
    attempt = gcp_fake.scheduler.wait_for_attempts(before + 1)[-1]
    assert attempt.status is None and "only to loopback" in attempt.error
    assert client.get_job(name=job.name).status.code == 14
