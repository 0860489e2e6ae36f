"""The access line: when it is written (FAAS_ACCESS_LOG) and how it reaches Lambda's stdout."""

from __future__ import annotations

import io
import os
import sys
import threading

import pytest

from faas.adapters import log
from faas.adapters.aws import make_handler
from tests.adapters.apps.probe import fixed_app
from tests.adapters.events import make_v2_event


@pytest.mark.parametrize(
    ("value", "default", "expected"),
    [(None, False, False), (None, True, True), ("1", False, True), ("true", False, True), ("0", True, False)],
)
def test_faas_access_log_decides_and_the_platform_default_otherwise(monkeypatch, value, default, expected):
    if value is None:
        monkeypatch.delenv("FAAS_ACCESS_LOG", raising=False)
    else:
        monkeypatch.setenv("FAAS_ACCESS_LOG", value)
    assert log.access_log_enabled(default) is expected


def test_a_value_that_is_neither_says_so(monkeypatch, caplog):
    monkeypatch.setenv("FAAS_ACCESS_LOG", "verbose")
    assert log.access_log_enabled(False) is False
    assert "FAAS_ACCESS_LOG='verbose' is not 1 or 0" in caplog.text


class _Drain:
    """The read end of a pipe, collected in a thread (Lambda's log collector is another process)."""

    def __init__(self) -> None:
        self.read_fd, self.write_fd = os.pipe()
        self.chunks: list[bytes] = []
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while chunk := os.read(self.read_fd, 65536):
            self.chunks.append(chunk)

    def text(self) -> str:
        self.thread.join(10)
        os.close(self.read_fd)
        return b"".join(self.chunks).decode()


def test_under_awslambdaric_the_line_keeps_its_place_among_prints(monkeypatch):
    # The real wrapper awslambdaric puts around stdout (flush after every write), over a pipe.
    from awslambdaric.bootstrap import Unbuffered

    monkeypatch.setenv("FAAS_ACCESS_LOG", "1")
    drain = _Drain()
    stream = io.TextIOWrapper(io.FileIO(drain.write_fd, "w"), encoding="utf-8")
    monkeypatch.setattr(sys, "stdout", Unbuffered(stream))

    def app(environ, start_response):
        print("from the app", environ["PATH_INFO"])
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    handler = make_handler(app)
    for path in ("/a", "/caf\u00e9 x"):
        handler(make_v2_event("GET", path), None)
        print("after", path)
    monkeypatch.undo()
    stream.close()
    lines = drain.text().splitlines()
    assert [line.rpartition(" ")[0] for line in lines[1::3]] == [
        'faas "GET /a" 200 2B',
        'faas "GET /caf%C3%A9%20x" 200 2B',
    ]
    assert lines[0::3] == ["from the app /a", "from the app /caf\xc3\xa9 x"]
    assert lines[2::3] == ["after /a", "after /caf\u00e9 x"]


def test_a_swapped_stdout_gets_the_line(capsys, monkeypatch):
    monkeypatch.setenv("FAAS_ACCESS_LOG", "1")
    handler = make_handler(fixed_app("204 No Content", [], b""))
    handler(make_v2_event("GET", "/one"), None)
    first = capsys.readouterr().out
    replacement = io.StringIO()
    monkeypatch.setattr(sys, "stdout", replacement)
    handler(make_v2_event("GET", "/two"), None)
    assert first.startswith('faas "GET /one" 204 0B ')
    assert replacement.getvalue().startswith('faas "GET /two" 204 0B ')
