"""Storage roles ([storage.<role>]) as every cloud deploys them: which bucket, which files, which variables.

A provider names the bucket (each cloud has its own rules and scope) and knows its URLs; which roles
exist, whether faas owns each bucket, which folder feeds it, which files changed and which variables
tell the app where its buckets are is the same on every cloud, and lives here.
"""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from faas.adapters.contract import ENV_STATIC_BUCKET, ENV_STATIC_URL, storage_bucket_env, storage_url_env
from faas.core.errors import DeployError

if TYPE_CHECKING:
    from faas.core.config import Project
    from faas.core.packaging.artifact import Artifact

STATIC_ROLE = "static"


@dataclass(frozen=True)
class StorageRole:
    """One `[storage.<role>]` of a deployment, with its bucket on the target cloud."""

    role: str
    bucket: str
    public: bool
    managed: bool
    """True when faas names, creates and deletes the bucket; False for a user's existing `bucket`."""
    source: Path | None
    """The folder uploaded on deploy (the configured `source`, or Django's collectstatic output)."""


def storage_roles(
    project: Project, bucket_name: Callable[[str], str], artifact: Artifact | None = None
) -> list[StorageRole]:
    """Every storage role, its bucket (the configured one, else `bucket_name(role)`) and its source."""
    found = []
    for role, config in sorted(project.config.storage.items()):
        bucket = config.bucket or bucket_name(role)
        source = _source(project, role, config.source, artifact)
        found.append(StorageRole(role, bucket, config.public, config.bucket is None, source))
    return found


def _source(project: Project, role: str, configured: str | None, artifact: Artifact | None) -> Path | None:
    if configured is not None:
        path = (project.root / configured).resolve()
        if not path.is_dir():
            raise DeployError("plan", f"storage.{role}.source '{configured}' is not a folder")
        return path
    collected = (artifact.manifest.get("static") or {}) if artifact is not None else {}
    if role == STATIC_ROLE and collected.get("dir") and Path(collected["dir"]).is_dir():
        # Django's collectstatic output, gathered by packaging next to the artifact.
        return Path(collected["dir"])
    return None


def storage_files(source: Path) -> dict[str, tuple[Path, str]]:
    """Each file under `source` by its object key (a POSIX relative path): (path, md5 hex digest).

    MD5 because it is what the object stores report for a single-part upload (S3's ETag, GCS's
    md5Hash, Azure's Content-MD5): equal digests mean the object need not be uploaded again.
    """
    files = {}
    for path in sorted(source.rglob("*")):
        if path.is_file():
            digest = hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest()
            files[path.relative_to(source).as_posix()] = (path, digest)
    return files


def storage_changes(local: dict[str, tuple[Path, str]], remote: dict[str, str]) -> tuple[str, ...]:
    """The keys whose local md5 differs from the stored object's (`remote`: key -> md5 hex), sorted."""
    return tuple(sorted(key for key, (_, md5) in local.items() if remote.get(key) != md5))


def storage_content_type(key: str) -> str:
    """The Content-Type an object is stored and served with, from its key's extension."""
    return mimetypes.guess_type(key)[0] or "application/octet-stream"


def storage_environment(buckets: Iterable[tuple[str, str, str]]) -> dict[str, str]:
    """The variables the app finds its buckets by, from (role, bucket, url) triples.

    `FAAS_STORAGE_<ROLE>_BUCKET` and `FAAS_STORAGE_<ROLE>_URL` for every role, plus
    `FAAS_STATIC_BUCKET` and `FAAS_STATIC_URL` for the `static` role (Django:
    `STATIC_URL = os.environ["FAAS_STATIC_URL"]`).
    """
    env: dict[str, str] = {}
    for role, bucket, url in buckets:
        env[storage_bucket_env(role)] = bucket
        env[storage_url_env(role)] = url
        if role == STATIC_ROLE:
            env[ENV_STATIC_BUCKET] = bucket
            env[ENV_STATIC_URL] = url
    return env
