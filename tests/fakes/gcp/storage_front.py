"""Cloud Storage as clients reach it: the JSON API and public object URLs, in front of gcp-storage-emulator.

The emulator stores buckets and objects faithfully but checks no credential, keeps only the name
of a bucket insert (Google applies every writable field of the body: labels, location,
iamConfiguration...), lists every bucket whatever the project, and serves any object to anyone.
This listener does what GCS does on top and forwards the rest unchanged:

- the JSON API (`/storage/v1`, `/upload/storage/v1`, `/download/storage/v1`) needs a bearer token
  of the fake (401 in Google's envelope otherwise);
- a bucket insert checks the name (3-63 of `a-z0-9-_.`, starting and ending with a letter or digit),
  needs `project`, and applies the body's writable fields; a list answers the project's buckets only;
- `GET https://storage.googleapis.com/<bucket>/<object>` without credentials answers only when the
  bucket's IAM policy grants `allUsers` an object-reading role (403 AccessDenied, in GCS's XML,
  otherwise): the anonymous public read that `public = true` promises;
- every object finalized (an upload, compose, copy or rewrite) or deleted through the JSON API is
  reported to `on_object(kind, bucket, resource)` (Eventarc's source, `eventarc.py`), with the
  object's resource as it is (finalized) or was (deleted).

Every request is recorded in the hub's log under the api `storage`.
"""

from __future__ import annotations

import http.client
import json
import re
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from .errors import GoogleError
from .server import MUTATING, Hub, RecordedRequest, service_disabled
from .storage import Emulator, xml_error

AUDIENCE = "https://storage.googleapis.com/"
BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,61}[a-z0-9]$")
PUBLIC_READ_ROLES = frozenset({"roles/storage.objectViewer", "roles/storage.legacyObjectReader"})
ANONYMOUS_DENIED = "Anonymous caller does not have storage.objects.get access to the Google Cloud Storage object."
_API_PREFIXES = ("/storage/v1/", "/upload/storage/v1/", "/download/storage/v1/", "/batch/storage/v1")
# What a bucket insert may set beyond its name (the emulator's PATCH accepts these; GCS takes them at insert).
_INSERT_FIELDS = ("labels", "location", "storageClass", "iamConfiguration", "versioning", "cors", "website")
_OBJECT_PATH = re.compile(r"^/storage/v1/b/[^/]+/o/[^/]+$")
_PASSED_HEADERS = ("content-type", "etag", "x-goog-hash", "x-goog-generation", "cache-control", "last-modified")


class StorageFront:
    """A loopback listener that answers as GCS and keeps the data in `emulator`."""

    def __init__(self, emulator: Emulator, hub: Hub) -> None:
        self.emulator = emulator
        self.hub = hub
        self.projects: dict[str, str] = {}
        """The project each bucket was created in (the emulator keeps one for all)."""
        self._lock = threading.Lock()
        self.on_object: Callable[[str, str, dict[str, Any]], None] | None = None
        """Told of each object `finalized` or `deleted`: (kind, bucket, the object's resource)."""
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        target = urlsplit(emulator.url)
        self._emulator_host, self._emulator_port = target.hostname or "127.0.0.1", target.port or 80

    def forget(self) -> None:
        with self._lock:
            self.projects.clear()

    # -- what GCS adds to the emulator ----------------------------------------------------------------

    def answer(self, method: str, path: str, query: str, headers: dict[str, str], body: bytes) -> _Answer:
        if path.startswith(_API_PREFIXES):
            try:
                self.hub.authenticate(headers.get("authorization"), AUDIENCE)
                if "storage" in self.hub.faults.disabled_apis:
                    raise service_disabled("storage", self.hub.project_number)
                with self.hub.lock:
                    fault = self.hub.faults.take("storage", method_id(method, path), mutating=method in MUTATING)
                if fault is not None:
                    raise fault
            except GoogleError as error:
                return _json(error.http_status, error.envelope())
            if path.rstrip("/") == "/storage/v1/b":
                if method == "POST":
                    return self._insert_bucket(query, headers, body)
                if method == "GET":
                    return self._list_buckets(query, headers)
            deleted = self._object_before_delete(method, path, headers)
            answer = self._forward(method, path, query, headers, body)
            self._report(method, path, answer, deleted)
            bucket = _bucket_of(path)
            if method == "DELETE" and bucket and path.rstrip("/") == f"/storage/v1/b/{bucket}" and answer[0] < 300:
                with self._lock:
                    self.projects.pop(bucket, None)
            return answer
        if method in ("GET", "HEAD") and "authorization" not in headers:
            bucket = unquote(path.lstrip("/").partition("/")[0])
            if not self._publicly_readable(bucket):
                return _xml(403, "AccessDenied", ANONYMOUS_DENIED)
        elif "authorization" in headers:
            try:
                self.hub.authenticate(headers.get("authorization"), AUDIENCE)
            except GoogleError as error:
                return _xml(401, "AuthenticationRequired", error.message)
        return self._forward(method, path, query, headers, body)

    def _insert_bucket(self, query: str, headers: dict[str, str], body: bytes) -> _Answer:
        project = dict(parse_qsl(query)).get("project", "")
        if not project:
            return _json(400, GoogleError("INVALID_ARGUMENT", "Required parameter: project").envelope())
        try:
            resource = json.loads(body or b"{}")
        except json.JSONDecodeError as error:
            return _json(400, GoogleError("INVALID_ARGUMENT", f"Invalid JSON payload received. {error}").envelope())
        name = str(resource.get("name", ""))
        if not BUCKET_NAME.match(name) or ".." in name or name.startswith("goog"):
            return _json(400, GoogleError("INVALID_ARGUMENT", f"Invalid bucket name: '{name}'").envelope())
        status, answer_headers, created = self._forward(
            "POST", "/storage/v1/b", query, headers, json.dumps({"name": name}).encode()
        )
        if status == 409:
            message = "Your previous request to create the named bucket succeeded and you already own it."
            if self.projects.get(name, project) != project:
                message = "The requested bucket name is not available. Please try a different name."
            return _json(409, GoogleError("ALREADY_EXISTS", message).envelope())
        if status != 200:
            return status, answer_headers, created
        with self._lock:
            self.projects[name] = project
        extra = {key: resource[key] for key in _INSERT_FIELDS if key in resource}
        if not extra:
            return status, answer_headers, created
        return self._forward("PATCH", f"/storage/v1/b/{name}", "", headers, json.dumps(extra).encode())

    def _list_buckets(self, query: str, headers: dict[str, str]) -> _Answer:
        project = dict(parse_qsl(query)).get("project", "")
        if not project:
            return _json(400, GoogleError("INVALID_ARGUMENT", "Required parameter: project").envelope())
        status, answer_headers, raw = self._forward("GET", "/storage/v1/b", "", headers, b"")
        if status != 200:
            return status, answer_headers, raw
        listing = json.loads(raw)
        with self._lock:
            mine = {name for name, owner in self.projects.items() if owner == project}
        listing["items"] = [item for item in listing.get("items", []) if item.get("name") in mine]
        return _json(200, listing)

    def _object_before_delete(self, method: str, path: str, headers: dict[str, str]) -> dict[str, Any] | None:
        """The resource of the object a DELETE removes (a deleted event carries it), or None."""
        if method != "DELETE" or self.on_object is None or not _OBJECT_PATH.match(path):
            return None
        status, _, raw = self._forward("GET", path, "", headers, b"")
        found: dict[str, Any] | None = json.loads(raw) if status == 200 else None
        return found

    def _report(self, method: str, path: str, answer: _Answer, deleted: dict[str, Any] | None) -> None:
        status, _, raw = answer
        if self.on_object is None or status >= 300:
            return
        if deleted is not None:
            self.on_object("deleted", str(deleted.get("bucket") or _bucket_of(path)), deleted)
            return
        writes_object = path.startswith("/upload/") or path.endswith("/compose") or "/copyTo/" in path
        if method not in ("POST", "PUT") or not (writes_object or "/rewriteTo/" in path) or not raw:
            return
        try:
            resource = json.loads(raw)
        except ValueError:
            return
        if resource.get("kind") == "storage#rewriteResponse":
            resource = resource.get("resource") if resource.get("done") else None
        if isinstance(resource, dict) and resource.get("kind") == "storage#object":
            self.on_object("finalized", str(resource.get("bucket") or _bucket_of(path)), resource)

    def _publicly_readable(self, bucket: str) -> bool:
        status, _, raw = self._forward("GET", f"/storage/v1/b/{bucket}/iam", "", {}, b"")
        if status != 200:
            return False
        bindings = json.loads(raw).get("bindings") or []
        return any(b.get("role") in PUBLIC_READ_ROLES and "allUsers" in (b.get("members") or []) for b in bindings)

    # -- plumbing -------------------------------------------------------------------------------------

    def _forward(self, method: str, path: str, query: str, headers: dict[str, str], body: bytes) -> _Answer:
        connection = http.client.HTTPConnection(self._emulator_host, self._emulator_port, timeout=60)
        sent = {k: v for k, v in headers.items() if k not in ("host", "authorization", "content-length")}
        try:
            connection.request(method, path + (f"?{query}" if query else ""), body=body or None, headers=sent)
            response = connection.getresponse()
            data = response.read()
            passed = {k.lower(): v for k, v in response.getheaders() if k.lower() in _PASSED_HEADERS}
            location = response.getheader("location")
            if location:
                # A resumable upload's session URL: the client must come back here, not to the emulator.
                passed["location"] = location.replace(self.emulator.url, self.url)
            return response.status, passed, data
        finally:
            connection.close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        front = self

        class FrontHandler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                split = urlsplit(self.path)
                headers = {k.lower(): v for k, v in self.headers.items()}
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                status, answer_headers, payload = front.answer(self.command, split.path, split.query, headers, body)
                recorded: Any = body
                if headers.get("content-type", "").startswith("application/json") and body:
                    recorded = json.loads(body)
                front.hub.record(
                    RecordedRequest("storage", self.command, split.path, split.query, headers, recorded, None, status)
                )
                self.send_response(status)
                for name, value in answer_headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)

            do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_GET

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return FrontHandler


_Answer = tuple[int, dict[str, str], bytes]


def _json(status: int, payload: Any) -> _Answer:
    return status, {"content-type": "application/json; charset=UTF-8"}, json.dumps(payload).encode()


def _xml(status: int, code: str, message: str) -> _Answer:
    return status, {"content-type": "application/xml; charset=UTF-8"}, xml_error(code, message)


def method_id(method: str, path: str) -> str:
    """The JSON API method a request calls, as the discovery document names it (`storage.objects.insert`)."""
    parts = [unquote(part) for part in path.split("/") if part]
    if parts and parts[0] in ("upload", "download"):
        parts = parts[1:]
    resource = "objects" if "o" in parts[3:] else "buckets"
    if parts[-1] == "iam":
        return f"storage.{resource}.{'setIamPolicy' if method == 'PUT' else 'getIamPolicy'}"
    collection = parts[-1] in ("b", "o")
    verbs = {"GET": "list" if collection else "get", "POST": "insert", "PATCH": "patch", "PUT": "update"}
    return f"storage.{resource}.{verbs.get(method, 'delete')}"


def _bucket_of(path: str) -> str:
    parts = path.split("/")
    # /storage/v1/b/<bucket>/...
    return unquote(parts[4]) if len(parts) > 4 and parts[3] == "b" else ""
