"""The supervisor: one background process per stage owning the gateway, the runtime processes and
the scheduler. `faas deploy` starts it detached; `status`, `logs`, `invoke`, `rollback` and
`undeploy` from later CLI calls reach it through a token-protected control API on 127.0.0.1.

Run as `python -m faas.providers.local.supervisor <state dir>`; it reads deployment.json there and
writes supervisor.json once the app answers (or an `error` if it could not start).
"""

from __future__ import annotations

import dataclasses
import errno
import json
import os
import signal
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from faas.providers.local.buckets import LocalBuckets, local_triggers
from faas.providers.local.control import SupervisorError, port_in_use
from faas.providers.local.gateway.aws import HttpAnswer
from faas.providers.local.gateway.request import GatewayRequest
from faas.providers.local.gateway.server import GatewayServer
from faas.providers.local.httpd import BackgroundServer, QuietHandler
from faas.providers.local.pool import PoolDrainingError
from faas.providers.local.router import Deployment, read_runtime_config
from faas.providers.local.scheduler import ScheduledJob, Scheduler
from faas.providers.local.secrets import SECRETS_KEY, missing, require_complete, secret_values
from faas.providers.local.state import StageDir, read_json, write_deployment, write_json
from faas.providers.local.static import LocalBucket, serve_bucket, storage_environment
from faas.providers.local.workers import Outcome, WorkerSpec, WorkerStartError


class LogWriter:
    """Appends every process's output to the stage log as JSON lines (thread-safe)."""

    def __init__(self, path: Path, echo: bool = False) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # The app's output may be sensitive: the owner's only, like every state file.
        self._file = os.fdopen(os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600), "a", encoding="utf-8")
        self._lock = threading.Lock()
        self.echo = echo

    def __call__(self, source: str, request_id: str | None, line: str) -> None:
        record = {"ts": datetime.now(UTC).isoformat(), "source": source, "request_id": request_id, "message": line}
        with self._lock:
            self._file.write(json.dumps(record) + "\n")
            self._file.flush()
            if self.echo:
                print(f"[{source}] {line}", flush=True)


def scheduled_jobs(code_dir: Path) -> list[ScheduledJob]:
    """The schedule triggers in an artifact's faas_runtime.json."""
    config = read_json(code_dir / "faas_runtime.json") or {}
    jobs = []
    for name, function in (config.get("functions") or {}).items():
        # The index counts all of the function's triggers: it names the rule / Azure function.
        for index, trigger in enumerate(function.get("triggers") or []):
            if trigger.get("type") == "schedule":
                jobs.append(ScheduledJob(name, index, trigger["expression"]))
    return jobs


def outcome_json(outcome: Outcome) -> dict[str, Any]:
    return {
        "kind": outcome.kind,
        "body": outcome.body.decode("utf-8", "replace"),
        "error": outcome.error,
        "status": outcome.status,
        "request_id": outcome.request_id,
        "duration_ms": outcome.duration_ms,
    }


class Supervisor:
    """Runs one stage: reads its deployment, serves it, switches versions without dropping requests."""

    def __init__(
        self, stage: StageDir, *, echo: bool = False, tick: float = 1.0, secrets: dict[str, str] | None = None
    ) -> None:
        self.stage = stage
        self.config: dict[str, Any] = read_json(stage.deployment) or {}
        # deployment.json has no secret values: they come from the CLI that started this process.
        self._secrets: dict[tuple[str, str], str] = {}
        if self.config:
            self.config["spec"]["environment"].update(secrets or {})
            self._remember_secrets(self.config)
        self.sink = LogWriter(stage.log, echo=echo)
        self.tick = tick
        self.stopped = threading.Event()
        self.deployment: Deployment | None = None
        self.scheduler: Scheduler | None = None
        self.buckets: LocalBuckets | None = None
        self.gateway: GatewayServer | None = None
        self.control: ControlServer | None = None
        self._switch_lock = threading.Lock()

    # -- lifecycle ------------------------------------------------------------------------------

    def _remember_secrets(self, config: dict[str, Any]) -> None:
        digests: dict[str, str] = config.get(SECRETS_KEY) or {}
        for name, value in secret_values(config).items():
            self._secrets[(name, digests[name])] = value

    def _with_secrets(self, config: dict[str, Any]) -> dict[str, Any]:
        """`config` with the secret values it lacks (a rollback's) from the versions this process ran."""
        digests: dict[str, str] = config.get(SECRETS_KEY) or {}
        for name in missing(config):
            value = self._secrets.get((name, digests[name]))
            if value is not None:
                config["spec"]["environment"][name] = value
        require_complete(config, str(config["spec"].get("version")))
        self._remember_secrets(config)
        return config

    def _deployment(self, config: dict[str, Any]) -> Deployment:
        assert self.gateway is not None
        spec = WorkerSpec.from_json(config["spec"])
        storage = [LocalBucket.from_json(bucket) for bucket in config.get("storage") or []]
        # The bucket URLs hold the gateway's port, known once it listens.
        base = f"http://{config['host']}:{self.gateway.port}"
        environment = {**storage_environment(storage, base), **spec.environment}
        return Deployment(
            dataclasses.replace(spec, environment=environment),
            pool_size=config["pool_size"],
            front_door=config.get("front_door") or "http-api",
            stage=config["stage"],
            sink=self.sink,
            serves_http=config["serves_http"],
            storage=storage,
        )

    def start(self) -> None:
        config = self.config
        port = int(config.get("port") or 0)
        try:
            self.gateway = GatewayServer(config["host"], port, self.handle)
        except OSError as error:
            if error.errno != errno.EADDRINUSE:
                raise
            raise SupervisorError(port_in_use(config["host"], port)) from None
        # The control API is for this machine's CLI only: always IPv4 loopback, whatever the gateway uses.
        self.control = ControlServer("127.0.0.1", self)
        self.deployment = self._deployment(config)
        self.deployment.warm()
        self.gateway.start()
        self.control.start()
        self._schedule(self.deployment)
        self.sink("supervisor", None, f"serving version {self.deployment.version} on {self.url}")
        self._write_state()

    @property
    def origin(self) -> str:
        assert self.gateway is not None
        return f"http://{self.config['host']}:{self.gateway.port}"

    @property
    def url(self) -> str:
        base = self.origin
        if self.config.get("front_door") == "rest-api" and self.config["spec"]["platform"] == "aws":
            return f"{base}/{self.config['stage']}"
        if self.config["spec"]["platform"] == "azure" and self.config["spec"].get("route_prefix"):
            return f"{base}/{self.config['spec']['route_prefix']}"
        return base

    def _write_state(self) -> None:
        assert self.gateway is not None and self.control is not None and self.deployment is not None
        write_json(
            self.stage.supervisor,
            {
                "pid": os.getpid(),
                "port": self.gateway.port,
                "control_port": self.control.port,
                "token": self.config["token"],
                "url": self.url,
                "version": self.deployment.version,
                "updated": time.time(),
            },
        )

    def _schedule(self, deployment: Deployment) -> None:
        if self.scheduler is not None:
            self.scheduler.stop()
        jobs = scheduled_jobs(Path(deployment.spec.code_dir))
        buckets, queues = local_triggers(read_runtime_config(Path(deployment.spec.code_dir)))
        self.buckets = LocalBuckets(self.stage.root, buckets, queues, self._on_object, self._on_messages)
        self.buckets.start()
        self.scheduler = Scheduler(jobs, self.fire, tick=self.tick, on_tick=self.buckets.poll)
        self.scheduler.start()

    def _on_object(self, bucket: str, key: str, action: str) -> None:
        assert self.deployment is not None
        self.sink("buckets", None, f"{bucket}: {key} {action}")
        for outcome in self.deployment.fire_storage(bucket, key, action, self.stage.root / "buckets" / bucket / key):
            self.sink("buckets", outcome.request_id, f"{bucket}/{key} {action}: {outcome.kind}")

    def _on_messages(self, queue: str, bodies: list[str]) -> bool:
        assert self.deployment is not None
        handled = self.deployment.fire_queue(queue, bodies)
        self.sink("queues", None, f"{queue}: {len(bodies)} message(s) {'handled' if handled else 'failed'}")
        return handled

    def fire(self, job: ScheduledJob) -> Outcome:
        assert self.deployment is not None
        self.sink("scheduler", None, f"firing {job.expression} of {job.function}")
        outcome = self.deployment.fire_schedule(job.function, job.index)
        self.sink("scheduler", outcome.request_id, f"{job.function} schedule: {outcome.kind}")
        return outcome

    def switch(self, config: dict[str, Any]) -> str:
        """Start the new version, send new requests to it, drain the old one in the background."""
        with self._switch_lock:
            config = self._with_secrets(config)
            new = self._deployment(config)
            try:
                new.warm()
            except Exception:
                new.drain()
                raise
            old, self.deployment, self.config = self.deployment, new, config
            write_deployment(self.stage.deployment, config)
            self._schedule(new)
            self._write_state()
            self.sink("supervisor", None, f"switched to version {new.version}")
            if old is not None:
                threading.Thread(target=old.drain, name="drain", daemon=True).start()
            return new.version

    def stop(self) -> None:
        self.stopped.set()

    def run(self) -> None:
        """Serve until stopped (SIGTERM, SIGINT or the control API), then stop every process."""
        for number in (signal.SIGTERM, signal.SIGINT):
            signal.signal(number, lambda *_: self.stop())
        self.stopped.wait()
        self.shutdown()

    def shutdown(self) -> None:
        self.stopped.set()
        if self.scheduler is not None:
            self.scheduler.stop()
        if self.gateway is not None:
            self.gateway.stop()
        if self.deployment is not None:
            self.deployment.drain()
        if self.control is not None:
            self.control.stop()
        self.stage.supervisor.unlink(missing_ok=True)
        self.sink("supervisor", None, "stopped")

    # -- requests -------------------------------------------------------------------------------

    def handle(self, request: GatewayRequest) -> HttpAnswer:
        while True:
            deployment = self.deployment
            assert deployment is not None
            # Public buckets first, as a CDN routes their path to the bucket before the function.
            from_bucket = serve_bucket(deployment.storage, request)
            if from_bucket is not None:
                return from_bucket
            try:
                return deployment.handle_http(request)
            except PoolDrainingError:
                # Replaced while this request waited for a process: the new version serves it.
                # Not replaced means shutting down: nobody will serve it.
                if self.deployment is deployment or self.stopped.is_set():
                    return 503, [("Content-Type", "text/plain")], b"the local deployment is stopping"
            except TimeoutError as error:
                return 503, [("Content-Type", "text/plain")], str(error).encode()
            except WorkerStartError as error:
                # A replacement process failed its init (e.g. the code changed under it): like Lambda's
                # Runtime.ImportModuleError, the request fails and the error is in the logs.
                self.sink("pool", request.request_id, str(error))
                return 502, [("Content-Type", "application/json")], b'{"message":"Internal Server Error"}'

    def status(self) -> dict[str, Any]:
        deployment = self.deployment
        assert deployment is not None
        return {
            "pid": os.getpid(),
            "url": self.url,
            "version": deployment.version,
            "workers": [worker for pool in deployment.pools() for worker in pool.describe()],
            "replaced": sum(pool.replaced for pool in deployment.pools()),
            "buckets": sorted(self.buckets.buckets) if self.buckets else [],
            "storage": [
                {"bucket": bucket.bucket, "folder": str(bucket.folder), "url": self.origin + bucket.prefix}
                for bucket in deployment.storage
                if bucket.public
            ],
            "queues": sorted(self.buckets.queues) if self.buckets else [],
            "schedules": [
                {"function": j.function, "expression": j.expression}
                for j in (self.scheduler.jobs if self.scheduler else [])
            ],
        }

    def invoke(self, event: Any, function: str | None) -> Outcome:
        while True:
            deployment = self.deployment
            assert deployment is not None
            try:
                return deployment.invoke(event, function)
            except PoolDrainingError:
                if self.deployment is deployment or self.stopped.is_set():
                    raise RuntimeError("the local deployment is stopping") from None


class ControlServer(BackgroundServer):
    """The supervisor's control API: JSON over HTTP on loopback, every call carrying the token."""

    def __init__(self, host: str, supervisor: Supervisor) -> None:
        super().__init__((host, 0), _ControlHandler, "control")
        self.supervisor = supervisor


class _ControlHandler(QuietHandler):
    server: ControlServer

    def _reply(self, status: int, data: Any) -> None:
        body = json.dumps(data).encode()
        self.send_response_only(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self._dispatch({})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        try:
            data = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            self._reply(400, {"error": "invalid JSON"})
            return
        self._dispatch(data)

    def _dispatch(self, data: dict[str, Any]) -> None:
        supervisor = self.server.supervisor
        if self.headers.get("X-Faas-Token") != supervisor.config.get("token"):
            self._reply(403, {"error": "bad token"})
            return
        try:
            if self.path == "/status":
                self._reply(200, supervisor.status())
            elif self.path == "/invoke":
                self._reply(200, outcome_json(supervisor.invoke(data.get("event"), data.get("function"))))
            elif self.path == "/fire":
                jobs = supervisor.scheduler.jobs if supervisor.scheduler else []
                chosen = [job for job in jobs if data.get("function") in (None, job.function)]
                self._reply(200, [outcome_json(supervisor.fire(job)) for job in chosen])
            elif self.path == "/publish":
                assert supervisor.deployment is not None
                outcomes = supervisor.deployment.fire_topic(str(data["topic"]), str(data["message"]))
                self._reply(200, [outcome_json(outcome) for outcome in outcomes])
            elif self.path == "/switch":
                self._reply(200, {"version": supervisor.switch(data)})
            elif self.path == "/stop":
                self._reply(200, {"stopping": True})
                supervisor.stop()
            else:
                self._reply(404, {"error": f"no such call {self.path}"})
        except Exception as error:
            self._reply(500, {"error": f"{type(error).__name__}: {error}"})


def main(argv: list[str]) -> int:
    stage = StageDir(Path(argv[1]))
    # The secret environment values arrive on stdin (a pipe from the deploying CLI), never in a file.
    piped = sys.stdin.read() if sys.stdin is not None and not sys.stdin.isatty() else ""
    supervisor = Supervisor(stage, secrets=json.loads(piped) if piped.strip() else {})
    try:
        supervisor.start()
    except Exception as error:
        supervisor.shutdown()
        write_json(stage.supervisor, {"pid": os.getpid(), "error": str(error)})
        return 1
    supervisor.run()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
