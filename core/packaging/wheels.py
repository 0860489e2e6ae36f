"""Wheels for the target platform: which tags it loads, where the index has them, how to install one.

Installing is unpacking (the wheel spec is simple for a flat target dir), done here rather than by
`pip install --target`: pip writes console scripts with this machine's interpreter path and an
INSTALLER file, which would make the artifact depend on the machine that built it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.tags import Tag, compatible_tags, cpython_tags
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from faas.core.errors import PackagingError
from faas.core.packaging.target import PackageTarget, manylinux_tags

DEFAULT_INDEX = "https://pypi.org/simple"
_SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"


def platform_tags(target: PackageTarget) -> tuple[str, ...]:
    """The target's platform tags; manylinux for its architecture when the provider names none.

    Platforms that build from requirements.txt (GCP, Azure) run Linux too: resolving for it keeps
    the pins valid where they get installed.
    """
    return target.platform_tags or manylinux_tags(target.architecture)


def python_version(target: PackageTarget) -> tuple[int, int]:
    major, minor = target.python.split(".")[:2]
    return int(major), int(minor)


def supported_tags(target: PackageTarget) -> frozenset[Tag]:
    """Every wheel tag the target interpreter can load."""
    version = python_version(target)
    platforms = list(platform_tags(target))
    abi = f"cp{version[0]}{version[1]}"
    tags = set(cpython_tags(version, abis=[abi, "abi3", "none"], platforms=platforms))
    tags.update(compatible_tags(version, interpreter=abi, platforms=platforms))
    return frozenset(tags)


def marker_environment(target: PackageTarget) -> dict[str, str]:
    """PEP 508 marker values of the target (pip evaluates markers for the host, so we re-check them)."""
    version = "{}.{}".format(*python_version(target))
    return {
        "implementation_name": "cpython",
        "implementation_version": f"{version}.0",
        "os_name": "posix",
        "platform_machine": "aarch64" if target.architecture == "arm64" else "x86_64",
        "platform_python_implementation": "CPython",
        "platform_release": "",
        "platform_system": "Linux",
        "platform_version": "",
        "python_full_version": f"{version}.0",
        "python_version": version,
        "sys_platform": "linux",
    }


def is_pure(filename: str) -> bool:
    """A wheel any Python 3 on any platform loads."""
    _, _, _, tags = parse_wheel_filename(filename)
    return all(tag.abi == "none" and tag.platform == "any" for tag in tags)


@dataclass(frozen=True)
class IndexFile:
    filename: str
    version: Version
    requires_python: str | None


def index_url() -> str:
    return os.environ.get("PIP_INDEX_URL", DEFAULT_INDEX).rstrip("/")


def shown_index_url() -> str:
    """The index URL for messages: a private index's credentials (`https://user:token@host`) left out."""
    parts = urllib.parse.urlsplit(index_url())
    if parts.username is None and parts.password is None:
        return index_url()
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


@dataclass(frozen=True)
class IndexListing:
    """What the index says about one project name."""

    files: list[IndexFile]
    known: bool | None
    """False when the index answered that it has no such project (404), None when it could not be asked."""


def index_listing(project: str, timeout: float = 30) -> IndexListing:
    """The files the index lists for `project` (PEP 691 JSON), and whether it knows the name at all."""
    url = f"{index_url()}/{canonicalize_name(project)}/"
    request = urllib.request.Request(url, headers={"Accept": _SIMPLE_JSON})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data = json.load(response)
    except urllib.error.HTTPError as error:
        # PEP 503 indexes answer 404 for a name they do not have; anything else says nothing about the name.
        return IndexListing([], known=False if error.code == 404 else None)
    except (OSError, ValueError):
        return IndexListing([], known=None)
    files = []
    for item in data.get("files", []):
        filename = str(item.get("filename", ""))
        version = _version_of(filename)
        if version is not None and not item.get("yanked"):
            files.append(IndexFile(filename, version, item.get("requires-python")))
    return IndexListing(files, known=True)


def index_files(project: str, timeout: float = 30) -> list[IndexFile]:
    """The files the index lists for `project`. Empty when the index cannot say."""
    return index_listing(project, timeout).files


def _version_of(filename: str) -> Version | None:
    try:
        if filename.endswith(".whl"):
            return parse_wheel_filename(filename)[1]
        return parse_sdist_filename(filename)[1]
    except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion):
        return None


def fits(file: IndexFile, target: PackageTarget, tags: frozenset[Tag]) -> bool:
    """Whether `file` is a wheel the target can install."""
    if not file.filename.endswith(".whl"):
        return False
    if file.requires_python:
        try:
            if Version("{}.{}.0".format(*python_version(target))) not in SpecifierSet(file.requires_python):
                return False
        except (InvalidSpecifier, InvalidVersion):
            pass
    return bool(parse_wheel_filename(file.filename)[3] & tags)


def has_compiled_wheels(files: list[IndexFile]) -> bool:
    """Whether the project ever shipped platform-specific wheels, i.e. it contains compiled code."""
    return any(file.filename.endswith(".whl") and not is_pure(file.filename) for file in files)


def nearest_compatible(files: list[IndexFile], wanted: Version | None, target: PackageTarget) -> Version | None:
    """The version closest to `wanted` (the next newer first) that has a wheel for the target."""
    tags = supported_tags(target)
    good = sorted({file.version for file in files if fits(file, target, tags) and not file.version.is_prerelease})
    if not good:
        return None
    if wanted is None:
        return good[-1]
    newer = [version for version in good if version >= wanted]
    return newer[0] if newer else good[-1]


def download(url: str, sha256: str | None, destination: Path) -> Path:
    """Fetch `url` into `destination` (a file path), checking its sha256; kept if already there."""
    if destination.is_file():
        return destination
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(f".{destination.name}.{os.getpid()}.part")
    digest = hashlib.sha256()
    try:
        with urllib.request.urlopen(url, timeout=180) as response, partial.open("wb") as out:
            while chunk := response.read(1 << 20):
                digest.update(chunk)
                out.write(chunk)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise PackagingError(f"cannot download {url}: {error}") from None
    if sha256 and digest.hexdigest() != sha256:
        partial.unlink(missing_ok=True)
        raise PackagingError(f"{url} does not match its published sha256; refusing to package it")
    os.replace(partial, destination)
    return destination


def install_wheel(wheel: Path, target_dir: Path) -> list[str]:
    """Unpack `wheel` into the flat `target_dir`; returns the installed paths (posix, relative).

    `.data/purelib` and `.data/platlib` land at the root like the rest; scripts, headers and data
    are left out: nothing on a function's read-only filesystem runs or builds them.
    """
    installed = []
    with zipfile.ZipFile(wheel) as archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            parts = PurePosixPath(info.filename).parts
            if any(part in ("..", "") or part.startswith("/") for part in parts):
                raise PackagingError(f"{wheel.name} holds an unsafe path: {info.filename}")
            if parts[0].endswith(".data"):
                if len(parts) < 3 or parts[1] not in ("purelib", "platlib"):
                    continue
                parts = parts[2:]
            relative = "/".join(parts)
            destination = target_dir.joinpath(*parts)
            destination.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(info) as source, destination.open("wb") as out:
                shutil.copyfileobj(source, out)
            if (info.external_attr >> 16) & 0o111:
                destination.chmod(0o755)
            installed.append(relative)
    return installed
