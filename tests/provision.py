"""Install what the test suite needs from the registries, so the tests themselves stay on loopback.

`python -m tests.provision` is the install step of the README's test command (and of .ci/run): it
downloads the files tests/wheelhouse/lock.txt names, with their projects' listings, into the
wheelhouse (checked against the locked sha256; kept between runs), and the pinned Azurite from npm.
It may use the network, as `pip install` does; nothing run by pytest does.

`python -m tests.provision --record -- [pytest arguments]` refreshes the lock: it runs pytest with
the suite's index in record mode (the loopback fences lifted, files it misses fetched from PyPI and
added to lock.txt). A maintainer's step, never CI's.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.fakes.azure.azurite import ensure_azurite
from tests.wheelhouse.index import fetch_file, fetch_listing, file_path, listing_path
from tests.wheelhouse.lock import Lock, wheelhouse

RECORD_VARIABLE = "FAAS_WHEELHOUSE_RECORD"


def sync_wheelhouse(house: Path, lock: Lock) -> tuple[int, int]:
    """Download what the wheelhouse lacks; returns (files fetched, bytes fetched)."""
    missing_listings = [project for project in sorted(lock.listings) if not listing_path(house, project).exists()]
    with ThreadPoolExecutor(max_workers=8) as pool:
        found = pool.map(lambda project: fetch_listing(house, project), missing_listings)
        unknown = [project for project, known in zip(missing_listings, found, strict=True) if not known]
        if unknown:
            raise SystemExit(f"lock.txt lists {unknown}, which PyPI does not have")
        # Files are written whole (a .partial renamed once its sha256 matched): present means good.
        missing = [name for name in sorted(lock.files) if not file_path(house, name).exists()]
        list(pool.map(lambda name: fetch_file(house, name, lock.files[name]), missing))
    return len(missing), sum(file_path(house, name).stat().st_size for name in missing)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.provision", description=__doc__.split("\n\n")[0])
    parser.add_argument("--record", action="store_true", help="run pytest and add what it resolves to lock.txt")
    parser.add_argument("pytest_args", nargs="*", help="arguments for pytest, after --")
    arguments = parser.parse_args()
    house = wheelhouse()
    if arguments.record:
        environment = {**os.environ, RECORD_VARIABLE: "1"}
        command = [sys.executable, "-m", "pytest", *arguments.pytest_args]
        return subprocess.run(command, env=environment, check=False).returncode
    started = time.monotonic()
    lock = Lock.read()
    fetched, size = sync_wheelhouse(house, lock)
    print(
        f"wheelhouse {house}: {len(lock.files)} locked files, {fetched} fetched ({size / 1e6:.1f} MB) "
        f"in {time.monotonic() - started:.1f} s"
    )
    ensure_azurite()
    print("azurite: installed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
