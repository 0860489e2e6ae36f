"""Loopback only: no test sends a packet to any address but 127.0.0.0/8 or ::1.

Two fences, set up once per test process by tests/conftest.py:
- every child process (pip, the runtimes, the fakes' servers) inherits proxy variables that point
  at a closed loopback port, with loopback itself exempt (`NO_PROXY`), so an HTTP client that
  would reach out fails at once instead of reaching the internet; google-auth's metadata probe is
  pointed at that port too;
- in the test process, an audit hook refuses any `connect`/`sendto` to an address outside loopback
  and records it, and the test during which it happened fails (a library that swallows the
  refused connection must not hide the attempt).
"""

from __future__ import annotations

import ipaddress
import os
import socket
import sys
from typing import Any

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})
_attempts: list[str] = []


def closed_port() -> int:
    """A loopback port nothing listens on (bound then released: nobody takes it back at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fence_children(port: int) -> None:
    """Proxy and metadata variables every child process inherits (see the module docstring)."""
    proxy = f"http://127.0.0.1:{port}"
    exempt = "127.0.0.1,localhost,::1"
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        os.environ[name] = os.environ[name.lower()] = proxy
    os.environ["NO_PROXY"] = os.environ["no_proxy"] = exempt
    os.environ["NO_GCE_CHECK"] = "true"
    os.environ["GCE_METADATA_HOST"] = os.environ["GCE_METADATA_IP"] = f"127.0.0.1:{port}"


def is_loopback(address: Any) -> bool:
    """Whether a socket address (an (host, port, ...) tuple, or a path for AF_UNIX) stays on this machine."""
    if not isinstance(address, tuple):
        return True  # a Unix socket path, an abstract name
    host = str(address[0]).split("%", 1)[0]
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a name: connect() would resolve it, and the answer is not known to be local


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event in ("socket.connect", "socket.sendto") and len(args) >= 2:
        sock, address = args[0], args[-1]
        if getattr(sock, "family", None) in (socket.AF_INET, socket.AF_INET6) and not is_loopback(address):
            _attempts.append(f"{event.split('.')[1]} to {address!r}")
            raise ConnectionRefusedError(f"loopback only: a test tried to {event.split('.')[1]} to {address!r}")


def guard_this_process() -> None:
    sys.addaudithook(_audit)


def take_attempts() -> list[str]:
    """The refused attempts since the last call, cleared."""
    taken = list(_attempts)
    _attempts.clear()
    return taken
