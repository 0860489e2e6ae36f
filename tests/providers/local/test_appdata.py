"""The data area: what the app writes beside its code is the stage's, linked into every version."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from faas.providers.local.appdata import adopt_writes, link_data


def unpack(root: Path, version: str, files: dict[str, str]) -> Path:
    code = root / "versions" / version / "code"
    for name, text in files.items():
        (code / name).parent.mkdir(parents=True, exist_ok=True)
        (code / name).write_text(text)
    return code


def test_a_database_named_by_the_settings_is_shared_by_every_version(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = unpack(tmp_path, "v1", {"app.py": "1", "mysite/settings.py": ""})
    link_data(first, data, ["db.sqlite3", "media/"])
    with sqlite3.connect(first / "db.sqlite3") as db:
        db.execute("create table users (name)")
        db.execute("insert into users values ('admin')")
    (first / "media" / "upload.png").write_bytes(b"png")
    second = unpack(tmp_path, "v2", {"app.py": "2", "mysite/settings.py": ""})
    link_data(second, data, ["db.sqlite3", "media/"])
    with sqlite3.connect(second / "db.sqlite3") as db:
        assert db.execute("select name from users").fetchall() == [("admin",)]
    assert (second / "media" / "upload.png").read_bytes() == b"png"
    assert (data / "db.sqlite3").is_file() and not (data / "db.sqlite3").is_symlink()


def test_a_packaged_database_seeds_the_data_area_once_then_the_data_area_wins(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = unpack(tmp_path, "v1", {"app.py": "", "db.sqlite3": "packaged"})
    link_data(first, data, ["db.sqlite3"])
    (first / "db.sqlite3").write_text("written by the app")
    second = unpack(tmp_path, "v2", {"app.py": "", "db.sqlite3": "packaged again"})
    link_data(second, data, ["db.sqlite3"])
    assert (second / "db.sqlite3").read_text() == "written by the app"


def test_files_the_app_wrote_on_its_own_are_kept_for_the_next_version(tmp_path: Path) -> None:
    data = tmp_path / "data"
    artifact = {"app.py": "", "pkg/__init__.py": ""}
    first = unpack(tmp_path, "v1", artifact)
    link_data(first, data, [])
    (first / "app.db").write_text("rows")
    (first / "instance").mkdir()
    (first / "instance" / "config.json").write_text("{}")
    (first / "pkg" / "cache.txt").write_text("cached")
    moved = adopt_writes(first, data, set(artifact) | {"pkg"})
    assert sorted(moved) == ["app.db", "instance", "pkg/cache.txt"]
    assert (first / "app.db").is_symlink() and (first / "app.db").read_text() == "rows"
    second = unpack(tmp_path, "v2", artifact)
    link_data(second, data, [])
    assert (second / "app.db").read_text() == "rows"
    assert (second / "instance" / "config.json").read_text() == "{}"
    assert (second / "pkg" / "cache.txt").read_text() == "cached"
    assert (second / "pkg" / "__init__.py").is_file() and not (second / "pkg").is_symlink()
