"""One runtime process each: awslambdaric behind a Runtime API, or an HTTP runtime (gcp, azure).

A worker serves one request at a time, like a Lambda execution environment; the pool decides
how many exist. `Outcome.kind` tells the gateway what happened: ok, error (the function raised),
timeout (killed at the configured limit) or crash (the process died).
"""

from __future__ import annotations

import http.client
import json
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from faas import DeployError, FaasError
from faas.adapters.contract import ENV_PRIVATE
from faas.providers.local.failures import start_failure
from faas.providers.local.process import LogSink, RuntimeProcess, base_environment
from faas.providers.local.runtime_api import Invocation, RuntimeApi
from faas.providers.local.secret_store import resolved

OutcomeKind = Literal["ok", "error", "timeout", "crash"]
AZURE_HOST_SCRIPT = Path(__file__).with_name("azure_host.py")


# Runs a runtime's main module, exiting if the supervisor dies: runtime processes live in their own
# process groups (so a timeout kills exactly one), and nothing else would stop them then.
_LAUNCHER = """
import os, runpy, sys, threading, time
parent = os.getppid()
def _watch():
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)
threading.Thread(target=_watch, daemon=True).start()
sys.argv = {argv!r}
{run}
"""


def launcher(python: str, module: str | None, argv: list[str], script: Path | None = None) -> list[str]:
    """The command running `module` (or `script`) like `python -m`, tied to the supervisor's life."""
    if module is not None:
        run = f"runpy.run_module({module!r}, run_name='__main__', alter_sys=True)"
        argv = [module, *argv]
    else:
        run = f"runpy.run_path({str(script)!r}, run_name='__main__')"
        argv = [str(script), *argv]
    return [python, "-c", _LAUNCHER.format(argv=argv, run=run)]


class WorkerStartError(FaasError):
    """A runtime process failed its init (import error, missing dependency, wrong wheel...)."""

    exit_code = DeployError.exit_code  # a deploy step failed, as on every provider


@dataclass(frozen=True)
class WorkerSpec:
    """Everything needed to start runtime processes for one deployed version (JSON-friendly)."""

    platform: str
    python: str
    code_dir: str
    version: str
    function_name: str
    python_version: str
    deps_dir: str | None = None
    memory: int = 512
    timeout: int = 30
    environment: dict[str, str] = field(default_factory=dict)
    region: str = "us-east-1"
    route_prefix: str = ""
    function_key: str = ""
    entry_module: str = "main"
    """The artifact's generated entry module (the target's), which the gcp runtime loads by file."""
    secret_store: str = ""
    """The local secret store file the `${secret:NAME}` values come from (outside the project)."""
    snap_start: bool = False
    """AWS SnapStart: the runtime runs its snapshot and restore hooks after init."""

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> WorkerSpec:
        return cls(**data)

    @property
    def python_path(self) -> str:
        return ":".join(part for part in (self.code_dir, self.deps_dir) if part)


@dataclass
class Outcome:
    kind: OutcomeKind
    body: bytes = b""
    error: dict[str, Any] | None = None
    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)
    request_id: str = ""
    duration_ms: float = 0.0


class Worker:
    """Base: a runtime process that is started, serves, and is killed."""

    process: RuntimeProcess | None = None

    def __init__(self, spec: WorkerSpec, name: str, sink: LogSink, private: bool = False) -> None:
        self.spec = spec
        self.name = name
        self.sink = sink
        self.private = private
        self.init_ms = 0.0
        self.current_request: str | None = None
        self.served = 0

    def environment(self) -> dict[str, str]:
        env = base_environment()
        env.update(
            PYTHONPATH=self.spec.python_path,
            PYTHONUNBUFFERED="1",
            # The cloud's code directory is read-only: nothing is compiled to disk there either.
            PYTHONDONTWRITEBYTECODE="1",
            TZ=":UTC",
            FAAS_LOCAL="1",
        )
        # Read at each start, like a cloud instance resolving its secrets: never kept in the spec.
        env.update(resolved(self.spec.environment, self.spec.secret_store))
        return env

    def start(self, timeout: float = 60.0) -> None:
        raise NotImplementedError

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.alive

    def kill(self, grace: float = 0.0) -> None:
        if self.process is not None:
            self.process.kill(grace)

    def settle(self) -> None:
        """Let the log catch up with what the request wrote, before its END/REPORT lines."""
        if self.process is not None:
            self.process.settle()

    def _failed(self, detail: str, error: dict[str, Any] | None = None) -> WorkerStartError:
        tail = self.process.output_tail(40) if self.process is not None else ""
        self.kill()
        summary = (detail.splitlines() or [""])[0]
        return WorkerStartError(start_failure(self.spec.platform, summary, tail, error, self.spec.code_dir))


class LambdaWorker(Worker):
    """`python -m awslambdaric faas_entry.handler` polling its own local Runtime API."""

    def __init__(self, spec: WorkerSpec, name: str, sink: LogSink, private: bool = False) -> None:
        super().__init__(spec, name, sink, private)
        self.api = RuntimeApi()
        self.arn = f"arn:aws:lambda:{spec.region}:000000000000:function:{spec.function_name}"

    def environment(self) -> dict[str, str]:
        env = super().environment()
        env.update(
            AWS_LAMBDA_RUNTIME_API=self.api.address,
            LAMBDA_TASK_ROOT=self.spec.code_dir,
            LAMBDA_RUNTIME_DIR=str(Path(self.spec.python).parent.parent),
            _HANDLER="faas_entry.handler",
            AWS_LAMBDA_FUNCTION_NAME=self.spec.function_name,
            AWS_LAMBDA_FUNCTION_MEMORY_SIZE=str(self.spec.memory),
            AWS_LAMBDA_FUNCTION_VERSION="$LATEST",
            AWS_LAMBDA_LOG_GROUP_NAME=f"/aws/lambda/{self.spec.function_name}",
            AWS_LAMBDA_LOG_STREAM_NAME=f"local/{self.spec.version}/{self.name}",
            AWS_LAMBDA_INITIALIZATION_TYPE="snap-start" if self.spec.snap_start else "on-demand",
            AWS_EXECUTION_ENV=f"AWS_Lambda_python{self.spec.python_version}",
            AWS_REGION=self.spec.region,
            AWS_DEFAULT_REGION=self.spec.region,
            LAMBDA_DISABLE_PREVIEW_WARN="1",
        )
        return env

    def start(self, timeout: float = 60.0) -> None:
        started = time.perf_counter()
        self.api.start()
        command = launcher(self.spec.python, "awslambdaric", ["faas_entry.handler"])
        self.process = RuntimeProcess(
            self.name,
            command,
            self.environment(),
            Path(self.spec.code_dir),
            self.sink,
            request_id=lambda: self.current_request,
            telemetry=True,
        )
        deadline = time.monotonic() + timeout
        while not self.api.waiting.wait(0.01):
            if self.api.init_failed.is_set():
                error = self.api.init_error or {}
                raise self._failed(f"{error.get('errorType', 'Error')}: {error.get('errorMessage', '')}", error)
            if not self.process.alive:
                raise self._failed(f"the process exited with status {self.process.popen.returncode}")
            if time.monotonic() > deadline:
                raise self._failed(f"init took longer than {timeout:.0f} s")
        self.init_ms = (time.perf_counter() - started) * 1000

    def invoke(self, payload: bytes, timeout: float | None = None, client_context: str | None = None) -> Outcome:
        """Hand `payload` to the runtime and wait for its answer, at most the function's timeout."""
        limit = float(self.spec.timeout if timeout is None else timeout)
        started = time.perf_counter()
        invocation = Invocation(
            payload=payload,
            deadline_ms=int((time.time() + limit) * 1000),
            function_arn=self.arn,
            client_context=client_context,
        )
        self.current_request = invocation.request_id
        self.sink(
            self.name, invocation.request_id, f"START RequestId: {invocation.request_id} Version: {self.spec.version}"
        )
        self.api.submit(invocation)
        deadline = time.monotonic() + limit
        outcome: Outcome
        while not invocation.done.wait(0.005):
            if not self.alive:
                outcome = Outcome("crash", error={"errorType": "Runtime.ExitError", "errorMessage": "process exited"})
                break
            if time.monotonic() > deadline:
                self.kill()
                outcome = Outcome(
                    "timeout",
                    error={
                        "errorType": "Sandbox.Timedout",
                        "errorMessage": f"Task timed out after {limit:.2f} seconds",
                    },
                )
                break
        else:
            if invocation.error is not None:
                outcome = Outcome("error", body=json.dumps(invocation.error).encode(), error=invocation.error)
            else:
                outcome = Outcome("ok", body=invocation.response or b"null")
        outcome.request_id = invocation.request_id
        outcome.duration_ms = (time.perf_counter() - started) * 1000
        self.settle()
        # current_request stays set: output the pump reads a moment after the answer is still
        # this request's (as in Lambda, where a line belongs to the invocation it was written in).
        self.served += 1
        return outcome

    def kill(self, grace: float = 0.0) -> None:
        super().kill(grace)
        self.api.close()


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


class HttpWorker(Worker):
    """An HTTP runtime: functions-framework (gcp) or the azure-functions host (azure)."""

    def __init__(self, spec: WorkerSpec, name: str, sink: LogSink, private: bool = False) -> None:
        super().__init__(spec, name, sink, private)
        self.port = free_port()

    @property
    def gcp_source(self) -> str:
        return str(Path(self.spec.code_dir) / f"{self.spec.entry_module}.py")

    def command(self) -> list[str]:
        if self.spec.platform == "gcp":
            source = self.gcp_source
            arguments = ["--target", "handler", "--source", source, "--host", "127.0.0.1", "--port", str(self.port)]
            return launcher(self.spec.python, "functions_framework", arguments)
        # By path through runpy, so sys.path[0] is the artifact (cwd), not this package's folder.
        return launcher(self.spec.python, None, [], AZURE_HOST_SCRIPT)

    def environment(self) -> dict[str, str]:
        env = super().environment()
        name = self.spec.function_name
        if self.spec.platform == "gcp":
            env.update(
                K_SERVICE=name,
                K_REVISION=f"{name}-{self.spec.version}",
                K_CONFIGURATION=name,
                FUNCTION_TARGET="handler",
                # What the buildpack sets from GOOGLE_FUNCTION_SOURCE (see providers/gcp).
                FUNCTION_SOURCE=self.gcp_source,
                FUNCTION_SIGNATURE_TYPE="http",
                PORT=str(self.port),
            )
            if self.private:
                # As the private (IAM-only) function that takes envelopes and CloudEvents.
                env[ENV_PRIVATE] = "1"
        else:
            env.update(
                FUNCTIONS_WORKER_RUNTIME="python",
                AzureWebJobsScriptRoot=self.spec.code_dir,
                WEBSITE_SITE_NAME=name,
                FAAS_LOCAL_PORT=str(self.port),
                FAAS_LOCAL_ROUTE_PREFIX=self.spec.route_prefix,
                FAAS_LOCAL_FUNCTION_KEY=self.spec.function_key,
            )
        return env

    def start(self, timeout: float = 60.0) -> None:
        started = time.perf_counter()
        self.process = RuntimeProcess(
            self.name,
            self.command(),
            self.environment(),
            Path(self.spec.code_dir),
            self.sink,
            request_id=lambda: self.current_request,
        )
        deadline = time.monotonic() + timeout
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    break
            except OSError:
                pass
            if not self.process.alive:
                raise self._failed(f"the process exited with status {self.process.popen.returncode}")
            if time.monotonic() > deadline:
                raise self._failed(f"it did not listen within {timeout:.0f} s")
            time.sleep(0.02)
        self.init_ms = (time.perf_counter() - started) * 1000

    def forward(
        self,
        method: str,
        target: str,
        headers: list[tuple[str, str]],
        body: bytes,
        *,
        request_id: str,
        timeout: float | None = None,
    ) -> Outcome:
        """Send one HTTP request to the runtime; kill it if it overruns the function's timeout."""
        limit = float(self.spec.timeout if timeout is None else timeout)
        started = time.perf_counter()
        self.current_request = request_id
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=limit)
        outcome: Outcome
        try:
            connection.request(method, target, body=body, headers=dict(_merge(headers)))
            response = connection.getresponse()
            outcome = Outcome("ok", body=response.read(), status=response.status, headers=response.getheaders())
        except TimeoutError:
            self.kill()
            outcome = Outcome(
                "timeout", error={"errorType": "Timeout", "errorMessage": f"Task timed out after {limit:.2f} seconds"}
            )
        except (OSError, http.client.HTTPException) as error:
            self.kill()
            outcome = Outcome("crash", error={"errorType": "ConnectionError", "errorMessage": str(error)})
        finally:
            connection.close()
        outcome.request_id = request_id
        outcome.duration_ms = (time.perf_counter() - started) * 1000
        self.settle()
        # current_request stays set: output the pump reads a moment after the answer is still
        # this request's (as in Lambda, where a line belongs to the invocation it was written in).
        self.served += 1
        return outcome


def _merge(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    # http.client takes a dict: repeated request headers are joined as HTTP allows (Cookie with "; ").
    merged: dict[str, tuple[str, str]] = {}
    for name, value in headers:
        key = name.lower()
        if key in merged:
            separator = "; " if key == "cookie" else ", "
            merged[key] = (merged[key][0], merged[key][1] + separator + value)
        else:
            merged[key] = (name, value)
    return list(merged.values())
