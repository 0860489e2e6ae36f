"""Buckets: gcp-storage-emulator (a real GCS stand-in process) and the fake's signed upload URLs.

The emulator checks no signature and no credential, so the URL `generateUploadUrl` returns points
at a listener of the fake that does what a V4 signed URL does on GCS (refuses another method,
another content type, a changed or expired link, and a request that also carries an Authorization
header) and then writes the object through to the emulator.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

from .server import Hub, RecordedRequest

SIGNED_CONTENT_TYPE = "application/zip"
UPLOAD_URL_LIFETIME = 30 * 60  # seconds; GCF's upload URLs are valid for 30 minutes


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Emulator:
    """gcp-storage-emulator in its own process, in memory, on a loopback port."""

    def __init__(self, project_number: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "PROJECT_NUMBER": project_number}
        command = [sys.executable, "-m", "gcp_storage_emulator", "start", "--host", "127.0.0.1"]
        command += ["--port", str(self.port), "--in-memory", "--quiet"]
        self.process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gcp-storage-emulator exited: {self.process.stderr.read()!r}")  # type: ignore[union-attr]
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("gcp-storage-emulator did not listen within 30 s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stderr is not None:
            self.process.stderr.close()

    def _call(self, method: str, path: str, data: bytes | None = None, content_type: str = "") -> tuple[int, bytes]:
        request = urllib.request.Request(self.url + path, data=data, method=method)
        if content_type:
            request.add_header("content-type", content_type)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def wipe(self) -> None:
        """Delete every bucket and object (the emulator's own /wipe endpoint)."""
        status, text = self._call("GET", "/wipe")
        if status != 200:
            raise RuntimeError(f"emulator did not wipe: {status} {text!r}")

    def create_bucket(self, name: str, project: str) -> None:
        body = json.dumps({"name": name}).encode()
        status, text = self._call("POST", f"/storage/v1/b?project={project}", body, "application/json")
        if status not in (200, 409):
            raise RuntimeError(f"emulator refused bucket {name}: {status} {text!r}")

    def put(self, bucket: str, name: str, data: bytes, content_type: str) -> dict[str, Any]:
        path = f"/upload/storage/v1/b/{bucket}/o?uploadType=media&name={quote(name, safe='')}"
        status, text = self._call("POST", path, data, content_type)
        if status != 200:
            raise RuntimeError(f"emulator refused gs://{bucket}/{name}: {status} {text!r}")
        result: dict[str, Any] = json.loads(text)
        return result

    def get(self, bucket: str, name: str) -> bytes | None:
        status, data = self._call("GET", f"/storage/v1/b/{bucket}/o/{quote(name, safe='')}?alt=media")
        return data if status == 200 else None

    def metadata(self, bucket: str, name: str) -> dict[str, Any] | None:
        status, data = self._call("GET", f"/storage/v1/b/{bucket}/o/{quote(name, safe='')}")
        return json.loads(data) if status == 200 else None


def xml_error(code: str, message: str) -> bytes:
    return (
        f"<?xml version='1.0' encoding='UTF-8'?><Error><Code>{code}</Code><Message>{message}</Message></Error>".encode()
    )


class SignedUploads:
    """Issues V4-style signed PUT URLs and serves them, writing the body into the emulator."""

    def __init__(self, emulator: Emulator, hub: Hub, signer_email: str) -> None:
        self.emulator = emulator
        self.hub = hub
        self.signer_email = signer_email
        self._secret = secrets.token_bytes(32)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def _signature(self, path: str, query: dict[str, str]) -> str:
        signed = "\n".join(["PUT", path, query["X-Goog-Date"], query["X-Goog-Expires"], SIGNED_CONTENT_TYPE])
        return hmac.new(self._secret, signed.encode(), hashlib.sha256).hexdigest()

    def sign(
        self, bucket: str, name: str, *, lifetime: int = UPLOAD_URL_LIFETIME, issued: datetime | None = None
    ) -> str:
        """A signed PUT URL for gs://bucket/name, valid `lifetime` seconds from `issued` (now)."""
        path = f"/{bucket}/{quote(name)}"
        now = issued or datetime.now(UTC)
        query = {
            "X-Goog-Algorithm": "GOOG4-RSA-SHA256",
            "X-Goog-Credential": f"{self.signer_email}/{now:%Y%m%d}/auto/storage/goog4_request",
            "X-Goog-Date": f"{now:%Y%m%dT%H%M%SZ}",
            "X-Goog-Expires": str(lifetime),
            "X-Goog-SignedHeaders": "content-type;host",
        }
        query["X-Goog-Signature"] = self._signature(path, query)
        return f"{self.url}{path}?{urlencode(query)}"

    def check(self, method: str, path: str, query: dict[str, str], headers: dict[str, str]) -> tuple[int, bytes]:
        """The answer GCS gives a signed-URL request; 200 only for a valid, unexpired upload."""
        if "authorization" in headers:
            return 400, xml_error(
                "InvalidArgument",
                "Multiple authentication credentials provided: a signed URL "
                "must be used without an Authorization header.",
            )
        required = ("X-Goog-Date", "X-Goog-Expires", "X-Goog-Signature")
        if any(name not in query for name in required):
            return 403, xml_error("AccessDenied", "Anonymous caller does not have storage.objects.create access.")
        try:
            signed_at = datetime.strptime(query["X-Goog-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
            lifetime = int(query["X-Goog-Expires"])
        except ValueError:
            return 400, xml_error("AuthorizationQueryParametersError", "Invalid X-Goog-Date or X-Goog-Expires.")
        if (datetime.now(UTC) - signed_at).total_seconds() > lifetime:
            return 400, xml_error("ExpiredToken", "Invalid argument. The provided token has expired.")
        content_type = headers.get("content-type", "")
        if method != "PUT" or content_type != SIGNED_CONTENT_TYPE:
            return 403, xml_error(
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided. Check your Google "
                f"secret key and signing method. (signed for PUT with content-type {SIGNED_CONTENT_TYPE}; got "
                f"{method} with {content_type or 'no content-type'})",
            )
        if not hmac.compare_digest(self._signature(path, query), query["X-Goog-Signature"]):
            return 403, xml_error(
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided.",
            )
        return 200, b""

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        uploads = self

        class UploadHandler(BaseHTTPRequestHandler):
            def do_PUT(self) -> None:
                split = urlsplit(self.path)
                query = dict(parse_qsl(split.query, keep_blank_values=True))
                headers = {k.lower(): v for k, v in self.headers.items()}
                data = self.rfile.read(int(self.headers.get("content-length") or 0))
                status, payload = uploads.check(self.command, split.path, query, headers)
                if status == 200:
                    bucket, _, name = split.path.lstrip("/").partition("/")
                    try:
                        uploads.emulator.put(bucket, unquote(name), data, headers["content-type"])
                    except RuntimeError as exc:  # the emulator refused: answer as GCS would, never hang up
                        status, payload = 500, xml_error("InternalError", str(exc))
                entry = RecordedRequest(
                    "storage-upload", self.command, split.path, split.query, headers, data, None, status
                )
                uploads.hub.record(entry)
                self.send_response(status)
                self.send_header("content-type", "application/xml; charset=UTF-8")
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_DELETE = do_PUT

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return UploadHandler
