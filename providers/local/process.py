"""Runtime processes: started in their own process group, output pumped to a log sink, killed whole."""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import struct
import subprocess
import termios
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path

# (source, request id or None, line) -> None. The supervisor writes these to the stage's log.
LogSink = Callable[[str, str | None, str], None]

_BASE_ENV = ("PATH", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")

# Lambda's log channel for the runtime's own records (awslambdaric's FramedTelemetryLogSink): each
# frame is a 4-byte type, a 4-byte length and an 8-byte timestamp, big-endian, then the message. The
# platform reads records whole, so a traceback stays one record and never runs into the next line.
TELEMETRY_FD_ENV = "_LAMBDA_TELEMETRY_LOG_FD"
_FRAME_HEADER = 16


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
        telemetry: bool = False,
    ) -> None:
        """`telemetry`: give the process Lambda's framed log channel (see TELEMETRY_FD_ENV)."""
        self.name = name
        self.tail: deque[str] = deque(maxlen=40)
        self._sink = sink
        self._request_id = request_id
        frames, frames_writer = os.pipe() if telemetry else (-1, -1)
        if telemetry:
            env = {**env, TELEMETRY_FD_ENV: str(frames_writer)}
        try:
            self.popen = subprocess.Popen(
                command,
                env=env,
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                pass_fds=(frames_writer,) if telemetry else (),
                # Own process group: a timeout kills the runtime and anything it started, nothing else.
                start_new_session=True,
            )
        finally:
            if telemetry:
                os.close(frames_writer)  # the child holds its copy; EOF comes when it exits
        assert self.popen.stdout is not None
        # Each channel: (fd, whether its pump is blocked reading it, having handled all it read).
        self._waiting: dict[int, bool] = {self.popen.stdout.fileno(): False}
        self._pumps = [threading.Thread(target=self._read_output, name=f"{name}-output", daemon=True)]
        if telemetry:
            self._waiting[frames] = False
            reader = threading.Thread(target=self._read_frames, args=(frames,), name=f"{name}-log", daemon=True)
            self._pumps.append(reader)
        for pump in self._pumps:
            pump.start()

    def _emit(self, line: str) -> None:
        self.tail.append(line)
        self._sink(self.name, self._request_id(), line)

    def _read(self, fd: int, size: int) -> bytes:
        self._waiting[fd] = True
        try:
            return os.read(fd, size)
        finally:
            self._waiting[fd] = False

    def _read_output(self) -> None:
        assert self.popen.stdout is not None
        fd, pending = self.popen.stdout.fileno(), b""
        while chunk := self._read(fd, 65536):
            *lines, pending = (pending + chunk).split(b"\n")
            for line in lines:
                self._emit(line.decode("utf-8", "replace").rstrip("\r"))
        if pending:
            self._emit(pending.decode("utf-8", "replace").rstrip("\r"))

    def _read_exactly(self, fd: int, size: int) -> bytes:
        data = b""
        while len(data) < size and (chunk := self._read(fd, size - len(data))):
            data += chunk
        return data

    def _read_frames(self, fd: int) -> None:
        try:
            while len(header := self._read_exactly(fd, _FRAME_HEADER)) == _FRAME_HEADER:
                message = self._read_exactly(fd, int.from_bytes(header[4:8], "big"))
                # One record, its lines kept together and in order (`faas logs` shows one per line).
                for line in message.decode("utf-8", "replace").rstrip("\n").split("\n"):
                    self._emit(line.rstrip("\r"))
        finally:
            os.close(fd)

    def settle(self, timeout: float = 0.5) -> None:
        """Wait until every byte the process wrote so far is in the log (call when a request ends).

        The runtime writes its output before it answers, but the pumps read it on their own threads:
        without this, a request's lines could land after its END/REPORT lines, or under the next one.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(waiting and _unread(fd) == 0 for fd, waiting in list(self._waiting.items())):
                return
            time.sleep(0.001)

    @property
    def alive(self) -> bool:
        return self.popen.poll() is None

    def output_tail(self, lines: int = 10) -> str:
        for pump in self._pumps:
            pump.join(timeout=0.5)
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
            for pump in self._pumps:
                pump.join(timeout=1)
            self.popen.stdout.close()


def _unread(fd: int) -> int:
    """Bytes waiting in pipe `fd` (FIONREAD); 0 once it is closed."""
    try:
        return int(struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0"))[0])
    except OSError:
        return 0
