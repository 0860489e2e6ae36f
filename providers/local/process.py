"""Runtime processes: started in their own process group, output pumped to a log sink, killed whole."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path

# (source, request id or None, line) -> None. The supervisor writes these to the stage's log.
LogSink = Callable[[str, str | None, str], None]

_BASE_ENV = ("PATH", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")


def base_environment() -> dict[str, str]:
    """The few host variables a runtime process keeps: none of the host's Python settings leak in."""
    return {name: os.environ[name] for name in _BASE_ENV if name in os.environ}


class RuntimeProcess:
    """One child process whose merged stdout/stderr goes, line by line, to a `LogSink`."""

    def __init__(
        self,
        name: str,
        command: list[str],
        env: dict[str, str],
        cwd: Path,
        sink: LogSink,
        *,
        request_id: Callable[[], str | None] = lambda: None,
    ) -> None:
        self.name = name
        self.tail: deque[str] = deque(maxlen=40)
        self._sink = sink
        self._request_id = request_id
        self.popen = subprocess.Popen(
            command,
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            # Own process group: a timeout kills the runtime and anything it started, nothing else.
            start_new_session=True,
        )
        self._pump = threading.Thread(target=self._read_output, name=f"{name}-output", daemon=True)
        self._pump.start()

    def _read_output(self) -> None:
        assert self.popen.stdout is not None
        for raw in self.popen.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            self.tail.append(line)
            self._sink(self.name, self._request_id(), line)

    @property
    def alive(self) -> bool:
        return self.popen.poll() is None

    def output_tail(self, lines: int = 10) -> str:
        self._pump.join(timeout=0.5)
        return "\n".join(list(self.tail)[-lines:])

    def kill(self, grace: float = 0.0) -> None:
        """Stop the whole process group: SIGTERM, then SIGKILL after `grace` seconds."""
        if self.popen.poll() is None:
            signals = [signal.SIGTERM, signal.SIGKILL] if grace > 0 else [signal.SIGKILL]
            for number in signals:
                try:
                    os.killpg(self.popen.pid, number)
                except ProcessLookupError:
                    break
                deadline = time.monotonic() + (grace if number == signal.SIGTERM else 5)
                while time.monotonic() < deadline and self.popen.poll() is None:
                    time.sleep(0.02)
                if self.popen.poll() is not None:
                    break
        else:
            # The leader exited; children it left in the group die with the deployment.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait()
        if self.popen.stdout is not None:
            self._pump.join(timeout=1)
            self.popen.stdout.close()
