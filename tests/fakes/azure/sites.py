"""Each site's front end on loopback: the published package really runs and answers at the site's URL.

A site's `defaultHostName` is `127.0.0.1:PORT`. That port speaks HTTPS (the test CA) and plain HTTP
alike, told apart by the first byte of a connection, so `https://{defaultHostName}` as on Azure and a
plain `http://` both reach it. After a successful One Deploy publish the package runs with the local
provider's Azure host (`providers/local/azure_host.py`: `function_app.app` behind a Functions host),
its app settings as environment variables and the route prefix from its `host.json`, like the
platform's worker. The front end holds the site's keys as the real host does: `/admin/*` takes only
the master key (`x-functions-key` or `?code=`), function-level routes any host or function key; a
caller without one gets the host's 401. Output of the worker is kept as the site's log lines.
"""

from __future__ import annotations

import http.client
import importlib.util
import io
import json
import os
import secrets
import socket
import ssl
import subprocess
import sys
import threading
import time
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from .indexer import Index
from .siteops import HostKeys

# the Functions host's default page when no HTTP function claims the root (AzureWebJobsDisableHomepage)
HOMEPAGE = b"<html><body><h1>Your Functions 4.0 app is up and running</h1></body></html>"
_RUN_HOST = """
import os, runpy, sys, threading, time
parent = os.getppid()
def _watch():
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)
threading.Thread(target=_watch, daemon=True).start()
sys.argv = [{script!r}]
runpy.run_path({script!r}, run_name="__main__")
"""


def azure_host_script() -> Path:
    spec = importlib.util.find_spec("faas.providers.local")
    assert spec is not None and spec.origin is not None
    return Path(spec.origin).with_name("azure_host.py")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class LogLine:
    time: float
    text: str
    release: int
    # the APPLICATIONINSIGHTS_CONNECTION_STRING the host ran with when it wrote the line (monitor.py)
    telemetry: str | None = None


# what the Functions host logs as the reason of an HTTP-triggered run, too
HTTP_REASON = "This function was programmatically called via the host APIs."


def _http_route(function: dict[str, Any]) -> str | None:
    for binding in function.get("bindings") or ():
        if binding.get("type") == "httpTrigger":
            return str(binding.get("route") or function["name"]).strip("/")
    return None


def route_prefix(release: Path) -> str:
    try:
        host = json.loads((release / "host.json").read_text())
    except (OSError, ValueError):
        return "api"
    prefix = ((host.get("extensions") or {}).get("http") or {}).get("routePrefix", "api")
    return str(prefix).strip("/")


class _DualServer(ThreadingHTTPServer):
    """Plain HTTP and TLS on one port: a TLS connection starts with a handshake record (0x16)."""

    daemon_threads = True

    def __init__(self, handler: type[BaseHTTPRequestHandler], context: ssl.SSLContext) -> None:
        super().__init__(("127.0.0.1", 0), handler)
        self.context = context

    def finish_request(self, request: Any, client_address: Any) -> None:
        try:
            request.settimeout(10)
            first = request.recv(1, socket.MSG_PEEK)
            if first == b"\x16":
                request = self.context.wrap_socket(request, server_side=True)
            request.settimeout(None)
        except (OSError, ssl.SSLError):
            return
        self.RequestHandlerClass(request, client_address, self)  # type: ignore[arg-type]


class SiteHost:
    def __init__(
        self,
        site: dict[str, Any],
        *,
        keys: HostKeys,
        workdir: Path,
        context: ssl.SSLContext,
        index: Callable[[], Index | None] = lambda: None,
    ) -> None:
        self.site = site
        self.keys = keys
        self.index = index  # what the host indexed from the released package (Kudu's)
        self.workdir = workdir
        self.logs: list[LogLine] = []
        self.release = 0
        self.release_dir: Path | None = None
        self.prefix = "api"
        self.error: str | None = None  # why the worker is not serving, when it is not
        self.telemetry: str | None = None  # where the host sends its logs (the connection string setting)
        self._worker: subprocess.Popen[bytes] | None = None
        self._worker_port = 0
        self._internal_key = secrets.token_urlsafe(24)  # what the front end hands the worker, never a user
        self._lock = threading.RLock()
        self._server = _DualServer(self._handler(), context)
        self.port: int = self._server.server_address[1]
        self.host_name = f"127.0.0.1:{self.port}"
        threading.Thread(target=self._server.serve_forever, name=f"azure-site-{self.port}", daemon=True).start()

    @property
    def serving(self) -> bool:
        return self._worker is not None and self._worker.poll() is None

    # -- the worker -------------------------------------------------------------------------------

    def deploy(self, package: bytes, settings: dict[str, str]) -> None:
        """Run a released package in place of the current one (the host restarts on a new package)."""
        with self._lock:
            self.release += 1
            folder = self.workdir / f"release-{self.release}"
            with zipfile.ZipFile(io.BytesIO(package)) as archive:
                archive.extractall(folder)
            self.release_dir = folder
            self.restart(settings)

    def restart(self, settings: dict[str, str]) -> None:
        with self._lock:
            self._stop_worker()
            self.telemetry = settings.get("APPLICATIONINSIGHTS_CONNECTION_STRING")
            if self.release_dir is None:
                return
            self.prefix = route_prefix(self.release_dir)
            self._worker_port = _free_port()
            packages = self.release_dir / ".python_packages" / "lib" / "site-packages"
            env = {
                "PATH": os.environ.get("PATH", ""),
                "HOME": os.environ.get("HOME", ""),
                **settings,
                "FUNCTIONS_WORKER_RUNTIME": "python",
                "WEBSITE_SITE_NAME": self.site["name"],
                "WEBSITE_HOSTNAME": self.host_name,
                "AzureWebJobsScriptRoot": str(self.release_dir),
                "PYTHONPATH": os.pathsep.join([str(self.release_dir), str(packages)]),
                "PYTHONUNBUFFERED": "1",
                "FAAS_LOCAL_PORT": str(self._worker_port),
                "FAAS_LOCAL_ROUTE_PREFIX": self.prefix,
                "FAAS_LOCAL_FUNCTION_KEY": self._internal_key,
            }
            self._worker = subprocess.Popen(
                [sys.executable, "-c", _RUN_HOST.format(script=str(azure_host_script()))],
                cwd=self.release_dir,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            threading.Thread(target=self._pump, args=(self._worker, self.release, self.telemetry), daemon=True).start()
            self.error = self._wait_listening(self._worker)

    def _wait_listening(self, worker: subprocess.Popen[bytes]) -> str | None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self._worker_port), timeout=0.5):
                    return None
            except OSError:
                pass
            if worker.poll() is not None:
                time.sleep(0.1)  # let the pump take the last lines
                tail = [line.text for line in self.logs if line.release == self.release][-1:]
                return f"the host exited with status {worker.returncode}: {' '.join(tail)}"
            time.sleep(0.02)
        return "the host did not listen within 60 s"

    def _pump(self, worker: subprocess.Popen[bytes], release: int, telemetry: str | None) -> None:
        assert worker.stdout is not None
        for raw in worker.stdout:
            self.logs.append(LogLine(time.time(), raw.decode(errors="replace").rstrip("\n"), release, telemetry))

    def _stop_worker(self) -> None:
        if self._worker is not None and self._worker.poll() is None:
            self._worker.terminate()
            try:
                self._worker.wait(5)
            except subprocess.TimeoutExpired:
                self._worker.kill()
                self._worker.wait()
        self._worker = None

    def stop(self) -> None:
        with self._lock:
            self._stop_worker()
        self._server.shutdown()
        self._server.server_close()

    # -- the front end ----------------------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        outer = self

        class Front(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def _reply(self, status: int, body: bytes = b"", content_type: str = "text/plain") -> None:
                self.send_response(status)
                if body:
                    self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                split = urlsplit(self.path)
                query = dict(parse_qsl(split.query, keep_blank_values=True))
                key = self.headers.get("x-functions-key") or query.get("code")
                admin = split.path.lower().startswith("/admin/")
                if admin and key != outer.keys.master:
                    self._reply(401)
                    return
                functions_api = split.path.lower().rstrip("/")
                if admin and (functions_api == "/admin/functions" or functions_api.startswith("/admin/functions/")):
                    outer._admin_functions(self, split.path, body)
                    return
                headers = [(k, v) for k, v in self.headers.items() if k.lower() not in ("x-functions-key", "host")]
                if admin or outer.keys.accepts(key) or any(key in k.values() for k in outer.keys.functions.values()):
                    headers.append(("x-functions-key", outer._internal_key))
                if not outer.serving:
                    if split.path in ("", "/") and self.command in ("GET", "HEAD"):
                        self._reply(200, HOMEPAGE, "text/html")
                    else:
                        self._reply(404)
                    return
                headers.append(("Host", outer.host_name))
                http_function = outer._http_function(split.path)
                run_id = str(uuid.uuid4())
                if http_function:
                    outer._log(f"Executing 'Functions.{http_function}' (Reason='{HTTP_REASON}', Id={run_id})")
                started = time.monotonic()
                status = outer._forward(self, body, headers)
                if http_function:
                    outcome = "Succeeded" if status and status < 500 else "Failed"
                    duration = round((time.monotonic() - started) * 1000)
                    outer._log(f"Executed 'Functions.{http_function}' ({outcome}, Id={run_id}, Duration={duration}ms)")

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve

        return Front

    # -- the admin API for functions: list what indexed, run a non-HTTP function ------------------------

    def _indexed(self) -> list[dict[str, Any]]:
        index = self.index()
        return list(index.functions) if index is not None and self.serving else []

    def _metadata(self, function: dict[str, Any]) -> dict[str, Any]:
        # the host's FunctionMetadataResponse, with the bindings as the worker reported them
        name = function["name"]
        trigger = next((b for b in function["bindings"] if str(b.get("type", "")).endswith("Trigger")), {})
        route = f"/{self.prefix}/{trigger.get('route') or name}".replace("//", "/") if trigger else ""
        return {
            "name": name,
            "href": f"https://{self.host_name}/admin/functions/{name}",
            "invoke_url_template": f"https://{self.host_name}{route}" if trigger.get("type") == "httpTrigger" else None,
            "language": "python",
            "config": {"bindings": function["bindings"]},
            "isDisabled": False,
            "isDirect": True,
            "isProxy": False,
        }

    def _admin_functions(self, front: Any, path: str, body: bytes) -> None:
        """`GET /admin/functions[/{name}]` and `POST /admin/functions/{name}` as the Functions host answers."""
        parts = [part for part in path.split("/") if part]  # admin, functions[, name]
        functions = {f["name"].lower(): f for f in self._indexed()}
        if len(parts) == 2 and front.command == "GET":
            listing = [self._metadata(f) for f in functions.values()]
            front._reply(200, json.dumps(listing).encode(), "application/json")
            return
        function = functions.get(parts[2].lower()) if len(parts) == 3 else None
        if function is None:
            front._reply(404)
            return
        if front.command == "GET":
            front._reply(200, json.dumps(self._metadata(function)).encode(), "application/json")
            return
        if front.command != "POST":
            front._reply(405)
            return
        try:
            invocation = json.loads(body or b"{}")
            if not isinstance(invocation, dict):
                raise ValueError("not an object")
        except ValueError:
            front._reply(400, b'the body must be a JSON object: {"input": "..."}')
            return
        # The host accepts the run and executes it in the background: the caller sees 202 at once and
        # the function's output only in the logs.
        threading.Thread(target=self._run, args=(function["name"], invocation), daemon=True).start()
        front._reply(202)

    def _run(self, name: str, invocation: dict[str, Any]) -> None:
        run_id = str(uuid.uuid4())
        release = self.release
        self.logs.append(
            LogLine(
                time.time(),
                f"Executing 'Functions.{name}' (Reason='This function was programmatically called via the host "
                f"APIs.', Id={run_id})",
                release,
                self.telemetry,
            )
        )
        started = time.monotonic()
        body = json.dumps({"input": invocation.get("input", "")}).encode()
        status = 0
        connection = http.client.HTTPConnection("127.0.0.1", self._worker_port, timeout=230)
        try:
            connection.request(
                "POST",
                f"/admin/functions/{name}",
                body,
                {"Content-Type": "application/json", "x-functions-key": self._internal_key},
            )
            response = connection.getresponse()
            response.read()
            status = response.status
        except OSError:
            pass
        finally:
            connection.close()
        outcome = "Succeeded" if status == 202 else "Failed"
        duration = round((time.monotonic() - started) * 1000)
        line = f"Executed 'Functions.{name}' ({outcome}, Id={run_id}, Duration={duration}ms)"
        self.logs.append(LogLine(time.time(), line, release, self.telemetry))

    def _http_function(self, path: str) -> str | None:
        """The indexed HTTP function serving `path`: a literal route first, else a catch-all ({*x})."""
        path = path.strip("/")
        if self.prefix and path.startswith(self.prefix):
            path = path[len(self.prefix) :].strip("/")
        routes = [(f["name"], route) for f in self._indexed() if (route := _http_route(f)) is not None]
        literal = next((name for name, route in routes if "{" not in route and route == path), None)
        return literal or next((name for name, route in routes if "{" in route), None)

    def _log(self, text: str) -> None:
        self.logs.append(LogLine(time.time(), text, self.release, self.telemetry))

    def _forward(self, front: BaseHTTPRequestHandler, body: bytes, headers: list[tuple[str, str]]) -> int:
        connection = http.client.HTTPConnection("127.0.0.1", self._worker_port, timeout=230)
        try:
            connection.putrequest(front.command, front.path, skip_host=True, skip_accept_encoding=True)
            for name, value in headers:
                if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                    connection.putheader(name, value)
            connection.putheader("Content-Length", str(len(body)))
            connection.endheaders(body)
            response = connection.getresponse()
            payload = response.read()
        except OSError:
            # what the platform's front end answers when the worker is gone
            front.send_response(502)
            front.send_header("Content-Length", "0")
            front.end_headers()
            return 0
        finally:
            connection.close()
        front.send_response(response.status)
        for name, value in response.getheaders():
            if name.lower() not in ("content-length", "transfer-encoding", "connection", "server", "date"):
                front.send_header(name, value)
        front.send_header("Content-Length", str(len(payload)))
        front.end_headers()
        if front.command != "HEAD":
            front.wfile.write(payload)
        return response.status


class SiteHosts:
    """One SiteHost per site, started with the site; `for_site(name)` for tests."""

    def __init__(
        self,
        workdir: Path,
        context_factory: Callable[[], ssl.SSLContext],
        *,
        keys_of: Callable[[str], HostKeys],
        settings_of: Callable[[str], dict[str, str]],
        index_of: Callable[[str], Index | None] = lambda site_id: None,
    ) -> None:
        self.workdir = workdir
        self._context_factory = context_factory
        self._keys_of = keys_of
        self._index_of = index_of
        self._settings_of = settings_of
        self.hosts: dict[str, SiteHost] = {}

    def start(self, site: dict[str, Any]) -> str:
        key = site["id"].lower()
        host = SiteHost(
            site,
            keys=self._keys_of(site["id"]),
            workdir=self.workdir / f"{site['name']}-{secrets.token_hex(4)}",
            context=self._context_factory(),
            index=lambda: self._index_of(site["id"]),
        )
        self.hosts[key] = host
        return host.host_name

    def deploy(self, site: dict[str, Any], package: bytes) -> SiteHost | None:
        host = self.hosts.get(site["id"].lower())
        if host is not None:
            host.deploy(package, self._settings_of(site["id"]))
        return host

    def restart(self, site: dict[str, Any]) -> None:
        host = self.hosts.get(site["id"].lower())
        if host is not None:
            host.restart(self._settings_of(site["id"]))

    def stop(self, site_id: str) -> None:
        host = self.hosts.pop(site_id.lower(), None)
        if host is not None:
            host.stop()

    def stop_all(self) -> None:
        for key in list(self.hosts):
            self.stop(key)

    def for_site(self, name: str) -> SiteHost:
        for host in self.hosts.values():
            if host.site["name"].lower() == name.lower():
                return host
        raise KeyError(name)
