"""The zip writer: valid zips, sorted entries, fixed timestamps and permissions, same bytes every time."""

from __future__ import annotations

import hashlib
import os
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from faas.core.packaging.archive import Entry, deflate_files, write_zip
from faas.core.reporting import NullReporter


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sample(tmp_path: Path) -> list[Entry]:
    script = tmp_path / "run.sh"
    script.write_text("#!/bin/sh\necho hi\n")
    script.chmod(0o775)
    module = tmp_path / "pkg" / "mod.py"
    module.parent.mkdir()
    module.write_text("x = 1\n" * 100)
    module.chmod(0o600)
    return [
        Entry("pkg/mod.py", path=module),
        Entry("run.sh", path=script, executable=True),
        Entry("faas_runtime.json", data=b'{"format": 1}'),
        Entry("caf\u00e9/noise.bin", data=bytes(range(256))),
    ]


def test_zip_is_valid_sorted_with_fixed_times_and_modes(tmp_path: Path) -> None:
    out = tmp_path / "out.zip"
    write_zip(sample(tmp_path), out, NullReporter())
    with zipfile.ZipFile(out) as archive:
        assert archive.testzip() is None
        infos = archive.infolist()
        names = [info.filename for info in infos]
        assert names == sorted(names)
        assert names == ["caf\u00e9/", "caf\u00e9/noise.bin", "faas_runtime.json", "pkg/", "pkg/mod.py", "run.sh"]
        modes = {info.filename: info.external_attr >> 16 for info in infos}
        assert modes["pkg/"] == 0o40755
        assert modes["pkg/mod.py"] == 0o100644  # was 0600 on disk
        assert modes["run.sh"] == 0o100755
        assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}
        assert {info.create_system for info in infos} == {3}
        assert archive.read("pkg/mod.py") == b"x = 1\n" * 100


def test_same_entries_give_the_same_bytes(tmp_path: Path) -> None:
    entries = sample(tmp_path)
    write_zip(entries, tmp_path / "a.zip", NullReporter())
    os.utime(tmp_path / "run.sh", (0, 0))  # mtimes never reach the zip
    write_zip(list(reversed(entries)), tmp_path / "b.zip", NullReporter())
    assert sha(tmp_path / "a.zip") == sha(tmp_path / "b.zip")


def test_source_date_epoch_sets_the_timestamps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14 22:13:20 UTC
    write_zip([Entry("a.txt", data=b"a")], tmp_path / "a.zip", NullReporter())
    with zipfile.ZipFile(tmp_path / "a.zip") as archive:
        assert archive.getinfo("a.txt").date_time == (2023, 11, 14, 22, 13, 20)


def test_precompressed_members_are_copied_byte_for_byte(tmp_path: Path) -> None:
    entries = sample(tmp_path)
    write_zip(entries, tmp_path / "direct.zip", NullReporter())
    index = deflate_files(tmp_path, ["pkg/mod.py", "run.sh"], tmp_path / "blob.bin")
    copied = [replace(entry, deflated=index.get(entry.arcname)) for entry in entries]
    written = write_zip(copied, tmp_path / "copied.zip", NullReporter())
    assert sha(tmp_path / "direct.zip") == sha(tmp_path / "copied.zip")
    assert written["pkg/mod.py"] == (600, hashlib.sha256(b"x = 1\n" * 100).hexdigest())


def test_more_than_65535_entries_use_zip64_end_records(tmp_path: Path) -> None:
    entries = [Entry(f"d{index // 1000}/f{index}.txt", data=b"") for index in range(70_000)]
    write_zip(entries, tmp_path / "many.zip", NullReporter())
    with zipfile.ZipFile(tmp_path / "many.zip") as archive:
        assert len(archive.infolist()) == 70_000 + 70
        assert archive.read("d69/f69999.txt") == b""


names = st.lists(st.from_regex(r"[a-z\u00e9]{1,6}", fullmatch=True), min_size=1, max_size=3).map("/".join)


@settings(max_examples=50, deadline=None)
@given(files=st.dictionaries(names, st.binary(max_size=300), min_size=1, max_size=12), executable=st.booleans())
def test_any_entries_round_trip_in_any_order(
    tmp_path_factory: pytest.TempPathFactory, files: dict[str, bytes], executable: bool
) -> None:
    folder = tmp_path_factory.mktemp("zips")
    # A name cannot be both a file and a folder in a zip that unpacks.
    files = {name: data for name, data in files.items() if not any(other.startswith(name + "/") for other in files)}
    entries = [Entry(name, data=data, executable=executable) for name, data in files.items()]
    write_zip(entries, folder / "a.zip", NullReporter())
    write_zip(entries[::-1], folder / "b.zip", NullReporter())
    assert sha(folder / "a.zip") == sha(folder / "b.zip")
    with zipfile.ZipFile(folder / "a.zip") as archive:
        assert archive.testzip() is None
        assert {name: archive.read(name) for name in files} == files
