"""lock.txt: the files the suite resolves, and where the wheelhouse keeps them.

One line each, `file <filename> <sha256>`, `listing <project>` (a project whose listing a test
reads without downloading a file of it) or `absent <name>` (a name PyPI does not have, which a test
asks for on purpose), after a `cutoff <ISO time>` line: listings are served as PyPI listed them at
that time, so resolution does not drift when projects release.
"""

from __future__ import annotations

import fcntl
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from packaging.utils import InvalidSdistFilename, InvalidWheelFilename, parse_sdist_filename, parse_wheel_filename

LOCK = Path(__file__).with_name("lock.txt")
UPSTREAM = os.environ.get("FAAS_WHEELHOUSE_UPSTREAM", "https://pypi.org/simple").rstrip("/")


def wheelhouse() -> Path:
    """Where the downloaded files and listings live: `FAAS_TEST_WHEELHOUSE`, else the user's cache."""
    chosen = os.environ.get("FAAS_TEST_WHEELHOUSE") or str(Path.home() / ".cache" / "faas-test-wheelhouse")
    return Path(chosen)


def project_of(filename: str) -> str:
    """The canonical project name of a wheel or sdist file name."""
    try:
        if filename.endswith(".whl"):
            return str(parse_wheel_filename(filename)[0])
        return str(parse_sdist_filename(filename)[0])
    except (InvalidWheelFilename, InvalidSdistFilename) as error:
        raise ValueError(f"lock.txt: {filename!r} is not a wheel or sdist file name") from error


@dataclass
class Lock:
    cutoff: datetime
    files: dict[str, str] = field(default_factory=dict)
    """filename -> sha256"""
    listings: set[str] = field(default_factory=set)
    """projects whose listing is needed (every file's project, and listing-only ones)"""
    absent: set[str] = field(default_factory=set)
    """names PyPI answers 404 for"""

    @classmethod
    def read(cls, path: Path = LOCK) -> Lock:
        if not path.exists():
            return cls(datetime.now(UTC).replace(microsecond=0))
        cutoff: datetime | None = None
        files: dict[str, str] = {}
        listings: set[str] = set()
        absent: set[str] = set()
        for number, line in enumerate(path.read_text().splitlines(), 1):
            words = line.split()
            if not words or words[0].startswith("#"):
                continue
            match words:
                case ["cutoff", when]:
                    cutoff = datetime.fromisoformat(when)
                case ["file", filename, sha256]:
                    files[filename] = sha256
                    listings.add(project_of(filename))
                case ["listing", project]:
                    listings.add(project)
                case ["absent", name]:
                    absent.add(name)
                case _:
                    raise ValueError(f"{path}:{number}: cannot read {line!r}")
        if cutoff is None:
            raise ValueError(f"{path}: no 'cutoff <ISO time>' line")
        return cls(cutoff, files, listings, absent)

    def write(self, path: Path = LOCK) -> None:
        file_projects = {project_of(name) for name in self.files}
        lines = [
            "# The files the test suite resolves (tests/wheelhouse/__init__.py). Written by",
            "# `python -m tests.provision --record`; `python -m tests.provision` downloads them.",
            f"cutoff {self.cutoff.isoformat()}",
            *(f"listing {project}" for project in sorted(self.listings - file_projects)),
            *(f"absent {name}" for name in sorted(self.absent)),
            *(f"file {name} {sha}" for name, sha in sorted(self.files.items())),
        ]
        path.write_text("\n".join(lines) + "\n")


def add_to_lock(
    filename: str | None = None,
    sha256: str | None = None,
    project: str | None = None,
    absent: str | None = None,
    path: Path = LOCK,
) -> None:
    """Record a file, a listing or an absent name in lock.txt; several recording processes may call this at once."""
    wheelhouse().mkdir(parents=True, exist_ok=True)
    with (wheelhouse() / ".lock-writer").open("w") as guard:
        fcntl.flock(guard, fcntl.LOCK_EX)
        lock = Lock.read(path)
        if filename is not None and sha256 is not None:
            lock.files[filename] = sha256
        if project is not None:
            lock.listings.add(project)
        if absent is not None:
            lock.absent.add(absent)
        lock.write(path)
