"""The suite's loopback fences (tests/loopback.py): they refuse, and they report."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

from tests import loopback

# TEST-NET-1 (RFC 5737): reserved for documentation, never routed; the fence stops it before any packet.
OUTSIDE = ("192.0.2.1", 80)


@pytest.mark.parametrize(
    ("address", "local"),
    [
        (("127.0.0.1", 80), True),
        (("127.8.9.10", 80), True),
        (("::1", 80, 0, 0), True),
        (("localhost", 80), True),
        ("/run/some.sock", True),
        (("192.0.2.1", 80), False),
        (("2001:db8::1", 80, 0, 0), False),
        (("pypi.org", 443), False),
    ],
)
def test_only_loopback_addresses_and_local_sockets_count_as_local(address: object, local: bool) -> None:
    assert loopback.is_loopback(address) is local


def test_a_connection_outside_loopback_is_refused_and_recorded() -> None:
    with pytest.raises(ConnectionRefusedError, match="loopback only"):
        socket.create_connection(OUTSIDE, timeout=1)
    assert loopback.take_attempts() == [f"connect to {OUTSIDE!r}"]  # taken, so this test itself passes


def test_a_datagram_outside_loopback_is_refused() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp, pytest.raises(ConnectionRefusedError):
        udp.sendto(b"x", OUTSIDE)
    assert loopback.take_attempts() == [f"sendto to {OUTSIDE!r}"]


def test_loopback_connections_pass() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        socket.create_connection(server.getsockname(), timeout=1).close()
    assert loopback.take_attempts() == []


def test_a_child_process_reaching_out_meets_the_closed_proxy() -> None:
    # A child has no audit hook: its HTTP clients go through the proxy variables, which end on a
    # closed loopback port, so the request fails at once and resolves no name.
    assert os.environ["HTTPS_PROXY"].startswith("http://127.0.0.1:")
    script = "import urllib.request\ntry:\n urllib.request.urlopen('https://pypi.org/simple/', timeout=5)\n"
    script += "except OSError as e:\n print(type(e).__name__, e)\n"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert "Connection refused" in result.stdout, result.stdout + result.stderr
