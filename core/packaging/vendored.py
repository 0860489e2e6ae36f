"""Dependencies for the target, through the cache: resolve once, download once, unpack once.

A rebuild of an unchanged project reads the resolution and the unpacked tree from the cache and
does no network call, no unpacking and no compiling (the rebuild benchmark relies on it).
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.requirements import Requirement

from faas.core.packaging import bytecode, cache, wheels
from faas.core.packaging.archive import Deflated, Entry, deflate_files
from faas.core.packaging.dependencies import Declaration
from faas.core.packaging.resolve import Distribution, Resolution, resolve
from faas.core.packaging.target import PackageTarget
from faas.core.reporting import Reporter

FILES_INDEX = ".faas-files.json"
PYC_INDEX = ".faas-pyc.json"
DEFLATED_INDEX = ".faas-deflated.json"
DEFLATED_BLOB = ".faas-deflated.bin"
UNPINNED_RESOLUTION_TTL = 24 * 3600


@dataclass(frozen=True)
class Dependencies:
    resolution: Resolution
    site_dir: Path | None
    """The unpacked dependencies (vendored targets, or Django's collectstatic); None without any."""


def _resolution(
    declaration: Declaration, target: PackageTarget, runtime_provided: Iterable[str], reporter: Reporter
) -> Resolution:
    root = cache.cache_root()
    provided = sorted(runtime_provided)
    find_links = [str(Path(link).resolve()) if os.path.isdir(link) else link for link in declaration.find_links]
    key = cache.cache_key(
        "resolve",
        declaration.requirements,
        declaration.constraints,
        find_links,
        wheels.platform_tags(target),
        target.python,
        target.architecture,
        provided,
    )
    path = root / "resolve" / f"{key}.json"
    data = cache.read_json(path)
    if isinstance(data, dict) and data.get("expires", float("inf")) > time.time():
        return Resolution(
            tuple(Distribution.from_json(item) for item in data["distributions"]), tuple(data["left_out"])
        )
    work = root / "tmp" / f"resolve-{key}-{os.getpid()}"
    try:
        with reporter.progress("Resolving dependencies") as task:
            resolution = resolve(declaration, target, provided, work, root / "built")
            task.advance()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    record: dict[str, Any] = {
        "distributions": [dist.to_json() for dist in resolution.distributions],
        "left_out": list(resolution.left_out),
    }
    if not _pinned(declaration):
        # Ranges (django>=5) pick up new releases within a day; pinned or locked input never changes.
        record["expires"] = time.time() + UNPINNED_RESOLUTION_TTL
    cache.write_json(path, record)
    return resolution


def _pinned(declaration: Declaration) -> bool:
    if declaration.constraints:
        return True
    for text in declaration.requirements:
        specifiers = list(Requirement(text).specifier)
        if len(specifiers) != 1 or specifiers[0].operator not in ("==", "===") or "*" in specifiers[0].version:
            return False
    return True


def _fill_site(resolution: Resolution, reporter: Reporter) -> Callable[[Path], None]:
    def fill(site: Path) -> None:
        store = cache.cache_root() / "wheels"
        dists = resolution.distributions
        with reporter.progress("Downloading wheels", total=len(dists)) as task:

            def fetch(dist: Distribution) -> Path:
                folder = dist.sha256 or cache.cache_key(dist.url)
                path = wheels.download(dist.url, dist.sha256, store / folder / dist.filename)
                task.advance()
                return path

            with ThreadPoolExecutor(max_workers=4) as pool:
                paths = list(pool.map(fetch, dists))
        owners: dict[str, str] = {}
        with reporter.progress("Installing wheels", total=len(dists)) as task:
            for dist, path in zip(dists, paths, strict=True):
                for relative in wheels.install_wheel(path, site):
                    owners[relative] = dist.name
                task.advance()
        cache.write_json(site / FILES_INDEX, owners)

    return fill


def _compile_site(site: Path, interpreter: Path, python: str, reporter: Reporter) -> dict[str, str]:
    index = site / PYC_INDEX
    existing = cache.read_json(index)
    if isinstance(existing, dict):
        return existing
    owners: dict[str, str] = cache.read_json(site / FILES_INDEX) or {}
    jobs = [(site / relative, site, relative) for relative in sorted(owners) if relative.endswith(".py")]
    with reporter.progress(f"Compiling dependencies for Python {python}", total=None) as task:
        compiled = bytecode.compile_tree(interpreter, jobs)
        task.advance()
    cache.write_json(index, compiled)
    return compiled


def prepare_dependencies(
    declaration: Declaration,
    target: PackageTarget,
    runtime_provided: Iterable[str],
    reporter: Reporter,
    *,
    install: bool,
) -> Dependencies:
    """Resolve (and, when `install`, unpack) the declared dependencies for `target`."""
    if declaration.empty:
        return Dependencies(Resolution(()), None)
    resolution = _resolution(declaration, target, runtime_provided, reporter)
    if not install or not resolution.distributions:
        return Dependencies(resolution, None)
    key = cache.cache_key(
        "site",
        [(dist.name, dist.version, dist.sha256 or dist.url) for dist in resolution.distributions],
        wheels.platform_tags(target),
        target.python,
        target.architecture,
    )
    site = cache.cached_dir(cache.cache_root() / "site" / key, _fill_site(resolution, reporter))
    return Dependencies(resolution, site)


def _deflated(site: Path, relatives: list[str], reporter: Reporter) -> dict[str, Deflated]:
    index_path, blob = site / DEFLATED_INDEX, site / DEFLATED_BLOB
    index = cache.read_json(index_path)
    if isinstance(index, dict) and blob.is_file():
        return {relative: Deflated(blob, *fields) for relative, fields in index.items()}
    with reporter.progress("Compressing dependencies", total=None) as task:
        deflated = deflate_files(site, relatives, blob)
        task.advance()
    cache.write_json(
        index_path,
        {relative: [d.offset, d.length, d.size, d.crc, d.method, d.sha256] for relative, d in deflated.items()},
    )
    return deflated


def dependency_entries(
    site: Path, interpreter: Path | None, reporter: Reporter, *, python: str, under: str = ""
) -> list[Entry]:
    """The unpacked files (and their bytecode, compiled once per cache entry) as artifact entries.

    `python` is the target's version as users write it ("3.12"), for the messages; `under` is the
    folder of the artifact they go in ("" for its root).

    Each file is compressed once per cache entry too; the zip writer copies those bytes.
    """
    owners: dict[str, str] = cache.read_json(site / FILES_INDEX) or {}
    compiled = _compile_site(site, interpreter, python, reporter) if interpreter else {}
    files = [(relative, owner) for relative, owner in owners.items()]
    files += [(compiled[relative], owner) for relative, owner in owners.items() if relative in compiled]
    deflated = _deflated(site, [relative for relative, _ in files], reporter)
    prefix = f"{under.strip('/')}/" if under.strip("/") else ""
    entries = []
    for relative, owner in files:
        path = site / relative
        executable = bool(path.stat().st_mode & 0o111)
        packed = deflated.get(relative)
        entries.append(Entry(f"{prefix}{relative}", path=path, executable=executable, origin=owner, deflated=packed))
    return entries


def pinned_requirements(resolution: Resolution) -> bytes:
    """requirements.txt for platforms that install dependencies themselves (GCP, Azure)."""
    lines = ["# Generated by faas from the project's declared dependencies; do not edit.", *resolution.pins()]
    return ("\n".join(lines) + "\n").encode()
