"""Storage roles as every cloud deploys them: buckets, sources, changed files and the app's variables."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from faas import DeployError, load_project, storage_changes, storage_environment, storage_files, storage_roles


def project_with(tmp_path: Path, storage: str):  # type: ignore[no-untyped-def]
    (tmp_path / "faas.toml").write_text(f'name = "pups"\n[app]\nentry = "app:application"\n{storage}')
    return load_project(tmp_path / "faas.toml", "dev")


def test_a_role_without_a_bucket_is_named_by_the_provider_and_owned(tmp_path: Path) -> None:
    (tmp_path / "assets").mkdir()
    project = project_with(
        tmp_path,
        '[storage.static]\npublic = true\nsource = "assets"\n[storage.media]\nbucket = "their-media"\n',
    )
    media, static = storage_roles(project, lambda role: f"named-{role}")
    assert (media.role, media.bucket, media.managed, media.public, media.source) == (
        "media",
        "their-media",
        False,
        False,
        None,
    )
    assert (static.bucket, static.managed, static.public, static.source) == (
        "named-static",
        True,
        True,
        (tmp_path / "assets").resolve(),
    )


def test_a_source_that_is_not_a_folder_is_refused_at_plan(tmp_path: Path) -> None:
    project = project_with(tmp_path, '[storage.static]\nsource = "nowhere"\n')
    with pytest.raises(DeployError, match=r"storage\.static\.source 'nowhere' is not a folder"):
        storage_roles(project, lambda role: role)


def test_only_files_whose_md5_differs_from_the_stored_object_are_changed(tmp_path: Path) -> None:
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "site.css").write_bytes(b"body{}")
    (tmp_path / "app.js").write_bytes(b"run()")
    files = storage_files(tmp_path)
    assert sorted(files) == ["app.js", "css/site.css"]
    same = hashlib.md5(b"body{}", usedforsecurity=False).hexdigest()
    assert storage_changes(files, {"css/site.css": same}) == ("app.js",)
    assert storage_changes(files, {"css/site.css": same, "app.js": "0" * 32}) == ("app.js",)
    assert storage_changes(files, {key: md5 for key, (_, md5) in files.items()}) == ()


def test_the_static_role_also_sets_the_static_variables() -> None:
    env = storage_environment([("static", "b1", "https://s/b1/"), ("user-media", "b2", "https://s/b2/")])
    assert env == {
        "FAAS_STORAGE_STATIC_BUCKET": "b1",
        "FAAS_STORAGE_STATIC_URL": "https://s/b1/",
        "FAAS_STATIC_BUCKET": "b1",
        "FAAS_STATIC_URL": "https://s/b1/",
        "FAAS_STORAGE_USER_MEDIA_BUCKET": "b2",
        "FAAS_STORAGE_USER_MEDIA_URL": "https://s/b2/",
    }
