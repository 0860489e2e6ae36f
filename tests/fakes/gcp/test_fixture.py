# mypy: disable-error-code="no-untyped-call,import-untyped,attr-defined"
"""The fixture itself: loopback only, google.auth.default() finds the fake's key, state is reset."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import google.auth
import pytest
from google.auth.compute_engine import _metadata
from google.cloud import functions_v2, storage

from tests.fakes.gcp.fake import GcpFake

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[3]


def test_every_endpoint_is_loopback_http(gcp_fake: GcpFake) -> None:
    assert set(gcp_fake.endpoints) >= {"cloudfunctions", "run", "cloudscheduler", "logging", "oauth2", "storage"}
    for url in gcp_fake.endpoints.values():
        assert url.startswith("http://127.0.0.1:"), url
    assert gcp_fake.token_uri.startswith("http://127.0.0.1:")


def test_the_metadata_server_is_never_probed(gcp_fake: GcpFake) -> None:
    calls: list[object] = []

    def request(*args: object, **kwargs: object) -> None:
        calls.append((args, kwargs))
        raise AssertionError("google-auth tried the metadata server")

    assert _metadata.is_on_gce(request) is False
    assert calls == []
    assert os.environ["GCE_METADATA_HOST"] == f"127.0.0.1:{gcp_fake.closed_port}"


def test_proxies_point_at_a_closed_loopback_port_and_loopback_bypasses_them(gcp_fake: GcpFake) -> None:
    proxies = urllib.request.getproxies()
    assert proxies["https"] == f"http://127.0.0.1:{gcp_fake.closed_port}"
    assert urllib.request.proxy_bypass("127.0.0.1")


def test_application_default_credentials_are_the_fakes_key(gcp_fake: GcpFake) -> None:
    credentials, project = google.auth.default(scopes=["https://www.googleapis.com/auth/cloud-platform"])
    assert project == gcp_fake.project
    assert credentials.service_account_email == gcp_fake.account.email
    # A client built from ADC alone (no credentials argument) is accepted by the fake.
    client = functions_v2.FunctionServiceClient(
        transport="rest", client_options=gcp_fake.client_options("cloudfunctions")
    )
    assert list(client.list_functions(parent=gcp_fake.location())) == []


def test_a_fresh_process_with_env_reaches_only_the_fake(gcp_fake: GcpFake) -> None:
    # In a new process google-auth reads the environment at import: NO_GCE_CHECK must be "true".
    code = (
        "from google.auth.compute_engine import _metadata as m; import google.auth;"
        "c, p = google.auth.default(); print(m._NO_GCE_CHECK, m._GCE_METADATA_HOST, p)"
    )
    env = {**os.environ, **gcp_fake.env()}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", f"127.0.0.1:{gcp_fake.closed_port}", gcp_fake.project]


def storage_client(fake: GcpFake) -> storage.Client:
    return storage.Client(
        project=fake.project, credentials=fake.credentials(), client_options=fake.client_options("storage")
    )


def test_google_cloud_storage_talks_to_the_emulator(gcp_fake: GcpFake) -> None:
    client = storage_client(gcp_fake)
    bucket = client.create_bucket("faas-static-test")
    bucket.blob("css/site.css").upload_from_string("body{}", content_type="text/css")
    assert client.bucket("faas-static-test").blob("css/site.css").download_as_bytes() == b"body{}"


def test_reset_forgets_every_resource_request_and_object(gcp_fake: GcpFake) -> None:
    from tests.fakes.gcp.clients import create

    create(gcp_fake, "reset-me")
    client = storage_client(gcp_fake)
    client.create_bucket("faas-reset-test").blob("x").upload_from_string("x")
    gcp_fake.faults.fail("UNAVAILABLE", nth=5)
    assert gcp_fake.functions.functions and gcp_fake.run.services and gcp_fake.requests

    gcp_fake.reset()

    assert gcp_fake.functions.functions == {} and gcp_fake.run.services == {} and gcp_fake.run.policies == {}
    assert gcp_fake.requests == [] and gcp_fake.faults.pending == []
    assert gcp_fake.emulator is not None and gcp_fake.emulator.metadata("faas-reset-test", "x") is None


def test_it_starts_on_its_own_and_prints_exports() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.gcp"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        lines = []
        for line in proc.stdout:
            lines.append(line.strip())
            if line.startswith("# ready"):
                break
        exports = dict(line.removeprefix("export ").split("=", 1) for line in lines if line.startswith("export "))
        assert exports["NO_GCE_CHECK"] == "true"
        assert Path(exports["GOOGLE_APPLICATION_CREDENTIALS"].strip("'")).is_file()
        assert exports["CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDFUNCTIONS"].strip("'").startswith("http://127.0.0.1:")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
