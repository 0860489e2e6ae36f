"""pytest fixtures that run the fake GCP control plane for a test.

A provider's tests import them in their conftest.py:

    from tests.fakes.gcp.fixture import gcp_fake  # noqa: F401  (the fixture)

`gcp_fake_session` starts one fake (and one storage emulator process) per test session;
`gcp_fake` hands each test that fake reset (no resource, request, fault or stored object left from
an earlier test), with the environment set so that google-auth and the clients reach nothing but loopback;
`gcp_env` adds what points faas itself at the fake (its API endpoints, the project).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from google.auth.compute_engine import _metadata

from .fake import GcpFake


@pytest.fixture(scope="session")
def gcp_fake_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GcpFake]:
    with GcpFake(tmp_path_factory.mktemp("gcp-fake")) as fake:
        yield fake


@pytest.fixture
def gcp_fake(gcp_fake_session: GcpFake, monkeypatch: pytest.MonkeyPatch) -> Iterator[GcpFake]:
    fake = gcp_fake_session
    for name, value in fake.env().items():
        monkeypatch.setenv(name, value)
    # google-auth reads NO_GCE_CHECK and GCE_METADATA_HOST once, when _metadata is first imported;
    # in this process that has happened already, so the module's copies are set too.
    monkeypatch.setattr(_metadata, "_NO_GCE_CHECK", True)
    monkeypatch.setattr(_metadata, "_GCE_METADATA_HOST", fake.env()["GCE_METADATA_HOST"])
    fake.reset()
    yield fake


@pytest.fixture
def gcp_env(gcp_fake: GcpFake, monkeypatch: pytest.MonkeyPatch) -> GcpFake:
    """The fake's endpoints in FAAS_GCP_API_ENDPOINTS, the way a user points faas at other endpoints."""
    endpoints = ",".join(f"{key}={url}" for key, url in gcp_fake.endpoints.items())
    monkeypatch.setenv("FAAS_GCP_API_ENDPOINTS", endpoints)
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", gcp_fake.project)
    return gcp_fake
