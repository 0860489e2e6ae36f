# mypy: disable-error-code="no-untyped-call,import-untyped"
"""The front door of each Cloud Run service: run.invoker checked, traffic split, revision code run.

Each service gets its own loopback port, and that address is the service's `uri`. A request is let
in when the service's policy grants `roles/run.invoker` to `allUsers`, or to the caller of a valid
ID token whose audience is the URI (403 without a token, 401 with an invalid one, as Cloud Run
answers). It then goes to one revision, picked by the traffic split. Each revision is the uploaded
archive unpacked and served by functions-framework in its own process, started on the first
request (a cold start). Its stdout and stderr become Cloud Logging entries of type
`cloud_run_revision`. Requirements are not installed: the revision runs with this interpreter's
packages.
"""

from __future__ import annotations

import io
import os
import random
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import zipfile
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from google.auth import jwt

from .storage import free_port

INVOKER = "roles/run.invoker"
PROJECT_INVOKERS = frozenset({"roles/owner", "roles/editor", "roles/run.admin", INVOKER})
# Host is kept: Cloud Run hands the container the host the client asked for, so the app builds its URLs.
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "content-length"}


@dataclass
class Revision:
    name: str
    service_id: str
    source: Path
    target: str
    env: dict[str, str]
    deps: Path | None = None  # the requirements the build installed, on PYTHONPATH after the source
    source_file: str = "main.py"  # the module functions-framework loads (GOOGLE_FUNCTION_SOURCE)
    process: subprocess.Popen[bytes] | None = None
    port: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    tail: deque[str] = field(default_factory=lambda: deque(maxlen=20))

    def url(self, on_output: Callable[[Revision, str, str], None]) -> str:
        with self.lock:
            if self.process is None or self.process.poll() is not None:
                self._start(on_output)
            return f"http://127.0.0.1:{self.port}"

    def _start(self, on_output: Callable[[Revision, str, str], None]) -> None:
        self.port = free_port()
        command = [sys.executable, "-m", "functions_framework", "--target", self.target, "--host", "127.0.0.1"]
        command += ["--port", str(self.port), "--source", str(self.source / self.source_file)]
        env = {**self.environ(), "PORT": str(self.port)}
        env["PYTHONUNBUFFERED"] = "1"
        self.process = subprocess.Popen(
            command, cwd=self.source, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for stream, name in ((self.process.stdout, "stdout"), (self.process.stderr, "stderr")):
            threading.Thread(target=_pump, args=(stream, self, name, on_output), daemon=True).start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                time.sleep(0.2)  # let the pumps read the last lines
                tail = " | ".join(list(self.tail)[-3:])
                raise RuntimeError(f"exited with code {self.process.returncode} on start: {tail}")
            try:  # a TCP connect, as Cloud Run's default startup probe: no request reaches the user's code
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"revision {self.name} did not listen within 30 s")

    def environ(self) -> dict[str, str]:
        """The process environment: the function's variables, the K_* names, the installed requirements."""
        env = {**os.environ, **self.env, "K_SERVICE": self.service_id, "K_REVISION": self.name}
        if self.deps is not None:
            # As in the image Cloud Build makes: the function's own files first, then its requirements.
            env["PYTHONPATH"] = os.pathsep.join([str(self.source), str(self.deps)])
        return env

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _pump(stream: Any, revision: Revision, name: str, on_output: Callable[[Revision, str, str], None]) -> None:
    for line in iter(stream.readline, b""):
        text = line.decode(errors="replace").rstrip("\n")
        revision.tail.append(text)
        on_output(revision, name, text)
    stream.close()


class Ingress:
    """Front doors and revision processes for every service of one fake."""

    def __init__(
        self, workdir: Path, certs: Callable[[], dict[str, str]], on_output: Callable[[Revision, str, str], None]
    ):
        self.workdir = workdir
        self.certs = certs
        self.on_output = on_output
        self.revisions: dict[str, Revision] = {}
        self.doors: dict[str, ThreadingHTTPServer] = {}
        self.policy_of: Callable[[str], dict[str, Any]] = lambda service: {}
        # A service's effective policy includes the project's: roles there that hold run.routes.invoke
        # (owner, editor, run.admin, run.invoker) let a caller in, as IAM inheritance does on Cloud Run.
        self.project_policy: Callable[[], dict[str, Any]] = lambda: {}
        self.route_of: Callable[[str], str] = lambda service: ""
        # The service a custom domain is mapped to (domains_api.py), for the shared front end.
        self.mapped_service: Callable[[str], str | None] = lambda host: None
        self.domains_door: ThreadingHTTPServer | None = None

    def open_door(self, service: str) -> str:
        """The loopback URI of `service`, listening from now on."""
        if service not in self.doors:
            server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler(service))
            server.daemon_threads = True
            threading.Thread(target=server.serve_forever, daemon=True).start()
            self.doors[service] = server
        return f"http://127.0.0.1:{self.doors[service].server_port}"

    def open_domains(self) -> str:
        """Google's front end for mapped domains: one listener that routes by the Host header."""
        if self.domains_door is None:
            server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler(None))
            server.daemon_threads = True
            threading.Thread(target=server.serve_forever, daemon=True).start()
            self.domains_door = server
        return f"http://127.0.0.1:{self.domains_door.server_port}"

    def add_revision(
        self,
        service: str,
        revision: str,
        archive: bytes,
        target: str,
        env: dict[str, str],
        *,
        deps: Path | None = None,
        source_file: str = "main.py",
    ) -> None:
        source = self.workdir / "revisions" / revision
        source.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(io.BytesIO(archive)) as zf:
            zf.extractall(source)
        self.revisions[revision] = Revision(revision, service.rsplit("/", 1)[1], source, target, env, deps, source_file)

    def start(self, revision: str) -> None:
        """Check `revision` can start, as Cloud Run's health check does on deploy; RuntimeError if not.

        The check imports the entry module and finds the target in a bare interpreter (a fraction
        of functions-framework's start-up); the server itself starts on the first request.
        """
        found = self.revisions[revision]
        missing = f"Function {found.target} is not defined in {found.source_file}"
        module = found.source_file.removesuffix(".py")
        probe = (
            f"import sys, importlib\nmodule = importlib.import_module({module!r})\n"
            f"if not callable(getattr(module, {found.target!r}, None)): sys.exit({missing!r})\n"
        )
        result = subprocess.run(
            [sys.executable, "-c", probe],
            cwd=found.source,
            env=found.environ(),
            capture_output=True,
            text=True,
            timeout=120,
        )
        if result.returncode != 0:
            lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
            for line in lines:
                self.on_output(found, "stderr", line)
            raise RuntimeError(f"exited with code {result.returncode} on start: {' | '.join(lines[-3:])}")

    def drop(self, revision: str) -> None:
        found = self.revisions.pop(revision, None)
        if found is not None:
            found.stop()

    def close_service(self, service: str) -> None:
        server = self.doors.pop(service, None)
        if server is not None:
            server.shutdown()
            server.server_close()
        service_id = service.rsplit("/", 1)[1]
        for name in [n for n, r in self.revisions.items() if r.service_id == service_id]:
            self.revisions.pop(name).stop()

    def close(self) -> None:
        for service in list(self.doors):
            self.close_service(service)
        for revision in self.revisions.values():
            revision.stop()
        self.revisions.clear()

    def close_domains(self) -> None:
        if self.domains_door is not None:
            self.domains_door.shutdown()
            self.domains_door.server_close()
            self.domains_door = None

    def _allowed(self, service: str, uri: str, authorization: str | None) -> int:
        """200 to let the request in, else the status Cloud Run answers."""
        members = {
            member
            for binding in self.policy_of(service).get("bindings", [])
            if binding.get("role") == INVOKER
            for member in binding.get("members", [])
        }
        inherited = {
            member
            for binding in self.project_policy().get("bindings", [])
            if binding.get("role") in PROJECT_INVOKERS and not binding.get("condition")
            for member in binding.get("members", [])
        }
        if "allUsers" in members:
            return 200
        if not authorization or not authorization.startswith("Bearer "):
            return 403
        try:
            claims = self._verify(authorization.removeprefix("Bearer "), uri)
        except ValueError:
            return 401
        caller = f"serviceAccount:{claims.get('email', '')}"
        return 200 if (members | inherited) & {caller, "allAuthenticatedUsers"} else 403

    def _verify(self, token: str, audience: str) -> dict[str, Any]:
        claims: dict[str, Any] = jwt.decode(token, certs=self.certs(), audience=audience)
        if claims.get("iss") not in ("https://accounts.google.com", "accounts.google.com"):
            raise ValueError(f"wrong issuer {claims.get('iss')!r}")
        return claims

    def _handler(self, door_of: str | None) -> type[BaseHTTPRequestHandler]:
        """A front door: of service `door_of`, or (None) of whichever service the Host is mapped to."""
        ingress = self

        class FrontDoor(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                uri = f"http://127.0.0.1:{self.connection.getsockname()[1]}"
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                service = door_of
                if service is None:
                    host = (self.headers.get("host") or "").split(":")[0].lower()
                    service = ingress.mapped_service(host)
                    if service is None:
                        # Google's front end for a host no mapping claims.
                        text = b"<html><body>Error: Page not found. The requested URL was not found on this server."
                        return self._reply(404, {"content-type": "text/html; charset=UTF-8"}, text + b"</body></html>")
                    uri = f"https://{host}"
                allowed = ingress._allowed(service, uri, self.headers.get("authorization"))
                if allowed != 200:
                    text = (
                        b"<html><body>Error: Forbidden. Your client does not have permission to get URL.</body></html>"
                    )
                    if allowed == 401:
                        text = b"<html><body>Error: Unauthorized. Your client does not have an authorized token."
                        text += b"</body></html>"
                    return self._reply(allowed, {"content-type": "text/html; charset=UTF-8"}, text)
                revision = ingress.revisions.get(ingress.route_of(service))
                if revision is None:
                    return self._reply(503, {"content-type": "text/plain"}, b"no revision serves traffic")
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
                upstream = revision.url(ingress.on_output) + self.path
                request = urllib.request.Request(upstream, data=body or None, method=self.command, headers=headers)
                try:
                    with urllib.request.urlopen(request, timeout=300) as response:
                        status, out_headers, data = response.status, dict(response.headers.items()), response.read()
                except urllib.error.HTTPError as exc:
                    status, out_headers, data = exc.code, dict(exc.headers.items()), exc.read()
                out_headers["x-fake-gcp-revision"] = revision.name
                self._reply(status, out_headers, data)

            do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_GET

            def _reply(self, status: int, headers: dict[str, str], data: bytes) -> None:
                self.send_response(status)
                for key, value in headers.items():
                    if key.lower() not in _HOP_BY_HOP:
                        self.send_header(key, value)
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return FrontDoor


def pick(traffic: list[dict[str, Any]], latest: str) -> str:
    """A revision name by the traffic split (LATEST means the latest ready revision)."""
    choices = []
    for target in traffic:
        by_latest = (
            target.get("type", "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST") == "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST"
        )
        choices.append((latest if by_latest else target.get("revision", ""), int(target.get("percent", 0))))
    choices = [(name, weight) for name, weight in choices if weight > 0]
    if not choices:
        return ""
    chosen: str = random.choices([n for n, _ in choices], weights=[w for _, w in choices])[0]
    return chosen
