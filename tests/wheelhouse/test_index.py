"""The suite's package index, driven by real pip: it serves the lock as PyPI listed it, nothing else."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.wheelhouse.index import JSON_TYPE, PackageIndex, file_path, listing_path
from tests.wheelhouse.lock import Lock

CUTOFF = datetime(2026, 1, 1, tzinfo=UTC)


def _wheel(folder: Path, version: str) -> Path:
    name = f"demo_pkg-{version}-py3-none-any.whl"
    info = f"demo_pkg-{version}.dist-info"
    path = folder / name
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("demo_pkg/__init__.py", f"VERSION = {version!r}\n")
        archive.writestr(f"{info}/METADATA", f"Metadata-Version: 2.1\nName: demo-pkg\nVersion: {version}\n")
        wheel_file = "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        archive.writestr(f"{info}/WHEEL", wheel_file)
        archive.writestr(f"{info}/RECORD", "")
    return path


@pytest.fixture
def house(tmp_path: Path) -> Path:
    """A wheelhouse holding demo-pkg 1.0 (before the cutoff) and 2.0 (after), as PyPI would list them."""
    house = tmp_path / "house"
    entries = []
    for version, uploaded in (("1.0", "2025-06-01T00:00:00Z"), ("2.0", "2026-06-01T00:00:00Z")):
        wheel = _wheel(tmp_path, version)
        target = file_path(house, wheel.name)
        target.parent.mkdir(parents=True, exist_ok=True)
        wheel.replace(target)
        sha = hashlib.sha256(target.read_bytes()).hexdigest()
        url = f"https://files.example.invalid/{wheel.name}"
        entries.append({"filename": wheel.name, "url": url, "hashes": {"sha256": sha}, "upload-time": uploaded})
    listing_path(house, "demo-pkg").parent.mkdir(parents=True)
    listing_path(house, "demo-pkg").write_text(json.dumps({"meta": {"api-version": "1.1"}, "files": entries}))
    return house


def _lock(house: Path, *versions: str) -> Lock:
    files = {}
    for version in versions:
        name = f"demo_pkg-{version}-py3-none-any.whl"
        files[name] = hashlib.sha256(file_path(house, name).read_bytes()).hexdigest()
    return Lock(CUTOFF, files, {"demo-pkg"}, {"no-such-project"})


@pytest.fixture
def serve(house: Path) -> Iterator[list[PackageIndex]]:
    started: list[PackageIndex] = []
    yield started
    for index in started:
        index.stop()


def _pip_download(index: PackageIndex, requirement: str, into: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--index-url", index.url, "-d", str(into)]
    return subprocess.run([*command, requirement], capture_output=True, text=True, timeout=120)


def test_pip_gets_the_newest_locked_file_listed_before_the_cutoff(
    house: Path, serve: list[PackageIndex], tmp_path: Path
) -> None:
    index = PackageIndex(house, _lock(house, "1.0", "2.0")).start()
    serve.append(index)
    result = _pip_download(index, "demo-pkg", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    # 2.0 is in the wheelhouse, but PyPI listed it after the cutoff: the run must not drift to it.
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["demo_pkg-1.0-py3-none-any.whl"]
    assert index.take_misses() == []


def test_the_listing_points_at_the_index_itself_in_json_and_html(house: Path, serve: list[PackageIndex]) -> None:
    index = PackageIndex(house, _lock(house, "1.0")).start()
    serve.append(index)
    request = urllib.request.Request(f"{index.url}/Demo_Pkg/", headers={"Accept": JSON_TYPE})
    with urllib.request.urlopen(request, timeout=10) as response:
        page = json.load(response)
    assert [item["url"] for item in page["files"]] == [
        f"{index.url.removesuffix('/simple')}/files/demo_pkg-1.0-py3-none-any.whl"
    ]
    with urllib.request.urlopen(f"{index.url}/demo-pkg/", timeout=10) as response:
        html = response.read().decode()
    assert f"demo_pkg-1.0-py3-none-any.whl#sha256={page['files'][0]['hashes']['sha256']}" in html


def test_a_file_outside_the_lock_is_a_404_and_a_named_miss(
    house: Path, serve: list[PackageIndex], tmp_path: Path
) -> None:
    index = PackageIndex(house, _lock(house)).start()  # the listing is locked, its file is not
    serve.append(index)
    result = _pip_download(index, "demo-pkg==1.0", tmp_path / "out")
    assert result.returncode != 0
    assert index.take_misses() == ["file demo_pkg-1.0-py3-none-any.whl"]
    assert "file demo_pkg-1.0-py3-none-any.whl" in (house / "misses.txt").read_text()


def test_a_name_pypi_does_not_have_is_a_404_but_no_miss(house: Path, serve: list[PackageIndex]) -> None:
    index = PackageIndex(house, _lock(house, "1.0")).start()
    serve.append(index)
    for name in ("no-such-project", "never-recorded"):
        with pytest.raises(urllib.error.HTTPError) as answer:
            urllib.request.urlopen(f"{index.url}/{name}/", timeout=10)
        assert answer.value.code == 404
    assert index.take_misses() == ["listing never-recorded"]


def test_the_lock_reads_back_what_it_wrote(tmp_path: Path) -> None:
    lock = Lock(CUTOFF, {"demo_pkg-1.0-py3-none-any.whl": "ab" * 32}, {"demo-pkg", "numpy"}, {"no-such-project"})
    lock.write(tmp_path / "lock.txt")
    assert Lock.read(tmp_path / "lock.txt") == lock
    (tmp_path / "bad.txt").write_text("cutoff 2026-01-01T00:00:00+00:00\nwheel x\n")
    with pytest.raises(ValueError, match=r"bad.txt:2: cannot read 'wheel x'"):
        Lock.read(tmp_path / "bad.txt")
