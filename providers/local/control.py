"""Reaching a stage's supervisor from a CLI call: find it, call its control API, start or stop it."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from typing import Any

from faas import DeployError, FaasError
from faas.providers.local.state import StageDir, pid_alive, read_json


class SupervisorError(FaasError):
    """The local deployment's supervisor failed to start or to answer."""

    exit_code = DeployError.exit_code  # a deploy step failed, as on every provider


class Supervisor:
    """A running supervisor as seen from outside: its pid, ports and token (supervisor.json)."""

    def __init__(self, info: dict[str, Any]) -> None:
        self.info = info
        self.pid: int = info["pid"]
        self.url: str = info["url"]
        self.version: str = info["version"]
        self.port: int = info["port"]

    def call(self, path: str, data: Any = None, timeout: float = 120.0) -> Any:
        body = None if data is None else json.dumps(data).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.info['control_port']}{path}",
            data=body,
            headers={"X-Faas-Token": self.info["token"], "Content-Type": "application/json"},
            method="GET" if body is None else "POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as error:
            detail = json.loads(error.read() or b"{}").get("error", error.reason)
            raise SupervisorError(f"the local supervisor refused {path}: {detail}") from None
        except OSError as error:
            raise SupervisorError(f"the local supervisor (pid {self.pid}) does not answer: {error}") from None


def find_supervisor(stage: StageDir) -> Supervisor | None:
    """The stage's supervisor if its process is alive and its state says it is serving."""
    info = read_json(stage.supervisor)
    if not isinstance(info, dict) or "error" in info or not pid_alive(int(info.get("pid", 0))):
        return None
    return Supervisor(info)


def spawn_supervisor(stage: StageDir, secrets: dict[str, str] | None = None, timeout: float = 180.0) -> Supervisor:
    """Start the supervisor detached (own session, survives the CLI) and wait until it serves.

    `secrets` (the secret environment values deployment.json leaves out) go through a pipe.
    """
    stage.supervisor.unlink(missing_ok=True)
    stage.supervisor_output.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(stage.supervisor_output, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with open(descriptor, "ab") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "faas.providers.local.supervisor", str(stage.root)],
            stdin=subprocess.PIPE,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            close_fds=True,
            cwd=stage.root,
        )
    assert process.stdin is not None
    with process.stdin:
        process.stdin.write(json.dumps(secrets or {}).encode())
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        info = read_json(stage.supervisor)
        if isinstance(info, dict) and info.get("pid") == process.pid:
            if "error" in info:
                process.wait(timeout=30)
                raise SupervisorError(info["error"])
            return Supervisor(info)
        if process.poll() is not None:
            tail = stage.supervisor_output.read_text(errors="replace").strip().splitlines()[-8:]
            raise SupervisorError("the local supervisor exited while starting: " + " | ".join(tail))
        time.sleep(0.05)
    stop_process(process.pid)
    raise SupervisorError(f"the local deployment did not start within {timeout:.0f} s")


def stop_process(pid: int, grace: float = 10.0) -> None:
    """SIGTERM, then SIGKILL after `grace` seconds; returns once `pid` is gone.

    A supervisor leads its own process group (started with a new session): the whole group gets
    the signals, so nothing it started outlives it.
    """
    try:
        group = os.getpgid(pid) == pid
    except ProcessLookupError:
        return
    for number in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pid, number) if group else os.kill(pid, number)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + (grace if number == signal.SIGTERM else 5)
        while time.monotonic() < deadline:
            try:
                # Reap it if it is our child (a deploy and an undeploy in one process, as in tests).
                if os.waitpid(pid, os.WNOHANG)[0] == pid:
                    return
            except ChildProcessError:
                if not pid_alive(pid):
                    return
            time.sleep(0.05)


def stop_supervisor(stage: StageDir) -> None:
    """Ask the supervisor to stop every process; kill it if it does not."""
    running = find_supervisor(stage)
    if running is None:
        return
    with contextlib.suppress(SupervisorError):
        running.call("/stop", {}, timeout=10)
    # Stopping drains requests in flight first: allow a function timeout's worth before SIGKILL.
    stop_process(running.pid, grace=40.0)


def port_in_use(host: str, port: int) -> str:
    """What to say when the gateway's port is taken: the port, and the option that changes it."""
    return (
        f"port {port} on {host} is in use; stop what listens there, or choose another port with "
        f"-O port=PORT (or port in [providers.local]; 0 picks a free one)"
    )


def port_free(host: str, port: int) -> bool:
    """True if a server could listen on `port` now."""
    with socket.socket() as probe:
        # The gateway binds with SO_REUSEADDR too: its own closed connections must not block it.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def answers(url: str, timeout: float = 30.0) -> bool:
    """True once a GET of `url` gets any HTTP answer (even an error status)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=timeout):
                return True
        except urllib.error.HTTPError:
            return True
        except OSError:
            time.sleep(0.1)
    return False
