"""Local buckets for [storage.<role>]: where they are served, and what they answer, as a bucket would."""

from __future__ import annotations

from pathlib import Path

import pytest

from faas.providers.local.gateway.request import GatewayRequest
from faas.providers.local.static import LocalBucket, serve_bucket, static_prefix, sync_folder


def request(path: str, method: str = "GET", headers: list[tuple[str, str]] | None = None) -> GatewayRequest:
    return GatewayRequest(method, path, "", headers or [], b"", "127.0.0.1", "127.0.0.1", 8000)


@pytest.mark.parametrize(
    ("static_url", "mount", "served"),
    [
        ("static/", "", "/static/"),
        ("static/", "/dev", "/dev/static/"),  # REST API: Django adds the stage (SCRIPT_NAME)
        ("static/", "/api", "/api/static/"),  # Azure's route prefix
        ("/assets", "/api", "/assets/"),  # an absolute path gets no script prefix
        ("https://cdn.example.com/s/", "", "/s/"),
        (None, "", "/static/"),
    ],
)
def test_the_bucket_is_served_where_the_pages_link_it(static_url: str | None, mount: str, served: str) -> None:
    assert static_prefix(static_url, mount) == served


@pytest.fixture
def bucket(tmp_path: Path) -> LocalBucket:
    source = tmp_path / "collected"
    (source / "admin" / "css").mkdir(parents=True)
    (source / "admin" / "css" / "base.css").write_text("body { color: red }")
    (tmp_path / "secret.txt").write_text("outside the bucket")
    folder = tmp_path / "bucket"
    assert sync_folder(source, folder) == 1
    assert sync_folder(source, folder) == 0  # unchanged files are not copied again
    return LocalBucket("static", "site-dev-static", folder, True, "/static/")


def test_an_object_is_served_with_its_type_and_etag(bucket: LocalBucket) -> None:
    answer = serve_bucket([bucket], request("/static/admin/css/base.css"))
    assert answer is not None
    status, headers, body = answer
    assert (status, body) == (200, b"body { color: red }")
    assert dict(headers)["Content-Type"] == "text/css"
    etag = dict(headers)["ETag"]
    again = serve_bucket([bucket], request("/static/admin/css/base.css", headers=[("If-None-Match", etag)]))
    assert again is not None and again[0] == 304


def test_missing_keys_escapes_and_writes_are_refused(bucket: LocalBucket) -> None:
    for path in ("/static/nope.css", "/static/../secret.txt", "/static/%2e%2e/secret.txt", "/static/"):
        answer = serve_bucket([bucket], request(path))
        assert answer is not None and answer[0] == 404, path
    answer = serve_bucket([bucket], request("/static/admin/css/base.css", "POST"))
    assert answer is not None and answer[0] == 405


def test_other_paths_and_private_buckets_go_to_the_app(bucket: LocalBucket) -> None:
    assert serve_bucket([bucket], request("/admin/login/")) is None
    private = LocalBucket("media", "site-dev-media", bucket.folder, False, "/_faas/storage/media/")
    assert serve_bucket([private], request("/_faas/storage/media/admin/css/base.css")) is None
