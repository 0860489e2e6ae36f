"""pytest fixtures that run the fake GCP control plane for a test.

A provider's tests import them in their conftest.py:

    from tests.fakes.gcp.fixture import gcp_fake  # noqa: F401  (the fixture)

`gcp_fake_session` starts one fake (and one storage emulator process) per test session;
`gcp_fake` hands each test that fake with a clean request log and no pending faults, and with the
environment set so that google-auth and the clients reach nothing but loopback.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

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
    with fake.hub.lock:
        fake.hub.requests.clear()
        fake.faults.pending.clear()
        fake.faults.disabled_apis.clear()
        fake.faults.failing_builds.clear()
    yield fake
