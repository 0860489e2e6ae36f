"""Resolve the declared requirements to exact wheels for the target platform.

pip resolves (`install --dry-run --report` with the target's platform/ABI), restricted to wheels:
the function cannot compile anything. When a requirement has no wheel, we look at the index
ourselves: a pure-Python sdist is built into a wheel locally and resolution retried; a package
with compiled code fails here, before anything is installed or uploaded, naming the nearest
version that has a compatible wheel.

pip evaluates environment markers for the host, not the target, so the dependency graph is walked
again with the target's markers: that walk also leaves out runtime-provided distributions and
what only they need, without dropping anything the user's own requirements still pull in.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from faas.core.errors import PackagingError
from faas.core.packaging import unresolvable, wheels
from faas.core.packaging.dependencies import Declaration
from faas.core.packaging.target import PackageTarget

# The deploy-side framework never ships: the artifact carries only faas.adapters (see runtime contract).
NEVER_SHIPPED = frozenset({"faasport"})
_NO_MATCH = re.compile(r"No matching distribution found for (\S+)")
# pip's line when an index answered nothing usable (TLS refused, proxy error...), before it gives up.
_UNREACHABLE = re.compile(r"Could not fetch URL (?P<url>\S+?):? (?P<reason>[^\n]*?) - skipping")
_SSL_DETAIL = re.compile(r"\[SSL: \w+\] ([^()'\"]+)")
_MAX_PASSES = 4


@dataclass(frozen=True)
class Distribution:
    """One resolved distribution and the wheel that provides it."""

    name: str
    version: str
    url: str
    sha256: str | None
    filename: str
    requires_dist: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return canonicalize_name(self.name)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "url": self.url,
            "sha256": self.sha256,
            "filename": self.filename,
            "requires_dist": list(self.requires_dist),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Distribution:
        return cls(
            data["name"], data["version"], data["url"], data["sha256"], data["filename"], tuple(data["requires_dist"])
        )


@dataclass(frozen=True)
class Resolution:
    """What ships (sorted by name) and which distributions were left out as runtime-provided."""

    distributions: tuple[Distribution, ...]
    left_out: tuple[str, ...] = ()
    unpinned: tuple[str, ...] = ()
    """Declared requirements shipped as written, when the platform resolves them itself (see build)."""

    def pins(self) -> list[str]:
        return [f"{dist.name}=={dist.version}" for dist in self.distributions] or list(self.unpinned)


def resolve(
    declaration: Declaration,
    target: PackageTarget,
    runtime_provided: Iterable[str],
    work_dir: Path,
    built_dir: Path,
) -> Resolution:
    """Resolve `declaration` for `target`; raises PackagingError naming what cannot be had."""
    environment = wheels.marker_environment(target)
    # Markers are decided here for the target; pip would decide them for the host.
    requirements = [
        _without_marker(req) for req in declaration.requirements if _applies(Requirement(req).marker, environment, "")
    ]
    excluded = {canonicalize_name(name) for name in runtime_provided} | NEVER_SHIPPED
    work_dir.mkdir(parents=True, exist_ok=True)
    for _ in range(_MAX_PASSES):
        report = _pip_report(requirements, declaration, target, work_dir, built_dir)
        if report is None:
            continue  # a pure-Python sdist was just built; resolve again with it
        resolved = {dist.key: dist for dist in report}
        kept, provided, missing = _walk(requirements, resolved, environment, excluded)
        if not missing:
            left_out = _only_needed_by(provided, resolved, environment, {dist.key for dist in kept})
            return Resolution(tuple(sorted(kept, key=lambda d: d.key)), tuple(sorted(left_out)))
        # Needed under the target's markers but not the host's: ask pip for them explicitly.
        requirements += [req for req in missing if req not in requirements]
    raise PackagingError("dependency resolution did not settle; pin the versions in your requirements")


def _without_marker(text: str) -> str:
    requirement = Requirement(text)
    requirement.marker = None
    return str(requirement)


def _applies(marker: Marker | None, environment: dict[str, str], extra: str) -> bool:
    return marker is None or marker.evaluate({**environment, "extra": extra})


def _walk(
    requirements: list[str],
    resolved: dict[str, Distribution],
    environment: dict[str, str],
    excluded: set[str],
) -> tuple[list[Distribution], set[str], list[str]]:
    kept: dict[str, Distribution] = {}
    extras_seen: dict[str, set[str]] = {}
    left_out: set[str] = set()
    missing: list[str] = []
    queue = [Requirement(text) for text in requirements]
    while queue:
        requirement = queue.pop()
        key = canonicalize_name(requirement.name)
        if key in excluded:
            left_out.add(key)
            continue
        dist = resolved.get(key)
        if dist is None:
            missing.append(str(requirement))
            continue
        seen = extras_seen.setdefault(key, set())
        new_extras = set(requirement.extras) - seen
        if key in kept and not new_extras:
            continue
        seen |= new_extras
        first_visit = key not in kept
        kept[key] = dist
        active = ([""] if first_visit else []) + sorted(new_extras)
        for text in dist.requires_dist:
            dependency = Requirement(text)
            if any(_applies(dependency.marker, environment, extra) for extra in active):
                dependency.marker = None
                queue.append(dependency)
    return list(kept.values()), left_out, missing


def _only_needed_by(
    provided: set[str], resolved: dict[str, Distribution], environment: dict[str, str], kept: set[str]
) -> set[str]:
    """The runtime-provided distributions and what only they pull in (boto3 -> botocore, s3transfer...)."""
    left_out, queue = set(), list(provided)
    while queue:
        key = queue.pop()
        if key in left_out or key in kept:
            continue
        left_out.add(key)
        dist = resolved.get(key)
        for text in dist.requires_dist if dist else ():
            dependency = Requirement(text)
            if _applies(dependency.marker, environment, ""):
                queue.append(canonicalize_name(dependency.name))
    return {resolved[key].name if key in resolved else key for key in left_out}


def _pip(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1", "PIP_REQUIRE_VIRTUALENV": "0"}
    result = subprocess.run(
        [sys.executable, "-m", "pip", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    if "No module named pip" in result.stderr:
        raise PackagingError(f"packaging resolves wheels with pip, which {sys.executable} lacks: install pip there")
    return result


def _target_args(target: PackageTarget) -> list[str]:
    version = "{}.{}".format(*wheels.python_version(target))
    args = ["--only-binary=:all:", "--python-version", version, "--implementation", "cp"]
    for abi in (target.python_tag, "abi3", "none"):
        args += ["--abi", abi]
    for tag in wheels.platform_tags(target):
        args += ["--platform", tag]
    return args


def _pip_report(
    requirements: list[str], declaration: Declaration, target: PackageTarget, work_dir: Path, built_dir: Path
) -> list[Distribution] | None:
    (work_dir / "requirements.in").write_text("\n".join(requirements) + "\n", encoding="utf-8")
    (work_dir / "constraints.txt").write_text("\n".join(declaration.constraints) + "\n", encoding="utf-8")
    report = work_dir / "report.json"
    # Not --quiet: pip tells an index it could not read ("Could not fetch URL") only at info level.
    args = ["install", "--dry-run", "--ignore-installed", "--report", str(report)]
    args += ["--target", str(work_dir / "never-written"), *_target_args(target)]
    args += ["-r", "requirements.in", "-c", "constraints.txt"]
    for link in (*declaration.find_links, str(built_dir)):
        args += ["--find-links", link]
    built_dir.mkdir(parents=True, exist_ok=True)
    result = _pip(args, work_dir)
    if result.returncode != 0:
        _handle_failure(f"{result.stdout}\n{result.stderr}", declaration, target, work_dir, built_dir)
        return None
    data = json.loads(report.read_text(encoding="utf-8"))
    found = []
    for item in data.get("install", []):
        metadata, info = item["metadata"], item["download_info"]
        url = info["url"]
        hashes = info.get("archive_info", {}).get("hashes", {})
        found.append(
            Distribution(
                name=metadata["name"],
                version=metadata["version"],
                url=url,
                sha256=hashes.get("sha256"),
                filename=url.rsplit("/", 1)[-1].split("#", 1)[0],
                requires_dist=tuple(metadata.get("requires_dist", [])),
            )
        )
    return found


def _unreachable_index(output: str) -> re.Match[str] | None:
    """pip's "Could not fetch URL" for the very project it then found no match for.

    Another index failing (an extra index that is down) is only a warning when this one answered.
    """
    missing = _NO_MATCH.search(output)
    wanted = canonicalize_name(Requirement(missing.group(1)).name) if missing else None
    for found in _UNREACHABLE.finditer(output):
        segments = [canonicalize_name(part) for part in found["url"].rstrip("/").split("/")]
        if wanted is None or wanted in segments:
            return found
    return None


def _handle_failure(output: str, declaration: Declaration, target: PackageTarget, work_dir: Path, built: Path) -> None:
    """Turn pip's failure into a built pure-Python wheel (then return) or one clear PackagingError.

    `output` is pip's stdout and stderr: it reports an index it could not read on stdout.
    """
    unreachable = _unreachable_index(output)
    if unreachable is not None:
        # pip then says "No matching distribution": true, but the fix is the network, not the pins.
        reason = unreachable["reason"].split(": HTTP", 1)[0]
        ssl_detail = _SSL_DETAIL.search(unreachable["reason"])
        reason += f" ({ssl_detail.group(1).strip()})" if ssl_detail else ""
        raise PackagingError(
            f"pip could not read the package index {unreachable['url']}: {reason}. "
            "Check the network, proxy and certificates pip uses (pip config list; PIP_INDEX_URL, PIP_CERT, "
            "HTTPS_PROXY)"
        )
    match = _NO_MATCH.search(output)
    if match is None:
        detail = "\n".join(line for line in output.splitlines() if line.startswith("ERROR"))[-1500:]
        raise PackagingError(f"cannot resolve the dependencies for {_platform(target)}: {detail or output[-1500:]}")
    requirement = Requirement(match.group(1))
    listing = wheels.index_listing(requirement.name)
    mistake = unresolvable.explain(requirement, listing, declaration.find_links)
    if mistake is not None:
        raise PackagingError(mistake)
    files = listing.files
    candidates = sorted({file.version for file in files if requirement.specifier.contains(file.version, True)})
    wanted: Version | None = candidates[-1] if candidates else None
    if files and not wheels.has_compiled_wheels(files) and _build_pure_wheel(requirement, declaration, work_dir, built):
        return
    version_text = str(wanted) if wanted else str(requirement.specifier) or "(any version)"
    nearest = wheels.nearest_compatible(files, wanted, target)
    if nearest is not None:
        advice = f"the nearest version with a compatible wheel is {nearest} (pin {requirement.name}=={nearest})"
    elif files:
        advice = "no version on the index has a compatible wheel; choose another package or a platform it supports"
    else:
        advice = f"the index lists no file for it (is {wheels.shown_index_url()} reachable?)"
    raise PackagingError(
        f"{requirement.name} {version_text} has no wheel for {_platform(target)} and its compiled code cannot be "
        f"built for the function here; {advice}"
    )


def _platform(target: PackageTarget) -> str:
    tags = wheels.platform_tags(target)
    return f"Python {target.python} ({target.python_tag}) on {tags[0]} ({target.architecture})"


def _build_pure_wheel(requirement: Requirement, declaration: Declaration, work_dir: Path, built: Path) -> bool:
    """Build an sdist-only requirement into a wheel; True when the wheel is pure Python (usable anywhere)."""
    scratch = work_dir / "sdist-build"
    args = ["wheel", "--no-deps", "--no-binary", requirement.name, "-w", str(scratch), str(requirement)]
    args += ["-c", "constraints.txt"]
    result = _pip(args, work_dir)
    if result.returncode != 0:
        return False
    for wheel in sorted(scratch.glob("*.whl")):
        if not wheels.is_pure(wheel.name):
            return False
        wheel.replace(built / wheel.name)
    return True
