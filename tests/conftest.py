"""Settings and session fixtures shared by the whole suite.

The session fixtures live here, at the root, so that on every xdist worker they are set up before any
other session fixture (a fake control plane, moto, Azurite) and torn down after all of them: the
leftover-process check then sees only what a fixture really forgot, not a fake still running.
"""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from tests import loopback
from tests.provision import RECORD_VARIABLE
from tests.wheelhouse.index import PackageIndex
from tests.wheelhouse.lock import Lock, wheelhouse

# CI must answer the same on every run of the same commit: there, property tests draw a fixed
# sequence of examples. Anywhere else they draw fresh ones, which is how new bugs are found
# (a cron that never fires was found that way); a failure prints the example to turn into a test.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

# Record mode (python -m tests.provision --record) is the one run allowed to reach PyPI.
RECORDING = os.environ.get(RECORD_VARIABLE) == "1"
if not RECORDING:
    loopback.fence_children(loopback.closed_port())
    loopback.guard_this_process()

# urllib builds its global opener on the first urlopen, and the opener's ProxyHandler keeps the
# proxies of that moment for good. A first urlopen inside a GCP test (whose fake sets HTTP_PROXY to
# a closed port, and NO_PROXY for loopback, for that test only) left every later urlopen of the
# worker going to the closed proxy once NO_PROXY was gone: build it now, from the suite's own
# environment.
urllib.request.install_opener(urllib.request.build_opener())


@pytest.fixture(scope="session", autouse=True)
def faas_cache() -> Iterator[Path]:
    """Runtime envs and wheels are reused across tests and runs (FAAS_CACHE_DIR wins if set)."""
    chosen = os.environ.get("FAAS_CACHE_DIR") or str(Path(tempfile.gettempdir()) / "faas-test-cache")
    previous = os.environ.get("FAAS_CACHE_DIR")
    os.environ["FAAS_CACHE_DIR"] = chosen
    yield Path(chosen)
    if previous is None:
        os.environ.pop("FAAS_CACHE_DIR", None)


@pytest.fixture(scope="session", autouse=True)
def package_index() -> Iterator[PackageIndex]:
    """The suite's package index (tests/wheelhouse): every pip of the session resolves against it."""
    index = PackageIndex(wheelhouse(), Lock.read(), record=RECORDING).start()
    names = ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "PIP_CONSTRAINT", "PIP_CONFIG_FILE")
    saved = {name: os.environ.get(name) for name in names}
    for name in names:
        os.environ.pop(name, None)
    # Only this index answers: a machine's pip.conf or PIP_* variables must not add another source.
    os.environ["PIP_INDEX_URL"] = index.url
    os.environ["PIP_CONFIG_FILE"] = os.devnull
    yield index
    index.stop()
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(autouse=True)
def stays_on_loopback(package_index: PackageIndex) -> Iterator[None]:
    """Fails the test that tried to leave loopback, or asked the index for a file it does not hold."""
    loopback.take_attempts()
    package_index.take_misses()
    yield
    attempts = loopback.take_attempts()
    assert not attempts, f"loopback only: this test tried to reach {attempts}"
    misses = package_index.take_misses()
    assert not misses, (
        f"the suite's package index does not hold {misses}: record them with "
        "`python -m tests.provision --record -- <this test>`, then commit tests/wheelhouse/lock.txt"
    )


@pytest.fixture(scope="session", autouse=True)
def no_process_left_behind(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """After the session, no process may still run in a test's folder; any found is killed and reported."""
    yield
    base = str(tmp_path_factory.getbasetemp())
    leftovers = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if os.readlink(proc / "cwd").startswith(base):
                leftovers.append(int(proc.name))
        except OSError:
            continue
    described = {pid: _command_line(pid) for pid in leftovers}
    for pid in leftovers:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    assert not leftovers, f"processes left behind by the tests: {described}"


def _command_line(pid: int) -> str:
    """What a leftover process runs, for the report (which fixture forgot it)."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")[:200]
    except OSError:
        return "?"


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """Workers for `-n auto`: one per usable core, and at least three.

    Much of the suite waits rather than computes (servers and interpreters starting, Azure's
    long-running operations polled after their 1 s Retry-After, pip resolving), so on a machine of
    one or two cores a third worker runs while the others wait.
    """
    return max(3, len(os.sched_getaffinity(0)))
