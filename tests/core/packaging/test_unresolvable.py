"""A requirement that cannot be had says which mistake it is: an unknown name, a version never
published, or a release without a wheel for the function's platform.

The index is a real PEP 691 simple index served on 127.0.0.1 with wheels built here, and pip is
cut off from every other index and wheel folder, so the answers do not depend on what PyPI holds.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name

from faas.core.errors import PackagingError
from faas.core.packaging import build_artifact
from tests.core.packaging.conftest import aws_like_target, copy_project, load

pytestmark = pytest.mark.slow

SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"


def make_wheel(folder: Path, name: str, version: str, tag: str = "py3-none-any") -> Path:
    """A minimal valid wheel: one module, METADATA, WHEEL and RECORD."""
    dist = name.replace("-", "_")
    info = f"{dist}-{version}.dist-info"
    files = {
        f"{dist}/__init__.py": f"VERSION = {version!r}\n",
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{info}/WHEEL": f"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: {tag}\n",
    }
    record = []
    for path, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(text.encode())}")
    files[f"{info}/RECORD"] = "\n".join([*record, f"{info}/RECORD,,"]) + "\n"
    wheel = folder / f"{dist}-{version}-{tag}.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, text in files.items():
            archive.writestr(path, text)
    return wheel


def serve_index(folder: Path) -> tuple[ThreadingHTTPServer, str]:
    """A PEP 691 JSON simple index of the wheels in `folder`; 404 for a name it does not have."""

    class Index(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            parts = [part for part in self.path.split("/") if part]
            if len(parts) == 2 and parts[0] == "files" and (folder / parts[1]).is_file():
                self._send((folder / parts[1]).read_bytes(), "application/octet-stream")
                return
            if len(parts) == 2 and parts[0] == "simple":
                wheels = [
                    path
                    for path in sorted(folder.glob("*.whl"))
                    if canonicalize_name(path.name.split("-", 1)[0]) == canonicalize_name(parts[1])
                ]
                if wheels:
                    files = [
                        {
                            "filename": path.name,
                            "url": f"/files/{path.name}",
                            "hashes": {"sha256": hashlib.sha256(path.read_bytes()).hexdigest()},
                        }
                        for path in wheels
                    ]
                    body = {"meta": {"api-version": "1.0"}, "name": parts[1], "files": files}
                    self._send(json.dumps(body).encode(), SIMPLE_JSON)
                    return
            self.send_error(404)

        def _send(self, body: bytes, content_type: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Index)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/simple"


@pytest.fixture
def index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    folder = tmp_path / "index"
    folder.mkdir()
    for version in ("1.0.0", "1.1.0", "1.2.0", "2.0.0", "2.1.0", "3.0.0"):
        make_wheel(folder, "flask", version)
    make_wheel(folder, "acme-native", "1.0", tag="cp312-cp312-win_amd64")
    server, url = serve_index(folder)
    # Only this index: no pip config file, no machine-wide wheel folder, no build cache from before.
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    monkeypatch.delenv("PIP_FIND_LINKS", raising=False)
    monkeypatch.delenv("PIP_EXTRA_INDEX_URL", raising=False)
    monkeypatch.setenv("PIP_INDEX_URL", url)
    monkeypatch.setenv("FAAS_CACHE_DIR", str(tmp_path / "cache"))
    yield url
    server.shutdown()
    server.server_close()


def failure(tmp_path: Path, requirements: str) -> str:
    root = copy_project("functions", tmp_path)
    (root / "requirements.txt").write_text(requirements)
    with pytest.raises(PackagingError) as raised:
        build_artifact(load(root), aws_like_target(), out_dir=tmp_path / "out")
    return str(raised.value)


def test_the_index_itself_resolves_a_published_version(index: str, tmp_path: Path) -> None:
    root = copy_project("functions", tmp_path)
    (root / "requirements.txt").write_text("flask==2.1.0\n")
    artifact = build_artifact(load(root), aws_like_target(), out_dir=tmp_path / "out")
    assert {"name": "flask", "version": "2.1.0"} in artifact.manifest["dependencies"]["distributions"]


def test_a_name_the_index_does_not_know_is_not_found_with_a_close_name(index: str, tmp_path: Path) -> None:
    message = failure(tmp_path, "flaskk==2.1.0\n")
    assert message.startswith(f"flaskk is not found on the index {index} (did you mean flask?); check the spelling")
    assert "check the spelling" in message and "index-url" in message
    assert "wheel" not in message


def test_an_unknown_name_with_nothing_close_gives_no_guess(index: str, tmp_path: Path) -> None:
    message = failure(tmp_path, "zzqxv-nothing-like-it\n")
    assert message.startswith(f"zzqxv-nothing-like-it is not found on the index {index}; check the spelling")
    assert "did you mean" not in message


def test_a_version_never_published_lists_the_nearest_versions(index: str, tmp_path: Path) -> None:
    message = failure(tmp_path, "flask==2.0.5\n")
    assert message == (
        f"flask has no version ==2.0.5 on the index {index}; "
        "the nearest available: 1.1.0, 1.2.0, 2.0.0, 2.1.0, 3.0.0 (latest 3.0.0)"
    )


def test_a_release_without_a_wheel_for_the_platform_still_says_so(index: str, tmp_path: Path) -> None:
    message = failure(tmp_path, "acme-native==1.0\n")
    assert message.startswith("acme-native 1.0 has no wheel for Python 3.12 (cp312) on manylinux")
    assert "no version on the index has a compatible wheel" in message


def test_the_index_shown_in_a_message_leaves_out_its_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    from faas.core.packaging import wheels

    monkeypatch.setenv("PIP_INDEX_URL", "https://ci:s3cr3t-token@pypi.example.internal:8443/simple/")
    assert wheels.shown_index_url() == "https://pypi.example.internal:8443/simple"
    monkeypatch.setenv("PIP_INDEX_URL", "https://pypi.org/simple")
    assert wheels.shown_index_url() == "https://pypi.org/simple"
