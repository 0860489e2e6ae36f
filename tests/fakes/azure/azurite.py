"""Azurite's blob service from npm, on a random loopback port, over HTTPS with OAuth on.

`python -m tests.provision` (the install step of the README's test command) installs the pinned
version from npm into tests/fakes/azure/.azurite; a test never does, since tests stay on loopback.
`AZURITE_HOME` overrides the place. Accounts are added at run time through a file the launcher
re-reads (see azurite_launcher.js).
"""

from __future__ import annotations

import base64
import fcntl
import os
import secrets
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

from .tls import Certificates

AZURITE_VERSION = "3.35.0"  # 3.36+ declare node>=21; the machines have Node 20
HERE = Path(__file__).resolve().parent
DEFAULT_HOME = HERE / ".azurite"
INSTALL_HINT = "python -m tests.provision"


def azurite_home() -> Path:
    return Path(os.environ.get("AZURITE_HOME", DEFAULT_HOME))


def azurite_installed() -> bool:
    return (azurite_home() / "node_modules" / "azurite" / "dist" / "src" / "blob" / "main.js").is_file()


def ensure_azurite() -> None:
    """Install the pinned Azurite into azurite_home() unless it is there (npm, the registry only)."""
    home = azurite_home()
    home.mkdir(parents=True, exist_ok=True)
    with (home / ".install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one install; other workers wait and then find it
        if azurite_installed():
            return
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("npm is not on PATH: Azurite cannot be installed (apt install nodejs npm)")
        command = [npm, "install", "--prefix", str(home), "--no-save", "--no-package-lock", "--no-audit", "--no-fund"]
        result = subprocess.run([*command, f"azurite@{AZURITE_VERSION}"], capture_output=True, text=True)
        if result.returncode != 0 or not azurite_installed():
            raise RuntimeError(f"installing Azurite {AZURITE_VERSION} failed:\n{result.stdout}{result.stderr}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Azurite:
    def __init__(self, workdir: Path, certificates: Certificates) -> None:
        if not azurite_installed():
            raise RuntimeError(f"Azurite {AZURITE_VERSION} is not installed in {azurite_home()}: run `{INSTALL_HINT}`")
        node = shutil.which("node")
        if node is None:
            raise RuntimeError("node is not on PATH; Azurite needs Node 20")
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self.accounts_file = workdir / "accounts"
        self._accounts: dict[str, str] = {}
        self._lock = threading.Lock()
        self.add_account("devstoreaccount1")
        self.port = _free_port()
        self.url = f"https://127.0.0.1:{self.port}"
        self._log = open(workdir / "azurite.log", "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                node,
                str(HERE / "azurite_launcher.js"),
                str(self.accounts_file),
                "--blobHost",
                "127.0.0.1",
                "--blobPort",
                str(self.port),
                "--location",
                str(workdir / "data"),
                "--disableTelemetry",
                "--skipApiVersionCheck",
                "--loose",
                "--oauth",
                "basic",
                "--cert",
                str(certificates.cert_pem),
                "--key",
                str(certificates.key_pem),
            ],
            env={**os.environ, "AZURITE_HOME": str(azurite_home())},
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self._wait_listening()

    def _wait_listening(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Azurite exited: {(self.workdir / 'azurite.log').read_text(errors='replace')}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("Azurite did not listen within 30 s")

    def add_account(self, name: str) -> str:
        """Register an account (Azurite picks it up within ~300 ms); returns its base64 key."""
        with self._lock:
            if name not in self._accounts:
                self._accounts[name] = base64.b64encode(secrets.token_bytes(64)).decode()
            text = ";".join(f"{n}:{k}" for n, k in self._accounts.items())
            temporary = self.accounts_file.with_suffix(".tmp")
            temporary.write_text(text)
            temporary.replace(self.accounts_file)
            return self._accounts[name]

    def key(self, name: str) -> str:
        return self._accounts[name]

    def blob_endpoint(self, name: str) -> str:
        return f"{self.url}/{name}/"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()
