"""Cloud Storage in front of the emulator: credentials, bucket inserts as Google applies them, public read."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest
from google.api_core import exceptions
from google.cloud import storage

from .fake import GcpFake


def client(fake: GcpFake, project: str | None = None) -> storage.Client:
    return storage.Client(
        project=project or fake.project, credentials=fake.credentials(), client_options=fake.client_options("storage")
    )


def anonymous_get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_the_json_api_needs_credentials(gcp_fake: GcpFake) -> None:
    status, body = anonymous_get(f"{gcp_fake.endpoints['storage']}/storage/v1/b?project={gcp_fake.project}")
    assert status == 401 and b"UNAUTHENTICATED" in body


def test_an_insert_keeps_labels_and_location_and_a_list_shows_the_projects_buckets(gcp_fake: GcpFake) -> None:
    mine = client(gcp_fake)
    bucket = mine.bucket("faas-front-labels")
    bucket.labels = {"faas-stage": "dev"}
    mine.create_bucket(bucket, location="us-central1")
    client(gcp_fake, "someone-else").create_bucket("faas-front-other")

    found = mine.get_bucket("faas-front-labels")
    assert found.labels == {"faas-stage": "dev"} and found.location.lower() == "us-central1"
    assert [b.name for b in mine.list_buckets()] == ["faas-front-labels"]
    with pytest.raises(exceptions.Conflict, match="not available"):
        client(gcp_fake, "someone-else").create_bucket("faas-front-labels")


def test_a_bad_bucket_name_is_refused(gcp_fake: GcpFake) -> None:
    with pytest.raises(exceptions.BadRequest, match="Invalid bucket name"):
        client(gcp_fake).create_bucket("goog-faas-static")  # the "goog" prefix is reserved


def test_objects_are_public_only_when_all_users_may_read(gcp_fake: GcpFake) -> None:
    bucket = client(gcp_fake).create_bucket("faas-front-public")
    bucket.blob("css/site.css").upload_from_string("body{}", content_type="text/css")
    url = f"{gcp_fake.endpoints['storage']}/faas-front-public/css/site.css"
    status, body = anonymous_get(url)
    assert status == 403 and b"AccessDenied" in body

    policy = bucket.get_iam_policy(requested_policy_version=3)
    policy.bindings.append({"role": "roles/storage.objectViewer", "members": {"allUsers"}})
    bucket.set_iam_policy(policy)
    assert anonymous_get(url) == (200, b"body{}")


def test_storage_writes_are_recorded_and_can_be_failed(gcp_fake: GcpFake) -> None:
    gcp_fake.faults.fail("UNAVAILABLE", api="storage", method="objects.insert")
    bucket = client(gcp_fake).create_bucket("faas-front-faults")
    with pytest.raises(exceptions.ServiceUnavailable):
        bucket.blob("a.txt").upload_from_string("a", retry=None)
    bucket.blob("a.txt").upload_from_string("a")
    methods = [(r.http_method, r.status) for r in gcp_fake.writes("storage")]
    assert methods == [("POST", 200), ("POST", 503), ("POST", 200)]
