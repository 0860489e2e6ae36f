"""Local provider benchmarks: cold start and warm latency through the gateway (aws emulation).

    python benchmarks/local.py [--requests 300] [--repeat 7]

Measures, for the Flask example (and Django for the bytecode comparison):
- cold start: process start to first response, through the gateway and the real awslambdaric;
- warm latency through the gateway (median, p95), one new TCP connection per request;
- the app's own import time in the target interpreter (the floor of any cold start);
- the same app under `python -m flask run` (cold start and warm latency);
- cold start with and without bytecode in the artifact, through awslambdaric.
"""

from __future__ import annotations

import argparse
import dataclasses
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from faas.core import workflow
from faas.core.config import Project, load_project
from faas.providers.local.events import default_event
from faas.providers.local.gateway.server import GatewayServer
from faas.providers.local.provider import LocalProvider
from faas.providers.local.router import Deployment
from faas.providers.local.runtime_env import RuntimeEnv, ensure_runtime_env
from faas.providers.local.workers import LambdaWorker, WorkerSpec, free_port

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def sink(source: str, request_id: str | None, line: str) -> None:
    pass


def project_copy(name: str, work: Path, bytecode: bool = True) -> Project:
    target = work / f"{name}-{'pyc' if bytecode else 'nopyc'}-{len(list(work.iterdir()))}"
    shutil.copytree(EXAMPLES / name, target, ignore=shutil.ignore_patterns(".faas", "__pycache__", "staticfiles"))
    project = load_project(target / "faas.toml")
    package = project.config.package.model_copy(update={"bytecode": bytecode})
    return dataclasses.replace(project, config=project.config.model_copy(update={"package": package}))


def build(project: Project, work: Path) -> tuple[Path, RuntimeEnv, str]:
    provider = workflow.open_provider(project, "local")
    assert isinstance(provider, LocalProvider)
    artifact = workflow.package(provider, work / f"out-{project.root.name}")
    code = work / f"code-{project.root.name}"
    with zipfile.ZipFile(artifact.path) as archive:
        archive.extractall(code)
    version, interpreter = provider._python()
    return code, ensure_runtime_env("aws", interpreter, version), version


def spec_for(code: Path, env: RuntimeEnv, version: str) -> WorkerSpec:
    return WorkerSpec(
        platform="aws",
        python=str(env.python),
        code_dir=str(code),
        version="bench",
        function_name="bench",
        python_version=version,
        timeout=30,
    )


def request(port: int, path: str = "/") -> float:
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    connection.close()
    assert response.status == 200, response.status
    return (time.perf_counter() - started) * 1000


def wait_listening(port: int, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            request(port)
            return
        except (OSError, http.client.HTTPException):
            if process.poll() is not None:
                raise RuntimeError("server exited") from None
            time.sleep(0.002)
    raise TimeoutError


def summary(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"median {statistics.median(ordered):.2f} ms, p95 {p95:.2f} ms (n={len(ordered)})"


def gateway_cold_and_warm(spec: WorkerSpec, requests: int, repeat: int) -> tuple[list[float], list[float]]:
    colds: list[float] = []
    warm: list[float] = []
    for round_ in range(repeat):
        deployment = Deployment(spec, pool_size=1, front_door="http-api", stage="dev", sink=sink, serves_http=True)
        gateway = GatewayServer("127.0.0.1", 0, deployment.handle_http)
        gateway.start()
        try:
            # Cold: the pool is empty, so this request starts the runtime process and waits for it.
            colds.append(request(gateway.port))
            if round_ == 0:
                warm = [request(gateway.port) for _ in range(requests)]
        finally:
            gateway.stop()
            deployment.drain()
    return colds, warm


def lambda_cold(spec: WorkerSpec, repeat: int) -> list[float]:
    """Process start to the first answered invocation, through awslambdaric directly."""
    event = json.dumps(default_event("apigw-v2", "aws")).encode()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        worker = LambdaWorker(spec, "bench", sink)
        worker.start()
        outcome = worker.invoke(event)
        samples.append((time.perf_counter() - started) * 1000)
        assert outcome.kind == "ok", outcome
        worker.kill()
    return samples


def import_time(code: Path, env: RuntimeEnv, module: str, repeat: int) -> tuple[list[float], list[float]]:
    """(import of the app alone, interpreter start + import) in the target interpreter."""
    script = f"import time; t = time.perf_counter(); import {module}; print((time.perf_counter() - t) * 1000)"
    alone, whole = [], []
    environ = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(code),
        "PYTHONDONTWRITEBYTECODE": "1",
        "DJANGO_SETTINGS_MODULE": "mysite.settings",
    }
    for _ in range(repeat):
        started = time.perf_counter()
        out = subprocess.run(
            [str(env.python), "-c", script], env=environ, cwd=code, capture_output=True, text=True, check=True
        ).stdout
        whole.append((time.perf_counter() - started) * 1000)
        alone.append(float(out.strip()))
    return alone, whole


def flask_run(code: Path, env: RuntimeEnv, requests: int, repeat: int) -> tuple[list[float], list[float]]:
    environ = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(code), "PYTHONDONTWRITEBYTECODE": "1"}
    colds: list[float] = []
    warm: list[float] = []
    for round_ in range(repeat):
        port = free_port()
        started = time.perf_counter()
        process = subprocess.Popen(
            [str(env.python), "-m", "flask", "--app", "app", "run", "--port", str(port)],
            env=environ,
            cwd=code,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_listening(port, process)
            colds.append((time.perf_counter() - started) * 1000)
            if round_ == 0:
                warm = [request(port) for _ in range(requests)]
        finally:
            process.kill()
            process.wait()
    return colds, warm


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    os.environ.setdefault("FAAS_CACHE_DIR", str(Path(tempfile.gettempdir()) / "faas-test-cache"))
    with tempfile.TemporaryDirectory() as temporary:
        work = Path(temporary)
        code, env, version = build(project_copy("flask", work), work)
        spec = spec_for(code, env, version)
        print(f"Flask example, aws emulation, Python {version}, host {sys.version.split()[0]}")
        cold, warm = gateway_cold_and_warm(spec, args.requests, args.repeat)
        print(f"  gateway cold start (first request, process start included): {summary(cold)}")
        print(f"  gateway warm request: {summary(warm)}")
        alone, whole = import_time(code, env, "app", args.repeat)
        print(f"  app import alone: {summary(alone)}; interpreter start + import: {summary(whole)}")
        cold, warm = flask_run(code, env, args.requests, args.repeat)
        print(f"  flask run cold start (process start to first response): {summary(cold)}")
        print(f"  flask run warm request: {summary(warm)}")
        for name in ("flask", "django"):
            results = {}
            for bytecode in (True, False):
                code, env, version = build(project_copy(name, work, bytecode), work)
                results[bytecode] = lambda_cold(spec_for(code, env, version), args.repeat)
            gain = statistics.median(results[False]) - statistics.median(results[True])
            print(
                f"  {name} awslambdaric cold start with pycs: {summary(results[True])}; "
                f"without: {summary(results[False])}; gain {gain:.0f} ms"
            )


if __name__ == "__main__":
    main()
