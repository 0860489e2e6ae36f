"""Storage roles on local ([storage.<role>]): a folder per bucket, public ones served by the gateway.

Each role's bucket is `<state dir>/buckets/<bucket>/` (the configured `bucket`, else
`<project>-<stage>-<role>`). A deploy copies the role's files there the way the cloud providers
upload them: new and changed files are written, files gone from the source stay (pages cached
elsewhere may still link them), so a rollback finds the files it links too.

A public bucket is served by the stage's gateway, for every emulation, as a CDN path routed to a
bucket: the `static` role at the path Django's STATIC_URL gives (a relative STATIC_URL under the
app's mount point, e.g. `/dev/static/` behind a REST API), else at `<mount>/static/`; other roles
at `<mount>/_faas/storage/<role>/`. A Django project therefore needs no `staticfiles_urlpatterns()`
and no settings change. The app also gets the same variables as in the cloud:
`FAAS_STORAGE_<ROLE>_BUCKET`, `FAAS_STORAGE_<ROLE>_URL`, and `FAAS_STATIC_BUCKET`/`FAAS_STATIC_URL`.
"""

from __future__ import annotations

import email.utils
import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from faas import STATIC_ROLE, DeployError, Project, Reporter, storage_content_type
from faas import storage_environment as core_storage_environment
from faas.providers.local.gateway.aws import HttpAnswer
from faas.providers.local.gateway.request import GatewayRequest


@dataclass(frozen=True)
class LocalBucket:
    """One storage role of a deployment: its bucket folder and, when public, the path serving it."""

    role: str
    bucket: str
    folder: Path
    public: bool
    prefix: str
    """The URL path the gateway serves the bucket at (starts and ends with /)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "bucket": self.bucket,
            "folder": str(self.folder),
            "public": self.public,
            "prefix": self.prefix,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LocalBucket:
        return cls(data["role"], data["bucket"], Path(data["folder"]), bool(data["public"]), data["prefix"])


def static_prefix(static_url: str | None, mount: str) -> str:
    """The path the app's pages link static files at: Django's rule for STATIC_URL and the script prefix."""
    if not static_url:
        return f"{mount}/static/"
    if static_url.startswith(("http://", "https://")):
        path = urlsplit(static_url).path or "/"
    elif static_url.startswith("/"):
        path = static_url
    else:
        path = f"{mount}/{static_url}"
    return path if path.endswith("/") else path + "/"


def sync_folder(source: Path, bucket: Path) -> int:
    """Copy new and changed files of `source` into `bucket` (none deleted); the number copied."""
    copied = 0
    for path in sorted(source.rglob("*")):
        if not path.is_file():
            continue
        target = bucket / path.relative_to(source)
        same_size = target.is_file() and target.stat().st_size == path.stat().st_size
        if same_size and target.read_bytes() == path.read_bytes():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.part")
        shutil.copyfile(path, temporary)
        os.replace(temporary, target)  # a request never reads half a file
        copied += 1
    return copied


def resolve_source(root: Path, role: str, configured: str | None, manifest: dict[str, Any]) -> Path | None:
    """The folder a role's files come from: `source`, else Django's collectstatic output for `static`."""
    if configured is not None:
        path = (root / configured).resolve()
        if not path.is_dir():
            raise DeployError("plan", f"storage.{role}.source '{configured}' is not a folder")
        return path
    collected = manifest.get("static") or {}
    if role == STATIC_ROLE and collected.get("dir") and Path(collected["dir"]).is_dir():
        return Path(collected["dir"])
    return None


def prepare_buckets(
    project: Project, manifest: dict[str, Any], *, root: Path, mount: str, reporter: Reporter
) -> list[LocalBucket]:
    """The storage roles' buckets under the state dir `root`, their files copied in as a deploy uploads them."""
    buckets = []
    static_url = (manifest.get("static") or {}).get("url")
    for role, storage in sorted(project.config.storage.items()):
        name = storage.bucket or f"{project.resource_prefix}-{role}"
        folder = root / "buckets" / name
        folder.mkdir(parents=True, exist_ok=True)
        source = resolve_source(project.root, role, storage.source, manifest)
        if source is not None:
            copied = sync_folder(source, folder)
            if copied:
                reporter.info(f"copied {copied} file(s) to the local bucket {name}")
        if role == STATIC_ROLE:
            prefix = static_prefix(static_url, mount)
            if isinstance(static_url, str) and static_url.startswith(("http://", "https://")):
                reporter.warning(
                    f"STATIC_URL is {static_url}: pages link there, not to the local bucket served at {prefix}; "
                    'use STATIC_URL = os.environ.get("FAAS_STATIC_URL", "static/") to follow each deployment'
                )
        else:
            prefix = f"{mount}/_faas/storage/{role}/"
        buckets.append(LocalBucket(role, name, folder, storage.public, prefix))
    return buckets


def storage_environment(buckets: list[LocalBucket], base_url: str) -> dict[str, str]:
    """The variables the app finds its buckets by, as the cloud providers set them."""
    return core_storage_environment((bucket.role, bucket.bucket, base_url + bucket.prefix) for bucket in buckets)


def _error(status: int, code: str, message: str) -> HttpAnswer:
    body = f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{message}</Message></Error>'
    return status, [("Content-Type", "application/xml")], body.encode()


def serve_bucket(buckets: list[LocalBucket], request: GatewayRequest) -> HttpAnswer | None:
    """The answer of a public bucket for `request`, or None when no bucket serves its path."""
    for bucket in buckets:
        if bucket.public and request.path.startswith(bucket.prefix):
            return _serve_object(bucket, request)
    return None


def _serve_object(bucket: LocalBucket, request: GatewayRequest) -> HttpAnswer:
    if request.method not in ("GET", "HEAD"):
        return _error(405, "MethodNotAllowed", "The specified method is not allowed against this resource.")
    key = unquote(request.path[len(bucket.prefix) :])
    root = bucket.folder.resolve()
    path = (root / key).resolve()
    if not key or not path.is_relative_to(root) or not path.is_file():
        return _error(404, "NoSuchKey", "The specified key does not exist.")
    body = path.read_bytes()
    etag = '"' + hashlib.md5(body, usedforsecurity=False).hexdigest() + '"'
    modified = email.utils.formatdate(path.stat().st_mtime, usegmt=True)
    headers = [("ETag", etag), ("Last-Modified", modified), ("Accept-Ranges", "bytes")]
    content_type = storage_content_type(key)
    if request.header("If-None-Match") == etag:
        return 304, headers, b""
    headers.append(("Content-Type", content_type))
    return 200, headers, body  # the server sends no body for HEAD, but its Content-Length
