"""The build step of a deploy: the archive's requirements.txt installed, as Cloud Build's pip step does.

A requirement the test interpreter already satisfies (functions-framework, Flask, Django...: the
name is installed at a version the specifier allows) is served from the host's packages, as the
runtime image serves functions-framework; only the others are installed, once per distinct set,
with `pip install --target` from the index pip is configured with (in the tests the machine's local
index: the fixture's proxy settings leave pip nothing beyond loopback and file:// indexes), and the
result is put on the revision's PYTHONPATH. A requirement that does not resolve fails the build,
and the deploy's operation ends with Cloud Build's kind of error, so a provider's pre-upload check
and its error reporting are both exercised. The install is cached across runs by the file's digest
(FAAS_GCP_FAKE_CACHE, else `faas-test-cache/gcp-fake-deps` in the temp dir), like the local
provider's requirement installs.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import io
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

READY_MARK = ".gcp-fake-ready"


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """Exclusive across processes: xdist workers and a second session share the cache."""
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class BuildFailed(Exception):
    """pip could not install the requirements; the message is the tail of pip's output."""


def requirements_of(archive: bytes) -> str:
    """The text of the archive's top-level requirements.txt ("" if it has none)."""
    with zipfile.ZipFile(io.BytesIO(archive)) as zf:
        try:
            return zf.read("requirements.txt").decode("utf-8")
        except KeyError:
            return ""


def _satisfied(line: str) -> bool:
    """A blank or comment line, or a requirement the host's installed distributions meet."""
    text = line.split(" #", 1)[0].strip()
    if not text or text.startswith("#"):
        return True
    try:
        requirement = Requirement(text)
    except InvalidRequirement:
        return False  # an option line (-r, --index-url...) or a URL: pip judges it
    if requirement.marker is not None and not requirement.marker.evaluate():
        return True
    if requirement.url or requirement.extras:
        return False
    try:
        installed = metadata.version(requirement.name)
    except metadata.PackageNotFoundError:
        return False
    return requirement.specifier.contains(installed, prereleases=True)


def default_cache() -> Path:
    explicit = os.environ.get("FAAS_GCP_FAKE_CACHE")
    return Path(explicit) if explicit else Path(tempfile.gettempdir()) / "faas-test-cache" / "gcp-fake-deps"


class Builder:
    """Installs requirements files into cached directories, one per content digest."""

    def __init__(self, cache: Path | None = None, *, proxy: str | None = None) -> None:
        self.cache = cache or default_cache()
        # pip gets the fake's closed-port proxy whatever the caller's environment, so a build never
        # reaches past loopback: only file:// indexes and find-links on this machine can answer.
        self.proxy = proxy
        self.installs = 0  # pip runs this fake made (cache misses), for tests of the cache

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        if self.proxy is not None:
            for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
                env[name] = self.proxy
            env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
        return env

    def install(self, requirements: str) -> Path | None:
        """The directory holding `requirements` installed (None when the host satisfies them all)."""
        wanted = [line for line in requirements.splitlines() if not _satisfied(line)]
        if not wanted:
            return None
        requirements = "\n".join(wanted) + "\n"
        version = f"py{sys.version_info.major}.{sys.version_info.minor}"
        digest = hashlib.sha256(requirements.encode()).hexdigest()[:16]
        target = self.cache / f"{version}-{digest}"
        if (target / READY_MARK).is_file():
            return target
        self.cache.mkdir(parents=True, exist_ok=True)
        with _file_lock(self.cache / f".{target.name}.lock"):
            if (target / READY_MARK).is_file():
                return target
            building = target.with_name(target.name + ".building")
            shutil.rmtree(building, ignore_errors=True)
            building.mkdir()
            (building / "requirements.txt").write_text(requirements, encoding="utf-8")
            self.installs += 1
            completed = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    "--no-input",
                    "--retries",
                    "0",
                    "--target",
                    str(building / "site"),
                    "-r",
                    str(building / "requirements.txt"),
                ],
                cwd=building,
                env=self._env(),
                capture_output=True,
                text=True,
                check=False,
                timeout=600,
            )
            if completed.returncode != 0:
                shutil.rmtree(building, ignore_errors=True)
                lines = [line for line in (completed.stderr + completed.stdout).splitlines() if "ERROR" in line]
                raise BuildFailed("\n".join(lines[-3:]) or f"pip exited with code {completed.returncode}")
            shutil.rmtree(target, ignore_errors=True)
            (building / "site" / READY_MARK).write_text(digest)
            (building / "site").rename(target)
            shutil.rmtree(building, ignore_errors=True)
        return target
