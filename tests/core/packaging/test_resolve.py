"""Resolution against the real registry: missing wheels fail early, pure sdists are built, locks win."""

from __future__ import annotations

import re
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from faas.core.errors import PackagingError
from faas.core.packaging import build_artifact
from faas.core.reporting import NullReporter
from tests.core.packaging.conftest import aws_like_target, copy_project, load

pytestmark = pytest.mark.slow


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return copy_project("functions", tmp_path)


def test_compiled_package_without_a_wheel_fails_early_naming_the_nearest_version(root: Path) -> None:
    # psycopg2-binary 2.9.1 predates Python 3.12: wheels for cp36-cp310 only; 2.9.9 is the first with cp312.
    (root / "requirements.txt").write_text("psycopg2-binary==2.9.1\n")
    out_dir = root.parent / "out"
    with pytest.raises(PackagingError) as raised:
        build_artifact(load(root), aws_like_target(), out_dir=out_dir)
    message = str(raised.value)
    expected = r"psycopg2-binary 2\.9\.1 has no wheel for Python 3\.12 \(cp312\) on manylinux_2_28_x86_64"
    assert re.search(expected, message)
    assert "nearest version with a compatible wheel is 2.9.9" in message
    assert not list(out_dir.glob("*.zip"))


def test_pure_python_sdist_is_built_into_a_wheel(root: Path) -> None:
    # docopt 0.6.2 is published as an sdist only.
    (root / "requirements.txt").write_text("docopt==0.6.2\n")
    artifact = build_artifact(load(root), aws_like_target())
    assert {"name": "docopt", "version": "0.6.2"} in artifact.manifest["dependencies"]["distributions"]
    assert "docopt.py" in {item["path"] for item in artifact.manifest["files"]}


def test_locked_versions_win(root: Path) -> None:
    (root / "pyproject.toml").write_text('[project]\nname = "plainfns"\nversion = "1"\ndependencies = ["idna"]\n')
    (root / "uv.lock").write_text(
        'version = 1\n\n[[package]]\nname = "idna"\nversion = "3.7"\n'
        'source = { registry = "https://pypi.org/simple" }\n'
    )
    artifact = build_artifact(load(root), aws_like_target())
    assert artifact.manifest["dependencies"]["distributions"] == [{"name": "idna", "version": "3.7"}]


def test_markers_are_evaluated_for_the_target_not_the_host(root: Path) -> None:
    (root / "requirements.txt").write_text(
        'six==1.17.0; python_version >= "3.12"\nidna==3.10; sys_platform == "win32"\n'
    )
    artifact = build_artifact(load(root), aws_like_target())
    assert artifact.manifest["dependencies"]["distributions"] == [{"name": "six", "version": "1.17.0"}]


def test_runtime_provided_can_be_overridden_to_ship_everything(root: Path) -> None:
    (root / "requirements.txt").write_text("jmespath==1.0.1\n")
    toml = root / "faas.toml"
    toml.write_text(toml.read_text() + "\n[package]\nruntime_provided = []\n")
    target = aws_like_target(runtime_provided=frozenset({"jmespath"}))
    artifact = build_artifact(load(root), target)
    assert artifact.manifest["dependencies"]["distributions"] == [{"name": "jmespath", "version": "1.0.1"}]


def test_platforms_that_build_remotely_get_the_declaration_when_no_wheel_exists_here(root: Path) -> None:
    (root / "requirements.txt").write_text("psycopg2-binary==2.9.1\n")
    target = replace(aws_like_target(), provider="gcp", entry_module="main", dependencies="requirements")
    reporter = NullReporter()
    artifact = build_artifact(load(root), target, reporter=reporter)
    with zipfile.ZipFile(artifact.path) as archive:
        assert "psycopg2-binary==2.9.1" in archive.read("requirements.txt").decode().splitlines()
    assert any("nearest version with a compatible wheel is 2.9.9" in warning for warning in reporter.warnings)


def test_an_index_pip_cannot_verify_is_reported_as_such_not_as_a_missing_wheel(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A loopback HTTPS index whose certificate pip does not trust (a proxy the machine lacks the CA of).
    import http.server
    import ssl
    import threading

    import trustme

    certificate = trustme.CA().issue_cert("127.0.0.1")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    certificate.configure_cert(context)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    index = f"https://127.0.0.1:{server.server_address[1]}/simple"
    for name, value in {"PIP_CONFIG_FILE": "/dev/null", "PIP_INDEX_URL": index, "PIP_RETRIES": "0"}.items():
        monkeypatch.setenv(name, value)
    for name in ("PIP_FIND_LINKS", "PIP_EXTRA_INDEX_URL", "PIP_CERT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FAAS_CACHE_DIR", str(tmp_path / "empty-cache"))
    (root / "requirements.txt").write_text("markupsafe==3.0.3\n")
    try:
        with pytest.raises(PackagingError) as raised:
            build_artifact(load(root), aws_like_target(), out_dir=root.parent / "out")
    finally:
        server.shutdown()
    message = str(raised.value)
    assert f"pip could not read the package index {index}/markupsafe/" in message
    assert "There was a problem confirming the ssl certificate" in message
    assert "certificate verify failed" in message
    assert "has no wheel" not in message
